"""Helm's release storage, read without Helm: the `sh.helm.release.v1.<release>.v<N>` Secrets.

Helm (v3 and v4 alike) stores each release version as a Secret of type `helm.sh/release.v1`
labelled `owner=helm`, `name=<release>`, `status=<deployed|superseded|failed|...>`,
`version=<N>`; its `data.release` holds base64(gzip(JSON of the release)), base64-encoded once
more by the Secret itself. The release's `manifest` is the rendered (and post-rendered: Flux's
owner labels included) YAML Helm applied; `namespace` is where its namespaced objects went.
The release also holds the chart's values, which may be secret: nothing here returns them.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
from typing import Any

import yaml

from fluxops.errors import ClusterError
from fluxops.model.flux import HelmRelease
from fluxops.model.resource import Resource

_GZIP_MAGIC = b"\x1f\x8b\x08"


class HelmStorageError(ClusterError, ValueError):
    """The storage Secret cannot be decoded."""


def _labels(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return labels if isinstance(labels, dict) else {}


def _version(secret: dict[str, Any]) -> int:
    try:
        return int(str(_labels(secret).get("version", "0")))
    except ValueError:
        return 0


def latest_deployed(storage: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest storage Secret whose release is `deployed` (Helm keeps one), else None."""
    deployed = [s for s in storage if _labels(s).get("status") == "deployed"]
    return max(deployed, key=_version) if deployed else None


def decode_release(secret: dict[str, Any]) -> dict[str, Any]:
    """The release document (name, namespace, version, manifest, ...) of a storage Secret."""
    data = secret.get("data")
    encoded = data.get("release") if isinstance(data, dict) else None
    if not isinstance(encoded, str) or not encoded:
        raise HelmStorageError("the Secret has no data.release (a snapshot holds no values)")
    try:
        helm_text = base64.b64decode(encoded, validate=True)
        payload = base64.b64decode(helm_text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise HelmStorageError(f"data.release is not base64: {exc}") from None
    if payload.startswith(_GZIP_MAGIC):
        try:
            payload = gzip.decompress(payload)
        except (OSError, EOFError) as exc:
            raise HelmStorageError(f"data.release is not valid gzip: {exc}") from None
    try:
        release = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HelmStorageError(f"data.release is not a JSON release: {exc}") from None
    if not isinstance(release, dict):
        raise HelmStorageError("data.release is not a JSON object")
    return release


def manifest_objects(release: dict[str, Any]) -> list[dict[str, Any]]:
    """The objects of the release manifest (hooks are not part of it)."""
    text = release.get("manifest")
    if not isinstance(text, str):
        return []
    try:
        docs = list(yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except yaml.YAMLError as exc:
        raise HelmStorageError(f"the release manifest is not valid YAML: {exc}") from None
    out: list[dict[str, Any]] = []
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") and doc.get("apiVersion"):
            if isinstance(doc.get("items"), list) and str(doc["kind"]).endswith("List"):
                out.extend(i for i in doc["items"] if isinstance(i, dict))
            else:
                out.append(doc)
    return out


def release_location(hr: Resource, live_hr: dict[str, Any] | None) -> tuple[str, str]:
    """(storage namespace, release name) of a HelmRelease: from its live status (the latest
    history snapshot) when known, else as helm-controller derives them from the spec."""
    status = live_hr.get("status") if isinstance(live_hr, dict) else None
    if isinstance(status, dict):
        history = status.get("history")
        storage_ns = status.get("storageNamespace")
        if isinstance(history, list) and history and isinstance(history[0], dict):
            name = history[0].get("name")
            ns = history[0].get("namespace")
            if isinstance(name, str) and name:
                where = storage_ns if isinstance(storage_ns, str) and storage_ns else ns
                return str(where or HelmRelease(hr).storage_namespace), name
    view = HelmRelease(hr)
    return view.storage_namespace, _shorten(view.release_name)


def _shorten(name: str) -> str:
    """helm-controller's release.ShortenName: names over 53 characters are cut and suffixed
    with a hash of the full name."""
    import hashlib

    if len(name) <= 53:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"{name[: 53 - 13]}-{digest}"
