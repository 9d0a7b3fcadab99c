"""The two revisions `diff` compares, read and loaded: each from git objects into a private
folder (`loader.gittree`), or the head from the working tree; then every YAML file parsed.

The head is read and parsed in a worker thread while the base is written from git (writing
is system calls, parsing is Python: the two overlap). The base then takes the head's parse of
every file that is the same on both sides, found by git blob id (nothing read) when both are
commits, so a file is parsed once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fluxops.loader import confine
from fluxops.loader.gittree import Checkout, GitRepo
from fluxops.loader.parsecache import ParseCache
from fluxops.loader.repo import Parsed, Repo, load_repo
from fluxops.model.findings import Finding
from fluxops.model.resource import Resource


class Sameness:
    """Whether a file both sides hold is byte for byte the same: by git blob id when both
    sides are commits (nothing read), else by reading both (once per file)."""

    def __init__(
        self,
        base: Path,
        head: Path,
        base_blobs: dict[str, str] | None = None,
        head_blobs: dict[str, str] | None = None,
    ) -> None:
        self.base, self.head = base, head
        self.base_blobs, self.head_blobs = base_blobs or {}, head_blobs or {}
        self._read: dict[str, bool] = {}

    def __call__(self, rel: str) -> bool:
        old, new = self.base_blobs.get(rel), self.head_blobs.get(rel)
        if old is not None and new is not None:
            return old == new
        known = self._read.get(rel)
        if known is None:
            try:
                known = confine.read_bytes(self.base, rel) == confine.read_bytes(self.head, rel)
            except OSError:
                known = False
            self._read[rel] = known
        return known


def changed_files(base: Repo, head: Repo, same: Sameness) -> list[str]:
    """Files (repository-relative) whose content differs, added or removed, sorted."""
    assert base.tree is not None and head.tree is not None
    old, new = base.tree.files, head.tree.files
    return [
        rel
        for rel in sorted(set(old) | set(new))
        if rel not in old or rel not in new or old[rel] != new[rel] or not same(rel)
    ]


def same_files(head: Repo, same: Sameness) -> Parsed:
    """For loading the base: a file's objects as parsed for the head when the file is byte
    for byte the same (the objects are only read, never changed, by rendering)."""
    assert head.tree is not None
    sizes = head.tree.files
    resources: dict[str, list[Resource]] = {}
    for r in head.resources:
        if r.origin is not None:
            resources.setdefault(r.origin.file, []).append(r)
    findings: dict[str, list[Finding]] = {}
    for f in head.findings:
        if f.file:
            findings.setdefault(f.file, []).append(f)

    def reuse(_root: Path, rel: str) -> tuple[list[Resource], list[Finding]] | None:
        if rel not in sizes or not same(rel):
            return None
        return list(resources.get(rel, [])), list(findings.get(rel, []))

    return reuse


@dataclass
class Revisions:
    """Both sides, loaded; `head_checkout` is None for the working tree. Close it (or use it
    as a context manager) to remove the private folders."""

    base_checkout: Checkout
    head_checkout: Checkout | None
    base: Repo
    head: Repo
    same: Sameness

    def close(self) -> None:
        self.base_checkout.close()
        if self.head_checkout is not None:
            self.head_checkout.close()

    def __enter__(self) -> Revisions:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_head(
    git: GitRepo, ref: str | None, cache: ParseCache | None
) -> tuple[Checkout | None, Repo]:
    checkout = git.checkout(ref) if ref is not None else None
    try:
        return checkout, load_repo(checkout.root if checkout is not None else git.path, cache=cache)
    except BaseException:
        if checkout is not None:
            checkout.close()
        raise


def read_revisions(
    git: GitRepo, base: str, head: str | None, cache: ParseCache | None = None
) -> Revisions:
    """`base` and `head` (None: the working tree at `git.path`), read and loaded (`cache`:
    files parsed by earlier runs)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fluxops-diff-head") as pool:
        head_future = pool.submit(_read_head, git, head, cache)
        try:
            base_checkout = git.checkout(base)
        except BaseException:
            try:
                head_checkout, _ = head_future.result()
            except BaseException:
                head_checkout = None  # the base's error is the one to report
            if head_checkout is not None:
                head_checkout.close()
            raise
        try:
            head_checkout, head_repo = head_future.result()
        except BaseException:
            base_checkout.close()
            raise
    try:
        same = Sameness(
            base_checkout.root,
            head_repo.root,
            base_checkout.blobs,
            head_checkout.blobs if head_checkout is not None else None,
        )
        base_repo = load_repo(base_checkout.root, reuse=same_files(head_repo, same), cache=cache)
    except BaseException:
        base_checkout.close()
        if head_checkout is not None:
            head_checkout.close()
        raise
    return Revisions(base_checkout, head_checkout, base_repo, head_repo, same)
