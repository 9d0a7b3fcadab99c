"""Where a source's files start inside the repository: its root folder.

Flux reads every `spec.path` relative to the root of the source's artifact. Most repos are
pushed whole (the root is the repository root); some push a subfolder as an OCI artifact (CI
runs `flux push artifact --path=./kubernetes`), so every path is relative to `kubernetes/`.
The root is chosen in this order:

1. the cluster entry's own path (a FluxInstance's `spec.sync.path`, a gotk-sync Kustomization's
   `spec.path`): the folder where it exists (the repo root first, else the one subfolder that
   holds it);
2. else the majority of the paths the reachable Kustomizations of that source read: the folder
   under which most of them exist (the repo root on a tie). Kustomizations under hidden
   folders (`.archive/`, `.old/`) are not applied by any entry and do not vote.

`RootChoice.note` says which root was chosen and why.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass


def clean_path(path: str) -> str:
    """A Kustomization's spec.path as a clean relative posix path ('' for the root), kept
    inside the source root as Flux's SecureJoin does."""
    norm = posixpath.normpath("/" + path.strip()).lstrip("/")
    return "" if norm == "." else norm


def is_hidden(rel: str) -> bool:
    """A repo-relative file or folder under a dot-folder (`.archive/...`, `.github/...`)."""
    return any(part.startswith(".") and part not in (".", "..") for part in rel.split("/")[:-1])


@dataclass(frozen=True)
class RootChoice:
    """A source's root folder ('' for the repository root) and why it was chosen."""

    root: str
    reason: str

    @property
    def note(self) -> str:
        where = f"'{self.root}/'" if self.root else "the repository root"
        return f"source root {where}: {self.reason}"


def choose_root(
    entry_paths: Iterable[str],
    voter_paths: Iterable[str],
    dirs: Iterable[str],
    is_dir: Callable[[str], bool],
) -> RootChoice | None:
    """The root of one source. `entry_paths`: the paths the cluster entries syncing from it
    read; `voter_paths`: the paths its reachable Kustomizations read; `dirs`: every folder of
    the repository; `is_dir`: whether a repo-relative folder exists. None: no path to go by
    (the repository root)."""
    entries = sorted({p for p in entry_paths if p})
    voters = sorted({p for p in voter_paths if p})
    folders = [d for d in dirs if d and not is_hidden(d + "/x")]
    for path in entries:
        if is_dir(path):
            return RootChoice("", f"the cluster entry's path '{path}' exists there")
        holders = [d for d in folders if is_dir(f"{d}/{path}")]
        if len(holders) == 1:
            return RootChoice(
                holders[0],
                f"the cluster entry's path '{path}' exists only under '{holders[0]}/'",
            )
    if not voters:
        return None
    at_root = sum(1 for p in voters if is_dir(p))
    if at_root == len(voters):
        return RootChoice("", "every Kustomization path exists there")
    best, best_count = "", at_root
    for folder in folders:
        count = sum(1 for p in voters if is_dir(f"{folder}/{p}"))
        if count > best_count or (
            count == best_count and best and count > at_root and len(folder) < len(best)
        ):
            best, best_count = folder, count
    if not best:
        return RootChoice(
            "", f"{at_root} of {len(voters)} Kustomization paths exist there, more than elsewhere"
        )
    return RootChoice(
        best,
        f"{best_count} of {len(voters)} Kustomization paths exist under '{best}/' "
        f"({at_root} at the repository root)",
    )
