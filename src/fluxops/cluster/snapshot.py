"""A snapshot of cluster objects in a file, read like a live cluster.

A snapshot is what `kubectl get ... -o yaml` (or `-o json`) writes: a `List` whose `items` are
objects; a plain multi-document YAML stream of objects works too. `Snapshot` answers the same
read calls as `ClusterClient` (`list`, `get`, `served_versions`, `flux_api_versions`), so
status and drift run the same code on a file as on a live cluster. Secret data is dropped on
load: fluxops never holds Secret values it did not need.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from fluxops.errors import UsageError
from fluxops.goyaml.limits import MAX_DEPTH, check_value_depth
from fluxops.loader.yamlio import YamlParseError, load_documents

Obj = dict[str, Any]

FLUX_GROUPS = (
    "source.toolkit.fluxcd.io",
    "kustomize.toolkit.fluxcd.io",
    "helm.toolkit.fluxcd.io",
    "notification.toolkit.fluxcd.io",
    "image.toolkit.fluxcd.io",
    "source.extensions.fluxcd.io",
    "fluxcd.controlplane.io",
)


class ObjectSource(Protocol):
    """What status and drift read from: a live cluster (`ClusterClient`) or a `Snapshot`."""

    def list(
        self, api_version: str, kind: str, namespace: str | None = None, chunk_size: int = 500
    ) -> Iterator[Obj]: ...

    def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> Obj | None: ...

    def served_versions(self, group: str) -> builtins.list[str]: ...

    def flux_api_versions(self) -> dict[str, str]: ...


def _group_version(api_version: str) -> tuple[str, str]:
    if "/" in api_version:
        group, _, version = api_version.partition("/")
        return group, version
    return "", api_version


def strip_secret(obj: Obj) -> Obj:
    """A Secret without its values (keys kept as empty strings); other objects unchanged."""
    if obj.get("kind") != "Secret" or obj.get("apiVersion") != "v1":
        return obj
    out = dict(obj)
    for field in ("data", "stringData"):
        if isinstance(out.get(field), dict):
            out[field] = dict.fromkeys(out[field], "")
    meta = out.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
        annotations = dict(meta["annotations"])
        annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
        out["metadata"] = {**meta, "annotations": annotations}
    return out


class Snapshot:
    """Objects loaded from a file, indexed by apiVersion, kind, namespace and name."""

    def __init__(self, objects: builtins.list[Obj], source: str = "(snapshot)") -> None:
        self.source = source
        self.objects = [strip_secret(o) for o in objects]
        self.server = f"snapshot {source}"
        self.context = ""
        #: annotations of the List itself (`fluxops snapshot` records when and where from)
        self.annotations: dict[str, str] = {}

    # -- the ObjectSource calls ---------------------------------------------------------------

    def list(
        self, api_version: str, kind: str, namespace: str | None = None, chunk_size: int = 500
    ) -> Iterator[Obj]:
        group, _ = _group_version(api_version)
        for obj in self.objects:
            if (
                obj.get("kind") != kind
                or _group_version(str(obj.get("apiVersion", "")))[0] != group
            ):
                continue
            ns = (obj.get("metadata") or {}).get("namespace") or ""
            if namespace is None or ns == namespace:
                yield obj

    def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> Obj | None:
        for obj in self.list(api_version, kind, namespace):
            if (obj.get("metadata") or {}).get("name") == name:
                return obj
        return None

    def served_versions(self, group: str) -> builtins.list[str]:
        """The versions of `group` present in the snapshot (a snapshot serves what it has)."""
        versions = []
        for obj in self.objects:
            g, v = _group_version(str(obj.get("apiVersion", "")))
            if g == group and v not in versions:
                versions.append(v)
        return versions

    def flux_api_versions(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for obj in self.objects:
            api_version = str(obj.get("apiVersion", ""))
            if _group_version(api_version)[0] in FLUX_GROUPS:
                out.setdefault(str(obj.get("kind")), api_version)
        return out

    def close(self) -> None:
        pass

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


_TOO_DEEP = object()


def _items(value: Any) -> builtins.list[Obj]:
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        out = []
        for item in value["items"]:
            out.extend(_items(item))
        return out
    if isinstance(value, dict) and value.get("kind") and value.get("apiVersion"):
        return [value]
    if isinstance(value, list):
        out = []
        for item in value:
            out.extend(_items(item))
        return out
    return []


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot file (a kubectl List in YAML or JSON, or a YAML stream of objects)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"snapshot file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read snapshot {file}: {exc}") from None
    objects: builtins.list[Obj] = []
    top: Any = None
    if text.lstrip().startswith(("{", "[")):
        try:
            top = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"snapshot {file} is not valid JSON: {exc.msg} at line {exc.lineno}",
                hint="write it with `kubectl get ... -o json` or `fluxops snapshot -o FILE`",
            ) from None
        except RecursionError:
            top = _TOO_DEEP
        if top is _TOO_DEEP or not check_value_depth(top):
            raise UsageError(
                f"snapshot {file} nests more than {MAX_DEPTH} levels deep",
                hint="write it with `kubectl get ... -o json` or `fluxops snapshot -o FILE`",
            )
        objects = _items(top)
    else:
        try:
            for doc in load_documents(text):
                top = doc.value if top is None else top
                objects.extend(_items(doc.value))
        except YamlParseError as exc:
            raise UsageError(
                f"snapshot {file} is not valid YAML: {exc.message} (line {exc.line})",
                hint="write it with `kubectl get ... -o yaml` or `fluxops snapshot -o FILE`",
            ) from None
    if not objects:
        raise UsageError(
            f"snapshot {file} holds no Kubernetes objects",
            hint="expected a kubectl List (kind: List, items: [...]) or a YAML stream of objects",
        )
    snapshot = Snapshot(objects, source=str(file))
    annotations = ((top.get("metadata") or {}) if isinstance(top, dict) else {}).get("annotations")
    if isinstance(annotations, dict):
        snapshot.annotations = {str(k): str(v) for k, v in annotations.items()}
    return snapshot
