"""Remote kustomize bases and resources should be pinned to a tag or commit.

`github.com/org/repo//deploy` or a URL without `?ref=` follows the default branch: every build can
render something different, and an upstream change lands in the cluster unreviewed. Pin a tag or
a commit (`?ref=v1.4.2`); a branch name (`?ref=main`) is not a pin. Plain file URLs are pinned
when their path names a version (`/releases/download/v1.4.2/...`), not `latest`, `main` or
`master`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from fluxops.lint.context import LintContext, is_remote
from fluxops.lint.kustomize import entries
from fluxops.lint.rule import Rule
from fluxops.model.findings import Finding, Severity

BRANCHES = {"main", "master", "develop", "dev", "trunk", "head", "latest", "stable", "release"}
_REF = re.compile(r"[?&](?:ref|version)=([^&#]+)")
_FLOATING_PATH = re.compile(r"/(?:latest|main|master|HEAD|develop)(?:/|$)")


def unpinned(entry: str) -> str | None:
    """Why a remote entry is not pinned, or None when it is."""
    match = _REF.search(entry)
    is_file = entry.split("?")[0].endswith((".yaml", ".yml", ".json"))
    if match:
        ref = match.group(1)
        if ref.lower() in BRANCHES or ref.lower().startswith(("release-", "feature/")):
            return f"ref={ref} is a branch, not a tag or commit"
        return None
    if is_file and entry.startswith(("http://", "https://")):
        if _FLOATING_PATH.search(entry):
            return "the URL names a moving branch or `latest`"
        return None
    return "no `?ref=`: it follows the default branch"


class KustomizeRemoteUnpinned(Rule):
    id = "kustomize-remote-unpinned"
    severity = Severity.WARNING
    summary = "Remote base or resource without a pinned ref"
    passing: ClassVar[dict[str, str]] = {
        "app/kustomization.yaml": "resources:\n  - https://github.com/example/deploy//base?ref=v1.4.2\n"
    }
    failing: ClassVar[dict[str, str]] = {
        "app/kustomization.yaml": "resources:\n  - https://github.com/example/deploy//base\n"
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for kfile in ctx.kustomize_files.values():
            for entry in entries(kfile, "resources", "bases", "components"):
                if not is_remote(entry):
                    continue
                why = unpinned(entry)
                if why:
                    yield self.finding(
                        f"remote {entry} is not pinned: {why}",
                        file=kfile.file,
                        line=kfile.line_containing(entry),
                        hint="pin a tag or commit: `?ref=v1.2.3` (or a release URL with a version)",
                    )
