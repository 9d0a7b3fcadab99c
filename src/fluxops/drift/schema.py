"""What the API server knows about a kind's fields, as much as drift needs of it.

For each field: its shape (object with known properties, map, list, scalar), how server-side
apply merges a list (`x-kubernetes-list-type`: `map` with its key fields, `set`, `atomic`),
and how the server normalises a value (resource quantities, int-or-string, base64 bytes).
Built-in kinds come from the Kubernetes OpenAPI definitions shipped in `data/kube/`; custom kinds from their CRD's `openAPIV3Schema`. A field the schema does not know is
pruned by the API server (built-in kinds drop unknown fields, structural CRDs prune them), so
drift does not expect it back. Unknown kinds get `ANY`: no pruning, lists compared as atomic.
"""

from __future__ import annotations

import json
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from fluxops.model.kube.schema import ANY, Node

_QUANTITY_REF = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING_REF = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_OBJECT_META_REF = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

#: fluxops's package data (a folder next to the code: fluxops is never run from a zip file;
#: importlib.resources would cost a short command more start-up than reading the file)
DATA = Path(__file__).resolve().parent.parent / "data"


# -- built-in kinds ---------------------------------------------------------------------------


@cache
def _newest_definitions() -> dict[str, Any]:
    """The OpenAPI definitions (`$defs`) of the newest Kubernetes release fluxops ships
    (`data/kube/`, made by scripts/generate_kube_schemas.py); empty when there are none."""
    base = DATA / "kube"
    index_file = base / "index.json"
    if not index_file.is_file():
        return {}
    releases = json.loads(index_file.read_text(encoding="utf-8")).get("releases") or {}
    if not releases:
        return {}
    newest = max(releases, key=lambda v: tuple(int(p) for p in v.split(".")))
    # zlib reads the gzip format itself (wbits 16 + 15): no gzip module to import
    data = json.loads(zlib.decompress((base / releases[newest]["file"]).read_bytes(), 31))
    defs: dict[str, Any] = data.get("$defs", {})
    return defs


class BuiltinSchemas:
    """Nodes of the built-in kinds, converted lazily from the OpenAPI definitions."""

    def __init__(self, definitions: dict[str, Any] | None = None) -> None:
        self._defs = definitions
        self._nodes: dict[str, Node] = {}
        self._by_gvk: dict[tuple[str, str, str], str] | None = None

    def _load(self) -> dict[str, Any]:
        if self._defs is None:
            self._defs = _newest_definitions()
        return self._defs

    def _index(self) -> dict[tuple[str, str, str], str]:
        if self._by_gvk is None:
            index: dict[tuple[str, str, str], str] = {}
            for name, schema in self._load().items():
                for gvk in schema.get("x-kubernetes-group-version-kind") or []:
                    key = (
                        str(gvk.get("group", "")),
                        str(gvk.get("version", "")),
                        str(gvk.get("kind", "")),
                    )
                    index.setdefault(key, name)
            self._by_gvk = index
        return self._by_gvk

    def lookup(self, group: str, version: str, kind: str) -> Node | None:
        name = self._index().get((group, version, kind))
        return self._definition(name) if name else None

    def object_meta(self) -> Node:
        return self._definition(_OBJECT_META_REF)

    def _definition(self, name: str) -> Node:
        node = self._nodes.get(name)
        if node is not None:
            return node
        node = Node()
        self._nodes[name] = node  # before converting: definitions refer to themselves
        schema = self._load().get(name)
        if schema is not None:
            if name == _QUANTITY_REF:
                node.kind, node.quantity = "scalar", True
            elif name == _INT_OR_STRING_REF:
                node.kind, node.int_or_string = "scalar", True
            else:
                self._fill(node, schema)
        return node

    def _convert(self, schema: dict[str, Any]) -> Node:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._definition(ref.rsplit("/", 1)[-1])
        node = Node()
        self._fill(node, schema)
        return node

    def _fill(self, node: Node, schema: dict[str, Any]) -> None:
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        props = schema.get("properties")
        additional = schema.get("additionalProperties")
        if isinstance(props, dict):
            node.kind = "object"
            node.closed = additional is None or additional is False
            node.props = {k: self._convert(v) for k, v in props.items() if isinstance(v, dict)}
            if isinstance(additional, dict):
                node.values = self._convert(additional)
        elif isinstance(additional, dict):
            node.kind = "map"
            node.values = self._convert(additional)
        elif "array" in types:
            node.kind = "list"
            items = schema.get("items")
            node.items = self._convert(items) if isinstance(items, dict) else ANY
            _list_semantics(node, schema)
        elif "object" in types:
            node.kind = "any"
        elif types and types[0] is not None:
            node.kind = "scalar"
            node.byte = schema.get("format") == "byte"
        if schema.get("x-kubernetes-int-or-string"):
            node.kind, node.int_or_string = "scalar", True


def _list_semantics(node: Node, schema: dict[str, Any]) -> None:
    list_type = schema.get("x-kubernetes-list-type")
    keys = schema.get("x-kubernetes-list-map-keys")
    merge_key = schema.get("x-kubernetes-patch-merge-key")
    if list_type == "map" and isinstance(keys, list) and keys:
        node.list_type, node.keys = "map", tuple(str(k) for k in keys)
    elif list_type == "set":
        node.list_type = "set"
    elif list_type is None and isinstance(merge_key, str) and merge_key:
        node.list_type, node.keys = "map", (merge_key,)
    else:
        node.list_type = "atomic"


@cache
def builtin_schemas() -> BuiltinSchemas:
    return BuiltinSchemas()


# -- custom resources -------------------------------------------------------------------------


def crd_node(schema: dict[str, Any], meta: Node | None) -> Node:
    """A node from a CRD version's `openAPIV3Schema` (structural schema)."""
    node = _crd_convert(schema)
    if node.kind == "object":
        node.props.setdefault("apiVersion", Node(kind="scalar"))
        node.props.setdefault("kind", Node(kind="scalar"))
        node.props["metadata"] = meta or ANY
    return node


def _crd_convert(schema: dict[str, Any]) -> Node:
    node = Node()
    if schema.get("x-kubernetes-int-or-string"):
        node.kind, node.int_or_string = "scalar", True
        return node
    preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    kind = schema.get("type")
    props = schema.get("properties")
    additional = schema.get("additionalProperties")
    if kind == "object" or isinstance(props, dict):
        if isinstance(props, dict) and props:
            node.kind = "object"
            node.props = {k: _crd_convert(v) for k, v in props.items() if isinstance(v, dict)}
            node.closed = not preserve and additional in (None, False)
            if isinstance(additional, dict):
                node.values = _crd_convert(additional)
        elif isinstance(additional, dict):
            node.kind = "map"
            node.values = _crd_convert(additional)
        else:
            node.kind = "any"
        if schema.get("x-kubernetes-embedded-resource"):
            node.closed = False
    elif kind == "array":
        node.kind = "list"
        items = schema.get("items")
        node.items = _crd_convert(items) if isinstance(items, dict) else ANY
        _list_semantics(node, schema)
        if "x-kubernetes-list-type" not in schema:
            node.list_type, node.keys = "atomic", ()
    elif kind in ("string", "integer", "number", "boolean"):
        node.kind = "scalar"
        node.byte = schema.get("format") == "byte"
    return node


def crd_versions(crd: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(group, version, kind) -> openAPIV3Schema for every version of a CRD object."""
    spec = crd.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    group = str(spec.get("group") or "")
    names_value = spec.get("names")
    names: dict[str, Any] = names_value if isinstance(names_value, dict) else {}
    kind = str(names.get("kind") or "")
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    shared = spec.get("validation", {}) if isinstance(spec.get("validation"), dict) else {}
    for version in spec.get("versions") or []:
        if not isinstance(version, dict):
            continue
        schema = (version.get("schema") or {}).get("openAPIV3Schema") or shared.get(
            "openAPIV3Schema"
        )
        if isinstance(schema, dict) and group and kind:
            out[(group, str(version.get("name", "")), kind)] = schema
    return out


class SchemaRegistry:
    """Built-in kinds plus the CRDs added to it; `node()` answers ANY for unknown kinds."""

    def __init__(self, builtins: BuiltinSchemas | None = None) -> None:
        self.builtins = builtins or builtin_schemas()
        self._crds: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._crd_nodes: dict[tuple[str, str, str], Node] = {}

    def add_crd(self, crd: dict[str, Any], *, override: bool = True) -> None:
        for key, schema in crd_versions(crd).items():
            if override or key not in self._crds:
                self._crds[key] = schema
                self._crd_nodes.pop(key, None)

    def has(self, group: str, version: str, kind: str) -> bool:
        return (group, version, kind) in self._crds or (
            self.builtins.lookup(group, version, kind) is not None
        )

    def node(self, group: str, version: str, kind: str) -> Node:
        key = (group, version, kind)
        if key in self._crds:
            found = self._crd_nodes.get(key)
            if found is None:
                found = crd_node(self._crds[key], self.builtins.object_meta())
                self._crd_nodes[key] = found
            return found
        return self.builtins.lookup(group, version, kind) or ANY


@cache
def shipped_flux_crds() -> tuple[dict[str, Any], ...]:
    """The Flux CRDs shipped with fluxops (package data), for kinds no cluster describes."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out: list[dict[str, Any]] = []
    folder = DATA / "crds" / "flux"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            for doc in yaml.load_all(entry.read_text(encoding="utf-8"), Loader=loader):
                if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                    out.append(doc)
    return tuple(out)
