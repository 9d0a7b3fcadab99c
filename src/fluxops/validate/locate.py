"""The line a JSON path sits on in a YAML file (from node marks), for findings.

Rendered objects carry the file and document they came from; the path may not exist there
(a patch added it, a generator made it), so the deepest part of the path that exists is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import yaml

from fluxops.model.resource import Resource
from fluxops.model.results import BuildResult

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

ReadText = Callable[[str], str | None]


class LineIndex:
    """Parses each file once (only files that have findings)."""

    def __init__(self, read_text: ReadText) -> None:
        self._read = read_text
        self._docs: dict[str, list[yaml.Node | None]] = {}
        self._exists: dict[str, bool] = {}

    def _documents(self, file: str) -> list[yaml.Node | None]:
        if file not in self._docs:
            text = self._read(file)
            nodes: list[yaml.Node | None] = []
            if text is not None:
                try:
                    nodes = list(yaml.compose_all(text, Loader=_Loader))
                except yaml.YAMLError:
                    nodes = []
            self._docs[file] = nodes
        return self._docs[file]

    def exists(self, file: str) -> bool:
        if file not in self._exists:
            self._exists[file] = self._read(file) is not None
        return self._exists[file]

    def line(self, file: str, document: int, path: Sequence[str | int]) -> int | None:
        docs = self._documents(file)
        if not 0 <= document < len(docs):
            return None
        node = docs[document]
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == part:
                        line = key.start_mark.line + 1
                        node = value
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def attach_origins(build: BuildResult, repo_resources: Iterable[Resource]) -> int:
    """Give rendered objects without an origin (plain overlay builds) the file of the one repo
    document with the same kind and name; returns how many were matched."""
    index: dict[tuple[str, str], list[Resource]] = {}
    for resource in repo_resources:
        if resource.origin is not None:
            index.setdefault((resource.kind, resource.name), []).append(resource)
    matched = 0
    for kb in build.builds:
        for obj in kb.objects:
            if obj.origin is not None:
                continue
            candidates = index.get((obj.kind, obj.name), [])
            same_ns = [c for c in candidates if c.namespace in ("", obj.namespace)]
            chosen = same_ns if len(same_ns) == 1 else candidates if len(candidates) == 1 else []
            if chosen:
                obj.origin = chosen[0].origin
                matched += 1
    return matched
