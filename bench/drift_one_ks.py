"""Latency of `fluxops drift --ks` on one small Flux Kustomization, beside `flux diff
kustomization` on the same API server in the same run (the common case: one Kustomization,
a handful of objects).

Starts the API server harness (bench/harness.py), applies the drift test scenario (17 objects,
as kustomize-controller would, with the hand edits of tests/cluster/test_drift.py) and times,
median of `--repeat` runs, each a fresh process as a user runs it:

- `fluxops drift . --ks flux-system/bench` in fields and in server mode (build cache warm);
- `flux diff kustomization bench --path apps --kustomization-file ...`;
- `fluxops --help` and `python -c pass` (the floor a Python CLI starts from);
- both tools' render step alone, on the scenario and on one Kustomization of a real repository
  (`default/atuin` of the home-ops fixture, when ../shared/fixtures/repos is there: fluxops
  finds it through its parents, `flux build` is handed its folder and the Kustomization as
  its parent renders it; both on a copy, as `flux build` writes into the repository; fluxops'
  caches warm, as after a first run);
- `fluxops drift --ks` and `flux diff kustomization` on a real repository's Kustomization
  (`kube-system/metrics-server` of home-ops, a HelmRelease and its OCIRepository) applied
  first as kustomize-controller would, so in sync: with the caches filled by a first run (the
  repository unchanged since); after an edit elsewhere (another app's HelmRelease changed
  before each run: what the result read did not change, it is kept); after an edit of its
  own files (a comment added to its HelmRelease before each run: the walk to it is kept, it
  is built again, kustomize included); with no cache at all, as in CI on a fresh checkout
  (an empty cache folder each run: the repository parsed, the parents walked and built);
- the first three as `drift` tool calls to a `fluxops mcp` server kept open, as an agent
  uses fluxops (bench/mcp_calls.py; with the `mcp` extra installed): per call, the server's
  start-up paid once before the rounds.

Wall time and CPU time (user + system of the process and its children; for an MCP call, of
the server process, from /proc in clock ticks) are both reported: on a shared machine the CPU
time is the steadier figure.

    .venv/bin/python bench/drift_one_ks.py [--repeat 7]

Prints a table; `--importtime` also prints the 15 slowest imports of a fields-mode run
(`python -X importtime`) and `--profile` the top of its cProfile.
"""

from __future__ import annotations

import argparse
import contextlib
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
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from drift_cluster import Cluster  # noqa: E402
from harness import tool  # noqa: E402
from mcp_calls import McpServer, available  # noqa: E402
from tests.cluster import drift_scenario as sc  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
#: a real repository's Kustomization, found through its parents (docs/build.md: --ks)
REAL_REPO = ROOT.parent / "shared" / "fixtures" / "repos" / "onedr0p__home-ops"
REAL_KS = ("default", "atuin", "kubernetes/apps/default/atuin")
#: one that renders only kinds the harness serves (a HelmRelease and its OCIRepository), for
#: drift on a real repository: applied first as kustomize-controller would, so in sync
REAL_DRIFT_KS = ("kube-system", "metrics-server", "kubernetes/apps/kube-system/metrics-server")
FLUXOPS = ROOT / ".venv" / "bin" / "fluxops"


@dataclass
class Call:
    """A timed step that is not a process: an MCP tool call (bench/mcp_calls.py). `prepare`
    runs before each call, untimed (an edit); `cpu` is the CPU time its server used so far."""

    run: Callable[[], int]
    cpu: Callable[[], float]
    prepare: Callable[[], None] | None = None


Command = list[str] | Call


def timed(cmd: Command, cwd: Path, repeat: int) -> tuple[float, list[float], float, int]:
    """Median wall time, every run's, the median CPU time (user + system, the process and
    its children: under load on a shared machine the steadier figure) and the exit code."""
    walls, cpus, code = [], [], 0
    for _ in range(repeat):
        if isinstance(cmd, Call):
            if cmd.prepare is not None:
                cmd.prepare()
            used = cmd.cpu()
            start = time.perf_counter()
            code = cmd.run()
            walls.append(time.perf_counter() - start)
            cpus.append(cmd.cpu() - used)
            continue
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        code = proc.returncode
    return statistics.median(walls), walls, statistics.median(cpus), code


def without_secrets(repo: Path, dest: Path) -> Path:
    shutil.copytree(repo, dest)
    apps = dest / "apps"
    for secret in apps.glob("*-secret-*.yaml"):
        secret.unlink()
    names = sorted(p.name for p in apps.glob("0*.yaml"))
    (apps / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        + "".join(f"- {n}\n" for n in names)
    )
    return dest


def interleaved(
    commands: dict[str, Command], cwd: Path, repeat: int
) -> dict[str, tuple[float, list[float], float, int]]:
    """Each command once per round, `repeat` rounds: a change of load during the run weighs
    on every command alike."""
    runs: dict[str, list[tuple[float, list[float], float, int]]] = {k: [] for k in commands}
    for _ in range(repeat):
        for name, cmd in commands.items():
            runs[name].append(timed(cmd, cwd, 1))
    out = {}
    for name, results in runs.items():
        walls = [r[0] for r in results]
        cpus = [r[2] for r in results]
        out[name] = (statistics.median(walls), walls, statistics.median(cpus), results[-1][3])
    return out


def importtime(cmd: list[str], cwd: Path) -> list[tuple[int, str]]:
    proc = subprocess.run(
        [str(PYTHON), "-X", "importtime", "-m", "fluxops", *cmd[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = [p.strip() for p in line[len("import time:") :].split("|")]
            if parts[1].isdigit():
                rows.append((int(parts[1]), parts[2]))
    return sorted(rows, reverse=True)


def profile(cmd: list[str], cwd: Path) -> str:
    code = (
        "import cProfile, pstats, sys; from fluxops.cli.main import cli; "
        f"sys.argv = {['fluxops', *cmd[1:]]!r}; "
        "p = cProfile.Profile(); p.enable()\n"
        "try:\n    cli.main(standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "p.disable(); pstats.Stats(p).sort_stats('cumulative').print_stats(25)"
    )
    proc = subprocess.run([str(PYTHON), "-c", code], cwd=cwd, capture_output=True, text=True)
    return proc.stdout[-6000:]


def effective_kustomization(copy: Path, ns: str, name: str) -> tuple[Path, Any]:
    """The Kustomization `ns/name` as its parent renders it (namespace, the parent's patches),
    written beside the copy for `flux` (given the repository's own file, `flux` misses what
    the parent adds); and its build."""
    from fluxops import api
    from fluxops.goyaml import dump as go_dump

    [build] = api.build(api.BuildRequest(path=str(copy), ks=f"{ns}/{name}")).builds
    effective = copy.parent / f"{name}.effective-ks.yaml"
    effective.write_text(go_dump(build.kustomization.raw))  # as Go reads it
    return effective, build


def real_repo_commands(flux: Path, copy: Path) -> dict[str, list[str]]:
    """Render-only rows on a copy of a real repository (the caches filled first)."""
    shutil.copytree(REAL_REPO, copy)
    ns, name, folder = REAL_KS
    fluxops = [str(FLUXOPS), "build", str(copy), "--ks", f"{ns}/{name}", "-o", "json"]
    subprocess.run(fluxops, capture_output=True, check=True)
    effective, _ = effective_kustomization(copy, ns, name)
    return {
        "fluxops build --ks (home-ops, render only)": fluxops,
        "flux build kustomization --dry-run (home-ops, render only)": [
            str(flux), "build", "kustomization", name, "-n", ns,
            "--path", str(copy / folder / "app"), "--kustomization-file", str(effective),
            "--dry-run",
        ],
    }  # fmt: skip


def real_repo_drift_commands(
    cluster: Cluster, flux: Path, copy: Path, kube: list[str]
) -> dict[str, list[str]]:
    """`drift --ks` and `flux diff` on a real repository's Kustomization, its objects applied
    first as kustomize-controller applies them (owner labels, field manager, inventory).
    `flux diff` is handed the Kustomization as its parent renders it (namespace, the parent's
    patches): given the repository's file it reports the patched HelmRelease fields and the
    owner labels as drift."""
    ns, name, folder = REAL_DRIFT_KS
    effective, build = effective_kustomization(copy, ns, name)
    for obj in build.objects:
        cluster.kube.apply(obj.raw)
    cluster.kube.apply(build.kustomization.raw, manager="fluxops-tests")
    cluster.kube.patch(
        "kustomize.toolkit.fluxcd.io/v1",
        "Kustomization",
        ns,
        name,
        {"status": {"inventory": {"entries": [sc.inventory_entry(o.raw) for o in build.objects]}}},
        manager="kustomize-controller",
        subresource="status",
    )
    drift = [str(FLUXOPS), "drift", str(copy), "--ks", f"{ns}/{name}", *kube]
    subprocess.run(drift, capture_output=True)  # the caches filled, as after a first run
    # after an edit, each run on a copy of its own, so that nothing is cached under the
    # repository's whole content; the builds whose files did not change still come from the
    # build cache. Elsewhere: another app's HelmRelease gets a new interval before each run
    # (what it read did not change: the result is kept). Its own: a comment is added to its
    # HelmRelease (its walk is kept; it is built again, kustomize included; still in sync).
    elsewhere = copy.parent / f"{copy.name}-edited-elsewhere"
    own = copy.parent / f"{copy.name}-edited-own"
    for other in (elsewhere, own):
        shutil.copytree(copy, other)
        subprocess.run([*drift[:2], str(other), *drift[3:]], capture_output=True)
    other_app = elsewhere / "kubernetes/apps/default/atuin/app/helmrelease.yaml"
    own_app = own / folder / "app" / "helmrelease.yaml"
    edits = {
        "after an edit elsewhere": (
            f'sed -i "s/^  interval: .*/  interval: $(($$ % 900 + 60))m/" {other_app}',
            elsewhere,
        ),
        "after an edit of its own files": (f'echo "# $$" >> {own_app}', own),
        # as in CI on a fresh checkout: no cache at all (an empty cache folder each run)
        "cold caches": (
            f'export FLUXOPS_CACHE_DIR="$(mktemp -d -p {copy.parent} cold-cache-XXXXXX)"',
            copy,
        ),
    }
    edited = {
        f"fluxops drift --ks (home-ops kube-system/metrics-server), {label}": [
            "sh", "-c", f'{shell} && exec "$0" "$@"',
            str(FLUXOPS), "drift", str(where), "--ks", f"{ns}/{name}", *kube,
        ]
        for label, (shell, where) in edits.items()
    }  # fmt: skip
    return {
        "fluxops drift --ks (home-ops kube-system/metrics-server)": drift,
        **edited,
        "flux diff kustomization (home-ops kube-system/metrics-server)": [
            str(flux), "diff", "kustomization", name, "-n", ns,
            "--path", str(copy / folder / "app"),
            "--kustomization-file", str(effective), *kube, "--progress-bar=false",
        ],
    }  # fmt: skip


def real_repo_mcp_calls(server: McpServer, copy: Path) -> dict[str, Command]:
    """The same drift, as an agent asks for it: a `drift` tool call to a `fluxops mcp`
    server kept open (its start-up paid once, not per question), on the copies the commands
    above use, with the same edits made before each call."""
    ns, name, folder = REAL_DRIFT_KS
    elsewhere = copy.parent / f"{copy.name}-edited-elsewhere"
    own = copy.parent / f"{copy.name}-edited-own"
    atuin = elsewhere / "kubernetes/apps/default/atuin/app/helmrelease.yaml"
    own_app = own / folder / "app" / "helmrelease.yaml"
    rounds = iter(range(10**6))

    def edit_elsewhere() -> None:
        text = atuin.read_text()
        interval = f"  interval: {next(rounds) % 900 + 61}m"
        atuin.write_text(re.sub(r"(?m)^  interval: .*$", interval, text, count=1))

    def edit_own() -> None:
        with own_app.open("a") as handle:
            handle.write(f"# mcp {next(rounds)}\n")

    def drift(where: Path) -> Callable[[], int]:
        args = {"path": where.name, "ks": f"{ns}/{name}", "context": "admin"}
        return lambda: server.call("drift", args)

    calls = {
        "": Call(drift(copy), server.cpu),
        ", after an edit elsewhere": Call(drift(elsewhere), server.cpu, edit_elsewhere),
        ", after an edit of its own files": Call(drift(own), server.cpu, edit_own),
    }
    for call in calls.values():  # the server's first call imports what drift needs
        call.run()
    return {f"fluxops mcp drift call (home-ops {ns}/{name}){k}": v for k, v in calls.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    flux = tool("flux")
    # as installed: bytecode compiled (a PYTHONDONTWRITEBYTECODE environment would otherwise
    # make every run compile fluxops' sources again)
    subprocess.run([str(PYTHON), "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    with tempfile.TemporaryDirectory(prefix="fluxops-drift-one-") as tmp:
        work = Path(tmp)
        print(f"starting the API server harness in {work} ...", flush=True)
        cluster = Cluster(work)
        stack = contextlib.ExitStack()
        try:
            ns = ks = "bench"
            repo = work / "repo"
            sc.write_repo(repo, ns, ks, 1)
            sc.apply_as_flux(cluster.kube, ns, ks)
            ks_file = sc.write_repo(repo, ns, ks, 2)
            sc.edit_live(cluster.kube, ns, ks)
            kube = ["--kubeconfig", str(cluster.kubeconfig), "--context", "admin"]
            drift = [str(FLUXOPS), "drift", ".", "--ks", f"flux-system/{ks}", *kube]
            flux_diff = [
                str(flux), "diff", "kustomization", ks, "--path", str(repo / "apps"),
                "--kustomization-file", str(ks_file), *kube, "--progress-bar=false",
            ]  # fmt: skip
            flux_build = [
                str(flux), "build", "kustomization", ks, "--path", str(repo / "apps"),
                "--kustomization-file", str(ks_file), "--dry-run",
            ]  # fmt: skip
            commands: dict[str, Command] = {
                "python -c pass": [str(PYTHON), "-c", "pass"],
                "fluxops --help": [str(FLUXOPS), "--help"],
                "fluxops drift --ks (fields)": drift,
                "fluxops drift --ks --mode server": [*drift, "--mode", "server"],
                "flux diff kustomization": flux_diff,
                "fluxops build --ks (render only)": [
                    str(FLUXOPS), "build", ".", "--ks", f"flux-system/{ks}", "-o", "json",
                ],
                "flux build kustomization --dry-run (render only)": flux_build,
            }  # fmt: skip
            # the same Kustomization without its two plain-text Secrets: kustomize's output is
            # then cached (a plain-text Secret never is), as in repos whose Secrets are SOPS
            # encrypted or live outside Git
            plain = without_secrets(repo, work / "no-secrets")
            drift_plain = [str(FLUXOPS), "drift", str(plain), "--ks", f"flux-system/{ks}", *kube]
            commands["fluxops drift --ks (fields), cached build"] = drift_plain
            commands["flux diff kustomization, same"] = [
                *flux_diff[:5], str(plain / "apps"), *flux_diff[6:],
            ]  # fmt: skip
            subprocess.run(drift_plain, capture_output=True)  # fill the cache
            if REAL_REPO.is_dir():
                commands.update(real_repo_commands(flux, work / "real"))
                commands.update(real_repo_drift_commands(cluster, flux, work / "real", kube))
                if available():
                    server = stack.enter_context(
                        McpServer(work, "--kubeconfig", str(cluster.kubeconfig))
                    )
                    commands.update(real_repo_mcp_calls(server, work / "real"))
                else:
                    print("the MCP client is not installed (pip install 'fluxops[mcp]'): "
                          "no fluxops mcp rows")  # fmt: skip
            rows = interleaved(commands, repo, args.repeat)
            codes = {k: v[3] for k, v in rows.items()}
            objects = len(sc.objects(ns, 2))
            print(f"\none Kustomization, {objects} objects, median of {args.repeat}")
            print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
            print("| command | wall (median) | CPU (median) | runs (wall) | exit |")
            print("|---|---:|---:|---|---:|")
            for name, (median, times, cpu, code) in rows.items():
                runs = " ".join(f"{t:.3f}" for t in times)
                print(f"| {name} | {median:.3f} s | {cpu:.3f} s | {runs} | {code} |")
            flux_row = rows["flux diff kustomization"]
            for name in ("fluxops drift --ks (fields)", "fluxops drift --ks --mode server"):
                print(
                    f"{name} / flux diff: wall {rows[name][0] / flux_row[0]:.2f}x, "
                    f"CPU {rows[name][2] / flux_row[2]:.2f}x"
                )
            assert codes["flux diff kustomization"] == codes["fluxops drift --ks (fields)"], codes
            real_pair = [k for k in codes if "kube-system/metrics-server" in k]
            assert len({codes[k] for k in real_pair}) <= 1, codes
            name = "fluxops drift --ks (fields), cached build"
            flux_same = rows["flux diff kustomization, same"]
            print(
                f"{name} / flux diff: wall {rows[name][0] / flux_same[0]:.2f}x, "
                f"CPU {rows[name][2] / flux_same[2]:.2f}x"
            )
            real_drift = "fluxops drift --ks (home-ops kube-system/metrics-server)"
            if real_drift in rows:
                flux_real = rows["flux diff kustomization (home-ops kube-system/metrics-server)"]
                agent = "fluxops mcp drift call"
                for name in [k for k in rows if k.startswith((real_drift, agent))]:
                    print(
                        f"{name} / flux diff: wall {rows[name][0] / flux_real[0]:.2f}x, "
                        f"CPU {rows[name][2] / flux_real[2]:.2f}x"
                    )
            real = "fluxops build --ks (home-ops, render only)"
            if real in rows:
                flux_real = rows["flux build kustomization --dry-run (home-ops, render only)"]
                print(
                    f"{real} / flux build: wall {rows[real][0] / flux_real[0]:.2f}x, "
                    f"CPU {rows[real][2] / flux_real[2]:.2f}x"
                )
            if args.importtime:
                print("\nslowest imports (cumulative us, fields mode):")
                for micros, name in importtime(drift, repo)[:15]:
                    print(f"  {micros:>8}  {name}")
            if args.profile:
                print(profile(drift, repo))
        finally:
            stack.close()
            cluster.stop()


if __name__ == "__main__":
    main()
