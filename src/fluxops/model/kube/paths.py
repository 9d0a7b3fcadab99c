"""Field paths as drift prints them, and the RFC 6901 pointers that go with them.

A path is a tuple of steps: a map key (str), a list position (`Index`) or a list item found
by its merge keys (`Item`, e.g. a container by name). Printed:
`spec.template.spec.containers[name=app].image`, `metadata.labels["app.kubernetes.io/name"]`,
`spec.ports[port=80,protocol=TCP]`, `args[2]`. The pointer uses list positions on the live
object (what `spec.ignore` expects).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


def escape_token(token: str) -> str:
    """One RFC 6901 reference token."""
    return token.replace("~", "~0").replace("/", "~1")


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Index:
    index: int


@dataclass(frozen=True)
class Item:
    keys: tuple[tuple[str, Any], ...]
    index: int  # position in the live list (or the desired one when the item is missing)


Step = str | Index | Item
Path = tuple[Step, ...]


def _scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return value if re.fullmatch(r"[^\s,\]=\"]*", value) else json.dumps(value)
    return json.dumps(value)


def format_path(path: Path) -> str:
    out = ""
    for step in path:
        if isinstance(step, str):
            if _PLAIN_KEY.match(step):
                out += f".{step}" if out else step
            else:
                out += f"[{json.dumps(step)}]"
        elif isinstance(step, Index):
            out += f"[{step.index}]"
        else:
            out += "[" + ",".join(f"{k}={_scalar_text(v)}" for k, v in step.keys) + "]"
    return out or "."


def format_pointer(path: Path) -> str:
    parts = []
    for step in path:
        if isinstance(step, str):
            parts.append(escape_token(step))
        else:
            parts.append(str(step.index))
    return "".join(f"/{p}" for p in parts)
