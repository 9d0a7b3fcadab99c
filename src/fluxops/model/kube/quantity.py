"""Kubernetes resource quantities (`100m`, `1Gi`, `1e3`), compared by value.

The API server stores a quantity in canonical form: `cpu: 1000m` reads back as `1`,
`memory: 1024Mi` as `1Gi`. Drift compares the values, exactly (fractions, no floats).
Grammar (k8s.io/apimachinery/pkg/api/resource): a signed decimal number followed by a binary
suffix (Ki Mi Gi Ti Pi Ei), a decimal suffix (n u m k M G T P E) or a decimal exponent (e3, E-2).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: fractions and decimal cost a short run's start-up
    from fractions import Fraction

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
#: bounds on what is compared exactly (larger is no valid quantity; a repo may hold anything)
_MAX_DIGITS = 1000
_MAX_EXPONENT = 1000
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$"
)


def parse_quantity(value: Any) -> Fraction | None:
    """The exact value of a quantity given as text or number; None when it is not one."""
    from fractions import Fraction

    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value).limit_denominator(10**9)
    if isinstance(value, str):
        ratio = _ratio_text(value)
        return None if ratio is None else Fraction(*ratio)
    return None


def quantities_equal(a: Any, b: Any) -> bool:
    """Whether two quantities have the same value (`1000m` == `1`, `1Gi` == `1073741824`).
    False when either is not a quantity."""
    ra, rb = _ratio(a), _ratio(b)
    if ra is not None and rb is not None:
        return ra[0] * rb[1] == rb[0] * ra[1]
    pa, pb = parse_quantity(a), parse_quantity(b)
    return pa is not None and pb is not None and pa == pb


def _ratio(value: Any) -> tuple[int, int] | None:
    """A text or int quantity as an exact integer ratio (numerator, denominator), without
    `fractions` (its import costs a short run more than the comparisons); None for floats
    and what is not a quantity (parse_quantity decides those)."""
    # the one parser of quantity text: parse_quantity makes a Fraction of its ratio
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value, 1
    return _ratio_text(value) if isinstance(value, str) else None


@lru_cache(maxsize=4096)
def _ratio_text(text: str) -> tuple[int, int] | None:
    match = _QUANTITY.match(text.strip())
    if match is None:
        return None
    whole, _, decimals = match.group("number").partition(".")
    sign = -1 if whole.startswith("-") else 1
    digits = (whole.lstrip("+-") + decimals) or "0"
    suffix = match.group("suffix") or ""
    if len(suffix) > 6:  # an exponent beyond _MAX_EXPONENT
        return None
    exponent = _DECIMAL.get(suffix, 0) if suffix in _DECIMAL or suffix in _BINARY else None
    exponent = int(suffix[1:]) if exponent is None else exponent
    if len(digits) > _MAX_DIGITS or abs(exponent) > _MAX_EXPONENT:
        return None  # no quantity the API server takes: not worth a huge integer
    numerator, denominator = sign * int(digits), 10 ** len(decimals)
    if suffix in _BINARY:
        return numerator * 1024 ** _BINARY[suffix], denominator
    if exponent >= 0:
        return numerator * 10**exponent, denominator
    return numerator, denominator * 10**-exponent
