"""jsonschema errors as (path, code, message) for people: what is wrong and what was expected.

Values are quoted only when the object is not a Secret: a Secret's values never reach output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "object": "a map",
    "array": "a list",
    "null": "null",
}


@dataclass(frozen=True)
class SchemaProblem:
    path: tuple[str | int, ...]
    code: str
    message: str


def json_path(path: Sequence[str | int]) -> str:
    """`('spec', 'containers', 0, 'image')` -> `spec.containers[0].image`; keys that are not
    identifiers are quoted: `metadata.annotations["a.b/c"]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out or "."


def type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _types(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    shown = [_TYPE_NAMES.get(str(n), str(n)) for n in names if n != "null"]
    text = " or ".join(shown) or "null"
    return text + (" (or null)" if "null" in names and shown else "")


class Describer:
    def __init__(self, secret: bool) -> None:
        self.secret = secret

    def show(self, value: Any) -> str:
        if self.secret:
            return "(value hidden: Secret)"
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."

    def problems(self, errors: Iterable[Any]) -> list[SchemaProblem]:
        out: list[SchemaProblem] = []
        seen: set[tuple[tuple[str | int, ...], str]] = set()
        for error in errors:
            for problem in self.describe(error):
                key = (problem.path, problem.message)
                if key not in seen:
                    seen.add(key)
                    out.append(problem)
        return out

    def describe(self, error: Any) -> list[SchemaProblem]:
        path = tuple(error.absolute_path)
        keyword = error.validator
        expected = error.validator_value
        value = error.instance
        schema = error.schema if isinstance(error.schema, dict) else {}
        if keyword == "additionalProperties" and isinstance(value, dict):
            known = set((schema.get("properties") or {}).keys())
            patterns = list((schema.get("patternProperties") or {}).keys())
            extra = [
                k
                for k in value
                if k not in known and not any(re.search(p, str(k)) for p in patterns)
            ]
            hint = f" (known fields: {', '.join(sorted(known)[:12])})" if known else ""
            return [
                SchemaProblem((*path, key), "schema-unknown-field", f"unknown field '{key}'{hint}")
                for key in extra
            ] or [SchemaProblem(path, "schema", error.message)]
        if keyword == "required":
            missing = [k for k in expected if isinstance(value, dict) and k not in value]
            return [
                SchemaProblem((*path, k), "schema", f"required field '{k}' is missing")
                for k in missing
            ]
        if keyword == "type":
            return [
                SchemaProblem(
                    path,
                    "schema",
                    f"expected {_types(expected)}, got {_TYPE_NAMES.get(type_of(value), type_of(value))}",
                )
            ]
        if keyword == "enum":
            choices = ", ".join(repr(c) for c in expected[:12] if c is not None)
            more = ", ..." if len(expected) > 12 else ""
            return [
                SchemaProblem(
                    path, "schema", f"expected one of {choices}{more}; got {self.show(value)}"
                )
            ]
        if keyword == "pattern":
            return [
                SchemaProblem(
                    path, "schema", f"{self.show(value)} does not match the pattern {expected}"
                )
            ]
        if keyword in ("anyOf", "oneOf"):
            return self._branches(error, path, value)
        simple = {
            "minLength": "expected at least {e} characters",
            "maxLength": "expected at most {e} characters",
            "minItems": "expected at least {e} items",
            "maxItems": "expected at most {e} items",
            "minProperties": "expected at least {e} entries",
            "maxProperties": "expected at most {e} entries",
            "minimum": "expected a value >= {e}, got {v}",
            "maximum": "expected a value <= {e}, got {v}",
            "exclusiveMinimum": "expected a value > {e}, got {v}",
            "exclusiveMaximum": "expected a value < {e}, got {v}",
            "multipleOf": "expected a multiple of {e}, got {v}",
            "uniqueItems": "expected unique items (this list is a set), found duplicates",
            "not": "value is not allowed here",
        }
        if keyword in simple:
            return [
                SchemaProblem(
                    path, "schema", simple[keyword].format(e=expected, v=self.show(value))
                )
            ]
        message = error.message if not self.secret else f"fails the {keyword} constraint"
        return [SchemaProblem(path, "schema", message)]

    def _branches(self, error: Any, path: tuple[str | int, ...], value: Any) -> list[SchemaProblem]:
        branches = error.validator_value if isinstance(error.validator_value, list) else []
        types = [b.get("type") for b in branches if isinstance(b, dict) and "type" in b]
        if types and len(types) == len(branches):
            flat: list[Any] = []
            for t in types:
                flat.extend(t if isinstance(t, list) else [t])
            return [
                SchemaProblem(
                    path,
                    "schema",
                    f"expected {_types(flat)}, got {_TYPE_NAMES.get(type_of(value), type_of(value))}",
                )
            ]
        context = list(error.context or [])
        if context:
            # The branch that got deepest explains the problem best.
            best = max(context, key=lambda e: len(e.absolute_path))
            deeper = self.describe(best)
            if deeper:
                return deeper
        return [
            SchemaProblem(path, "schema", f"matches none of the allowed forms ({error.validator})")
        ]
