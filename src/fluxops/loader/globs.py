"""The two glob dialects Flux's source-watcher uses: Go's `path.Match`/`fs.Glob` (where `**` is
just `*`, one path segment) and doublestar (where `**` spans segments, `{a,b}` alternates)."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from fluxops.loader import confine
from fluxops.loader.linear_regex import Matcher, PatternError, compile_linear

GLOB_CHARS = "*?[]"


def has_glob(text: str) -> bool:
    return any(c in text for c in GLOB_CHARS)


def _class(pattern: str, i: int) -> tuple[str, int]:
    """Translate a `[...]` class starting at pattern[i] == '['; returns (regex, next index)."""
    j = i + 1
    negate = j < len(pattern) and pattern[j] == "^"
    if negate:
        j += 1
    body = ""
    while j < len(pattern) and pattern[j] != "]":
        c = pattern[j]
        if c == "\\" and j + 1 < len(pattern):
            j += 1
            c = pattern[j]
        body += re.escape(c) if c != "-" else "-"
        j += 1
    if j >= len(pattern):
        raise ValueError(f"syntax error in pattern {pattern!r}")
    return ("[^" if negate else "[") + body + "]", j + 1


@functools.cache
def _segment_regex(segment: str) -> Matcher:
    """Go path.Match for one segment: `*` and `?` never match '/'."""
    out = ""
    i = 0
    while i < len(segment):
        c = segment[i]
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            cls, i = _class(segment, i)
            out += cls
            continue
        elif c == "\\" and i + 1 < len(segment):
            i += 1
            out += re.escape(segment[i])
        else:
            out += re.escape(c)
        i += 1
    return compile_linear(out)


def go_glob(root: Path, pattern: str) -> list[str]:
    """Go's fs.Glob over `root`: matches per path segment, results sorted per folder, as
    posix paths relative to root. Hidden files match too (Go does not special-case them)."""
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    results = [""]
    for part in parts:
        nxt: list[str] = []
        for base in results:
            folder = root / base if base else root
            if not has_glob(part):
                candidate = f"{base}/{part}" if base else part
                if confine.kind_of(root, candidate) is not None:
                    nxt.append(candidate)
                continue
            if confine.kind_of(root, base) != "dir":
                continue
            try:
                rx = _segment_regex(part)
                names = sorted(os.listdir(folder))
            except (OSError, ValueError, PatternError):
                continue
            for name in names:
                if rx.fullmatch(name):
                    nxt.append(f"{base}/{name}" if base else name)
        results = nxt
    return results


@functools.cache
def _doublestar_regex(pattern: str) -> Matcher:
    out = ""
    i = 0
    n = len(pattern)
    depth = 0
    while i < n:
        c = pattern[i]
        if c == "*" and i + 1 < n and pattern[i + 1] == "*":
            # `**` as a whole segment spans any number of segments (including none).
            at_start = i == 0 or pattern[i - 1] == "/"
            at_end = i + 2 == n or pattern[i + 2] == "/"
            if at_start and at_end:
                if i + 2 < n:  # "**/" -> zero or more segments
                    out += "(?:[^/]*/)*"
                    i += 3
                    continue
                out += ".*"
                i += 2
                continue
            out += "[^/]*"
            i += 2
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            cls, i = _class(pattern, i)
            out += cls
            continue
        elif c == "{":
            out += "(?:"
            depth += 1
        elif c == "}" and depth:
            out += ")"
            depth -= 1
        elif c == "," and depth:
            out += "|"
        elif c == "\\" and i + 1 < n:
            i += 1
            out += re.escape(pattern[i])
        else:
            out += re.escape(c)
        i += 1
    return compile_linear(out)


def doublestar_match(pattern: str, path: str) -> bool:
    try:
        return _doublestar_regex(pattern).fullmatch(path) is not None
    except (ValueError, re.error):
        return False
