"""go-yaml's `parseTimestamp`: which plain scalars go-yaml (v2 and v3) resolves as timestamps.

A scalar qualifies when it starts with exactly four digits and a `-`, and Go's `time.Parse`
accepts it with one of four layouts: `2006-1-2T15:4:5.999999999Z07:00`, the same with a
lower-case `t`, `2006-1-2 15:4:5.999999999` (one or more spaces) and `2006-1-2`. So months,
days, hours, minutes and seconds take one or two digits, the fraction any number of digits
after `.` or `,`, the zone is `Z` or `±hh:mm`, and the date must exist (`2001-2-29` does not).

It matters for what fluxops writes: go-yaml v2 decodes such a scalar into an untyped value as
its text, but go-yaml v3 (kustomize's kyaml) as a `time.Time`, so kustomize would rewrite a
plain `2001-1-2` as `2001-01-02T00:00:00Z`. The writer quotes them.
"""

from __future__ import annotations

from typing import Final

_Layout = tuple[tuple[str, str], ...]

_DATE: Final[_Layout] = (("", "year"), ("-", "month"), ("-", "day"))
_CLOCK: Final[_Layout] = ((":", "minute"), (":", "second"), ("", "fraction"))
_LAYOUTS: Final[tuple[_Layout, ...]] = (
    (*_DATE, ("T", "hour"), *_CLOCK, ("", "zone")),
    (*_DATE, ("t", "hour"), *_CLOCK, ("", "zone")),
    (*_DATE, (" ", "hour"), *_CLOCK),
    _DATE,
)
_DAYS: Final = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _digit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _getnum(s: str, fixed: bool) -> tuple[int, str] | None:
    if not _digit(s, 0):
        return None
    if not _digit(s, 1):
        return None if fixed else (ord(s[0]) - 48, s[1:])
    return (ord(s[0]) - 48) * 10 + ord(s[1]) - 48, s[2:]


def _skip(value: str, prefix: str) -> str | None:
    """`time.skip`: the layout's literal text; a space matches one or more spaces."""
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                return None
            prefix, value = prefix.lstrip(" "), value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            return None
        prefix, value = prefix[1:], value[1:]
    return value


def _days_in(month: int, year: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _DAYS[month - 1]


_LIMITS: Final = {"month": (1, 12), "hour": (0, 23), "minute": (0, 59), "second": (0, 59)}


def _parses(layout: _Layout, value: str) -> bool:
    fields = {"year": 0, "month": 1, "day": 1}
    for prefix, std in layout:
        rest = _skip(value, prefix)
        if rest is None:
            return False
        value = rest
        if std == "year":
            if len(value) < 4 or not all(_digit(value, i) for i in range(4)):
                return False
            fields["year"], value = int(value[:4]), value[4:]
        elif std == "fraction":
            if len(value) >= 2 and value[0] in ".," and _digit(value, 1):
                i = 1
                while _digit(value, i + 1):
                    i += 1
                value = value[1 + i :]
        elif std == "zone":
            if value[:1] == "Z":
                value = value[1:]
                continue
            if len(value) < 6 or value[3] != ":":
                return False
            hours, minutes = _getnum(value[1:3], True), _getnum(value[4:6], True)
            if hours is None or minutes is None or hours[0] > 24 or minutes[0] > 60:
                return False
            if value[0] not in "+-":
                return False
            value = value[6:]
        else:
            got = _getnum(value, False)
            if got is None:
                return False
            fields[std], value = got
            low, high = _LIMITS.get(std, (0, 99))
            if not low <= fields[std] <= high:
                return False
    if value:
        return False  # extra text
    return 1 <= fields["day"] <= _days_in(fields["month"], fields["year"])


def is_timestamp(text: str) -> bool:
    """Whether go-yaml resolves the plain scalar `text` as a timestamp."""
    if len(text) < 5 or text[4] != "-" or not all(_digit(text, i) for i in range(4)):
        return False
    return any(_parses(layout, text) for layout in _LAYOUTS)
