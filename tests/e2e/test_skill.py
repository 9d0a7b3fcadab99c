"""The gitops skill: Agent Skills frontmatter, `fluxops skill show/install` (never
overwrites), every command of SKILL.md run against a copy of examples/, and every verb and flag
it names present in the CLI."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import pytest
import yaml

from fluxops.cli.main import cli
from tests.conftest import EXAMPLE
from tests.e2e.conftest import Run
from tests.e2e.skill_commands import (
    PENDING,
    block_commands,
    inline_commands,
    is_pending,
    needs_cluster,
    skill_text,
)
from tests.gitrepos import GitRepo

pytestmark = pytest.mark.unit


def test_frontmatter_is_the_agent_skills_format() -> None:
    text = skill_text()
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n", 2)[1])
    assert front["name"] == "fluxops-gitops"
    assert 50 < len(front["description"]) <= 1024
    assert "Bash(fluxops:*)" in front["allowed-tools"]
    for today in ("kustomize.toolkit.fluxcd.io/v1", "helm.toolkit.fluxcd.io/v2", "patches:"):
        assert today in text


def test_show_prints_it_and_install_never_overwrites(fluxops: Run, tmp_path: Path) -> None:
    shown = fluxops("skill", "show", check_code=0).stdout
    assert shown == skill_text()
    target = tmp_path / "skills"
    proc = fluxops("skill", "install", str(target), check_code=0)
    written = target / "fluxops-gitops" / "SKILL.md"
    assert written.read_text() == skill_text()
    assert str(written) in proc.stdout
    written.write_text("mine\n")
    proc = fluxops("skill", "install", str(target), check_code=2)
    assert str(written) in proc.stderr and "never overwrites" in proc.stderr
    assert written.read_text() == "mine\n"


def test_every_pending_command_is_in_the_skill() -> None:
    commands = block_commands()
    assert [c for c in PENDING if c not in commands] == []
    assert "fluxops diff . --base origin/main" in commands


def test_every_repository_command_runs_on_the_example(fluxops: Run, tmp_path: Path) -> None:
    # a git repository with the remote-tracking branch origin/main, as in a clone (for diff)
    repo = GitRepo.copy_of(EXAMPLE, tmp_path / "repo").root
    GitRepo(repo).git("update-ref", "refs/remotes/origin/main", "HEAD")
    empty = tmp_path / "new-repo"
    empty.mkdir()
    ran = []
    for command in block_commands():
        if is_pending(command) or needs_cluster(command):
            continue
        args = shlex.split(command)[1:]
        cwd = empty if args[0] == "init" else repo
        proc = fluxops(*args, cwd=cwd)
        assert proc.returncode in (0, 1), f"{command}: exit {proc.returncode}\n{proc.stderr}"
        assert "internal error" not in proc.stderr, command
        ran.append(args[0])
    assert {"init", "build", "validate", "lint", "list", "values-diff", "diff"} <= set(ran)
    assert (empty / "clusters" / "staging" / "apps.yaml").is_file()


def _options(command: click.Command) -> set[str]:
    out = set()
    for param in command.params:
        if isinstance(param, click.Option):
            out.update(param.opts)
            out.update(param.secondary_opts)
    return out


@pytest.mark.parametrize(
    "command",
    [c for c in block_commands() + inline_commands() if not is_pending(c)],
)
def test_every_verb_and_flag_the_skill_names_exists(command: str) -> None:
    args = shlex.split(command)[1:]
    found = cli.get_command(click.Context(cli), args[0])
    assert found is not None, f"{command}: no verb {args[0]!r}"
    if isinstance(found, click.Group):
        sub = next((a for a in args[1:] if not a.startswith("-")), None)
        assert sub is not None and sub in found.commands, command
        found = found.commands[sub]
    known = _options(found)
    unknown = [a for a in args if a.startswith("-") and a.split("=")[0] not in known]
    assert unknown == [], f"{command}: unknown flags {unknown}"
