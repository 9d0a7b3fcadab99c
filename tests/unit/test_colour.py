"""--color auto|always|never on every verb; auto honours NO_COLOR and TERM=dumb."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fluxops.cli.common import want_colour
from fluxops.cli.main import cli

pytestmark = pytest.mark.unit


class _Terminal:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
)
def test_auto_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: bool
) -> None:
    monkeypatch.setattr(sys, "stdout", _Terminal())
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert want_colour("auto") is expected
    assert want_colour("always") is True and want_colour("never") is False


def test_every_verb_takes_color() -> None:
    for verb in ("build", "validate", "lint", "values-diff", "status", "snapshot", "drift"):
        out = CliRunner().invoke(cli, [verb, "--help"])
        assert "--color [auto|always|never]" in out.output, verb


def test_always_and_never_in_text_output(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "ks.yaml").write_text(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
        "  name: apps\n  namespace: flux-system\nspec:\n  interval: 5m\n  path: ./x\n"
        "  prune: false\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
    )
    args = ["lint", str(repo), "--no-render"]
    coloured = CliRunner().invoke(cli, [*args, "--color", "always"])
    assert "\x1b[" in coloured.output
    plain = CliRunner().invoke(cli, [*args, "--color", "never"])
    assert "\x1b[" not in plain.output and "ks-prune" in plain.output
