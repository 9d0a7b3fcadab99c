"""Benchmark `fluxops values-diff --all` across two different environments: total time, and
the share spent rendering (building both environments) versus composing and diffing the values.

    python bench/values_diff.py [--repeat 5]

Cases: every fixture repo with two real environments that share HelmReleases, staging against
production (fluxcd's hub-spoke example and both versions of its kustomize-helm example; the
other fixture repos have one cluster, and flux-local's test clusters share no release). Each
case must find releases in both environments that differ, or it says so. Warm build cache, as
in daily use; the first run fills it. Not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from fluxops import api

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "repos"

STAGING_PRODUCTION: list[tuple[str, str | None]] = [("staging", None), ("production", None)]
CASES = [
    ("fluxcd__flux2-hub-spoke-example", STAGING_PRODUCTION),
    ("fluxcd__flux2-kustomize-helm-example", STAGING_PRODUCTION),
    ("fluxcd__flux2-kustomize-helm-example__pre-flux-2.7", STAGING_PRODUCTION),
]


def full(
    repo: Path, envs: list[tuple[str, str | None]]
) -> tuple[float, float, float, int, int, int]:
    request = api.ValuesDiffRequest(
        path=str(repo),
        all_=True,
        envs=[n for n, p in envs if p is None],
        env_paths=[f"{n}={p}" for n, p in envs if p is not None],
    )
    start = time.perf_counter()
    result = api.values_diff(request)
    elapsed = time.perf_counter() - start
    rows = sum(len(d.rows) for d in result.diffs)
    differing = sum(1 for d in result.diffs for r in d.rows if r.differs)
    return (
        elapsed,
        result.timings["render"],
        result.timings["compare"],
        len(result.diffs),
        rows,
        differing,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name, envs in CASES:
        repo = FIXTURES / name
        if not repo.is_dir():
            print(f"{name}: not found at {repo}")
            continue
        full(repo, envs)  # fill the build cache
        totals, renders, compares = [], [], []
        releases = rows = differing = 0
        for _ in range(args.repeat):
            t, r, c, releases, rows, differing = full(repo, envs)
            totals.append(t)
            renders.append(r)
            compares.append(c)
        total = statistics.median(totals)
        render = statistics.median(renders)
        compare = statistics.median(compares)
        check = "" if releases and differing else "  NOT A COMPARISON: nothing in common differs"
        print(
            f"{name:52s} {' vs '.join(n for n, _ in envs)}: {releases:3d} releases "
            f"{rows:4d} rows ({differing} differ)  total {total:6.3f}s  "
            f"rendering {render:6.3f}s ({render / total:4.0%})  "
            f"composing+diffing {compare:6.3f}s ({compare / total:4.0%}){check}"
        )


if __name__ == "__main__":
    main()
