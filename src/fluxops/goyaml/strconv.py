"""Go's `strconv` number parsing, as the YAML libraries of the Flux toolchain call it.

go-yaml (v2 and v3) resolves plain scalars with `ParseInt(s, 0, 64)`, `ParseUint(s, 0, 64)` and
`ParseFloat(s, 64)`; Helm's `--set` parser and Flux's envsubst use `Atoi`. These follow Go's
`internal/strconv/atoi.go` and `atof.go`: the same accepted syntax (base prefixes `0b` `0o` `0x`
and a bare leading `0` for octal with base 0, underscores only between digits and only with
base 0, decimal and hexadecimal floats, `inf`/`infinity`/`nan` in any case) and the same error
(`invalid syntax` or `value out of range`, the first one met scanning left to right).
"""

from __future__ import annotations

import math
import struct
from typing import Final

from fluxops.errors import YamlError

SYNTAX: Final = "invalid syntax"
RANGE: Final = "value out of range"

MAX_UINT64: Final = 2**64 - 1
MIN_INT64: Final = -(2**63)
MAX_INT64: Final = 2**63 - 1


class NumError(YamlError, ValueError):
    """Go's `*strconv.NumError`: `func` (`Atoi`, `ParseInt` ...), the input, and `err`
    (`SYNTAX` or `RANGE`). `str()` is Go's `Error()` text."""

    def __init__(self, func: str, num: str, err: str) -> None:
        super().__init__(f"strconv.{func}: parsing {go_quote(num)}: {err}")
        self.func = func
        self.num = num
        self.err = err


def go_quote(text: str, quote: str = '"') -> str:
    """`strconv.Quote` (`quote='"'`), or with `quote="'"` `strconv.QuoteRune` of each rune
    joined: Go escapes, printable Unicode kept."""
    return quote + "".join(_escape(c, quote) for c in text) + quote


def _escape(c: str, quote: str) -> str:
    if c in (quote, "\\"):
        return "\\" + c
    if c in _ESCAPES:
        return _ESCAPES[c]
    if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF:
        return c
    if ord(c) < 0x80:
        return f"\\x{ord(c):02x}"
    if ord(c) <= 0xFFFF:
        return f"\\u{ord(c):04x}"
    return f"\\U{ord(c):08x}"


_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def underscore_ok(s: str) -> bool:
    """Underscores only between digits, or between a base prefix and a digit."""
    saw = "^"
    i = 0
    if s[:1] in ("-", "+"):
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i = 2
        saw = "0"
        hexa = s[1].lower() == "x"
    for c in s[i:]:
        if "0" <= c <= "9" or (hexa and "a" <= c.lower() <= "f"):
            saw = "0"
            continue
        if c == "_":
            if saw != "0":
                return False
            saw = "_"
            continue
        if saw == "_":
            return False
        saw = "!"
    return saw != "_"


def _digit(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - 48
    lower = c.lower() if c.isascii() else ""
    if "a" <= lower <= "z":
        return ord(lower) - 87
    return -1


def parse_uint(s: str, base: int = 0, bits: int = 64, *, func: str = "ParseUint") -> int:
    """`strconv.ParseUint`. Raises NumError."""
    if not s:
        raise NumError(func, s, SYNTAX)
    base0 = base == 0
    s0, body = s, s
    if base0:
        base = 10
        if s[0] == "0":
            prefix = s[1:2].lower() if len(s) >= 3 else ""
            base, body = {"b": (2, s[2:]), "o": (8, s[2:]), "x": (16, s[2:])}.get(
                prefix, (8, s[1:])
            )
    max_val = (1 << bits) - 1
    n = 0
    underscores = False
    for c in body:
        if c == "_" and base0:
            underscores = True
            continue
        d = _digit(c)
        if d < 0 or d >= base:
            raise NumError(func, s0, SYNTAX)
        n = n * base + d
        if n > max_val:
            raise NumError(func, s0, RANGE)
    if underscores and not underscore_ok(s0):
        raise NumError(func, s0, SYNTAX)
    return n


def parse_int(s: str, base: int = 0, bits: int = 64, *, func: str = "ParseInt") -> int:
    """`strconv.ParseInt`. Raises NumError."""
    if not s:
        raise NumError(func, s, SYNTAX)
    neg = s[0] == "-"
    body = s[1:] if s[0] in "+-" else s
    try:
        un = parse_uint(body, base, bits, func=func)
    except NumError as exc:
        if exc.err != RANGE:
            raise NumError(func, s, exc.err) from None
        un = (1 << bits) - 1
    cutoff = 1 << (bits - 1)
    if (not neg and un >= cutoff) or (neg and un > cutoff):
        raise NumError(func, s, RANGE)
    return -un if neg else un


def atoi(s: str) -> int:
    """`strconv.Atoi` on a 64-bit platform. Raises NumError (func `Atoi`)."""
    if 0 < len(s.encode("utf-8", "surrogatepass")) < 19:
        body = s[1:] if s[0] in "+-" else s
        if not body or not all("0" <= c <= "9" for c in body):
            raise NumError("Atoi", s, SYNTAX)
        return -int(body) if s[0] == "-" else int(body)
    return parse_int(s, 10, 64, func="Atoi")


def _special(s: str) -> tuple[float, int] | None:
    """`special`: a signed `inf`/`infinity` or an unsigned `nan` prefix, any case."""
    sign, start = 1.0, 0
    if s[:1] in ("+", "-"):
        sign, start = (-1.0 if s[0] == "-" else 1.0), 1
    rest = s[start:].translate(_ASCII_LOWER)
    if start or rest[:1] == "i":
        n = 0
        while n < min(len(rest), 8) and rest[n] == "infinity"[n]:
            n += 1
        if 3 < n < 8:
            n = 3
        if n in (3, 8):
            return sign * math.inf, start + n
    elif rest[:3] == "nan":
        return math.nan, 3
    return None


_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _read_float(s: str) -> tuple[bool, int, bool]:
    """`readFloat`'s syntax check: (ok, characters consumed, hexadecimal)."""
    i, n = 0, len(s)
    underscores = False
    if i < n and s[i] in "+-":
        i += 1
    hexa = i + 2 < n and s[i] == "0" and s[i + 1] in "xX"
    if hexa:
        i += 2
    exp_char = "p" if hexa else "e"
    saw_dot = saw_digits = False
    while i < n:
        c = s[i]
        if c == "_":
            underscores = True
        elif c == ".":
            if saw_dot:
                break
            saw_dot = True
        elif "0" <= c <= "9" or (hexa and c in "abcdefABCDEF"):
            saw_digits = True
        else:
            break
        i += 1
    if not saw_digits:
        return False, i, hexa
    if i < n and s[i].translate(_ASCII_LOWER) == exp_char:
        i += 1
        if i >= n:
            return False, i, hexa
        if s[i] in "+-":
            i += 1
        if i >= n or not "0" <= s[i] <= "9":
            return False, i, hexa
        while i < n and ("0" <= s[i] <= "9" or s[i] == "_"):
            underscores = underscores or s[i] == "_"
            i += 1
    elif hexa:
        return False, i, hexa
    if underscores and not underscore_ok(s[:i]):
        return False, i, hexa
    return True, i, hexa


def parse_float(s: str) -> float:
    """`strconv.ParseFloat(s, 64)`. Raises NumError (RANGE for a finite literal beyond the
    float64 range; Go then also returns ±Inf)."""
    special = _special(s) if s else None
    if special is not None:
        if special[1] != len(s):
            raise NumError("ParseFloat", s, SYNTAX)
        return special[0]
    ok, consumed, hexa = _read_float(s)
    if not ok or consumed != len(s):
        raise NumError("ParseFloat", s, SYNTAX)
    text = s.replace("_", "")
    try:
        value = float.fromhex(text) if hexa else float(text)
    except OverflowError:
        raise NumError("ParseFloat", s, RANGE) from None
    if math.isinf(value):
        raise NumError("ParseFloat", s, RANGE)
    return value


def format_float32_g(value: float) -> str:
    """`strconv.FormatFloat(value, 'g', -1, 32)`: the shortest decimal that reads back as the
    same float32, in `%e` form when its decimal exponent is below -4 or at least 6 (Go's rule
    for the shortest form). sigs.k8s.io/yaml turns float map keys into strings this way."""
    if math.isnan(value):
        return "NaN"
    f32 = _to_float32(value)
    if math.isinf(f32):
        return "+Inf" if f32 > 0 else "-Inf"
    if f32 == 0:
        return "-0" if math.copysign(1.0, f32) < 0 else "0"
    digits, exp10 = _shortest32(abs(f32))
    neg = "-" if f32 < 0 else ""
    dp = exp10 + 1  # position of the decimal point after the first digit
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        sign = "-" if exp < 0 else "+"
        return f"{neg}{mant}e{sign}{abs(exp):02d}"
    if dp <= 0:
        return f"{neg}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return f"{neg}{digits}{'0' * (dp - len(digits))}"
    return f"{neg}{digits[:dp]}.{digits[dp:]}"


def _to_float32(value: float) -> float:
    try:
        return float(struct.unpack("<f", struct.pack("<f", value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def _shortest32(f32: float) -> tuple[str, int]:
    """Digits (no trailing zeros) and decimal exponent of the shortest decimal that rounds to
    the float32 `f32` (> 0); the closest one when several have that length."""
    for precision in range(1, 10):
        text = f"{f32:.{precision - 1}e}"
        mant, _, exp_text = text.partition("e")
        base = int(mant.replace(".", ""))
        exp10 = int(exp_text)
        found: list[tuple[float, int, int]] = []
        for candidate in (base - 1, base, base + 1):
            if candidate <= 0:
                continue
            cand_exp = exp10 + len(str(candidate)) - precision
            value = float(f"{candidate}e{cand_exp - len(str(candidate)) + 1}")
            if _to_float32(value) == f32:
                found.append((abs(value - f32), candidate, cand_exp))
        if found:
            _, best, best_exp = min(found)
            digits = str(best).rstrip("0") or "0"
            return digits, best_exp
    raise AssertionError(f"no float32 representation found for {f32!r}")  # pragma: no cover
