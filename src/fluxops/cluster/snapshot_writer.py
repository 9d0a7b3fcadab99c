"""Write a snapshot of a live cluster: every Flux object, the Events about them, and the
objects in their inventories (`status.inventory.entries` of Kustomizations and HelmReleases),
as one `kind: List` that `load_snapshot` (and `kubectl apply --dry-run -f`) reads back.

Secret data is removed (keys kept, values emptied) before anything is written. The List's own
annotations record when, from which context and server, and with which fluxops version.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from fluxops.cluster.flux_objects import DEFAULT_WORKERS, Refusal, read_flux_objects
from fluxops.cluster.snapshot import ObjectSource, strip_secret
from fluxops.errors import ClusterError, ForbiddenError, UsageError
from fluxops.model.results import Result

if TYPE_CHECKING:
    from fluxops.cluster.client import ClusterClient

Obj = dict[str, Any]

ANNOTATION = "snapshot.fluxops.io/"
TAKEN_AT = ANNOTATION + "taken-at"
CONTEXT = ANNOTATION + "context"
SERVER = ANNOTATION + "server"
NAMESPACE = ANNOTATION + "namespace"
VERSION = ANNOTATION + "fluxops-version"
#: one annotation per Flux controller Deployment: the end of its log (`--logs`)
LOGS_ANNOTATION = "logs.snapshot.fluxops.io/"

#: Inventory objects of one kind in one namespace are listed (and filtered) from this many on;
#: fewer are fetched one by one.
LIST_FROM = 4


@dataclass(frozen=True)
class InventoryRef:
    """One entry of a Flux inventory: `<namespace>_<name>_<group>_<kind>` and its version."""

    namespace: str
    name: str
    group: str
    kind: str
    version: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @classmethod
    def parse(cls, entry_id: str, version: str) -> InventoryRef | None:
        """cli-utils ObjMetadata: fields joined by `_`; a `:` in a name is written `__`."""
        parts = entry_id.split("_")
        if len(parts) < 4 or not version:
            return None
        namespace, group, kind = parts[0], parts[-2], parts[-1]
        name = "_".join(parts[1:-2]).replace("__", ":")
        if not name or not kind:
            return None
        return cls(namespace, name, group, kind, version)


@dataclass
class SnapshotSummary(Result):
    """What one `snapshot` run wrote (the document itself in `text` when it goes to stdout)."""

    kind: ClassVar[str] = "SnapshotResult"

    flux_objects: int = 0
    events: int = 0
    inventory_objects: int = 0
    inventory_missing: int = 0
    crds: int = 0
    secrets_stripped: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    path: str = ""
    bytes: int = 0
    text: str = ""  # the document, when written to stdout
    #: what was asked for: the inventories' objects, Events
    with_inventory: bool = True
    with_events: bool = True
    with_logs: bool = False
    #: Flux controllers whose log excerpt was recorded
    controller_logs: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0


def inventory_refs(objects: Iterable[Obj]) -> list[InventoryRef]:
    """Every inventory entry of the Kustomizations and HelmReleases among `objects`."""
    out: dict[InventoryRef, None] = {}
    for obj in objects:
        if obj.get("kind") not in ("Kustomization", "HelmRelease"):
            continue
        inventory = (obj.get("status") or {}).get("inventory") or {}
        for entry in inventory.get("entries") or [] if isinstance(inventory, dict) else []:
            if not isinstance(entry, dict):
                continue
            ref = InventoryRef.parse(str(entry.get("id") or ""), str(entry.get("v") or ""))
            if ref is not None:
                out[ref] = None
    return list(out)


def _fetch_inventory(
    source: ObjectSource, refs: list[InventoryRef], workers: int, summary: SnapshotSummary
) -> list[Obj]:
    groups: dict[tuple[str, str, str], list[InventoryRef]] = {}
    for ref in refs:
        groups.setdefault((ref.api_version, ref.kind, ref.namespace), []).append(ref)

    def one_group(key: tuple[str, str, str]) -> tuple[list[Obj], int, list[Refusal], str]:
        api_version, kind, namespace = key
        wanted = groups[key]
        try:
            if len(wanted) >= LIST_FROM:
                names = {r.name for r in wanted}
                found = [
                    o
                    for o in source.list(api_version, kind, namespace or None)
                    if (o.get("metadata") or {}).get("name") in names
                ]
                return found, len(names) - len(found), [], ""
            found = []
            for ref in wanted:
                obj = source.get(api_version, kind, ref.name, namespace or None)
                if obj is not None:
                    found.append(obj)
            return found, len(wanted) - len(found), [], ""
        except ForbiddenError as exc:
            refusal = Refusal(exc.verb, exc.resource, exc.namespace, exc.message)
            return [], len(wanted), [refusal], ""
        except ClusterError as exc:
            return [], len(wanted), [], f"{kind} ({api_version}): {exc.message}"

    out: list[Obj] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for found, missing, refusals, note in pool.map(one_group, sorted(groups)):
            out.extend(found)
            summary.inventory_missing += missing
            summary.refusals.extend(refusals)
            if note:
                summary.notes.append(note)
    return out


def take_snapshot(
    source: ObjectSource,
    namespace: str | None = None,
    *,
    inventory: bool = True,
    events: bool = True,
    workers: int = DEFAULT_WORKERS,
    now: datetime | None = None,
    version: str = "",
    crds: bool = True,
) -> tuple[Obj, SnapshotSummary]:
    """The snapshot document (a `v1` `List`) and what went into it; with `crds`, the cluster's
    CustomResourceDefinitions too (documentation stripped), so `validate --snapshot` can use
    them as schemas."""
    summary = SnapshotSummary()
    read = read_flux_objects(source, namespace, events=events, workers=workers)
    summary.refusals.extend(read.refusals)
    summary.notes.extend(read.notes)
    items: list[Obj] = list(read.objects)
    summary.flux_objects = len(items)
    if inventory:
        seen = {_key(o) for o in items}
        extra = [
            o
            for o in _fetch_inventory(source, inventory_refs(items), workers, summary)
            if _key(o) not in seen
        ]
        summary.inventory_objects = len(extra)
        items.extend(extra)
    if crds:
        found = _read_crds(source, summary)
        summary.crds = len(found)
        items.extend(found)
    items.extend(read.events)
    summary.events = len(read.events)
    clean: list[Obj] = []
    for obj in items:
        stripped = strip_secret(obj)
        if stripped is not obj:
            summary.secrets_stripped += 1
        clean.append(stripped)
    when = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    annotations = {TAKEN_AT: when, SERVER: read.server, CONTEXT: read.context}
    if namespace:
        annotations[NAMESPACE] = namespace
    if version:
        annotations[VERSION] = version
    doc: Obj = {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"resourceVersion": "", "annotations": annotations},
        "items": clean,
    }
    return doc, summary


def add_controller_logs(
    doc: Obj, summary: SnapshotSummary, client: ClusterClient, namespace: str, tail: int
) -> None:
    """Record the last `tail` lines of each Flux controller's log as an annotation of the
    List (`logs.snapshot.fluxops.io/<deployment>`); what cannot be read becomes a note."""
    from fluxops.cluster.controller_logs import read_controller_logs

    try:
        logs = read_controller_logs(client, namespace, tail_lines=tail)
    except ClusterError as exc:
        summary.notes.append(f"controller logs not recorded: {exc.message}")
        return
    annotations = doc["metadata"]["annotations"]
    for log in logs:
        if log.error:
            summary.notes.append(f"log of {log.deployment} not recorded: {log.error}")
            continue
        annotations[LOGS_ANNOTATION + log.deployment] = log.text
        summary.controller_logs.append(log.deployment)


def _read_crds(source: ObjectSource, summary: SnapshotSummary) -> list[Obj]:
    try:
        found = list(source.list("apiextensions.k8s.io/v1", "CustomResourceDefinition"))
    except ClusterError as exc:
        summary.notes.append(f"CustomResourceDefinitions not read: {exc}")
        return []
    out = []
    for crd in found:
        meta = crd.get("metadata") or {}
        out.append(
            {
                "apiVersion": crd.get("apiVersion"),
                "kind": crd.get("kind"),
                "metadata": {"name": meta.get("name")},
                "spec": _without_docs(crd.get("spec")),
            }
        )
    return out


def _without_docs(node: Any, in_names: bool = False) -> Any:
    """A CRD spec without `description` keywords (most of its size); property *names* that
    happen to be `description` are kept."""
    if isinstance(node, list):
        return [_without_docs(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "description" and not in_names and isinstance(value, str):
            continue
        names = key in ("properties", "patternProperties", "definitions") and not in_names
        out[key] = _without_docs(value, in_names=names)
    return out


def _key(obj: Obj) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    api_version = str(obj.get("apiVersion") or "")
    return (
        api_version.rpartition("/")[0],
        str(obj.get("kind") or ""),
        str(meta.get("namespace") or ""),
        str(meta.get("name") or ""),
    )


def render(doc: Obj, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(doc, indent=2, sort_keys=False) + "\n"
    from fluxops.goyaml import dump

    return dump(doc)


def format_for(path: str, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    return "json" if path.lower().endswith(".json") else "yaml"


def write_snapshot(doc: Obj, path: str, fmt: str) -> int:
    """Write atomically (mode 0600: inventories hold ConfigMaps); returns the byte count."""
    text = render(doc, fmt).encode("utf-8")
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{path} is a folder", hint="give a file name, e.g. snapshot.yaml")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write snapshot {path}: {exc.strerror or exc}") from None
    return len(text)
