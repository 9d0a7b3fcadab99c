"""Bring a rendered object into the shape the API server gives back.

`flux_normalize` is what kustomize-controller and `flux diff` do before applying (fluxcd/pkg
ssa/normalize `UnstructuredList`): `protocol: TCP` on the container ports of Pods and
workloads and on Service ports, Secret `stringData` folded into base64 `data`,
`metadata.creationTimestamp: null`, `status` dropped (kept on CRDs). Flux also round-trips
built-in kinds through client-go's typed structs, which drops unknown fields; the API server
drops them too, so the dry-run result is the same.

`prepare_desired` adds what the fields comparison needs on top: server-managed metadata
(uid, resourceVersion, generation, managedFields, timestamps) and the `status` stanza are not
compared, `null` means "not set", and fields the kind's schema does not know are pruned, as the
API server prunes them (each one reported as a note).
"""

from __future__ import annotations

import base64
import copy
from typing import Any

from fluxops.model.kube.schema import Node

SERVER_METADATA = (
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
)

_POD_TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("v1", "Pod"): ("spec",),
    ("apps/v1", "Deployment"): ("spec", "template", "spec"),
    ("apps/v1", "StatefulSet"): ("spec", "template", "spec"),
    ("apps/v1", "DaemonSet"): ("spec", "template", "spec"),
    ("apps/v1", "ReplicaSet"): ("spec", "template", "spec"),
    ("batch/v1", "Job"): ("spec", "template", "spec"),
    ("batch/v1", "CronJob"): ("spec", "jobTemplate", "spec", "template", "spec"),
}


def is_crd(obj: dict[str, Any]) -> bool:
    return obj.get("kind") == "CustomResourceDefinition" and str(
        obj.get("apiVersion", "")
    ).startswith("apiextensions.k8s.io/")


def is_secret(obj: dict[str, Any]) -> bool:
    return obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def _dig(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _default_protocol(ports: Any) -> None:
    if isinstance(ports, list):
        for port in ports:
            if isinstance(port, dict) and not port.get("protocol"):
                port["protocol"] = "TCP"


def fold_string_data(obj: dict[str, Any]) -> None:
    """Secret `stringData` into base64 `data`, in place (stringData wins, as on the server)."""
    string_data = obj.get("stringData")
    if isinstance(string_data, dict) and string_data:
        data = obj.get("data")
        data = dict(data) if isinstance(data, dict) else {}
        for key, value in string_data.items():
            text = "" if value is None else str(value)
            data[str(key)] = base64.b64encode(text.encode()).decode()
        obj["data"] = data
    obj.pop("stringData", None)


def _ports_without_protocol(obj: dict[str, Any], key: tuple[str, str]) -> bool:
    pod_path = _POD_TEMPLATES.get(key)
    if pod_path is not None:
        containers = _dig(obj, (*pod_path, "containers"))
        lists = (
            [c.get("ports") for c in containers if isinstance(c, dict)]
            if isinstance(containers, list)
            else []
        )
    elif key == ("v1", "Service"):
        lists = [_dig(obj, ("spec", "ports"))]
    else:
        return False
    return any(
        isinstance(p, dict) and not p.get("protocol")
        for ports in lists
        if isinstance(ports, list)
        for p in ports
    )


def flux_normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """A normalised copy of a rendered object, as Flux applies it. Nested values are shared
    with `raw` where nothing changes: treat the result as read-only."""
    key = (str(raw.get("apiVersion", "")), str(raw.get("kind", "")))
    if _ports_without_protocol(raw, key):
        obj = copy.deepcopy(raw)
        pod_path = _POD_TEMPLATES.get(key)
        if pod_path is not None:
            for container in _dig(obj, (*pod_path, "containers")) or []:
                if isinstance(container, dict):
                    _default_protocol(container.get("ports"))
        else:
            _default_protocol(_dig(obj, ("spec", "ports")))
    else:
        obj = dict(raw)
    if key == ("v1", "Secret"):
        fold_string_data(obj)
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        obj["metadata"] = {**meta, "creationTimestamp": None}
    if not is_crd(obj):
        obj.pop("status", None)
    return obj


def strip_server_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """A shallow-copied object without `status` and the server-managed metadata."""
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = out.get("metadata")
    if isinstance(meta, dict):
        out["metadata"] = {k: v for k, v in meta.items() if k not in SERVER_METADATA}
    return out


def prepare_desired(
    raw: dict[str, Any], node: Node, *, namespaced: bool | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The desired object as the fields comparison reads it, and the paths the API server
    would drop (not in the kind's schema)."""
    obj = strip_server_fields(flux_normalize(raw))
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta = dict(meta)
        for key in ("name", "generateName"):
            meta.pop(key, None)
        meta.pop("namespace", None)
        obj["metadata"] = meta
    pruned: list[str] = []
    cleaned = _prune(obj, node, "", pruned)
    return cleaned if isinstance(cleaned, dict) else {}, pruned


def _prune(value: Any, node: Node, path: str, pruned: list[str]) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            key = str(key)
            child_path = f"{path}.{key}" if path else key
            if not node.knows(key):
                pruned.append(child_path)
                continue
            out[key] = _prune(item, node.child(key), child_path, pruned)
        return out
    if isinstance(value, list):
        item_node = node.item()
        return [_prune(v, item_node, f"{path}[{i}]", pruned) for i, v in enumerate(value)]
    return value
