"""fluxops lint: the GitOps conventions, as rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.lint.verb import LintRequest, lint_config

if TYPE_CHECKING:
    from fluxops.lint.result import LintResult
    from fluxops.lint.rule import Rule

__all__ = ["LintRequest", "lint", "lint_config", "lint_rules"]


def lint(request: LintRequest) -> LintResult:
    """Check the repository against the conventions (one rule per module in fluxops.lint)."""
    from fluxops.lint.verb import run

    return run(request)


def lint_rules() -> list[type[Rule]]:
    """Every lint rule (id, severity, summary, docs), in id order."""
    from fluxops.lint.runner import all_rules

    return all_rules()
