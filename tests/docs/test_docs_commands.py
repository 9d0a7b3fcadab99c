"""Docs that run: every `fluxops` command of README.md and docs/*.md that needs no live
cluster is run as written, against a copy of examples/podinfo-platform (as the current folder;
`examples/...` paths resolve too) and snapshot files made here. It must exit 0 or 1 (1: it
found something), never 2 (the command is wrong) or 3. Commands that read a cluster run in
tests/cluster/test_docs_commands.py; those that cannot run are listed in SKIPPED."""

from __future__ import annotations

import os
import re
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
    if command.argv and command.argv[0] == "diff":
        git_history(repo)
    for name in ("live.yaml", "cluster.yaml", "snap.yaml"):
        if name in command.argv:
            items = status_objects.scenario()
            doc = {"apiVersion": "v1", "kind": "List", "items": items}
            (repo / name).write_text(yaml.safe_dump(doc))
    return repo


def git_history(repo: Path) -> None:
    """The example as a git repository on branch main, with `origin/main` one commit behind
    HEAD (a chart version bumped since), for the `diff` commands."""
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    release = next(
        p
        for p in sorted(repo.rglob("*.yaml"))
        if "kind: HelmRelease" in p.read_text() and re.search(r"\n +version:", p.read_text())
    )
    text = release.read_text()
    bumped = re.sub(
        r'(\n +version: *"?)(\d+)\.', lambda m: f"{m[1]}{int(m[2]) + 1}.", text, count=1
    )
    assert bumped != text, release
    release.write_text(bumped)
    git("commit", "-q", "-am", "bump")


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
    env = dict(
        os.environ,
        FLUXOPS_CACHE_DIR=str(tmp_path / "cache"),
        NO_COLOR="1",
        HOME=str(tmp_path / "home"),  # `skill install ~/.claude/skills` writes there
    )
    env.pop("KUBECONFIG", None)
    proc = run(command, workdir(tmp_path, command), env)
    assert proc.returncode in (0, 1), f"{command}\nexit {proc.returncode}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
