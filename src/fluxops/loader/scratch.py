"""Where fluxops's private temporary folders go: build workspaces (`render.workspace`) and the
revisions `diff` reads from git (`loader.gittree`).

Creating a file or a folder is the costly part of both (every file of a source is staged, every
file of a revision written): on a memory file system it costs a few microseconds, on a disk
a journal write, often a hundred times more. So a tree that is not large goes to /dev/shm when
there is one; a larger one next to `near` (on its filesystem, where staging can hard link); and
`$FLUXOPS_TMPDIR` overrides both.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Trees up to this size go to memory (/dev/shm).
MEMORY_STAGE_BYTES = 256 << 20
SHM = "/dev/shm"


def _device(path: str | Path) -> int | None:
    try:
        return os.stat(path).st_dev
    except OSError:
        return None


def temp_base(near: Path | None = None, size: int = 0) -> str | None:
    """The folder to make a temporary folder in, for a tree of `size` bytes that comes from (or
    will be staged from) `near`: $FLUXOPS_TMPDIR; else a memory file system when there is one
    and the tree is not large; else a folder on `near`'s filesystem; else the system default
    (None)."""
    explicit = os.environ.get("FLUXOPS_TMPDIR")
    if explicit:
        return explicit
    has_shm = os.path.isdir(SHM) and os.access(SHM, os.W_OK | os.X_OK)
    if has_shm and size <= MEMORY_STAGE_BYTES:
        return SHM
    device = _device(near) if near is not None else None
    for candidate in (tempfile.gettempdir(), SHM):
        if device is not None and _device(candidate) == device:
            return candidate
    return SHM if has_shm else None
