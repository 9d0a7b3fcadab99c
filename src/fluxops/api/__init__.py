"""One function per verb: the only package the CLI (and, later, the MCP server) imports. Each
function validates its request and makes one call into the package that owns the verb
(`fluxops.render.verb`, `validate.verb`, `lint.verb`, `helmvalues.verb`, `drift.verb`,
`status.verb`). Library functions never print. Names are imported on first use, so a command
pays only for its own verb (start-up time matters: `fluxops status` races `flux get`)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fluxops.api._build import BuildRequest, abort_engines, build, parse_source_overrides
    from fluxops.api._check import CheckRequest, check
    from fluxops.api._complete import CompletionNames, completion_names
    from fluxops.api._diff import DiffRequest, diff
    from fluxops.api._drift import DriftRequest, drift
    from fluxops.api._explain import ExplainRequest, explain
    from fluxops.api._lint import LintRequest, lint, lint_config, lint_rules
    from fluxops.api._list import LIST_KINDS, ListRequest, list_
    from fluxops.api._scaffold import InitRequest, init, install_skill, skill_text
    from fluxops.api._status import SnapshotRequest, StatusRequest, snapshot, status
    from fluxops.api._validate import ValidateRequest, validate
    from fluxops.api._values_diff import ValuesDiffRequest, values_diff

_WHERE = {
    "BuildRequest": "build",
    "abort_engines": "build",
    "build": "build",
    "parse_source_overrides": "build",
    "CheckRequest": "check",
    "check": "check",
    "DiffRequest": "diff",
    "diff": "diff",
    "CompletionNames": "complete",
    "completion_names": "complete",
    "DriftRequest": "drift",
    "drift": "drift",
    "ExplainRequest": "explain",
    "explain": "explain",
    "LintRequest": "lint",
    "lint": "lint",
    "lint_config": "lint",
    "lint_rules": "lint",
    "InitRequest": "scaffold",
    "init": "scaffold",
    "install_skill": "scaffold",
    "skill_text": "scaffold",
    "LIST_KINDS": "list",
    "ListRequest": "list",
    "list_": "list",
    "list": "list",
    "SnapshotRequest": "status",
    "StatusRequest": "status",
    "snapshot": "status",
    "status": "status",
    "ValidateRequest": "validate",
    "validate": "validate",
    "ValuesDiffRequest": "values_diff",
    "values_diff": "values_diff",
}

__all__ = [
    "LIST_KINDS",
    "BuildRequest",
    "CheckRequest",
    "CompletionNames",
    "DiffRequest",
    "DriftRequest",
    "ExplainRequest",
    "InitRequest",
    "LintRequest",
    "ListRequest",
    "SnapshotRequest",
    "StatusRequest",
    "ValidateRequest",
    "ValuesDiffRequest",
    "abort_engines",
    "build",
    "check",
    "completion_names",
    "diff",
    "drift",
    "explain",
    "init",
    "install_skill",
    "lint",
    "lint_config",
    "lint_rules",
    "list_",
    "parse_source_overrides",
    "skill_text",
    "snapshot",
    "status",
    "validate",
    "values_diff",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'fluxops.api' has no attribute {name!r}")
    # `api.list` is `list_` (a module attribute may shadow the builtin; a def may not)
    attribute = "list_" if name == "list" else name
    value = getattr(importlib.import_module(f"fluxops.api._{module}"), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
