"""`envsubst/path/match.go`: Go's `path.Match` with the '/' special cases removed, so `*` and `?`
also match '/'. Used by the `#`, `##`, `%` and `%%` operators."""

from __future__ import annotations

from fluxops.errors import SubstitutionError
from fluxops.render.envsubst.scan import BACKSLASH, CARET, MINUS, QUESTION
from fluxops.render.envsubst.unicode import RUNE_ERROR, decode_rune


class BadPattern(SubstitutionError):
    """path.ErrBadPattern."""

    def __init__(self, message: str = "syntax error in pattern") -> None:
        super().__init__(message)


def match(pattern: bytes, name: bytes) -> bool:
    """Whether `name` matches the whole of `pattern`; BadPattern when Go reports
    ErrBadPattern."""
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return True  # a trailing '*' matches the rest, '/' included
        rest, ok, bad = _match_chunk(chunk, name)
        if ok and (not rest or pattern):
            name = rest
            continue
        if bad:
            raise BadPattern
        if star:
            for i in range(len(name)):
                rest, ok, bad = _match_chunk(chunk, name[i + 1 :])
                if ok:
                    if not pattern and rest:
                        continue
                    name = rest
                    break
                if bad:
                    raise BadPattern
            else:
                return False
            continue
        return False
    return not name


def _scan_chunk(pattern: bytes) -> tuple[bool, bytes, bytes]:
    star = False
    while pattern and pattern[0] == 0x2A:  # '*'
        pattern = pattern[1:]
        star = True
    in_range = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == BACKSLASH:
            if i + 1 < len(pattern):
                i += 1
        elif c == 0x5B:  # '['
            in_range = True
        elif c == 0x5D:  # ']'
            in_range = False
        elif c == 0x2A and not in_range:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _match_chunk(chunk: bytes, s: bytes) -> tuple[bytes, bool, bool]:
    """(rest, ok, bad_pattern). Like Go, it stops at the end of `s` without looking at the
    rest of the chunk, so some malformed patterns are never reported."""
    while chunk:
        if not s:
            return b"", False, False
        c = chunk[0]
        if c == 0x5B:  # '[': character class
            r, width = decode_rune(s, 0)
            s = s[width:]
            chunk = chunk[1:]
            negated = bool(chunk) and chunk[0] == CARET
            if negated:
                chunk = chunk[1:]
            matched = False
            ranges = 0
            while True:
                if chunk and chunk[0] == 0x5D and ranges > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk, bad = _get_esc(chunk)
                if bad:
                    return b"", False, True
                hi = lo
                if chunk[0] == MINUS:
                    hi, chunk, bad = _get_esc(chunk[1:])
                    if bad:
                        return b"", False, True
                if lo <= r <= hi:
                    matched = True
                ranges += 1
            if matched == negated:
                return b"", False, False
        elif c == QUESTION:  # any one rune, '/' included
            s = s[decode_rune(s, 0)[1] :]
            chunk = chunk[1:]
        else:
            if c == BACKSLASH:
                chunk = chunk[1:]
                if not chunk:
                    return b"", False, True
            if chunk[0] != s[0]:
                return b"", False, False
            s = s[1:]
            chunk = chunk[1:]
    return s, True, False


def _get_esc(chunk: bytes) -> tuple[int, bytes, bool]:
    """A possibly escaped rune of a character class: (rune, rest, bad_pattern)."""
    if not chunk or chunk[0] in (MINUS, 0x5D):
        return 0, b"", True
    if chunk[0] == BACKSLASH:
        chunk = chunk[1:]
        if not chunk:
            return 0, b"", True
    r, width = decode_rune(chunk, 0)
    rest = chunk[width:]
    bad = (r == RUNE_ERROR and width == 1) or not rest
    return r, rest, bad
