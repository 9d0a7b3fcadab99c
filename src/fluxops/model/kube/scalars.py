"""Scalar equality as the API server normalises values: quantities by value, int-or-string,
base64 bytes decoded, omitempty (an empty value equals an absent one)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from fluxops.model.kube.paths import Path
from fluxops.model.kube.quantity import parse_quantity, quantities_equal
from fluxops.model.kube.schema import ANY, Node


class _Absent:
    """A value that is not there (distinct from null)."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()


QUANTITY_PARENTS = frozenset({"limits", "requests", "hard", "capacity", "allocatable", "overhead"})
QUANTITY_KEYS = frozenset({"sizeLimit", "storage"})
KEY_DEFAULTS = {"protocol": "TCP"}
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def is_empty(value: Any) -> bool:
    """Empty in Go's `omitempty` sense (a value the server leaves out)."""
    if value is None or value is ABSENT or value == "" or value is False:
        return True
    if isinstance(value, int) and not isinstance(value, bool) and value == 0:
        return True
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    if isinstance(value, list):
        return not value
    return False


def _b64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def scalar_equal(desired: Any, live: Any, node: Node = ANY, path: Path = ()) -> bool:
    """Whether a desired scalar equals the live one as the API server normalises it."""
    if isinstance(desired, bool) or isinstance(live, bool):
        return isinstance(desired, bool) and isinstance(live, bool) and desired == live
    if desired == live and type(desired) is type(live):
        return True
    if isinstance(desired, int | float) and isinstance(live, int | float):
        return bool(desired == live)
    if node.byte:
        a, b = _b64(desired), _b64(live)
        if a is not None and a == b:
            return True
    key = path[-1] if path and isinstance(path[-1], str) else ""
    parent = path[-2] if len(path) > 1 and isinstance(path[-2], str) else ""
    if (
        node.quantity or (node is ANY and (parent in QUANTITY_PARENTS or key in QUANTITY_KEYS))
    ) and (quantities_equal(desired, live)):
        return True
    if node.int_or_string or node.kind in ("any", "scalar"):
        number, text = (desired, live) if isinstance(live, str) else (live, desired)
        if isinstance(number, int | float) and isinstance(text, str) and _NUMBER.match(text):
            return parse_quantity(text) == number
    return False
