"""Temporary build workspaces. fluxops never writes into the user's repository.

A Flux Kustomization's generated kustomization must sit at `spec.path`, where kustomize reads
it, and two Kustomizations may point at the same path with different specs. So each build gets
its own small mirror of the source root: real folders along `spec.path`, and symlinks to the
original files and folders everywhere else. Relative references (`../base`) resolve exactly as
they would in the source. Building a mirror costs a few directory listings, not a copy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

from fluxops.loader.artifacts import ArtifactLayout


def _temp_base() -> str | None:
    """$FLUXOPS_TMPDIR, else a memory file system when there is one (a build makes and removes
    thousands of symlinks), else the system default."""
    explicit = os.environ.get("FLUXOPS_TMPDIR")
    if explicit:
        return explicit
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None


class Workspace:
    """A temporary folder for one fluxops run; removed on close."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fluxops-", dir=_temp_base()))
        self._counter = 0
        self._lock = threading.Lock()

    def new_dir(self, hint: str) -> Path:
        with self._lock:
            self._counter += 1
            n = self._counter
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in hint)[:60]
        path = self.root / f"{n:05d}-{safe}"
        path.mkdir()
        return path

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def skeleton(source_root: Path, dest: Path) -> None:
    """Mirror `source_root` into the empty folder `dest`: real folders, symlinked files (and
    symlinked folder links). Built once per source and run; builds then add their own leaf."""
    root = str(source_root)
    for dirpath, dirnames, filenames in os.walk(source_root):
        rel = os.path.relpath(dirpath, root)
        out = dest if rel == "." else dest / rel
        if rel != ".":
            out.mkdir(exist_ok=True)
        keep = []
        for name in dirnames:
            if name == ".git":
                continue
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                os.symlink(os.path.realpath(full), out / name)
            else:
                keep.append(name)
        dirnames[:] = keep
        for name in filenames:
            os.symlink(os.path.realpath(os.path.join(dirpath, name)), out / name)


def leaf_copy(skeleton_root: Path, rel_path: str, tag: str) -> Path:
    """A private copy of the folder `rel_path` of a skeleton, as a sibling of it (so every
    relative reference resolves as from the original), whose entries link to the original's.
    The build writes its generated kustomization there. For the root folder the copy sits
    beside the skeleton."""
    parts = [p for p in rel_path.split("/") if p]
    original = skeleton_root.joinpath(*parts)
    if parts:
        leaf = original.parent / f".fluxops-{tag}-{parts[-1]}"
    else:
        leaf = skeleton_root.parent / f"{skeleton_root.name}.fluxops-{tag}"
    leaf.mkdir()
    for entry in os.scandir(original):
        os.symlink(entry.path, leaf / entry.name)
    return leaf


def materialize(layout: ArtifactLayout, dest: Path) -> None:
    """Lay out a generated artifact: real folders, symlinked files."""
    for directory in sorted(layout.dirs):
        if directory not in ("", "."):
            (dest / directory).mkdir(parents=True, exist_ok=True)
    for rel, src in sorted(layout.files.items()):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        os.symlink(src.resolve(), target)
