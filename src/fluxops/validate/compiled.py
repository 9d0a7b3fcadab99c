"""Compiled validators, cached on disk.

`fastjsonschema` turns a schema into Python code: ~0.25 ms per document instead of ~3 ms with
`jsonschema` and ~20 ms with `kubernetes_validate.validate()`, but generating and compiling the
code takes 0.1-0.5 s for a big kind. The compiled code object is therefore kept on disk
(`marshal`, keyed by the schema's content hash, the fastjsonschema version and the Python bytecode
magic) under $FLUXOPS_CACHE_DIR/schemas or ~/.cache/fluxops/schemas; a later run loads it in
about a millisecond. fastjsonschema stops at the first error, so a document that fails is
validated again with `jsonschema` to list every error.

`pattern` keywords come from CRDs in the repository: both libraries match them with RE2 (linear
time, Go's regexp semantics), never Python's backtracking `re`. The generated code looks its
patterns up in a module-level `REGEX_PATTERNS` table, which is replaced with RE2 matchers after
the code is loaded; a schema with patterns whose code has no such table is not given a fast
check. A pattern RE2 cannot compile (the API server refuses such a CRD) matches everything.
The cache folder is private (0700), since its files are executed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import marshal
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Check = Callable[[Any], Any]


def default_cache_dir() -> Path:
    from fluxops.loader.cachefiles import cache_folder

    return cache_folder("schemas")


def schema_digest(schema: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(schema, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


class _Anything:
    """The matcher of a pattern that does not compile: the CRD is reported, not the object."""

    def search(self, text: str) -> bool:
        return True


def _linear(pattern: str) -> Any:
    from fluxops.loader.linear_regex import PatternError, compile_linear

    try:
        return compile_linear(pattern)
    except PatternError:
        return _Anything()


def _has_patterns(schema: dict[str, Any]) -> bool:
    return '"pattern"' in json.dumps(schema)


def _linearize(namespace: dict[str, Any], schema: dict[str, Any]) -> bool:
    """Replace the generated code's regular expressions with RE2 ones; False when the code
    has patterns it looks up some other way (then it must not be used)."""
    table = namespace.get("REGEX_PATTERNS")
    if not isinstance(table, dict):
        return not _has_patterns(schema)
    for key in list(table):
        table[key] = _linear(key)
    return True


def _pattern_keyword(validator: Any, pattern: Any, instance: Any, schema: Any) -> Any:
    """jsonschema's `pattern`, matched with RE2."""
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "string") or not isinstance(pattern, str):
        return
    if not _linear(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


class ValidatorCache:
    """One compiled check per schema (by content), in memory and on disk."""

    def __init__(self, directory: Path | None) -> None:
        import fastjsonschema

        self._fjs = fastjsonschema
        self.directory = directory
        self._salt = f"{fastjsonschema.VERSION}|{importlib.util.MAGIC_NUMBER.hex()}"
        self._checks: dict[str, Check | None] = {}
        self._full: dict[str, Any] = {}
        self.compiled = 0
        self.loaded = 0
        self._trusted: bool | None = None

    def check(self, digest: str, schema: dict[str, Any]) -> Check | None:
        """The fast check for `schema` (raises on the first error), or None when fastjsonschema
        cannot compile this schema (then only the full validator is used)."""
        if digest not in self._checks:
            self._checks[digest] = self._load_or_compile(digest, schema)
        return self._checks[digest]

    def _trusted_dir(self) -> bool:
        """Code is loaded only from a folder nobody else can write to."""
        if self._trusted is None:
            from fluxops.loader.cachefiles import private_dir

            self._trusted = self.directory is not None and private_dir(self.directory)
        return self._trusted

    def _path(self, digest: str) -> Path | None:
        if self.directory is None:
            return None
        key = hashlib.sha256(f"{digest}|{self._salt}".encode()).hexdigest()[:32]
        return self.directory / f"{key}.bin"

    def _load_or_compile(self, digest: str, schema: dict[str, Any]) -> Check | None:
        path = self._path(digest)
        if path is not None and self._trusted_dir() and path.is_file():
            try:
                code = marshal.loads(path.read_bytes())
                namespace: dict[str, Any] = {}
                exec(code, namespace)
                self.loaded += 1
                if not _linearize(namespace, schema):
                    return None
                return namespace["validate"]  # type: ignore[no-any-return]
            except Exception:  # a corrupt or foreign cache file: rebuild it
                pass
        try:
            source = self._fjs.compile_to_code(schema)
            code = compile(source, f"<schema {digest[:12]}>", "exec")
            namespace = {}
            exec(code, namespace)
        except Exception:
            return None
        self.compiled += 1
        if path is not None:
            _write_atomic(path, marshal.dumps(code))
        if not _linearize(namespace, schema):
            return None
        return namespace["validate"]  # type: ignore[no-any-return]

    def is_valid(self, digest: str, schema: dict[str, Any], document: Any) -> bool | None:
        """True/False, or None when there is no fast check for this schema."""
        check = self.check(digest, schema)
        if check is None:
            return None
        try:
            check(document)
        except self._fjs.JsonSchemaValueException:
            return False
        except (RecursionError, TypeError, ValueError):
            return None
        return True

    def errors(self, digest: str, schema: dict[str, Any], document: Any) -> Iterator[Any]:
        """Every error (jsonschema.ValidationError) of `document`."""
        validator = self._full.get(digest)
        if validator is None:
            validator = _full_validator_class()(schema)
            self._full[digest] = validator
        yield from validator.iter_errors(document)


def _full_validator_class() -> Any:
    from jsonschema import Draft7Validator, validators

    return validators.extend(Draft7Validator, {"pattern": _pattern_keyword})


def _write_atomic(path: Path, data: bytes) -> None:
    from fluxops.loader.cachefiles import private_dir

    try:
        if not private_dir(path.parent):
            return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs time
