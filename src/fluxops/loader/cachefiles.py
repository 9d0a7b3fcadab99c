"""The folders and files of fluxops' caches (the build cache, compiled schemas, parsed files):
where they live, and how they are made so that nobody else can write what a later run trusts.

`FLUXOPS_CACHE_DIR` moves them all (the build cache is that folder itself, each other cache a
folder in it); else `$XDG_CACHE_HOME/fluxops`, else `~/.cache/fluxops`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import threading
from pathlib import Path


def cache_folder(name: str) -> Path:
    """The folder of the cache `name` (not created here)."""
    base = os.environ.get("FLUXOPS_CACHE_DIR")
    if base:
        return Path(base) / name
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fluxops" / name


def private_dir(path: Path) -> bool:
    """Create `path` (0700) when missing; True when it is a folder owned by this user that
    nobody else can write to (a cache anyone else could write would be trusted input)."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = path.stat()
    except OSError:
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH | stat.S_IRWXO):
        try:
            path.chmod(0o700)
        except OSError:
            return False
    return True


def write_private(path: Path, data: bytes) -> None:
    """Write `path` atomically with mode 0600 (errors are the caller's)."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class Entries:
    """The entries of one cache: `directory/<key[:2]>/<key><suffix>`, in a folder only this
    user can write (`private_dir`, checked once), written atomically 0600 (`write_private`).
    A cache that cannot be read or written is only slower: `read` is None and `write` does
    nothing then."""

    def __init__(self, directory: Path, suffix: str) -> None:
        self.directory = directory
        self.suffix = suffix
        self._usable: bool | None = None

    def ready(self) -> bool:
        if self._usable is None:
            self._usable = private_dir(self.directory)
        return self._usable

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}{self.suffix}"

    def read(self, key: str) -> bytes | None:
        if not self.ready():
            return None
        try:
            return self.path(key).read_bytes()
        except OSError:
            return None

    def write(self, key: str, data: bytes) -> None:
        if not self.ready():
            return
        path = self.path(key)
        try:
            path.parent.mkdir(exist_ok=True, mode=0o700)
            write_private(path, data)
        except OSError:
            pass


@functools.cache
def code_stamp() -> str:
    """fluxops' own code as far as a cache must know it: the version and each module's path,
    size and modification time (an installed release, or a checkout being edited); read once
    per process."""
    import hashlib

    import fluxops

    h = hashlib.blake2b(fluxops.__version__.encode(), digest_size=16)
    base = Path(fluxops.__file__).parent
    stack = [base]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                stack.append(Path(entry.path))
            elif entry.name.endswith(".py"):
                st = entry.stat()
                h.update(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()
