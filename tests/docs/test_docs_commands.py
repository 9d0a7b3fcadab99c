"""Docs that run: every `fluxops` command of README.md and docs/*.md that needs no live
cluster is run as written, against a copy of examples/podinfo-platform (as the current folder;
`examples/...` paths resolve too) and snapshot files made here. It must exit 0 or 1 (1: it
found something), never 2 (the command is wrong) or 3. Commands that read a cluster run in
tests/cluster/test_docs_commands.py; those that cannot run are listed in SKIPPED."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.docs.commands import ROOT, SKIPPED, DocCommand, doc_commands
from tests.unit.status import objects as status_objects

pytestmark = pytest.mark.unit

EXAMPLE = ROOT / "examples" / "podinfo-platform"
COMMANDS = doc_commands()


def workdir(tmp_path: Path, command: DocCommand) -> Path:
    """The folder a command runs in: a copy of the example repo, with the snapshot files the
    command names; or, for `examples/...` paths, a folder where those resolve."""
    if "examples/" in command.text:
        outer = tmp_path / "outer"
        outer.mkdir()
        (outer / "examples").symlink_to(ROOT / "examples")
        return outer
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    for name in ("live.yaml", "cluster.yaml"):
        if name in command.argv:
            items = status_objects.scenario()
            doc = {"apiVersion": "v1", "kind": "List", "items": items}
            (repo / name).write_text(yaml.safe_dump(doc))
    return repo


def run(command: DocCommand, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fluxops", *command.argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_commands_were_found() -> None:
    files = {c.file for c in COMMANDS}
    assert {"README.md", "docs/build.md", "docs/lint.md", "docs/cli.md"} <= files
    assert all(text in {c.text for c in COMMANDS} for text in SKIPPED), "a SKIPPED entry is stale"


@pytest.mark.parametrize(
    "command",
    [c for c in COMMANDS if c.text not in SKIPPED and not c.needs_cluster],
    ids=str,
)
def test_documented_command_runs(command: DocCommand, tmp_path: Path) -> None:
    env = dict(os.environ, FLUXOPS_CACHE_DIR=str(tmp_path / "cache"), NO_COLOR="1")
    env.pop("KUBECONFIG", None)
    proc = run(command, workdir(tmp_path, command), env)
    assert proc.returncode in (0, 1), f"{command}\nexit {proc.returncode}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
