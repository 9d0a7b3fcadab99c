"""Reading a source tree the way Flux's source-controller archives it.

source-controller builds an artifact by walking the checkout and keeping regular files and
folders only: symlinks (wherever they point), devices, FIFOs and sockets are left out, and
kustomize-controller then builds on a filesystem confined to that artifact. fluxops reads
repository files through this module only, with the same rule:

- `scan(root)` lists a tree once, never following a symlink, and records what it left out
  (symlinks with their target, special files, files over the size cap, folders nested too
  deep) so that callers can report it;
- `read_bytes(root, rel)` opens a file one path component at a time with `O_NOFOLLOW`, so no
  symlink anywhere on the way is followed, refuses anything that is not a regular file
  (a FIFO never blocks: it is opened non-blocking and refused) and reads at most the cap;
  `TreeReader(root)` reads many files so, opening each folder once when they come in order.

Nothing here raises for what a repository contains: a tree that is too large raises
`TreeLimitError` (a RepoError, exit 2), everything else is an entry in `Tree.skipped`.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fluxops.errors import RepoError

#: Folders never read or staged: VCS data and tool caches (source-controller leaves `.git` out).
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "__pycache__"})
#: A file larger than this is left out (with a finding). FLUXOPS_MAX_FILE_BYTES overrides it.
DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024
#: Folders nested deeper than this are left out (with a finding).
MAX_TREE_DEPTH = 64
#: A tree with more files than this is refused as a whole.
MAX_TREE_FILES = 200_000

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FILE_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def max_file_bytes() -> int:
    """The per-file size cap: $FLUXOPS_MAX_FILE_BYTES, else 8 MiB."""
    text = os.environ.get("FLUXOPS_MAX_FILE_BYTES", "")
    try:
        value = int(text)
    except ValueError:
        return DEFAULT_MAX_FILE_BYTES
    return value if value > 0 else DEFAULT_MAX_FILE_BYTES


class ConfinedError(OSError, RepoError):
    """A path that the confinement rule does not let fluxops read (a symlink on the way, not a
    regular file, over the size cap, outside the root). An OSError, so that callers that
    already handle unreadable files handle these too."""

    def __init__(self, code: int, strerror: str, filename: str | None = None) -> None:
        OSError.__init__(self, code, strerror, filename)
        self.message = strerror


class TreeLimitError(RepoError):
    """The tree is too large to read at all."""


@dataclass(frozen=True)
class Skipped:
    """An entry left out of a tree: `kind` is symlink, fifo, socket, device, too-large,
    too-deep or unreadable; `detail` is the symlink's target, the size, or the error."""

    rel: str
    kind: str
    detail: str = ""

    def describe(self) -> str:
        if self.kind == "symlink":
            return f"{self.rel} is a symlink (to {self.detail})"
        if self.kind == "too-large":
            return f"{self.rel} is larger than the {_size(max_file_bytes())} cap ({self.detail})"
        if self.kind == "too-deep":
            return f"{self.rel} is nested more than {MAX_TREE_DEPTH} folders deep"
        if self.kind == "unreadable":
            return f"{self.rel} cannot be read ({self.detail})"
        return f"{self.rel} is a {self.kind}, not a regular file"


@dataclass
class Tree:
    """What `scan` kept and left out. Paths are posix, relative to `root`; `files` maps each
    regular file to its size, in walk order (a folder's files, then its subfolders, sorted)."""

    root: Path
    dirs: list[str] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._dirs: set[str] | None = None

    def is_file(self, rel: str) -> bool:
        return _norm(rel) in self.files

    def is_dir(self, rel: str) -> bool:
        norm = _norm(rel)
        if norm == "":
            return True
        if self._dirs is None:
            self._dirs = set(self.dirs)
        return norm in self._dirs

    def symlinks(self) -> list[Skipped]:
        return [s for s in self.skipped if s.kind == "symlink"]


def _norm(rel: str) -> str:
    norm = posixpath.normpath(rel) if rel else ""
    return "" if norm == "." else norm


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def scan(root: Path, skip_dirs: frozenset[str] = SKIP_DIRS) -> Tree:
    """List `root` (followed itself: the caller chose it) without following any symlink below
    it. Raises TreeLimitError when it holds more than MAX_TREE_FILES files."""
    tree = Tree(root=root)
    cap = max_file_bytes()
    # (relative folder, depth); popped in order, children pushed reversed: a folder's files
    # come before its subfolders', subfolders in name order, as os.walk with sorted names.
    pending: list[tuple[str, int]] = [("", 0)]
    while pending:
        rel_dir, depth = pending.pop()
        here = root / rel_dir if rel_dir else root
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            tree.skipped.append(Skipped(rel_dir or ".", "unreadable", exc.strerror or str(exc)))
            continue
        subdirs: list[str] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                tree.skipped.append(Skipped(rel, "unreadable", exc.strerror or str(exc)))
                continue
            mode = st.st_mode
            if stat.S_ISDIR(mode):
                if entry.name in skip_dirs:
                    continue
                if depth + 1 > MAX_TREE_DEPTH:
                    tree.skipped.append(Skipped(rel, "too-deep"))
                    continue
                subdirs.append(rel)
            elif stat.S_ISREG(mode):
                if st.st_size > cap:
                    tree.skipped.append(Skipped(rel, "too-large", _size(st.st_size)))
                    continue
                tree.files[rel] = st.st_size
                if len(tree.files) > MAX_TREE_FILES:
                    raise TreeLimitError(
                        f"{root} holds more than {MAX_TREE_FILES} files",
                        hint="point fluxops at the folder of the GitOps repository",
                    )
            elif stat.S_ISLNK(mode):
                try:
                    target = os.readlink(entry.path)
                except OSError:
                    target = "?"
                tree.skipped.append(Skipped(rel, "symlink", target))
            else:
                tree.skipped.append(Skipped(rel, _kind(mode)))
        tree.dirs.extend(subdirs)
        pending.extend((d, depth + 1) for d in reversed(subdirs))
    tree.dirs.sort()
    return tree


def split_rel(rel: str) -> list[str]:
    """The components of a relative posix path that stays inside its root; raises
    ConfinedError for an absolute path or one that leaves the root."""
    if rel.startswith("/") or "\x00" in rel:
        raise ConfinedError(errno.EACCES, "absolute paths are not read", rel)
    parts: list[str] = []
    for part in rel.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise ConfinedError(errno.EACCES, "the path leaves the source root", rel)
            parts.pop()
        else:
            parts.append(part)
    return parts


def read_bytes(root: Path, rel: str, cap: int | None = None) -> bytes:
    """The content of the regular file `rel` under `root`, no symlink followed on the way.
    Raises ConfinedError (or another OSError) when it is not a readable regular file or is
    larger than `cap` (default: the per-file cap)."""
    with TreeReader(root) as reader:
        return reader.read(rel, cap)


class TreeReader:
    """Reads files of the tree `root` as `read_bytes` does, keeping the folders of the last
    read open: files read in path order (a scan's order) open each folder once instead of
    once per file and path component. At most one open folder per level of the last path;
    `close` releases them."""

    def __init__(self, root: Path, known: Mapping[str, bytes] | None = None) -> None:
        """`known`: files of this tree already read so (their bytes are handed out as
        read then, under the default cap)."""
        self.root = root
        self._known = known
        self._root_fd: int | None = None
        #: The open folders of the last path read: (component, fd), from the root down.
        self._open: list[tuple[str, int]] = []

    def read(self, rel: str, cap: int | None = None) -> bytes:
        if self._known is not None and cap is None:
            data = self._known.get(rel)
            if data is not None:
                return data
        limit = max_file_bytes() if cap is None else cap
        parts = split_rel(rel)
        if not parts:
            raise ConfinedError(errno.EISDIR, "not a regular file", rel)
        if os.open not in os.supports_dir_fd or not _NOFOLLOW:  # pragma: no cover - not POSIX
            return _read_portable(self.root, parts, rel, limit)
        folder = self._folder(parts[:-1], rel)
        try:
            ffd = os.open(parts[-1], _FILE_FLAGS, dir_fd=folder)
        except OSError as exc:
            raise _refusal(exc, rel) from None
        try:
            return _read_open(ffd, rel, limit)
        finally:
            os.close(ffd)

    def _folder(self, parts: list[str], rel: str) -> int:
        """The open folder `parts` (each component opened with O_NOFOLLOW from its parent)."""
        if self._root_fd is None:
            self._root_fd = os.open(self.root, _DIR_FLAGS)
        keep = 0
        while keep < len(self._open) and keep < len(parts) and self._open[keep][0] == parts[keep]:
            keep += 1
        while len(self._open) > keep:
            os.close(self._open.pop()[1])
        fd = self._open[-1][1] if self._open else self._root_fd
        for part in parts[keep:]:
            try:
                fd = os.open(part, _DIR_FLAGS | _NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                raise _refusal(exc, rel) from None
            self._open.append((part, fd))
        return fd

    def close(self) -> None:
        while self._open:
            os.close(self._open.pop()[1])
        if self._root_fd is not None:
            os.close(self._root_fd)
            self._root_fd = None

    def __enter__(self) -> TreeReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_open(ffd: int, rel: str, limit: int) -> bytes:
    """The content of the opened `rel`, refused unless it is a regular file within `limit`."""
    st = os.fstat(ffd)
    if not stat.S_ISREG(st.st_mode):
        raise ConfinedError(errno.EACCES, f"a {_kind(st.st_mode)}, not a regular file", rel)
    if st.st_size > limit:
        raise ConfinedError(errno.EFBIG, f"larger than the {_size(limit)} cap", rel)
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = os.read(ffd, min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise ConfinedError(errno.EFBIG, f"larger than the {_size(limit)} cap", rel)
    return b"".join(chunks)


def _refusal(exc: OSError, rel: str) -> OSError:
    # O_NOFOLLOW on a symlink fails with ELOOP (Linux) or EMLINK/EFTYPE (BSD); O_DIRECTORY on a
    # symlink or a file with ENOTDIR.
    if exc.errno in (errno.ELOOP, errno.EMLINK, getattr(errno, "EFTYPE", -1)):
        return ConfinedError(errno.ELOOP, "a symlink on the way (symlinks are not followed)", rel)
    return exc


def _read_portable(root: Path, parts: list[str], rel: str, limit: int) -> bytes:
    path = root
    for part in parts:
        path = path / part
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            raise ConfinedError(
                errno.ELOOP, "a symlink on the way (symlinks are not followed)", rel
            )
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
        raise ConfinedError(errno.EACCES, "not a regular file within the size cap", rel)
    with open(path, "rb") as handle:
        return handle.read(limit + 1)[: limit + 1]


def read_text(root: Path, rel: str) -> str:
    """`read_bytes` decoded as UTF-8 (UnicodeDecodeError when it is not)."""
    return read_bytes(root, rel).decode("utf-8")


def kind_of(root: Path, rel: str) -> str | None:
    """'file', 'dir' or None (missing, a symlink on the way, special, outside the root),
    checked with lstat on every component."""
    try:
        parts = split_rel(rel)
    except ConfinedError:
        return None
    path = root
    mode = 0
    try:
        mode = os.stat(root).st_mode
        for part in parts:
            path = path / part
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                return None
    except (OSError, ValueError):
        return None
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return None


def is_dir(root: Path, rel: str) -> bool:
    return kind_of(root, rel) == "dir"


def is_file(root: Path, rel: str) -> bool:
    return kind_of(root, rel) == "file"
