"""Files of an untrusted tree written under a fresh private folder (`loader.gittree`).

Only folders this writer created are walked through (each opened with `O_NOFOLLOW`, relative
to its parent's descriptor), and nothing that exists is overwritten (`O_EXCL | O_NOFOLLOW`),
so a crafted tree cannot write outside the folder. The descriptors of the current folder chain
stay open from one file to the next: a tree's files come folder by folder, so a file costs
one `open` instead of a walk from the top (at most `depth` descriptors are open at a time).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


class TreeWriter:
    """Writes files at relative paths (already checked: no `.`, `..` or empty component)
    under `folder`. Close it (or use it as a context manager) to release the descriptors."""

    def __init__(self, folder: Path) -> None:
        self._top = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        #: The open folder chain below the top: (name, descriptor) from the top down.
        self._chain: list[tuple[str, int]] = []

    def close(self) -> None:
        self._truncate(0)
        os.close(self._top)

    def __enter__(self) -> TreeWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _truncate(self, depth: int) -> None:
        while len(self._chain) > depth:
            os.close(self._chain.pop()[1])

    def _folder(self, parts: list[str]) -> int:
        """The descriptor of the folder `parts` (created when missing)."""
        common = 0
        while (
            common < len(self._chain)
            and common < len(parts)
            and self._chain[common][0] == parts[common]
        ):
            common += 1
        self._truncate(common)
        for part in parts[common:]:
            parent = self._chain[-1][1] if self._chain else self._top
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o700, dir_fd=parent)
            self._chain.append((part, os.open(part, _DIRECTORY, dir_fd=parent)))
        return self._chain[-1][1] if self._chain else self._top

    def write(self, path: str, data: bytes) -> str | None:
        """Write `data` at `path`; the reason it was not written, else None."""
        parts = path.split("/")
        try:
            folder = self._folder(parts[:-1])
        except OSError as exc:
            self._truncate(0)  # a half-opened chain: start from the top next time
            return f"cannot write: {exc.strerror}"
        try:
            fd = os.open(parts[-1], _NEW_FILE, 0o600, dir_fd=folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            return f"cannot write: {exc.strerror}"
        return None
