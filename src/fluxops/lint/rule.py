"""The shape of a lint rule: one module each under `fluxops.lint.rules`.

A rule has an id, a default severity, a one-line summary, a description (its module docstring),
a passing and a failing example (small repositories: file name -> YAML) that double as
documentation and tests, optional thresholds with defaults, and a `check` that yields findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fluxops.lint.context import LintContext
from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Resource


class Rule:
    id: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.WARNING
    summary: ClassVar[str] = ""
    #: Thresholds a user may set in .fluxops.yaml (`lint.options.<id>`), with their defaults.
    defaults: ClassVar[dict[str, Any]] = {}
    passing: ClassVar[dict[str, str]] = {}
    failing: ClassVar[dict[str, str]] = {}

    @classmethod
    def description(cls) -> str:
        import sys

        module = sys.modules[cls.__module__]
        return (module.__doc__ or cls.summary).strip()

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        raise NotImplementedError

    def option(self, ctx: LintContext, name: str) -> Any:
        return ctx.option(self.id, name, self.defaults[name])

    def finding(
        self,
        message: str,
        *,
        resource: Resource | None = None,
        file: str | None = None,
        line: int | None = None,
        path: str | None = None,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        if resource is not None and resource.origin is not None:
            file = file or resource.origin.file
            line = line or resource.origin.line
        return Finding(
            code=self.id,
            severity=severity or self.severity,
            message=message,
            file=file,
            line=line,
            object=resource.id.short() if resource is not None else None,
            path=path,
            hint=hint,
        )


def field_line(resource: Resource, text: str | None, *keys: str) -> int | None:
    """Best-effort line of a nested key (`spec`, `interval`) inside a resource's document:
    each key is looked for among the direct children of the previous one."""
    if resource.origin is None or text is None or not keys:
        return None
    lines = text.splitlines()
    depth = 0
    parent_indent = -1
    child_indent: int | None = None
    for number in range(resource.origin.line - 1, len(lines)):
        raw = lines[number]
        if raw.startswith("---") or raw.startswith("..."):
            if number >= resource.origin.line:
                break
            continue
        stripped = raw.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        current = len(raw) - len(stripped)
        if current <= parent_indent:
            return None
        if child_indent is None:
            child_indent = current
        if current != child_indent:
            continue
        if stripped.startswith(f"{keys[depth]}:") or stripped.startswith(f"- {keys[depth]}:"):
            depth += 1
            if depth == len(keys):
                return number + 1
            parent_indent = current
            child_indent = None
    return None
