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
    from fluxops.api._complete import CompletionNames, completion_names
    from fluxops.api._drift import DriftRequest, drift
    from fluxops.api._lint import LintRequest, lint, lint_config, lint_rules
    from fluxops.api._status import SnapshotRequest, StatusRequest, snapshot, status
    from fluxops.api._validate import ValidateRequest, validate
    from fluxops.api._values_diff import ValuesDiffRequest, values_diff

_WHERE = {
    "BuildRequest": "build",
    "abort_engines": "build",
    "build": "build",
    "parse_source_overrides": "build",
    "CompletionNames": "complete",
    "completion_names": "complete",
    "DriftRequest": "drift",
    "drift": "drift",
    "LintRequest": "lint",
    "lint": "lint",
    "lint_config": "lint",
    "lint_rules": "lint",
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
    "BuildRequest",
    "CompletionNames",
    "DriftRequest",
    "LintRequest",
    "SnapshotRequest",
    "StatusRequest",
    "ValidateRequest",
    "ValuesDiffRequest",
    "abort_engines",
    "build",
    "completion_names",
    "drift",
    "lint",
    "lint_config",
    "lint_rules",
    "parse_source_overrides",
    "snapshot",
    "status",
    "validate",
    "values_diff",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'fluxops.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"fluxops.api._{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
