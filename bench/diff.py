"""Benchmark `fluxops diff --changed-only` on a Renovate-style pull request: one file changed
(a chart version) in the largest fixture repos, in the same run against

- two full cold `fluxops build --all` runs (what comparing by hand costs: build both sides);
  goal: the diff takes at most 0.2x of those two;
- a full cold `fluxops diff` (no --changed-only), for reference;
- `flux-local diff ks` (flux-local needs Python 3.12+: pass `--flux-local PATH` or have it on
  PATH; it runs `flux` and `kustomize`, taken from scripts/build-go-tools.sh). flux-local is
  given a ready base folder (`--path-orig`), so its time leaves out making the base checkout,
  which fluxops's includes.

    python bench/diff.py [--only NAME] [--repeat 1] [--flux-local PATH]

Each repo is copied into a temp folder and committed (tag `base`), then the chart version is
bumped in a second commit; both fixture repos publish their charts as OCIRepositories, so the
chart version of the HelmRelease is the OCIRepository's `spec.ref.tag`. "Cold": an empty
build cache for every run. Prints wall seconds and ratios (the goal is on wall time), and the
CPU seconds (user + system) of each process tree, the steadier figure on a shared machine.
Not a test: nothing here gates CI.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from harness import tool  # noqa: E402
from tests.gitrepos import GitRepo  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "repos"


@dataclass(frozen=True)
class Case:
    name: str
    file: str
    old: str
    new: str
    #: The cluster folder flux-local is pointed at.
    cluster: str


CHART = "kubernetes/apps/actions-runner-system/actions-runner-controller/app/ocirepository.yaml"
CASES = [
    Case("onedr0p__home-ops", CHART, "tag: 0.14.2", "tag: 0.14.3", "kubernetes/flux/cluster"),
    Case("buroa__k8s-gitops", CHART, "tag: 0.14.2", "tag: 0.14.3", "kubernetes/flux/cluster"),
]


#: CPU seconds (user + system) of the process trees `timed` ran, in order.
CPU: list[float] = []


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(
    command: list[str], env: dict[str, str], cwd: Path
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall seconds; the CPU seconds of the whole process tree go to `CPU`."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - start
    CPU.append(_children_cpu() - cpu)
    return wall, proc


def fluxops(
    args: list[str], work: Path, cwd: Path
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """One fluxops run with an empty build cache of its own."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
    env = {**os.environ, "FLUXOPS_CACHE_DIR": str(cache)}
    try:
        return timed([sys.executable, "-m", "fluxops", *args], env, cwd)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def flux_local(
    binary: str, case: Case, repo: Path, base: Path
) -> tuple[float, subprocess.CompletedProcess[str]]:
    tools = f"{tool('flux').parent}:{tool('kustomize').parent}"
    env = {**os.environ, "PATH": f"{tools}:{os.environ.get('PATH', '')}"}
    command = [
        binary, "diff", "ks", "-A", "--path", case.cluster,
        "--path-orig", str(base / case.cluster),
    ]  # fmt: skip
    return timed(command, env, repo)


def run_case(case: Case, repeat: int, flux_local_bin: str | None, work: Path) -> None:
    source = FIXTURES / case.name
    if not source.is_dir():
        print(f"{case.name}: not in {FIXTURES}, skipped")
        return
    repo = GitRepo.copy_of(source, work / case.name / "repo")
    repo.edit(case.file, case.old, case.new)
    repo.commit("bump the chart")
    print(f"\n{case.name}: {case.file}: {case.old} -> {case.new}")

    builds, diffs, fulls, peers = [], [], [], []
    build_cpu, diff_cpu, full_cpu = [], [], []
    summary = ""
    for _ in range(repeat):
        pair = []
        for _side in range(2):
            seconds, proc = fluxops(
                ["build", str(repo.root), "--all", "-o", "json"], work, repo.root
            )
            if proc.returncode not in (0, 1):
                sys.exit(f"build failed: {proc.stderr[-2000:]}")
            pair.append(seconds)
        builds.append(sum(pair))
        build_cpu.append(CPU[-1] + CPU[-2])
        args = ["diff", str(repo.root), "--base", "base", "--head", "HEAD", "-o", "json"]
        seconds, proc = fluxops([*args, "--changed-only"], work, repo.root)
        if proc.returncode != 0:
            sys.exit(f"diff failed: {proc.stderr[-2000:]}")
        diffs.append(seconds)
        diff_cpu.append(CPU[-1])
        data = json.loads(proc.stdout)
        summary = (
            f"changed-only rendered {data['base']['rendered']}+{data['head']['rendered']} "
            f"Kustomizations; {data['summary']['kustomizations']} differ, "
            f"{data['summary']['changed']} objects changed"
        )
        seconds, full = fluxops(args, work, repo.root)
        fulls.append(seconds)
        full_cpu.append(CPU[-1])
        full_data = json.loads(full.stdout)
        if full_data["kustomizations"] != data["kustomizations"]:
            print("  !! --changed-only and the full diff differ")
    build_s = statistics.median(builds)
    diff_s = statistics.median(diffs)
    full_s = statistics.median(fulls)
    build_c, diff_c, full_c = (statistics.median(c) for c in (build_cpu, diff_cpu, full_cpu))
    print(f"  two cold `build --all`:     {build_s:7.2f} s  (CPU {build_c:.2f} s)")
    print(
        f"  `diff --changed-only` cold: {diff_s:7.2f} s  ({diff_s / build_s:.3f}x; goal <= 0.2x)"
        f"  (CPU {diff_c:.2f} s, {diff_c / build_c:.3f}x)"
    )
    print(
        f"  `diff` (full) cold:         {full_s:7.2f} s  ({full_s / build_s:.3f}x)"
        f"  (CPU {full_c:.2f} s, {full_c / build_c:.3f}x)"
    )
    print(
        f"  {summary}; full diff rendered {full_data['base']['rendered']}+{full_data['head']['rendered']}"
    )

    if flux_local_bin is None:
        print(
            "  flux-local: not run (no flux-local binary: it needs Python 3.12+; --flux-local PATH)"
        )
        return
    base = work / case.name / "base"
    GitRepo.copy_of(source, base)
    for _ in range(repeat):
        seconds, proc = flux_local(flux_local_bin, case, repo.root, base)
        peers.append((seconds, proc))
    seconds = statistics.median(s for s, _ in peers)
    proc = peers[-1][1]
    if proc.returncode != 0:
        error = (proc.stderr or proc.stdout).strip().splitlines()
        print(
            f"  flux-local diff ks: failed after {seconds:.2f} s: {error[0][:300] if error else proc.returncode}"
        )
    else:
        print(
            f"  flux-local diff ks:         {seconds:7.2f} s  "
            f"(fluxops diff --changed-only is {seconds / diff_s:.1f}x faster; "
            f"{len(proc.stdout.splitlines())} diff lines)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="one case (fixture folder name)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--flux-local", default=os.environ.get("FLUX_LOCAL") or shutil.which("flux-local")
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as folder:
        for case in CASES:
            if args.only and case.name != args.only:
                continue
            run_case(case, args.repeat, args.flux_local, Path(folder))


if __name__ == "__main__":
    main()
