"""Objects and findings as the render caches store them (`marshal`-able tuples), and back: a
stored value that is not what these functions write raises ValueError (a cache miss)."""

from __future__ import annotations

from typing import Any

from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Origin, Resource


def pack_resource(resource: Resource) -> tuple[Any, ...]:
    origin = resource.origin
    return (
        resource.raw,
        (origin.file, origin.document, origin.line) if origin is not None else None,
    )


def unpack_resource(packed: Any) -> Resource:
    raw, origin = packed
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    if origin is None:
        return Resource(raw=raw)
    file, document, line = origin
    if not (isinstance(file, str) and isinstance(document, int) and isinstance(line, int)):
        raise ValueError("not an origin")
    return Resource(raw=raw, origin=Origin(file, document, line))


def pack_finding(f: Finding) -> tuple[Any, ...]:
    return (f.code, f.severity.value, f.message, f.file, f.line, f.object, f.path, f.hint, f.extra)


def unpack_finding(packed: Any) -> Finding:
    code, severity, message, file, line, obj, path, hint, extra = packed
    texts = (file, obj, path, hint)
    if not (
        isinstance(code, str)
        and isinstance(message, str)
        and all(t is None or isinstance(t, str) for t in texts)
        and (line is None or isinstance(line, int))
        and isinstance(extra, dict)
    ):
        raise ValueError("not a finding")
    return Finding(code, Severity(severity), message, file, line, obj, path, hint, extra)
