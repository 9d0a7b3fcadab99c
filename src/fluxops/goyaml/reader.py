"""YAML read as sigs.k8s.io/yaml reads it (`YAMLToJSON`, `Unmarshal`): go-yaml v2 scalars, then
the JSON conversion. This is how kubectl, the API machinery and the Flux controllers decode
manifests (kustomize-controller reads kustomize's output and each substituted object this way),
and how Helm reads values.

- Plain scalars resolve as go-yaml v2 resolves them (`fluxops.goyaml.resolve.resolve_go`):
  `y`/`on` are booleans, `0380`, `1e3` and `3e+91` are floats, `0o17` is 15, timestamps and `=`
  stay strings (v2 decodes an untyped timestamp as its text).
- Explicit tags follow go-yaml's `resolve(tag, value)`: `!!str 12` is a string, `!!int "12"`
  an integer, `!!float 1` a float, `!!int abc` an error; `!!binary` is decoded; any other tag
  is ignored (the node is read as if untagged, a scalar as its text).
- Mapping keys become JSON object keys as sigs.k8s.io/yaml converts them: booleans `true`/
  `false`, integers in decimal, floats as Go formats a float32 (`%g`, shortest), `.inf`,
  `-.inf`, `.nan`; a null, list or out-of-range integer key is an error.
- A NaN or infinite value is an error (`json: unsupported value`), as `json.Marshal` makes it.
- Anchors may be re-defined (the later definition wins), as go-yaml allows.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterator
from typing import Any, Final

import yaml

from fluxops.errors import YamlError
from fluxops.goyaml.limits import check_node, needs_check
from fluxops.goyaml.resolve import BOOL, FLOAT, INT, NULL, STR, TIMESTAMP, resolve_go
from fluxops.goyaml.strconv import format_float32_g

try:
    from yaml import CSafeLoader as _CBase
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _CBase  # type: ignore[assignment]

GO_PLAIN: Final = "tag:fluxops.dev,2026:go-plain"
_LONG: Final = "tag:yaml.org,2002:"
_MAX_INT64: Final = 2**63 - 1
_MIN_INT64: Final = -(2**63)


class JSONConversionError(YamlError, yaml.YAMLError):
    """Decoded YAML that JSON cannot carry (sigs.k8s.io/yaml fails the same way). `message`
    may quote the data; `redacted` does not."""

    def __init__(self, message: str, redacted: str) -> None:
        super().__init__(message)
        self.message = message
        self.redacted = redacted


def json_key(key: Any) -> str:
    """sigs.k8s.io/yaml's conversion of a decoded map key to a JSON object key."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        if _MIN_INT64 <= key <= _MAX_INT64:
            return str(key)
        raise JSONConversionError(
            f"unsupported map key of type: uint64, key: {key}",
            "unsupported map key of type: uint64",
        )
    if isinstance(key, float):
        text = format_float32_g(key)
        return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)
    kind = "<nil>" if key is None else type(key).__name__
    raise JSONConversionError(
        f"unsupported map key of type: {kind}, key: {key!r}",
        f"unsupported map key of type: {kind}",
    )


def _non_finite(value: Any) -> float | None:
    """The first NaN or infinite value (not key) in decoded data, if any."""
    if isinstance(value, float) and not math.isfinite(value):
        return value
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = _non_finite(item)
            if found is not None:
                return found
    return None


def _construct_plain(loader: Any, node: yaml.ScalarNode) -> Any:
    value = resolve_go(str(node.value))[1]
    if isinstance(value, float) and not math.isfinite(value):
        loader.go_non_finite = True
    return value


def _construct_merge_value(loader: Any, node: yaml.ScalarNode) -> Any:
    return str(node.value)  # `<<` outside a key position is a plain string in Go


def _tagged(tag: str) -> Any:
    """A constructor for an explicit standard tag: go-yaml's `resolve(tag, value)`."""

    def construct(loader: Any, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return _construct_any(loader, node)
        text = str(node.value)
        if tag == STR:
            return text
        rtag, value = resolve_go(text)
        if rtag == tag:
            pass
        elif tag == FLOAT and rtag == INT:
            value = float(value)
        else:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot decode {rtag} `{text}` as a {tag}", node.start_mark
            )
        if isinstance(value, float) and not math.isfinite(value):
            loader.go_non_finite = True
        return value

    return construct


def _construct_binary(loader: Any, node: yaml.Node) -> Any:
    text = str(loader.construct_scalar(node))
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise yaml.constructor.ConstructorError(
            None, None, "!!binary value contains invalid base64 data", node.start_mark
        ) from None
    return raw.decode("utf-8", errors="replace")


def _construct_map(loader: Any, node: yaml.MappingNode) -> Iterator[dict[str, Any]]:
    """Keys converted while constructing: in Python `1`, `1.0` and `True` are one dict key,
    in Go three."""
    data: dict[str, Any] = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        data[json_key(key)] = loader.construct_object(value_node, deep=True)


def _construct_any(loader: Any, node: yaml.Node) -> Any:
    """A node with a tag go-yaml does not resolve: read as if it had none."""
    if isinstance(node, yaml.MappingNode):
        data: dict[str, Any] = {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            data[json_key(key)] = loader.construct_object(value_node, deep=True)
        return data
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return str(node.value)


def _install(cls: Any) -> None:
    cls.add_implicit_resolver(_LONG + "merge", re.compile(r"^<<$"), ["<"])
    # every plain scalar go-yaml might not read as a string; resolve_go decides
    cls.add_implicit_resolver(GO_PLAIN, re.compile(r""), ["", *"+-.0123456789yYnNtTfFoO~"])
    cls.add_constructor(GO_PLAIN, _construct_plain)
    cls.add_constructor(_LONG + "merge", _construct_merge_value)
    cls.add_constructor(_LONG + "map", _construct_map)
    cls.add_constructor(_LONG + "binary", _construct_binary)
    for short in (STR, INT, FLOAT, BOOL, NULL, TIMESTAMP):
        cls.add_constructor(_LONG + short[2:], _tagged(short))
    for other in ("omap", "pairs", "set", "value"):
        cls.add_constructor(_LONG + other, _construct_any)
    cls.add_multi_constructor("!", lambda loader, _suffix, node: _construct_any(loader, node))
    cls.add_multi_constructor("tag:", lambda loader, _suffix, node: _construct_any(loader, node))


class GoLoader(_CBase):
    """PyYAML (libyaml) loader that decodes as sigs.k8s.io/yaml does."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class registry
    go_non_finite = False


class TolerantGoLoader(yaml.SafeLoader):
    """The same in pure Python, accepting anchors that are defined again (go-yaml does)."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class registry
    go_non_finite = False

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not self.check_event(yaml.events.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            anchor = getattr(event, "anchor", None)
            if anchor is not None and anchor in self.anchors:
                del self.anchors[anchor]
        return super().compose_node(parent, index)


_install(GoLoader)
_install(TolerantGoLoader)


def first_document(text: str, loader_cls: type[Any]) -> Any:
    """The first document's value as `loader_cls` decodes it (None for an empty stream); the
    rest of the stream is not read, as go-yaml's Unmarshal reads one document."""
    loader = loader_cls(text)
    try:
        node = loader.get_node() if loader.check_node() else None
        if node is not None and needs_check(text):
            check_node(node)  # Go's bounds: alias expansion, depth (fluxops.goyaml.limits)
        value = loader.construct_document(node) if node is not None else None
        if loader.go_non_finite:
            bad = _non_finite(value)
            if bad is not None:
                raise JSONConversionError(
                    f"json: unsupported value: {_go_float_text(bad)}",
                    "json: unsupported value (NaN or infinity)",
                )
        return value
    finally:
        loader.dispose()


def _go_float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "+Inf" if value > 0 else "-Inf"


def load(text: str) -> Any:
    """One YAML document (the first of the stream) decoded as sigs.k8s.io/yaml decodes it.

    Raises a yaml.YAMLError (JSONConversionError for data JSON cannot carry)."""
    try:
        return first_document(text, GoLoader)
    except JSONConversionError:
        raise
    except yaml.YAMLError:
        return first_document(text, TolerantGoLoader)
