"""The repository should not rely on symlinks: Flux leaves them out.

source-controller builds a source's artifact from regular files and folders only: a symlink,
wherever it points, is not in the artifact, so kustomize-controller never sees it. A repository
that shares a base through a symlink (`apps/prod/base -> ../../shared/base`) builds with a
local `kustomize build` and fails in the cluster (`must resolve to a file or directory`), or
silently loses the files. fluxops reads and builds the repository the way Flux does, without
them. Replace the symlink with a real folder, or reference the target with a relative path
(`resources: [../../shared/base]`). A symlink named by a kustomization file is an error; any
other symlink a warning.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.rule import Rule
from fluxops.model.findings import Finding, Severity
from fluxops.render.preflight import path_fields


class RepoSymlink(Rule):
    id = "repo-symlink"
    severity = Severity.WARNING
    summary = "Symlinks, which Flux leaves out of the source"
    passing: ClassVar[dict[str, str]] = {
        "apps/prod/kustomization.yaml": "resources:\n  - ../../shared/base\n",
        "shared/base/kustomization.yaml": "resources: []\n",
    }
    failing: ClassVar[dict[str, str]] = {
        "apps/prod/kustomization.yaml": "resources:\n  - base\n",
        "apps/prod/base -> ../../shared/base": "",
        "shared/base/kustomization.yaml": "resources: []\n",
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        links = ctx.files.symlinks()
        if not links:
            return
        used: dict[str, tuple[str, int]] = {}
        for kfile in ctx.kustomize_files.values():
            for field, value, _nested in path_fields(kfile.data):
                target = posixpath.normpath(posixpath.join(kfile.directory, value.strip()))
                parts = target.split("/")
                for i in range(len(parts)):
                    prefix = "/".join(parts[: i + 1])
                    if prefix in links and prefix not in used:
                        used[prefix] = (f"{kfile.file} ({field})", kfile.line_containing(value))
        for rel, target in sorted(links.items()):
            where = used.get(rel)
            if where is not None:
                yield self.finding(
                    f"{rel} is a symlink (to {target}) and {where[0]} uses it: Flux leaves "
                    "symlinks out of the source artifact, so this build fails in the cluster",
                    file=where[0].split(" (")[0],
                    line=where[1],
                    severity=Severity.ERROR,
                    hint="make it a real folder or file, or reference the target with a "
                    "relative path",
                )
            else:
                yield self.finding(
                    f"{rel} is a symlink (to {target}): Flux leaves symlinks out of the source "
                    "artifact",
                    file=rel,
                    hint="replace it with a real file or folder, or remove it",
                )
