"""A cost bound for evaluating one CEL rule on one object, checked before evaluating it.

The API server gives each CEL rule a cost budget (`PerCallLimit`: 1,000,000 units, about one
per operation) and stops a rule that goes over it, rejecting the object. The CEL library
fluxops uses has no such meter, and a rule with nested comprehensions (`all`, `exists`,
`exists_one`, `map`, `filter`) over a long list can run for minutes. So each rule gets an
estimate, from its text and the object's actual sizes:

    cost = operations in the rule x (n + 1) ^ (comprehension nesting + scans)

where n is the largest list or map in the object and "scans" counts one more level when a
comprehension body scans a collection again (`in`, `contains`, `indexOf`, `sum`, ...). The
estimate is an upper bound of what the interpreter does; a rule over the budget is not
evaluated and is reported, with its estimate, as the API server's budget would stop it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

#: The API server's per-rule runtime budget (k8s.io/apiserver cel.PerCallLimit).
PER_CALL_LIMIT = 1_000_000
MACROS = frozenset(
    {"all", "exists", "exists_one", "map", "filter", "transformMap", "transformList"}
)
SCANS = frozenset(
    {"in", "contains", "indexOf", "lastIndexOf", "sum", "max", "min", "sort", "join", "distinct"}
)
_TOKEN = re.compile(
    r"""(?P<str>[rRbB]{0,2}(?:'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))"""
    r"""|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)|(?P<num>\d+(?:\.\d+)?)|(?P<op>[()\[\]{}.,]|\S)""",
    re.DOTALL,
)


@dataclass(frozen=True)
class Shape:
    """What the estimate needs from a rule: operations, comprehension nesting, scans."""

    operations: int
    nesting: int
    scans: int


@functools.lru_cache(maxsize=4096)
def shape(rule: str) -> Shape:
    """Tokenise a CEL expression (strings skipped) and measure its comprehensions."""
    operations = 0
    depth = 0  # open parentheses
    open_macros: list[int] = []  # paren depth at which each open comprehension ends
    nesting = 0
    scans = 0
    previous = ""
    pending_macro = False
    for match in _TOKEN.finditer(rule):
        kind = match.lastgroup
        text = match.group(0)
        if kind == "str":
            operations += 1
            previous = "str"
            continue
        operations += 1
        if text == "(":
            depth += 1
            if pending_macro:
                open_macros.append(depth)
                nesting = max(nesting, len(open_macros))
            pending_macro = False
        elif text == ")":
            if open_macros and open_macros[-1] == depth:
                open_macros.pop()
            depth = max(0, depth - 1)
        else:
            pending_macro = kind == "ident" and previous == "." and text in MACROS
            if kind == "ident" and text in SCANS and open_macros:
                scans = 1
        previous = text
    return Shape(operations, nesting, scans)


def largest_collection(value: Any) -> int:
    """The size of the largest list or map anywhere in `value` (iterative)."""
    largest = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            largest = max(largest, len(item))
            stack.extend(item.values())
        elif isinstance(item, list):
            largest = max(largest, len(item))
            stack.extend(item)
    return largest


def estimate(rule: str, value: Any, largest: int | None = None) -> int:
    """The estimated cost of evaluating `rule` with `self` = `value`."""
    form = shape(rule)
    n = largest_collection(value) if largest is None else largest
    exponent = form.nesting + (form.scans if form.nesting else 0)
    return int(form.operations * (n + 1) ** exponent)
