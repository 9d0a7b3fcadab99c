"""What the envsubst port needs from Go's `unicode/utf8` and `unicode` packages: decoding UTF-8
bytes to runes exactly as Go does, and Go's letter/digit test and one-rune case mappings."""

from __future__ import annotations

import unicodedata
from typing import Final

RUNE_ERROR: Final = 0xFFFD

# Letters and digits in Go's unicode tables (Unicode 15.0.0, Go 1.26) that Python 3.11's
# unicodedata (Unicode 14.0.0) does not have yet. Consulted only for code points Python calls
# unassigned, so on Python 3.12 (Unicode 15.0.0) it changes nothing.
_GO_IDENT_NEW_IN_UNICODE_15: Final = (
    (0x1123F, 0x11240),
    (0x11F02, 0x11F02),
    (0x11F04, 0x11F10),
    (0x11F12, 0x11F33),
    (0x11F50, 0x11F59),
    (0x1342F, 0x1342F),
    (0x13441, 0x13446),
    (0x1B132, 0x1B132),
    (0x1B155, 0x1B155),
    (0x1DF25, 0x1DF2A),
    (0x1E030, 0x1E06D),
    (0x1E4D0, 0x1E4EB),
    (0x1E4F0, 0x1E4F9),
    (0x2B739, 0x2B739),
    (0x31350, 0x323AF),
)


def decode_rune(buf: bytes | bytearray, pos: int) -> tuple[int, int]:
    """Go's utf8.DecodeRune: (rune, width). An invalid byte is (U+FFFD, 1); the end is width 0."""
    if pos >= len(buf):
        return RUNE_ERROR, 0
    b0 = buf[pos]
    if b0 < 0x80:
        return b0, 1
    if 0xC2 <= b0 <= 0xDF:
        n = 2
    elif 0xE0 <= b0 <= 0xEF:
        n = 3
    elif 0xF0 <= b0 <= 0xF4:
        n = 4
    else:
        return RUNE_ERROR, 1
    try:
        # Python's strict decoder rejects the same sequences Go does: overlong forms,
        # surrogates, code points above U+10FFFF and truncated sequences.
        char = bytes(buf[pos : pos + n]).decode("utf-8")
    except UnicodeDecodeError:
        return RUNE_ERROR, 1
    return ord(char), n


def runes(data: bytes) -> list[int]:
    """Go's []rune(s): each invalid byte becomes U+FFFD."""
    out: list[int] = []
    pos = 0
    while pos < len(data):
        r, width = decode_rune(data, pos)
        out.append(r)
        pos += width
    return out


def encode_runes(codes: list[int]) -> bytes:
    """string(runes): the runes as UTF-8."""
    return "".join(map(chr, codes)).encode("utf-8")


def is_letter_or_digit(r: int) -> bool:
    """unicode.IsLetter(r) || unicode.IsDigit(r), with Go's Unicode 15.0.0 tables."""
    char = chr(r)
    if char.isalpha() or char.isdecimal():  # general categories L* and Nd, as in Go
        return True
    if unicodedata.category(char) == "Cn":
        return any(lo <= r <= hi for lo, hi in _GO_IDENT_NEW_IN_UNICODE_15)
    return False


def go_upper(r: int) -> int:
    """unicode.ToUpper: the simple (one-rune) mapping. Python's str.upper uses full mappings
    ("ß" -> "SS"); when that gives several characters, the titlecase form is the simple
    uppercase where one exists (iota-subscript letters), else the rune is unchanged."""
    if r < 0x80:
        return r - 32 if 0x61 <= r <= 0x7A else r
    char = chr(r)
    for mapped in (char.upper(), char.title()):
        if len(mapped) == 1:
            return ord(mapped)
    return r


def go_lower(r: int) -> int:
    """unicode.ToLower: the simple mapping. U+0130 is the only character whose full lowercase
    has several characters; its simple lowercase is 'i'."""
    if r < 0x80:
        return r + 32 if 0x41 <= r <= 0x5A else r
    mapped = chr(r).lower()
    if len(mapped) == 1:
        return ord(mapped)
    return 0x69 if r == 0x130 else r
