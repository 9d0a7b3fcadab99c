"""The exception tree: every exception class fluxops defines is a FluxopsError (so library
callers catch one root), and the CLI maps each to its exit code; an internal error is 3."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from click.testing import CliRunner

import fluxops
from fluxops import errors
from fluxops.cli.main import cli

pytestmark = pytest.mark.unit

#: Exceptions that are not errors a caller can see: the CLI's own signal unwinding.
NOT_ERRORS = {"fluxops.cli.common.Terminated"}


def _exception_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(fluxops.__path__, "fluxops."):
        if info.name == "fluxops.__main__":  # runs the CLI when imported
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__.startswith("fluxops"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[k] for k in sorted(found) if k not in NOT_ERRORS]


def test_every_fluxops_exception_is_under_the_root() -> None:
    classes = _exception_classes()
    assert len(classes) > 25  # the walk found the tree, not just errors.py
    outside = [c.__qualname__ for c in classes if not issubclass(c, errors.FluxopsError)]
    assert outside == []


def test_causes_and_exit_codes() -> None:
    assert errors.UsageError("x").exit_code == errors.EXIT_USAGE == 2
    assert issubclass(errors.UsageError, errors.InputError)
    assert issubclass(errors.ForbiddenError, errors.ClusterError)
    assert errors.BuildError("x").exit_code == errors.EXIT_FINDINGS == 1
    assert errors.InternalError("x").exit_code == errors.EXIT_INTERNAL == 3
    text = str(errors.NotFoundError("no such thing", obj="Kustomization/a/b", hint="look"))
    assert text == "Kustomization/a/b: no such thing\n  hint: look"


def test_os_and_value_errors_keep_their_python_base() -> None:
    from fluxops.loader.confine import ConfinedError
    from fluxops.model.durations import DurationError

    confined = ConfinedError(13, "the path leaves the source root", "../x")
    assert isinstance(confined, OSError) and isinstance(confined, errors.RepoError)
    assert confined.errno == 13 and "leaves the source root" in str(confined)
    assert isinstance(DurationError("time: invalid duration"), ValueError)


def test_an_unexpected_exception_exits_3_as_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault we cannot cause for real: the library raises something it never should."""
    from fluxops import api

    def broken(request: object, repo: object = None) -> object:
        raise KeyError("boom")

    monkeypatch.setattr(api, "build", broken)
    result = CliRunner().invoke(cli, ["build", "."])
    assert result.exit_code == 3
    assert "internal error: KeyError" in result.output
    assert "bug in fluxops" in result.output
    assert "Traceback" not in result.output


def test_a_user_mistake_exits_2_not_3(tmp_path: object) -> None:
    result = CliRunner().invoke(cli, ["build", "/no/such/folder/anywhere", "--all"])
    assert result.exit_code == 2
    assert "internal error" not in result.output
