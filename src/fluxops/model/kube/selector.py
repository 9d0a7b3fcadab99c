"""Kubernetes label selector expressions (`app=web,tier!=db,env in (a,b),!legacy`).

The syntax of k8s.io/apimachinery `labels.Parse`, used by the `labelSelector` and
`annotationSelector` of Flux's drift ignore rules (`spec.ignore[].target`). Operators: `=`,
`==`, `!=`, `in`, `notin`, `>` and `<` (integers), `key` (exists) and `!key` (does not exist).
`!=` and `notin` also match when the key is absent, as in Kubernetes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from fluxops.errors import InputError

_TOKEN = re.compile(r"\s*(==|!=|=|!|\(|\)|,|<|>|[^\s=!(),<>]+)")
_WORDS = {"in", "notin"}


class SelectorError(InputError, ValueError):
    """The expression does not parse."""


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!", "gt", "lt"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        if self.op in ("!=", "notin"):
            return not present or value not in self.values
        if not present:
            return False
        try:
            number = int(str(value))
        except ValueError:
            return False
        bound = int(self.values[0])
        return number > bound if self.op == "gt" else number < bound


@dataclass(frozen=True)
class Selector:
    requirements: tuple[Requirement, ...]

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None:
            raise SelectorError(f"unexpected character at {pos} in {text!r}")
        out.append(match.group(1))
        pos = match.end()
    return out


def parse_selector(text: str) -> Selector:
    """Parse a selector expression; an empty one matches everything."""
    tokens = _tokens(text)
    reqs: list[Requirement] = []
    i = 0

    def peek(offset: int = 0) -> str | None:
        return tokens[i + offset] if i + offset < len(tokens) else None

    while i < len(tokens):
        if tokens[i] == "!":
            key = peek(1)
            if key is None or key in "(),=!<>":
                raise SelectorError(f"expected a key after '!' in {text!r}")
            reqs.append(Requirement(key, "!"))
            i += 2
        else:
            key = tokens[i]
            if key in "(),=!<>" or key in ("==", "!="):
                raise SelectorError(f"expected a key, found {key!r} in {text!r}")
            op = peek(1)
            if op is None or op == ",":
                reqs.append(Requirement(key, "exists"))
                i += 1
            elif op in ("=", "==", "!="):
                value = peek(2)
                if value is None or value in (",", ")", "("):
                    value = ""
                    i += 2
                else:
                    i += 3
                reqs.append(Requirement(key, "!=" if op == "!=" else "=", (value,)))
            elif op in ("<", ">"):
                value = peek(2)
                if value is None or not re.fullmatch(r"-?\d+", value):
                    raise SelectorError(f"{key} {op} needs an integer in {text!r}")
                reqs.append(Requirement(key, "gt" if op == ">" else "lt", (value,)))
                i += 3
            elif op in _WORDS:
                if peek(2) != "(":
                    raise SelectorError(f"expected '(' after {op} in {text!r}")
                i += 3
                values: list[str] = []
                while True:
                    tok = peek()
                    if tok is None:
                        raise SelectorError(f"unclosed '(' in {text!r}")
                    i += 1
                    if tok == ")":
                        break
                    if tok != ",":
                        values.append(tok)
                reqs.append(Requirement(key, op, tuple(values)))
            else:
                raise SelectorError(f"unexpected {op!r} after {key!r} in {text!r}")
        if i < len(tokens):
            if tokens[i] != ",":
                raise SelectorError(f"expected ',' at {tokens[i]!r} in {text!r}")
            i += 1
    return Selector(tuple(reqs))
