"""Patches larger than a threshold are a sign the base is wrong.

An overlay that needs a 100-line patch is rewriting its base rather than adjusting it: move what
every environment shares into the base, and make what differs a component or a small patch. The
threshold counts non-blank, non-comment lines: `lint.options.kustomize-large-patch:
{max_lines: 60}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.kustomize import patches
from fluxops.lint.rule import Rule
from fluxops.model.findings import Finding, Severity


def _patch(lines: int) -> str:
    head = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      annotations:\n"
    return head + "".join(f"        note-{i}: value-{i}\n" for i in range(lines))


class KustomizeLargePatch(Rule):
    id = "kustomize-large-patch"
    severity = Severity.WARNING
    summary = "Patch larger than a threshold (the base is probably wrong)"
    defaults: ClassVar[dict[str, Any]] = {"max_lines": 60}
    passing: ClassVar[dict[str, str]] = {
        "prod/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - path: patch.yaml\n",
        "prod/patch.yaml": _patch(3),
    }
    failing: ClassVar[dict[str, str]] = {
        "prod/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - path: patch.yaml\n",
        "prod/patch.yaml": _patch(80),
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        limit = int(self.option(ctx, "max_lines"))
        for kfile in ctx.kustomize_files.values():
            for patch in patches(ctx, kfile):
                if patch.lines > limit:
                    yield self.finding(
                        f"this patch has {patch.lines} lines (limit {limit}): an overlay that "
                        "rewrites this much of its base suggests the base is wrong",
                        file=patch.file,
                        line=patch.line,
                        hint="move what every environment shares into the base; keep patches "
                        "to what differs",
                    )
