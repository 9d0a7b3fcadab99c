"""Values data read as Helm's `ReadValues` reads it: sigs.k8s.io/yaml, i.e. go-yaml v2 and then
JSON. Plain scalars resolve as go-yaml v2 resolves them (YAML 1.1 booleans `y/n/yes/no/on/off`,
`0755` octal, `09` a number, `.inf`, timestamps stay strings), map keys become strings as the
JSON conversion makes them, and the result is what the Kubernetes API would carry."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any

import yaml

from fluxops.errors import ValuesError
from fluxops.goyaml.limits import YamlLimitError, check_node, needs_check
from fluxops.goyaml.reader import GoLoader, JSONConversionError, json_key


class ValuesDataError(ValuesError, ValueError):
    """Values data that is not YAML, or not a map of values. `message` may quote the data;
    `redacted` says what is wrong without quoting it (for data from a Secret)."""

    def __init__(self, message: str, redacted: str) -> None:
        super().__init__(message)
        self.message = message
        self.redacted = redacted


class _GoYAMLLoader(GoLoader):
    """PyYAML resolving plain scalars the way go-yaml v2 does (the rules and tables live in
    `fluxops.goyaml`; map keys become strings as the JSON conversion makes them)."""


def read_values(text: str) -> dict[str, Any]:
    """Helm `ReadValues`: the first YAML document as a map of values (empty or null: `{}`).

    Raises ValuesDataError (a ValueError) when the data is not YAML or not a map.
    """
    try:
        doc = _first_document(text)
    except ValuesDataError:
        raise
    except YamlLimitError as err:
        where = f" at line {err.line}" if err.line else ""
        raise ValuesDataError(err.problem + where, err.problem + where) from None
    except JSONConversionError as err:
        raise ValuesDataError(err.message, err.redacted) from None
    except (yaml.YAMLError, ValueError) as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise ValuesDataError(" ".join(str(err).split()), f"{problem}{where}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        kind = "array" if isinstance(doc, list) else type(doc).__name__
        msg = f"the document is a {kind}, not a map of values"
        raise ValuesDataError(msg, msg)
    values = api_json(doc, strip_nulls=False, where="values data")
    return values if values else {}


def _first_document(text: str) -> Any:
    """The first document, built only after its node graph passed the YAML bounds (alias
    expansion, depth: see fluxops.goyaml.limits)."""
    loader = _GoYAMLLoader(text)
    try:
        if not loader.check_node():
            return None
        node = loader.get_node()
        if needs_check(text):
            check_node(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


# --- JSON view of decoded YAML ------------------------------------------------------------------


def _go_key(key: Any, where: str) -> str:
    """sigs.k8s.io/yaml's conversion of a YAML map key to a JSON object key."""
    if isinstance(key, datetime.date):
        return key.isoformat()
    try:
        return json_key(key)
    except JSONConversionError as err:
        raise ValuesDataError(f"{err.message} in {where}", f"{err.redacted} in {where}") from None


def api_json(value: Any, *, strip_nulls: bool, where: str) -> Any:
    """A fresh copy of decoded YAML as JSON (and so the Kubernetes API) would carry it."""
    if isinstance(value, Mapping):
        return {
            _go_key(k, where): api_json(v, strip_nulls=strip_nulls, where=where)
            for k, v in value.items()
            if not (strip_nulls and v is None)
        }
    if isinstance(value, list | tuple):
        return [api_json(v, strip_nulls=strip_nulls, where=where) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise ValuesDataError(
            f"json: unsupported value: {value} in {where}",
            f"json: unsupported value (NaN or infinity) in {where}",
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, set | frozenset):
        return {_go_key(k, where): None for k in value}
    return value
