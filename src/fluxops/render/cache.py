"""Build cache: kustomize output keyed by the content hash of every input file.

The inputs of a build are given by the preflight walk (render/preflight.py): the staged files
its kustomization files name, folders with all their files, recursively through the
kustomization files found there: a superset of what kustomize reads, so a hit is always safe.
Paths are relative to the staged source root, so the key does not depend on where the
repository or the workspace is. A build that names anything remote is not cached.

The cache never holds a Secret value: an output that contains a Secret with plain values is
not stored (its consumers, postBuild substitution and values-diff, need the real values,
which must not come from disk). SOPS-encrypted Secrets are stored as they are in Git.
Folders are created 0700 and files 0600.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path

from fluxops.loader.cachefiles import Entries
from fluxops.loader.yamlio import YamlParseError, load_documents

_SECRET_KIND = re.compile(r"^kind:\s*Secret\s*$", re.MULTILINE)


def default_cache_dir() -> Path:
    base = os.environ.get("FLUXOPS_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "fluxops" / "build"


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


def holds_plain_secret(stream: str) -> bool:
    """Whether kustomize output holds a v1 Secret with unencrypted values."""
    if not _SECRET_KIND.search(stream):
        return False
    try:
        docs = load_documents(stream)
    except YamlParseError:
        return True  # cannot tell: do not store it
    for doc in docs:
        raw = doc.value
        if (
            not isinstance(raw, dict)
            or raw.get("kind") != "Secret"
            or raw.get("apiVersion") != "v1"
        ):
            continue
        if isinstance(raw.get("sops"), dict):
            continue
        for name in ("data", "stringData"):
            values = raw.get(name)
            if isinstance(values, dict) and any(
                not (isinstance(v, str) and v.startswith("ENC[")) for v in values.values()
            ):
                return True
    return False


#: The longest a renderer waits for another's build of the same key before building it too.
WAIT_SECONDS = 900.0


class SharedOutputs:
    """kustomize outputs shared by the renderers of one process (the two sides of `diff`), and
    the builds in flight. A renderer claims a key it is about to build; another that finds the
    key claimed waits for that output (`BuildCache.claim`) instead of building it again. A
    renderer waits only after its own claimed builds of the wave are done, so two renderers
    never wait on each other."""

    def __init__(self) -> None:
        self._outputs: dict[str, str] = {}
        self._flight: dict[str, tuple[object, threading.Event]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._outputs.get(key)

    def claim(self, key: str, owner: object) -> str | threading.Event | None:
        """The output when it is there; else the event of another owner's build in flight;
        else None: `owner` builds it (and now holds the claim)."""
        with self._lock:
            out = self._outputs.get(key)
            if out is not None:
                return out
            held = self._flight.get(key)
            if held is None:
                self._flight[key] = (owner, threading.Event())
                return None
            return None if held[0] is owner else held[1]

    def put(self, key: str, output: str, owner: object) -> None:
        with self._lock:
            self._outputs[key] = output
        self.release(key, owner)

    def release(self, key: str, owner: object) -> None:
        """`owner` will not put `key` (its build failed, or it ended): wake the waiters."""
        with self._lock:
            held = self._flight.get(key)
            if held is None or held[0] is not owner:
                return
            del self._flight[key]
        held[1].set()

    def release_all(self, owner: object) -> None:
        with self._lock:
            keys = [k for k, (who, _event) in self._flight.items() if who is owner]
        for key in keys:
            self.release(key, owner)


class BuildCache:
    """`store`: the outputs shared by several renderers of one process (the two sides of
    `diff`), used with or without the folder; it lives as long as the process and may hold
    what the folder never does (outputs with Secrets)."""

    def __init__(
        self, directory: Path | None, salt: str, store: SharedOutputs | None = None
    ) -> None:
        self.directory = directory
        self.salt = salt
        self.store = store
        self.hasher = FileHasher()
        self._entries = Entries(directory, ".yaml") if directory is not None else None

    def _ready(self) -> bool:
        return self._entries is not None and self._entries.ready()

    def key(
        self, root: Path, closure: list[str], kustomization_text: str, rel_path: str
    ) -> str | None:
        """The key of a build of the staged tree `root` reading the files `closure`."""
        if not self._ready() and self.store is None:
            return None
        h = hashlib.sha256()
        h.update(self.salt.encode())
        h.update(b"\0" + rel_path.encode() + b"\0" + kustomization_text.encode())
        for rel in closure:
            try:
                digest = self.hasher.file(root / rel)
            except OSError:
                return None
            h.update(b"\0" + rel.encode() + b"\0" + digest.encode())
        return h.hexdigest()

    def get(self, key: str | None) -> str | None:
        if key is not None and self.store is not None:
            shared = self.store.get(key)
            if shared is not None:
                return shared
        if key is None or self._entries is None:
            return None
        data = self._entries.read(key)
        try:
            return data.decode("utf-8") if data is not None else None
        except UnicodeDecodeError:
            return None

    def claim(self, key: str | None) -> str | threading.Event | None:
        """After a miss, before building `key`: None when it is to be built here (then `put`
        it, or `release` it when the build fails); the output when another renderer has just
        put it; the event another renderer's build in flight sets when it ends (then `get`:
        None when that build failed)."""
        if key is None or self.store is None:
            return None
        return self.store.claim(key, self)

    def release(self, key: str | None) -> None:
        if key is not None and self.store is not None:
            self.store.release(key, self)

    def close(self) -> None:
        """Release every claim left (a run that stopped early)."""
        if self.store is not None:
            self.store.release_all(self)

    def put(self, key: str | None, output: str) -> None:
        if key is not None and self.store is not None:
            self.store.put(key, output, self)
        if key is None or self._entries is None or holds_plain_secret(output):
            return
        self._entries.write(key, output.encode("utf-8"))
