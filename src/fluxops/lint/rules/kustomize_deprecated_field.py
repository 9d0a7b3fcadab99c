"""Deprecated kustomization fields, with their kustomize v5 replacement.

`patchesStrategicMerge` and `patchesJson6902` -> `patches`; `commonLabels` -> `labels` (with
`includeSelectors: true` to keep the old behaviour); `bases` -> `resources`; `vars` ->
`replacements`; `imageTags` -> `images`. kustomize v5 still reads them but warns, and
`kustomize edit fix` rewrites them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule
from fluxops.model.findings import Finding, Severity

REPLACEMENTS = {
    "patchesStrategicMerge": "patches (each entry `- path: file.yaml`)",
    "patchesJson6902": "patches (same `target`, `path` or `patch`)",
    "commonLabels": "labels (`- pairs: {...}` with `includeSelectors: true` to also change selectors)",
    "bases": "resources",
    "vars": "replacements",
    "imageTags": "images",
}


class KustomizeDeprecatedField(Rule):
    id = "kustomize-deprecated-field"
    severity = Severity.WARNING
    summary = "Deprecated kustomization field (patchesStrategicMerge, commonLabels, bases, vars...)"
    passing: ClassVar[dict[str, str]] = {
        "app/kustomization.yaml": "resources:\n  - deployment.yaml\nlabels:\n  - pairs:\n      team: web\n"
    }
    failing: ClassVar[dict[str, str]] = {
        "app/kustomization.yaml": "resources:\n  - deployment.yaml\ncommonLabels:\n  team: web\n"
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for kfile in ctx.kustomize_files.values():
            for old, new in REPLACEMENTS.items():
                if old in kfile.data:
                    yield self.finding(
                        f"`{old}` is deprecated in kustomize v5",
                        file=kfile.file,
                        line=kfile.line_of(old),
                        path=old,
                        hint=f"use {new}; `kustomize edit fix` rewrites it",
                    )
