"""The envsubst scanner: a byte-level rewrite of `envsubst/parse/scan.go`, down to its
unread/skip behaviour, with the rune filters (`accept*`) the parser hands it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from fluxops.render.envsubst.unicode import decode_rune, is_letter_or_digit

EOF_RUNE: Final = 0  # the Go scanner's end marker: rune 0, so a NUL byte also reads as the end

# tokens
T_ILLEGAL: Final = 0
T_EOF: Final = 1
T_IDENT: Final = 2
T_LBRACK: Final = 3
T_RBRACK: Final = 4

# scanner modes
M_IDENT: Final = 1
M_LBRACK: Final = 2
M_RBRACK: Final = 4
M_ESCAPE: Final = 8

# escapable characters
E_DOLLAR: Final = 1
E_BACKSLASH: Final = 2
E_ALL: Final = E_DOLLAR | E_BACKSLASH

DOLLAR: Final = 0x24
LBRACE: Final = 0x7B
RBRACE: Final = 0x7D
BACKSLASH: Final = 0x5C
SLASH: Final = 0x2F
COLON: Final = 0x3A
HASH: Final = 0x23
PERCENT: Final = 0x25
EQUAL: Final = 0x3D
MINUS: Final = 0x2D
PLUS: Final = 0x2B
QUESTION: Final = 0x3F
COMMA: Final = 0x2C
CARET: Final = 0x5E
UNDERSCORE: Final = 0x5F

#: A rune filter: (rune, byte offset of the rune's end from the token start) -> accept it?
Accept = Callable[[int, int], bool]


def accept_rune(r: int, i: int) -> bool:
    return True


def accept_ident(r: int, i: int) -> bool:
    """unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'."""
    if r < 0x80:
        return 0x30 <= r <= 0x39 or 0x41 <= r <= 0x5A or 0x61 <= r <= 0x7A or r == UNDERSCORE
    return is_letter_or_digit(r)


def accept_colon(r: int, i: int) -> bool:
    return r == COLON


def accept_one_hash(r: int, i: int) -> bool:
    return r == HASH and i == 1


def accept_not_closing(r: int, i: int) -> bool:
    return r != RBRACE


def accept_hash_func(r: int, i: int) -> bool:
    return r == HASH and i < 3


def accept_percent_func(r: int, i: int) -> bool:
    return r == PERCENT and i < 3


def accept_default_func(r: int, i: int) -> bool:
    if i == 1:
        return r == COLON
    return i == 2 and r in (EQUAL, MINUS, QUESTION, PLUS)


def accept_replace_func(r: int, i: int) -> bool:
    if i == 1:
        return r == SLASH
    return i == 2 and r in (SLASH, HASH, PERCENT)


def accept_one_equal(r: int, i: int) -> bool:
    return i == 1 and r == EQUAL


def accept_one_colon(r: int, i: int) -> bool:
    return i == 1 and r == COLON


def reject_colon_close(r: int, i: int) -> bool:
    return r not in (COLON, RBRACE)


def accept_slash(r: int, i: int) -> bool:
    return r == SLASH


def accept_not_slash(r: int, i: int) -> bool:
    return r != SLASH


def accept_casing_func(r: int, i: int) -> bool:
    return r in (COMMA, CARET) and i < 3


class Scanner:
    """Reads runes from a byte buffer. Like the Go scanner, `unread` steps back by the width of
    the LAST rune read, whatever was read before it, and `skip` deletes the byte just before
    `pos` (an escape character) from the buffer."""

    __slots__ = ("accept", "buf", "escape_chars", "mode", "pos", "start", "width")

    def __init__(self, buf: bytes) -> None:
        self.buf = bytearray(buf)
        self.pos = 0
        self.start = 0
        self.width = 0
        self.mode = 0
        self.escape_chars = 0
        self.accept: Accept = accept_rune

    def read(self) -> int:
        if self.pos >= len(self.buf):
            self.width = 0
            return EOF_RUNE
        r, self.width = decode_rune(self.buf, self.pos)
        self.pos += self.width
        return r

    def unread(self) -> None:
        self.pos -= self.width

    def skip(self) -> None:
        del self.buf[self.pos - 1]

    def peek(self) -> int:
        r = self.read()
        self.unread()
        return r

    def string(self) -> bytes:
        return bytes(self.buf[self.start : self.pos])

    def scan(self) -> int:
        self.start = self.pos
        r = self.read()
        if r == EOF_RUNE:
            return T_EOF
        if self._scan_lbrack(r):
            return T_LBRACK
        if self._scan_rbrack(r):
            return T_RBRACK
        if self._scan_ident(r):
            return T_IDENT
        return T_ILLEGAL

    def _scan_ident(self, r: int) -> bool:
        if not self.mode & M_IDENT:
            return False
        if self._scan_escaped(r):
            self.skip()
        elif not self.accept(r, self.pos - self.start):
            return False
        while True:
            r = self.read()
            if r == EOF_RUNE:
                self.unread()
                break
            if self._scan_lbrack(r):
                self.unread()
                self.unread()
                break
            if self._scan_escaped(r):
                self.skip()
                continue
            if not self.accept(r, self.pos - self.start):
                self.unread()
                break
        return True

    def _scan_lbrack(self, r: int) -> bool:
        if not self.mode & M_LBRACK:
            return False
        if r == DOLLAR:
            if self.read() == LBRACE:
                return True
            self.unread()
        return False

    def _scan_rbrack(self, r: int) -> bool:
        return bool(self.mode & M_RBRACK) and r == RBRACE

    def _scan_escaped(self, r: int) -> bool:
        if not self.mode & M_ESCAPE:
            return False
        if r == DOLLAR and self.escape_chars & E_DOLLAR and self.peek() == DOLLAR:
            return True
        if r == BACKSLASH and self.escape_chars & E_BACKSLASH:
            return self.peek() in (SLASH, BACKSLASH)
        return False

    def scan_text(self) -> bytes | None:
        """The plain-text token of the top level, without a call per rune.

        Equivalent to `scan()` in the top-level mode (accept everything, `$$` escapes, stop
        before `${`) when the next rune is neither the end, a NUL byte, nor the start of `${`.
        Returns None, consuming nothing, in those cases. '$' and NUL are ASCII, so they never
        occur inside a multi-byte rune and a byte search finds exactly what the rune scanner
        would find; the buffer is not edited, which only shifts positions that are never
        revisited.
        """
        buf = self.buf
        pos = self.pos
        size = len(buf)
        if pos >= size or buf[pos] == 0:
            return None
        if buf[pos] == DOLLAR and pos + 1 < size and buf[pos + 1] == LBRACE:
            return None
        out = bytearray()
        while True:
            dollar = buf.find(b"$", pos)
            nul = buf.find(b"\x00", pos)
            stop = size if dollar < 0 else dollar
            if 0 <= nul < stop:
                out += buf[pos:nul]
                pos = nul
                break
            out += buf[pos:stop]
            pos = stop
            if pos >= size:
                break
            # buf[pos] is '$'
            nxt = buf[pos + 1] if pos + 1 < size else -1
            if nxt == LBRACE:
                break
            out.append(DOLLAR)
            pos += 2 if nxt == DOLLAR else 1
        self.start = self.pos
        self.pos = pos
        return bytes(out)
