"""The string operations behind the envsubst operators (`envsubst/funcs.go`): case mapping,
substrings, replacement and prefix/suffix trimming. Lengths and offsets are UTF-8 bytes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from fluxops.render.envsubst.match import BadPattern, match
from fluxops.render.envsubst.parse import ParseError
from fluxops.render.envsubst.unicode import decode_rune, encode_runes, go_upper, runes

_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_ATOI: Final = re.compile(rb"[+-]?[0-9]+\Z")


def map_all(s: bytes, fn: Callable[[int], int]) -> bytes:
    """strings.ToUpper/ToLower: per rune; an invalid byte becomes U+FFFD."""
    if s.isascii():
        return s.upper() if fn is go_upper else s.lower()
    return encode_runes([fn(r) for r in runes(s)])


def map_first(s: bytes, fn: Callable[[int], int]) -> bytes:
    if not s:
        return s
    r, width = decode_rune(s, 0)
    return chr(fn(r)).encode("utf-8") + s[width:]


def reversed_runes(s: bytes) -> bytes:
    return encode_runes(runes(s)[::-1])


def _atoi(text: bytes) -> int | None:
    """strconv.Atoi: optional sign, ASCII digits, no spaces or underscores, int64 range."""
    if not _ATOI.match(text):
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def substr(s: bytes, args: list[bytes]) -> bytes:
    """toSubstr; offsets are byte offsets."""
    if not args:
        return s
    pos = _atoi(args[0])
    if pos is None:
        return s
    if pos < 0:
        pos = max(len(s) + pos, 0)
    if len(args) == 1:
        return s[pos:] if pos < len(s) else b""
    length = _atoi(args[1])
    if length is None:
        return s
    if length < 0:
        end = len(s) + length
        return b"" if end < pos else s[pos:end]
    if pos + length > _INT64_MAX:
        # Go's int64 addition wraps and the slice expression then panics.
        raise ParseError("substring offset plus length overflows int64 (Flux panics here)")
    if pos + length >= len(s):
        return s[pos:] if pos < len(s) else b""
    return s[pos : pos + length]


def go_replace(s: bytes, old: bytes, new: bytes, n: int) -> bytes:
    """strings.Replace. An empty `old` matches before every rune and at the end."""
    if old == new or n == 0:
        return s
    if old:
        return s.replace(old, new, n)
    count = len(runes(s)) + 1
    if n < 0 or count < n:
        n = count
    out = bytearray()
    start = 0
    for i in range(n):
        end = start
        if i > 0:
            end += decode_rune(s, start)[1]
        out += s[start:end]
        out += new
        start = end
    out += s[start:]
    return bytes(out)


def trim_shortest(s: bytes, pattern: bytes) -> bytes:
    """trimShortest: the shortest non-empty prefix that matches is removed. A malformed pattern
    leaves the value unchanged, even if a longer prefix matched before the error showed."""
    shortest = 0
    for end in range(len(s), 0, -1):
        try:
            matched = match(pattern, s[:end])
        except BadPattern:
            return s
        if matched:
            shortest = end
    return s[shortest:]


def trim_longest(s: bytes, pattern: bytes) -> bytes:
    """trimLongest: the longest non-empty prefix that matches is removed."""
    for end in range(len(s), 0, -1):
        try:
            matched = match(pattern, s[:end])
        except BadPattern:
            return s
        if matched:
            return s[end:]
    return s
