"""Built-in Kubernetes kinds: JSON schemas generated from the Kubernetes OpenAPI of each
supported release (`data/kube/`, made by `scripts/generate_kube_schemas.py`), read as data.

Each release's definitions are one gzipped file (`$defs`), read once per run; every kind's
schema is turned into one self-contained document (`definitions` holding only what it reaches,
documentation stripped) that a compiled validator can use. Strict mode (no unknown fields)
closes every definition that lists its properties, except where the schema keeps unknown
fields (`x-kubernetes-preserve-unknown-fields`).
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from fluxops.errors import UsageError
from fluxops.validate.schemaops import collect_refs, rewrite_refs, strip_docs

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
KUBE_DATA = ("data", "kube")


class UnknownKubeVersion(UsageError, ValueError):
    """The requested Kubernetes version has no built-in schemas in this fluxops."""


def _base() -> Traversable:
    base = resources.files("fluxops")
    for part in KUBE_DATA:
        base = base / part
    return base


@cache
def _index() -> dict[str, Any]:
    index_file = _base() / "index.json"
    if not index_file.is_file():
        return {"releases": {}}
    index: dict[str, Any] = json.loads(index_file.read_text(encoding="utf-8"))
    return index


def package_version() -> str:
    """The Kubernetes releases the schemas come from (for messages)."""
    releases = _index()["releases"]
    return ", ".join(r["version"] for r in releases.values()) or "none"


def kube_versions() -> list[str]:
    """Kubernetes minor versions with schemas, oldest first (e.g. ['1.36', '1.37'])."""
    found = [tuple(int(p) for p in v.split(".")) for v in _index()["releases"]]
    return [f"{a}.{b}" for a, b in sorted(found)]


def resolve_kube_version(requested: str | None) -> str:
    """`None` -> the newest shipped; `v1.30`, `1.30` or `1.30.4` -> `1.30`."""
    versions = kube_versions()
    if not versions:
        raise UnknownKubeVersion("this fluxops has no built-in Kubernetes schemas")
    if requested is None or requested in ("", "latest"):
        return versions[-1]
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", requested.strip())
    wanted = f"{match.group(1)}.{match.group(2)}" if match else requested
    if wanted not in versions:
        raise UnknownKubeVersion(
            f"no schemas for Kubernetes {requested!r} (fluxops ships {', '.join(versions)}, "
            f"from {package_version()})"
        )
    return wanted


@cache
def _definitions(kube_version: str, strict: bool) -> dict[str, Any]:
    release = _index()["releases"][kube_version]
    defs: dict[str, Any] = json.loads(gzip.decompress((_base() / release["file"]).read_bytes()))[
        "$defs"
    ]
    if strict:
        for body in defs.values():
            _close(body)
    return defs


def _close(node: Any) -> None:
    """Strict mode, in place: objects that list their properties reject other fields."""
    if isinstance(node, list):
        for item in node:
            _close(item)
        return
    if not isinstance(node, dict):
        return
    props = node.get("properties")
    if (
        isinstance(props, dict)
        and "additionalProperties" not in node
        and node.get("x-kubernetes-preserve-unknown-fields") is not True
    ):
        node["additionalProperties"] = False
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            for sub in value.values():
                _close(sub)
        elif isinstance(value, dict | list) and not key.startswith("x-kubernetes-"):
            _close(value)


def _group_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


class BuiltinSchemas:
    """The schemas of one Kubernetes version, strict (no unknown fields) or not."""

    def __init__(self, kube_version: str, strict: bool) -> None:
        releases = _index()["releases"]
        if kube_version not in releases:
            raise UnknownKubeVersion(f"no schemas for Kubernetes {kube_version}")
        self.kube_version = kube_version
        self.strict = strict
        self._kinds: dict[str, str] = releases[kube_version]["kinds"]
        self._cache: dict[tuple[str, str], dict[str, Any] | None] = {}

    def _definitions(self) -> dict[str, Any]:
        return _definitions(self.kube_version, self.strict)

    def lookup(self, api_version: str, kind: str) -> dict[str, Any] | None:
        """A self-contained draft-07 schema for the kind, or None when this version has none."""
        key = (api_version, kind)
        if key not in self._cache:
            self._cache[key] = self._load(api_version, kind)
        return self._cache[key]

    def _load(self, api_version: str, kind: str) -> dict[str, Any] | None:
        if not kind or not api_version:
            return None
        group, version = _group_version(api_version)
        name = self._kinds.get(f"{group}/{version}/{kind}")
        if name is None:
            return None
        root = dict(self._definitions()[name])
        root["type"] = "object"
        return self.self_contained(root)

    def api_versions(self, group: str, kind: str) -> list[str]:
        """The apiVersions this Kubernetes version serves `kind` of `group` in."""
        found = set()
        for key in self._kinds:
            g, version, k = key.split("/")
            if g == group and k == kind:
                found.add(f"{group}/{version}" if group else version)
        return sorted(found)

    def self_contained(self, schema: dict[str, Any]) -> dict[str, Any]:
        """`schema` with its `_definitions.json` references rewritten to local `definitions`
        (only those it reaches), documentation stripped, marked draft-07."""
        defs = self._definitions()
        body = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
        body = rewrite_refs(strip_docs(body), _local_ref)
        wanted = {_ref_name(r) for r in collect_refs(body)}
        reached: dict[str, Any] = {}
        while wanted:
            name = wanted.pop()
            if name in reached or name not in defs:
                continue
            definition = rewrite_refs(strip_docs(defs[name]), _local_ref)
            reached[name] = definition
            wanted |= {_ref_name(r) for r in collect_refs(definition)} - reached.keys()
        body["definitions"] = reached
        body["$schema"] = "http://json-schema.org/draft-07/schema#"
        out: dict[str, Any] = body
        return out

    def object_meta_definitions(self) -> dict[str, Any]:
        """ObjectMeta and what it references, ready to merge into a CRD schema's
        `definitions`; reference it as `#/definitions/` + OBJECT_META."""
        return dict(self.self_contained({"$ref": f"#/$defs/{OBJECT_META}"})["definitions"])


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _local_ref(ref: str) -> str:
    return "#/definitions/" + _ref_name(ref)
