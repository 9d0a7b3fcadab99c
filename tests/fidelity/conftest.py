"""Fidelity tier: compare `fluxops build` with the real Flux CLI.

The flux binary is built from its Go module (tests/fidelity/fluxcli, pinned in go.mod) by
scripts/build-go-tools.sh and cached outside the repo; set FLUXOPS_FLUX_BIN to use another
build. A missing or unbuildable flux is a failure, not a skip: this tier exists to run it.
The per-repo counts are printed in the terminal summary (no `-s` needed). See docs/fidelity.md.

Definitions with `substituteFrom` are built by flux against the real API server of the cluster
tier: its session fixture `cluster` is re-exported here (a separate instance from the one
tests/cluster uses), and is started only when a repo has such a definition.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cluster.conftest import cluster  # noqa: F401 - the API server, for substituteFrom
from tests.gotools import GoDecoder, GoOracle, go_tool

from .harness_build import FluxCli, RepoReport
from .harness_repo import ROOT


@pytest.fixture(scope="session")
def go_decoder() -> GoDecoder:
    """YAML decoded by Go: sigs.k8s.io/yaml as kubectl and the controllers, or kyaml."""
    return GoDecoder(go_tool("goyamldecode"))


@pytest.fixture(scope="session")
def go_oracle() -> GoOracle:
    """Flux's envsubst, Helm's strvals and time.ParseDuration answering test cases."""
    return GoOracle(go_tool("godiff"))


@pytest.fixture(scope="session")
def flux_cli(go_decoder: GoDecoder) -> FluxCli:
    """The real flux CLI: FLUXOPS_FLUX_BIN, else built (or found up to date) by the script."""
    override = os.environ.get("FLUXOPS_FLUX_BIN")
    path = Path(override) if override else go_tool("flux")
    if not os.access(path, os.X_OK):
        pytest.fail(f"flux CLI not found or not executable at {path}", pytrace=False)
    out = subprocess.run(
        [str(path), "version", "--client"], capture_output=True, text=True, timeout=60
    )
    match = re.search(r"flux:\s*v?(\S+)", out.stdout)
    if out.returncode != 0 or not match:
        pytest.fail(f"{path} version --client failed: {out.stdout}{out.stderr}", pytrace=False)
    help_text = subprocess.run(
        [str(path), "build", "kustomization", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    flags = frozenset(re.findall(r"--([a-z][a-z0-9-]+)", help_text))
    if "in-memory-build" not in flags:
        # without it flux writes kustomization.yaml into the source folder (and the fixtures
        # are read-only); added by fluxcd/flux2#5794
        pytest.fail(f"flux {match.group(1)} has no `build kustomization --in-memory-build`")
    return FluxCli(path=path, version=match.group(1), flags=flags, decoder=go_decoder)


@pytest.fixture(scope="session")
def fluxops_bin() -> Path:
    """The fluxops entry point of this checkout's venv (or PATH)."""
    candidate = ROOT / ".venv/bin/fluxops"
    if candidate.exists():
        return candidate
    found = shutil.which("fluxops")
    if not found:
        pytest.fail("the fluxops command is not installed (run `make venv`)", pytrace=False)
    return Path(found)


# ---- reporting -------------------------------------------------------------------------------

#: (level, repo) -> report; level is "kustomizations" or "whole-repo"
_REPORTS: dict[tuple[str, str], RepoReport] = {}
_FLUX_VERSION: list[str] = []
LEVELS = {
    "kustomizations": "each Kustomization: fluxops build --ks vs flux build kustomization",
    "whole-repo": "whole repo: fluxops build --all vs flux build kustomization --recursive",
}


@pytest.fixture(scope="session")
def fidelity_reports(flux_cli: FluxCli) -> dict[tuple[str, str], RepoReport]:
    if not _FLUX_VERSION:
        _FLUX_VERSION.append(flux_cli.version)
    return _REPORTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _REPORTS:
        return
    tr = terminalreporter
    version = _FLUX_VERSION[0] if _FLUX_VERSION else "?"
    verbose = tr.config.getoption("verbose") > 0
    for level, title in LEVELS.items():
        reports = {repo: r for (lvl, repo), r in _REPORTS.items() if lvl == level}
        if not reports:
            continue
        tr.section(f"fidelity (flux {version}, Go-decoded), {title}")
        width = max(len(r) for r in reports)
        tr.write_line(f"{'repo':<{width}}  compared  equal  deviating  not compared")
        for name in sorted(reports):
            r = reports[name]
            tr.write_line(
                f"{name:<{width}}  {r.compared:>8}  {r.equal:>5}  {r.deviating:>9}"
                f"  {len(r.not_compared):>12}"
            )
        for name in sorted(reports):
            r = reports[name]
            by_reason: dict[str, list[str]] = {}
            for ks, reason in r.not_compared:
                by_reason.setdefault(reason.split(":")[0], []).append(ks)
            for reason, items in sorted(by_reason.items()):
                shown = items if verbose else items[:8]
                more = "" if len(shown) == len(items) else f", ... (+{len(items) - len(shown)}, -v)"
                tr.write_line(f"  {name}: not compared, {reason}: {', '.join(shown)}{more}")
            for ks, kind in r.both_fail:
                tr.write_line(f"  {name}: both fail on {ks} ({kind})")
            for item in r.live:
                tr.write_line(f"  {name}: compared against the API server: {item}")
            for ident, text in r.deviations:
                tr.write_line(f"  {name}: [{ident}] {text.splitlines()[0]}")
            for note in r.notes:
                tr.write_line(f"  {name}: {note}")
