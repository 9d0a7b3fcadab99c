"""Values data read as Helm's `ReadValues` reads it: sigs.k8s.io/yaml, i.e. go-yaml v2 and then
JSON. Plain scalars resolve as go-yaml v2 resolves them (YAML 1.1 booleans `y/n/yes/no/on/off`,
`0755` octal, `09` a number, `.inf`, timestamps stay strings), map keys become strings as the
JSON conversion makes them, and the result is what the Kubernetes API would carry."""

from __future__ import annotations

import base64
import datetime
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from fluxops.loader.yamllimits import YamlLimitError, check_node, needs_check

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class ValuesDataError(ValueError):
    """Values data that is not YAML, or not a map of values. `message` may quote the data;
    `redacted` says what is wrong without quoting it (for data from a Secret)."""

    def __init__(self, message: str, redacted: str) -> None:
        super().__init__(message)
        self.message = message
        self.redacted = redacted


class _GoYAMLLoader(_SafeLoader):
    """PyYAML resolving plain scalars the way go-yaml v2 does."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class registry


_GO_NUMBER_TAG = "tag:fluxops.dev,2026:go-number"
_BOOLS = dict.fromkeys(("y", "yes", "true", "on"), True) | dict.fromkeys(
    ("n", "no", "false", "off"), False
)
_GO_SPECIAL_FLOATS = {
    f"{sign}.{word}": value
    for word in ("inf", "Inf", "INF")
    for sign, value in (("", math.inf), ("+", math.inf), ("-", -math.inf))
} | dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan)
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
_BASE_DIGITS = {
    2: re.compile(r"[01]+"),
    8: re.compile(r"[0-7]*"),
    10: re.compile(r"[0-9]+"),
    16: re.compile(r"[0-9a-fA-F]+"),
}

_GoYAMLLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(
        r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE"
        r"|on|On|ON|off|Off|OFF)$"
    ),
    list("yYnNtTfFoO"),
)
_GoYAMLLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_GoYAMLLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])
_GoYAMLLoader.add_implicit_resolver(_GO_NUMBER_TAG, re.compile(r"^[-+.0-9]"), list("-+.0123456789"))


def _go_uint(text: str) -> int | None:
    """`strconv.ParseUint(text, 0, 64)` without the range check (underscores already gone)."""
    if not text:
        return None
    base, digits = 10, text
    if text[0] == "0":
        prefix = text[1:2].lower()
        if len(text) >= 3 and prefix in ("b", "o", "x"):
            base, digits = {"b": 2, "o": 8, "x": 16}[prefix], text[2:]
        else:
            base, digits = 8, text[1:]
    if not _BASE_DIGITS[base].fullmatch(digits):
        return None
    return int(digits, base) if digits else 0


def _go_resolve_number(text: str) -> Any:
    """go-yaml v2 `resolve()` for a plain scalar starting with a sign, digit or dot."""
    if text in _GO_SPECIAL_FLOATS:
        return _GO_SPECIAL_FLOATS[text]
    if text[0] == ".":
        return float(text) if _DOT_FLOAT.fullmatch(text) else text
    plain = text.replace("_", "")
    sign, unsigned = (plain[0], plain[1:]) if plain[:1] in ("+", "-") else ("", plain)
    number = _go_uint(unsigned)
    if number is not None:
        value = -number if sign == "-" else number
        if -(2**63) <= value < 2**63 or (not sign and value < 2**64):
            return value
    if _YAML_STYLE_FLOAT.fullmatch(plain):
        f = float(plain)
        if not math.isinf(f):
            return f
    return text


def _construct_go_number(loader: _GoYAMLLoader, node: yaml.ScalarNode) -> Any:
    return _go_resolve_number(str(loader.construct_scalar(node)))


def _construct_bool(loader: _GoYAMLLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node))
    return _BOOLS.get(text.lower(), text)


def _construct_text(loader: _GoYAMLLoader, node: yaml.ScalarNode) -> Any:
    return str(loader.construct_scalar(node))


def _construct_binary(loader: _GoYAMLLoader, node: yaml.ScalarNode) -> Any:
    raw = base64.b64decode("".join(str(loader.construct_scalar(node)).split()))
    return raw.decode("utf-8", errors="replace")


def _construct_map(loader: _GoYAMLLoader, node: yaml.MappingNode) -> Iterator[dict[str, Any]]:
    """Maps with keys converted as sigs.k8s.io/yaml does, while constructing: in Python `1`,
    `1.0` and `True` are one dict key, in Go three."""
    data: dict[str, Any] = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        data[_go_key(key, "values data")] = loader.construct_object(value_node, deep=True)


_GoYAMLLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_GoYAMLLoader.add_constructor(_GO_NUMBER_TAG, _construct_go_number)
_GoYAMLLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_GoYAMLLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)
_GoYAMLLoader.add_constructor("tag:yaml.org,2002:binary", _construct_binary)


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
    expansion, depth: see fluxops.loader.yamllimits)."""
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
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        if math.isnan(key):
            return ".nan"
        if math.isinf(key):
            return ".inf" if key > 0 else "-.inf"
        return str(int(key)) if key.is_integer() and abs(key) < 1e21 else f"{key:g}"
    if isinstance(key, datetime.date):
        return key.isoformat()
    raise ValuesDataError(
        f"unsupported map key of type {type(key).__name__} in {where}",
        f"unsupported map key of type {type(key).__name__} in {where}",
    )


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
