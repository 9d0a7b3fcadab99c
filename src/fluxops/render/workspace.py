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


def mirror_path(source_root: Path, rel_path: str, dest: Path) -> Path:
    """Mirror `source_root` into the empty folder `dest`, with real folders along `rel_path`
    (posix, relative, already cleaned) and symlinks elsewhere. Returns the mirrored leaf."""
    parts = [p for p in rel_path.split("/") if p]
    src, out = source_root, dest
    for depth in range(len(parts) + 1):
        nxt = parts[depth] if depth < len(parts) else None
        for entry in os.scandir(src):
            if entry.name == nxt:
                continue
            os.symlink(entry.path, out / entry.name)
        if nxt is None:
            break
        src, out = src / nxt, out / nxt
        out.mkdir()
    return out


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
