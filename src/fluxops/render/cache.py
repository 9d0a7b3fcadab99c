"""Build cache: kustomize output keyed by the content hash of every input file.

The inputs of a build are the mirrored kustomization folder and everything its kustomization
files name: each string value that resolves to an existing file or folder is hashed (a folder
with all its files), recursively through the kustomization files found there. That set is a
superset of what kustomize reads, so a hit is always safe. A kustomization naming anything
remote is not cached.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fluxops.loader.yamlio import YamlParseError, load_documents
from fluxops.render.generator import KUSTOMIZATION_FILES

REMOTE_MARKERS = ("://", "git@", "github.com/", "gh:")


def default_cache_dir() -> Path:
    base = os.environ.get("FLUXOPS_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fluxops" / "build"


class Uncacheable(Exception):
    pass


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


class FileHasher:
    """Content hashes, memoised per (path, size, mtime) for the life of the process."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, int, int], str] = {}
        self._lock = threading.Lock()

    def file(self, path: Path) -> str:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        with self._lock:
            hit = self._memo.get(key)
        if hit is not None:
            return hit
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with self._lock:
            self._memo[key] = digest
        return digest


def _real(path: str) -> Path:
    """The file a workspace path stands for. Workspace files are symlinks holding the absolute
    real path already (one readlink instead of resolving every component)."""
    try:
        target = os.readlink(path)
    except OSError:  # not a link
        return Path(os.path.realpath(path))
    if os.path.isabs(target) and not os.path.islink(target):
        return Path(target)
    return Path(os.path.realpath(path))


def input_closure(leaf: Path, exclude: Path | None = None) -> list[Path]:
    """Every file a build of `leaf` may read (real paths), sorted; files under `exclude` (the
    workspace, whose generated kustomization is hashed as text) are left out."""
    files: set[Path] = set()
    seen_dirs: set[Path] = set()
    pending = [leaf]
    while pending:
        directory = pending.pop()
        real = directory.resolve()
        if real in seen_dirs:
            continue
        seen_dirs.add(real)
        for dirpath, _dirnames, filenames in os.walk(directory, followlinks=True):
            for name in filenames:
                files.add(_real(os.path.join(dirpath, name)))
        for name in KUSTOMIZATION_FILES:
            kfile = directory / name
            if not kfile.is_file():
                continue
            try:
                docs = load_documents(kfile.read_text(encoding="utf-8"))
            except (YamlParseError, OSError, UnicodeDecodeError):
                continue
            for doc in docs:
                for text in _strings(doc.value):
                    if any(m in text for m in REMOTE_MARKERS):
                        if text.startswith(("http://", "https://", "git", "ssh://", "gh:")):
                            raise Uncacheable(text)
                        continue
                    if "\n" in text or len(text) > 4096:
                        continue
                    candidate = directory / text.split("=", 1)[-1].strip()
                    try:
                        if candidate.is_dir():
                            pending.append(candidate)
                        elif candidate.is_file():
                            files.add(_real(str(candidate)))
                    except OSError:
                        continue
    if exclude is not None:
        ex = exclude.resolve()
        files = {f for f in files if not f.is_relative_to(ex)}
    return sorted(files)


class BuildCache:
    def __init__(self, directory: Path | None, salt: str) -> None:
        self.directory = directory
        self.salt = salt
        self.hasher = FileHasher()

    def key(
        self, leaf: Path, kustomization_text: str, rel_path: str, workspace: Path
    ) -> str | None:
        if self.directory is None:
            return None
        try:
            closure = input_closure(leaf, workspace)
        except Uncacheable:
            return None
        h = hashlib.sha256()
        h.update(self.salt.encode())
        h.update(b"\0" + rel_path.encode() + b"\0" + kustomization_text.encode())
        for path in closure:
            try:
                digest = self.hasher.file(path)
            except OSError:
                return None
            h.update(b"\0" + str(path).encode() + b"\0" + digest.encode())
        return h.hexdigest()

    def get(self, key: str | None) -> str | None:
        if key is None or self.directory is None:
            return None
        path = self.directory / key[:2] / f"{key}.yaml"
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return None

    def put(self, key: str | None, output: str) -> None:
        if key is None or self.directory is None:
            return
        folder = self.directory / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
            tmp.write_text(output, encoding="utf-8")
            os.replace(tmp, folder / f"{key}.yaml")
        except OSError:
            pass  # a cache that cannot be written is only slower
