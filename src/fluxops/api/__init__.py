"""One function per verb: the only package cli/ and mcp/ import. Library functions never print.

Each verb has its module (`fluxops.api.build`, `.validate`, `.values_diff`, `.lint`, `.drift`,
`.status`); everything a caller needs is re-exported here: `from fluxops import api;
api.build(api.BuildRequest(...))`.
"""

from fluxops.api.build import BuildRequest, build, parse_source_overrides
from fluxops.api.drift import DriftRequest, drift
from fluxops.api.lint import LintRequest, lint, lint_config
from fluxops.api.status import SnapshotRequest, StatusRequest, snapshot, status
from fluxops.api.validate import ValidateRequest, validate
from fluxops.api.values_diff import ValuesDiffRequest, values_diff

__all__ = [
    "BuildRequest",
    "DriftRequest",
    "LintRequest",
    "SnapshotRequest",
    "StatusRequest",
    "ValidateRequest",
    "ValuesDiffRequest",
    "build",
    "drift",
    "lint",
    "lint_config",
    "parse_source_overrides",
    "snapshot",
    "status",
    "validate",
    "values_diff",
]
