"""Helm chart version constraints (Masterminds/semver v3, what Helm and source-controller use):
`1.2.3`, `>=1.2 <2.0`, `~1.2`, `^1.2.x`, `1.2 - 1.4`, `>=1.0, <2.0 || 3.x`."""

from __future__ import annotations

import re

_VERSION = (
    r"v?(?:0|[1-9]\d*|[xX*])(?:\.(?:0|[1-9]\d*|[xX*]))?(?:\.(?:0|[1-9]\d*|[xX*]))?"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_OP = r"(?:=|!=|>=|=>|<=|=<|>|<|~>|~|\^)?"
_TERM = re.compile(rf"^{_OP}\s*{_VERSION}$")
_HYPHEN = re.compile(rf"^{_VERSION}\s+-\s+{_VERSION}$")
_EXACT = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def is_valid_constraint(text: str) -> bool:
    value = text.strip()
    if not value:
        return False
    for alternative in value.split("||"):
        alternative = alternative.strip()
        if not alternative:
            return False
        if _HYPHEN.match(alternative):
            continue
        terms = [t for t in re.split(r"\s*,\s*|\s+(?![^<>=~^!]*-\s)", alternative) if t]
        # re-join "op version" written with a space (">= 1.2")
        joined: list[str] = []
        for term in terms:
            if joined and re.fullmatch(r"(?:=|!=|>=|=>|<=|=<|>|<|~>|~|\^)", joined[-1]):
                joined[-1] += term
            else:
                joined.append(term)
        if not joined or not all(_TERM.match(t) for t in joined):
            return False
    return True


def is_exact(text: str) -> bool:
    return bool(_EXACT.match(text.strip()))
