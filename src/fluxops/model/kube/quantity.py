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
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$"
)


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Fraction | None:
    from fractions import Fraction

    match = _QUANTITY.match(text.strip())
    if match is None:
        return None
    number = Fraction(match.group("number"))
    suffix = match.group("suffix") or ""
    if suffix in _BINARY:
        return number * int(1024 ** _BINARY[suffix])
    exponent = _DECIMAL[suffix] if suffix in _DECIMAL else int(suffix[1:])
    scale = Fraction(int(10**exponent)) if exponent >= 0 else Fraction(1, int(10**-exponent))
    return number * scale


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
        parsed: Fraction | None = _parse_text(value)
        return parsed
    return None


def quantities_equal(a: Any, b: Any) -> bool:
    """Whether two quantities have the same value (`1000m` == `1`, `1Gi` == `1073741824`).
    False when either is not a quantity."""
    pa, pb = parse_quantity(a), parse_quantity(b)
    return pa is not None and pb is not None and pa == pb
