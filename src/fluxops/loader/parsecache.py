"""Parsed YAML files, cached by content: a repository file read before (in this clone, another
clone or another revision) is not parsed again.

Parsing is most of reading a repository (0.11 s of 0.13 s for the 430 files of the home-ops
fixture); a file found here costs a hash and a `marshal` load. An entry is keyed by the file's
bytes and by the parser itself (the source of the modules that parse, PyYAML's version and
Python's), so that a change to either is a miss, never a stale answer. It holds the Kubernetes
objects of the file (value, document index, line), in `cache_folder("parsed")`, made as the
build cache is (folders 0700, files 0600, written atomically).

Never cached: a file with a Secret in it (the cache never holds a Secret value, encrypted or
not), a file that does not parse (its finding is made again), a value `marshal` cannot hold.
An entry that cannot be read or is not what this module writes is a miss.

The same cache holds the parsed objects of kustomize outputs (`render.postbuild`), keyed by
the output's bytes under a salt of their own: of each output, the objects whose text no
postBuild variable changed, and no Secret.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from pathlib import Path
from typing import Any

#: What the entries hold; a change of layout changes it.
FORMAT = b"fluxops-parsed-1"
#: Mixed into the salt of the entries of kustomize outputs.
_OUTPUT_DOMAIN = b"kustomize-output"
#: The modules whose code decides what a file parses to.
_PARSER_MODULES = (
    "fluxops.loader.parsecache",
    "fluxops.loader.repo",
    "fluxops.loader.yamlio",
    "fluxops.goyaml.limits",
    "fluxops.goyaml.reader",
    "fluxops.goyaml.resolve",
    "fluxops.goyaml.strconv",
    "fluxops.goyaml.timestamp",
)

#: A document as stored: its value (a Kubernetes object), its index in the file, its line.
Stored = tuple[dict[str, Any], int, int]


def parser_salt() -> bytes | None:
    """What the parse of a file depends on besides its bytes; None when the parser's source
    cannot be read (then nothing is cached)."""
    import importlib

    import yaml

    h = hashlib.blake2b(FORMAT, digest_size=20)
    h.update(f"{sys.version_info[:2]}|{yaml.__version__}".encode())
    for name in _PARSER_MODULES:
        try:
            source = Path(importlib.import_module(name).__file__ or "").read_bytes()
        except (OSError, ImportError, ValueError):
            return None
        h.update(b"\0" + name.encode() + b"\0" + source)
    return h.digest()


class ParseCache:
    """The entries in `directory`, for this parser."""

    def __init__(self, directory: Path, salt: bytes) -> None:
        from fluxops.loader.cachefiles import Entries

        self.directory = directory
        self.salt = salt
        self._entries = Entries(directory, ".bin")
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls, directory: Path | None = None, *, outputs: bool = False) -> ParseCache | None:
        """The user's parse cache (None when the parser's source cannot be read), in
        `directory` or `cache_folder("parsed")`. `outputs`: the entries of kustomize outputs
        (`render.postbuild`), salted apart from the repository files' so that an output and
        a file with the same bytes are different entries."""
        from fluxops.loader.cachefiles import cache_folder

        salt = parser_salt()
        if salt is None:
            return None
        if outputs:
            salt = hashlib.blake2b(_OUTPUT_DOMAIN, digest_size=20, key=salt).digest()
        return cls(directory or cache_folder("parsed"), salt)

    def _key(self, data: bytes) -> str:
        return hashlib.blake2b(data, digest_size=20, key=self.salt).hexdigest()

    def get(self, data: bytes) -> list[Stored] | None:
        """The stored documents of a file with these bytes, or None."""
        if not self._entries.ready():
            return None
        blob = self._entries.read(self._key(data))
        try:
            stored = marshal.loads(blob) if blob is not None else None
        except (EOFError, ValueError, TypeError):
            stored = None
        if not _well_formed(stored):
            self.misses += 1
            return None
        self.hits += 1
        return stored

    def put(self, data: bytes, documents: list[Stored]) -> None:
        """Store the documents of a file with these bytes (unless they may not be stored)."""
        if not self._entries.ready() or any(_is_secret(value) for value, _, _ in documents):
            return
        try:
            blob = marshal.dumps(documents)
        except ValueError:  # a value marshal cannot hold: parse it every time
            return
        self._entries.write(self._key(data), blob)


def parse_cache(enabled: bool) -> ParseCache | None:
    """The user's parse cache when `enabled` (a request's `cache`: `--no-cache` turns it off
    with the build cache)."""
    return ParseCache.default() if enabled else None


def _is_secret(value: dict[str, Any]) -> bool:
    return value.get("kind") == "Secret"


def _well_formed(stored: object) -> bool:
    return isinstance(stored, list) and all(
        isinstance(doc, tuple)
        and len(doc) == 3
        and isinstance(doc[0], dict)
        and isinstance(doc[1], int)
        and isinstance(doc[2], int)
        for doc in stored
    )
