"""Benchmark `fluxops values-diff --all` across two environments: total time, and the share
spent rendering (building both environments) versus composing and diffing the values.

    python bench/values_diff.py [--repeat 5]

Cases: the largest fixture repo (onedr0p home-ops, 69 HelmReleases; it has one cluster, so
the two environments are its cluster and the `cluster-apps` Kustomization's tree seen as an
explicit folder: every release is composed twice and compared), and the classic fluxcd example
(staging vs production). Warm build cache, as in daily use; the first run fills it.
Not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from fluxops import api

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "repos"

CASES = [
    ("onedr0p__home-ops", [("a", "kubernetes/flux/cluster"), ("b", "kubernetes/flux/cluster")]),
    (
        "fluxcd__flux2-kustomize-helm-example__pre-flux-2.7",
        [("staging", None), ("production", None)],
    ),
]


def full(repo: Path, envs: list[tuple[str, str | None]]) -> tuple[float, float, float, int, int]:
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
    return elapsed, result.timings["render"], result.timings["compare"], len(result.diffs), rows


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
        releases = rows = 0
        for _ in range(args.repeat):
            t, r, c, releases, rows = full(repo, envs)
            totals.append(t)
            renders.append(r)
            compares.append(c)
        total = statistics.median(totals)
        render = statistics.median(renders)
        compare = statistics.median(compares)
        print(
            f"{name:52s} {releases:3d} releases {rows:4d} rows  total {total:6.3f}s  "
            f"rendering {render:6.3f}s ({render / total:4.0%})  "
            f"composing+diffing {compare:6.3f}s ({compare / total:4.0%})"
        )


if __name__ == "__main__":
    main()
