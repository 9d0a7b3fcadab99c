"""Go `time.ParseDuration`, as Flux reads its intervals and timeouts (`10m`, `1h30m`, `90s`,
`1.5h`), reimplemented to give Go's result to the nanosecond and Go's error text.

What Go accepts: an optional single sign, then one or more `<number><unit>` parts with no
spaces; a number is digits with an optional fraction (`1.5`, `.5`, `1.`); units `ns`, `us`,
`µs` (micro sign), `μs` (Greek mu), `ms`, `s`, `m`, `h`. A bare `0` (with or without sign) is
zero. Fractions below a nanosecond are truncated; more than about 292 years is an error.
"""

from __future__ import annotations

from typing import Final

from fluxops.errors import InputError

_UNITS: Final = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # micro sign
    "\u03bcs": 1_000,  # Greek small letter mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_LIMIT: Final = 1 << 63


class DurationError(InputError, ValueError):
    """Not a Go duration; the message is Go's (`time: invalid duration "x"`)."""


def _quote(text: str) -> str:
    """The time package's own `quote`: bytes outside printable ASCII as `\\x..` escapes."""
    out = ['"']
    for ch in text:
        if ch < " " or ord(ch) >= 0x80:
            out.extend(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
        else:
            out.append("\\" + ch if ch in '"\\' else ch)
    out.append('"')
    return "".join(out)


def _error(message: str, orig: str) -> DurationError:
    return DurationError(f"time: {message} {_quote(orig)}")


def _leading_int(s: str) -> tuple[int, str] | None:
    x, i = 0, 0
    while i < len(s) and "0" <= s[i] <= "9":
        if x > _LIMIT // 10:
            return None
        x = x * 10 + ord(s[i]) - 48
        if x > _LIMIT:
            return None
        i += 1
    return x, s[i:]


def _leading_fraction(s: str) -> tuple[int, float, str]:
    x, scale, i, overflow = 0, 1.0, 0, False
    while i < len(s) and "0" <= s[i] <= "9":
        if not overflow:
            if x > (_LIMIT - 1) // 10:
                overflow = True
            else:
                y = x * 10 + ord(s[i]) - 48
                if y > _LIMIT:
                    overflow = True
                else:
                    x, scale = y, scale * 10
        i += 1
    return x, scale, s[i:]


def parse_duration_ns(text: str) -> int:
    """Nanoseconds, exactly as Go's `time.ParseDuration`. Raises DurationError with Go's
    message."""
    orig, s, neg = text, text, False
    if s and s[0] in "+-":
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise _error("invalid duration", orig)
    total = 0
    while s:
        if not (s[0] == "." or "0" <= s[0] <= "9"):
            raise _error("invalid duration", orig)
        before = len(s)
        lead = _leading_int(s)
        if lead is None:
            raise _error("invalid duration", orig)
        v, s = lead
        pre = before != len(s)
        f, scale, post = 0, 1.0, False
        if s and s[0] == ".":
            s = s[1:]
            before = len(s)
            f, scale, s = _leading_fraction(s)
            post = before != len(s)
        if not pre and not post:
            raise _error("invalid duration", orig)
        i = 0
        while i < len(s) and not (s[i] == "." or "0" <= s[i] <= "9"):
            i += 1
        if i == 0:
            raise _error("missing unit in duration", orig)
        unit_text, s = s[:i], s[i:]
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise _error(f"unknown unit {_quote(unit_text)} in duration", orig)
        if v > _LIMIT // unit:
            raise _error("invalid duration", orig)
        v *= unit
        if f > 0:
            # float64 arithmetic, truncated, as Go computes it
            v += int(float(f) * (float(unit) / scale))
            if v > _LIMIT:
                raise _error("invalid duration", orig)
        total = (total + v) % (1 << 64)  # uint64: 2**63 + 2**63 wraps to 0, as in Go
        if total > _LIMIT:
            raise _error("invalid duration", orig)
    if neg:
        return -total
    if total > _LIMIT - 1:
        raise _error("invalid duration", orig)
    return total


def parse_duration(text: str) -> float | None:
    """Seconds, or None when `text` is not a Go duration."""
    try:
        return parse_duration_ns(text) / 1e9
    except DurationError:
        return None


def format_duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    return f"{seconds:g}s"


def format_age(seconds: float) -> str:
    """kubectl's short ages: 45s, 12m, 3h, 5d."""
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 120:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    return f"{hours // 24}d"
