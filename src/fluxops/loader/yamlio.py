"""YAML reading: fast (libyaml) for the common case, tolerant for real-world files.

Real repos contain things PyYAML's SafeLoader refuses but Go YAML (and so kustomize and Flux)
accepts: `matchType: =` (the YAML 1.1 "value" tag), anchors re-defined inside one document, and
custom tags such as `!env_var` in app config files. The tolerant loader accepts all three. Each
document keeps the 1-based line of its first node.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from fluxops.errors import YamlError
from fluxops.goyaml.limits import MAX_DEPTH, YamlLimitError, check_node, needs_check

try:  # libyaml is ~10x faster; fall back to pure Python where it is missing.
    from yaml import CSafeLoader as _CBase
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _CBase  # type: ignore[assignment]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _without_timestamps(cls: type[Any]) -> None:
    """Kubernetes decodes YAML with go-yaml, which keeps timestamp-looking scalars as strings
    when the target is untyped; PyYAML would make datetime objects (not even JSON-able)."""
    cls.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
        for key, resolvers in cls.yaml_implicit_resolvers.items()
    }


class _FastLoader(_CBase):
    pass


_without_timestamps(_FastLoader)


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that accepts what Go YAML accepts."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # Re-defined anchors are legal YAML: the later definition wins for later aliases.
        if self.check_event(yaml.events.AliasEvent):
            return super().compose_node(parent, index)
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None and anchor in self.anchors:
            del self.anchors[anchor]
        # The pure-Python composer recurses: stop before Python's recursion limit does.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = getattr(event, "start_mark", None)
                raise YamlLimitError(
                    f"the document nests more than {MAX_DEPTH} levels deep",
                    mark.line + 1 if mark is not None else None,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_value_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _construct_unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_without_timestamps(_TolerantLoader)
_TolerantLoader.add_constructor("tag:yaml.org,2002:value", _construct_value_tag)
_TolerantLoader.add_multi_constructor("!", _construct_unknown_tag)
_TolerantLoader.add_multi_constructor("tag:", _construct_unknown_tag)


@dataclass(frozen=True)
class Document:
    """One YAML document: its value (any YAML type), index in the file and first line."""

    value: Any
    index: int
    line: int


class YamlParseError(YamlError):
    """A YAML file that neither loader can read. `line` is 1-based."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _documents(text: str, loader_cls: type[Any]) -> Iterator[Document]:
    loader = loader_cls(text)
    check = needs_check(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if check:
                check_node(node)
            line = node.start_mark.line + 1 if node is not None else 1
            value = loader.construct_document(node) if node is not None else None
            yield Document(value=value, index=index, line=line)
            index += 1
    finally:
        loader.dispose()


def load_documents(text: str) -> list[Document]:
    """Every document of a YAML stream, empty ones included (value None).

    Raises YamlParseError with the line of the problem when even the tolerant loader fails.
    """
    try:
        return list(_documents(text, _FastLoader))
    except YamlLimitError as exc:
        raise YamlParseError(exc.problem, exc.line) from None
    except yaml.YAMLError as exc:
        if "nesting depth" in str(getattr(exc, "problem", "")):  # libyaml's own limit
            raise _parse_error(exc) from None
    try:
        return list(_documents(text, _TolerantLoader))
    except YamlLimitError as exc:
        raise YamlParseError(exc.problem, exc.line) from None
    except yaml.YAMLError as exc:
        raise _parse_error(exc) from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise YamlParseError(
            f"the document nests more than {MAX_DEPTH} levels deep", None
        ) from None


def _parse_error(exc: yaml.YAMLError) -> YamlParseError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return YamlParseError(str(problem), line)


def load_all_values(text: str) -> list[Any]:
    """The values of a YAML stream, fast path only, for rendered output we produced."""
    return [d.value for d in load_documents(text)]


def load_single(text: str) -> Any:
    """One YAML document's value (the first), within the same bounds as `load_documents`.
    Raises yaml.YAMLError when it cannot be read."""
    try:
        docs = load_documents(text)
    except YamlParseError as exc:
        where = f" (line {exc.line})" if exc.line else ""
        raise yaml.YAMLError(exc.message + where) from None
    if len(docs) > 1:
        raise yaml.YAMLError("expected a single document in the stream, but found another document")
    return docs[0].value if docs else None
