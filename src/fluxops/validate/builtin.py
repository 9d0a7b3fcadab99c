"""Built-in Kubernetes kinds: the JSON schemas that `kubernetes-validate` ships, read as data.

Its own `validate()` re-reads the kind's schema and the 1.8 MB `_definitions.json` on every call;
here each is read once per run, and every schema is turned into one self-contained document
(`definitions` holding only what it reaches, documentation stripped) that a compiled validator
can use. The package is located without importing it (its import costs ~170 ms).
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from fluxops.errors import UsageError
from fluxops.validate.schemaops import collect_refs, rewrite_refs, strip_docs

PACKAGE = "kubernetes_validate"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_DIR_RE = re.compile(r"^v(\d+)\.(\d+)\.\d+-local$")


class UnknownKubeVersion(UsageError, ValueError):
    """The requested Kubernetes version has no schemas in the installed kubernetes-validate."""


@cache
def package_dir() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@cache
def package_version() -> str:
    base = package_dir()
    if base is None:
        return "missing"
    version_file = base.parent / "version.py"
    try:
        match = re.search(r"['\"]([^'\"]+)['\"]", version_file.read_text(encoding="utf-8"))
    except OSError:
        return "unknown"
    return match.group(1) if match else "unknown"


def kube_versions() -> list[str]:
    """Kubernetes minor versions with schemas, oldest first (e.g. ['1.25', ..., '1.37'])."""
    base = package_dir()
    if base is None or not base.is_dir():
        return []
    found = []
    for child in base.iterdir():
        match = _DIR_RE.match(child.name)
        if match:
            found.append((int(match.group(1)), int(match.group(2))))
    return [f"{a}.{b}" for a, b in sorted(found)]


def resolve_kube_version(requested: str | None) -> str:
    """`None` -> the newest shipped; `v1.30`, `1.30` or `1.30.4` -> `1.30`."""
    versions = kube_versions()
    if not versions:
        raise UnknownKubeVersion(
            "the kubernetes-validate package is not installed: no built-in schemas"
        )
    if requested is None or requested in ("", "latest"):
        return versions[-1]
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", requested.strip())
    wanted = f"{match.group(1)}.{match.group(2)}" if match else requested
    if wanted not in versions:
        raise UnknownKubeVersion(
            f"no schemas for Kubernetes {requested!r} (kubernetes-validate {package_version()} "
            f"ships {versions[0]} to {versions[-1]})"
        )
    return wanted


def _api_prefix(api_version: str) -> str:
    """kubernetes-validate's file naming: `rbac.authorization.k8s.io/v1` -> `rbac-v1`,
    `v1` -> `v1`."""
    if "/" not in api_version:
        return api_version
    group, _, version = api_version.partition("/")
    return f"{group.split('.')[0]}-{version}"


class BuiltinSchemas:
    """The schemas of one Kubernetes version, strict (no unknown fields) or not."""

    def __init__(self, kube_version: str, strict: bool) -> None:
        base = package_dir()
        if base is None:
            raise UnknownKubeVersion("kubernetes-validate is not installed")
        self.kube_version = kube_version
        self.strict = strict
        self.directory = base / f"v{kube_version}.0-local{'-strict' if strict else ''}"
        if not self.directory.is_dir():
            raise UnknownKubeVersion(f"no schemas for Kubernetes {kube_version}")
        self._defs: dict[str, Any] | None = None
        self._cache: dict[tuple[str, str], dict[str, Any] | None] = {}

    def _definitions(self) -> dict[str, Any]:
        if self._defs is None:
            with (self.directory / "_definitions.json").open(encoding="utf-8") as handle:
                self._defs = json.load(handle)["$defs"]
        return self._defs

    def lookup(self, api_version: str, kind: str) -> dict[str, Any] | None:
        """A self-contained draft-07 schema for the kind, or None when this version has none
        (unknown kind, or a CRD group whose first label happens to match a built-in one)."""
        key = (api_version, kind)
        if key not in self._cache:
            self._cache[key] = self._load(api_version, kind)
        return self._cache[key]

    def _load(self, api_version: str, kind: str) -> dict[str, Any] | None:
        if not kind or not api_version:
            return None
        path = self.directory / f"{kind.lower()}-{_api_prefix(api_version)}.json"
        if not path.is_file():
            return None
        with path.open(encoding="utf-8") as handle:
            schema = json.load(handle)
        props = schema.get("properties") or {}
        allowed = (props.get("apiVersion") or {}).get("enum")
        if isinstance(allowed, list) and api_version not in allowed:
            return None
        kinds = (props.get("kind") or {}).get("enum")
        if isinstance(kinds, list) and kind not in kinds:
            return None
        return self.self_contained(schema)

    def api_versions(self, group: str, kind: str) -> list[str]:
        """The apiVersions this Kubernetes version serves `kind` of `group` in (a file per
        version: `horizontalpodautoscaler-autoscaling-v2.json`)."""
        if not kind:
            return []
        found = set()
        for path in self.directory.glob(f"{kind.lower()}-*.json"):
            with path.open(encoding="utf-8") as handle:
                props = json.load(handle).get("properties") or {}
            kinds = (props.get("kind") or {}).get("enum")
            if isinstance(kinds, list) and kind not in kinds:
                continue
            for api_version in (props.get("apiVersion") or {}).get("enum") or []:
                if isinstance(api_version, str) and api_version.rpartition("/")[0] == group:
                    found.add(api_version)
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
