"""Fidelity harness: Flux Kustomizations with `spec.postBuild.substituteFrom`, built by flux
against a real API server (the kube-apiserver of tests/cluster/conftest.py).

`flux build kustomization --dry-run` reads nothing from a cluster, so it skips substituteFrom
(optional entries too), while fluxops takes the variables from the ConfigMaps and Secrets the
repo renders or defines. For each such definition the harness puts into the Kustomization's
own namespace (created when missing, reused otherwise: namespaces never finish deleting there):

- each ConfigMap and Secret its substituteFrom names, as fluxops finds it: rendered by flux
  from the same root (an earlier build of this repo), else a document in the repo's files in
  that namespace or without one (the nearest to the root's file). One found nowhere is not
  created: flux then fails on a required entry, as fluxops must, and skips an optional one;
- a placeholder Kustomization of that name: without --dry-run flux GETs it and stops on
  NotFound, although the --kustomization-file definition is what it builds (only a live
  status inventory would be merged in, and the placeholder has none).

Then `flux build kustomization` runs without --dry-run against that server, and everything the
harness created is deleted again (one definition at a time: two may use the same names).

Deviation D2 (docs/fidelity.md): fluxops substitutes each variable taken from a Secret as
`masked-secret` (`masked-sops` when SOPS-encrypted; src/fluxops/render/postbuild.py). The
harness knows the values it created, so it replaces every occurrence of such a value in every
string (keys included) of flux's output with that mask before comparing, and counts them.
The values never appear in a message: flux's errors are scrubbed and, in the comparison, flux's
side of such a build is withheld.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .harness_build import Build, FluxCli, Node, run_flux, substitute_from
from .harness_repo import RepoScan, closeness, is_data_object

SECRET_VAR_MASK = "masked-secret"  # fluxops's SECRET_MASK, src/fluxops/render/postbuild.py
SOPS_VAR_MASK = "masked-sops"
PLACEHOLDER_SOURCE = {"kind": "GitRepository", "name": "fidelity-placeholder"}


class SecretValues:
    """Values of variables that flux takes from Secrets, each with fluxops's mask for it.
    Holds secret values: never printed (no repr of them, no str)."""

    def __init__(self, masks: dict[str, str]):
        self._masks = {v: m for v, m in masks.items() if v}
        alternatives = sorted(self._masks, key=len, reverse=True)  # the longest value wins
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in alternatives)) if alternatives else None
        )

    def __repr__(self) -> str:
        return f"SecretValues(<{len(self._masks)} values withheld>)"

    def __bool__(self) -> bool:
        return bool(self._masks)

    def mask(self, text: str) -> tuple[str, int]:
        """Each occurrence of a value replaced by its mask, in one pass (a mask is never
        matched again), and how many there were."""
        if self._pattern is None:
            return text, 0
        return self._pattern.subn(lambda m: self._masks[m.group(0)], text)

    def scrub(self, text: str) -> str:
        return self.mask(text)[0]

    def normalise(self, value: Any) -> tuple[Any, int]:
        """D2 on one parsed object: every string, mapping keys included."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            items = [self.normalise(v) for v in value]
            return [v for v, _ in items], sum(n for _, n in items)
        if isinstance(value, dict):
            out, total = {}, 0
            for k, v in value.items():
                key, n = self.normalise(k) if isinstance(k, str) else (k, 0)
                out[key], m = self.normalise(v)
                total += n + m
            return out, total
        return value, 0


# ---- which objects, with which content ------------------------------------------------------


def _scalar(value: Any) -> str:
    """A ConfigMap value as the API server needs it (a string), as fluxops reads it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _secret_values(obj: dict[str, Any]) -> tuple[dict[str, str], bool]:
    """A Secret's values as the API server presents them (stringData over data), and whether
    they are SOPS-encrypted (fluxops's rule: a `sops` key or an `ENC[` value)."""
    out: dict[str, str] = {}
    for key, value in (obj.get("data") or {}).items():
        try:
            out[str(key)] = base64.b64decode(str(value)).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            out[str(key)] = ""  # the API server refuses it; creating the Secret fails
    for key, value in (obj.get("stringData") or {}).items():
        out[str(key)] = _scalar(value)
    return out, "sops" in obj or any("ENC[" in v for v in out.values())


def find_object(
    kind: str, name: str, node: Node, scan: RepoScan, built: list[Node]
) -> tuple[str, dict[str, Any]] | None:
    """The ConfigMap or Secret fluxops would read for `node`, and where it comes from."""
    for other in built:
        if other.near != node.near or other.flux is None or not other.flux.ok:
            continue
        for obj in other.flux.objects:
            md = obj.get("metadata") or {}
            if (
                is_data_object(obj)
                and obj.get("kind") == kind
                and md.get("name") == name
                and md.get("namespace") == node.ns
            ):
                return f"rendered by {other.ks}", obj
    found = [
        (origin, doc)
        for origin, doc in scan.data_objects
        if doc.get("kind") == kind
        and (doc.get("metadata") or {}).get("name") == name
        and (doc.get("metadata") or {}).get("namespace") in (None, "", node.ns)
    ]
    exact = [(o, d) for o, d in found if (d.get("metadata") or {}).get("namespace") == node.ns]
    candidates = exact or found
    if not candidates:
        return None
    origin, doc = max(candidates, key=lambda od: closeness(od[0], node.near))
    return f"from {origin}", doc


def _body(kind: str, name: str, ns: str, src: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": ns},
    }
    if kind == "ConfigMap":
        body["data"] = {str(k): _scalar(v) for k, v in (src.get("data") or {}).items()}
        if src.get("binaryData"):
            body["binaryData"] = {str(k): str(v) for k, v in src["binaryData"].items()}
    else:
        for field_ in ("data", "stringData"):
            if src.get(field_):
                body[field_] = {str(k): _scalar(v) for k, v in src[field_].items()}
    return body


def secret_values(
    node: Node, objects: list[tuple[dict[str, Any], dict[str, Any] | None]]
) -> SecretValues:
    """The values flux takes from Secrets for `node` (LoadVariables: substituteFrom in order,
    later wins, then the inline `substitute`; newlines removed), each with fluxops's mask."""
    final: dict[str, tuple[str, str | None]] = {}  # variable -> (value, mask or None)
    for ref, obj in objects:
        if obj is None:
            continue
        if ref.get("kind") == "ConfigMap":
            for key, value in (obj.get("data") or {}).items():
                final[str(key)] = (_scalar(value), None)
        else:
            values, sops = _secret_values(obj)
            for key, value in values.items():
                final[key] = (value, SOPS_VAR_MASK if sops else SECRET_VAR_MASK)
    post = (node.doc.get("spec") or {}).get("postBuild") or {}
    for key in post.get("substitute") or {}:
        final[str(key)] = ("", None)
    return SecretValues(
        {value.replace("\n", ""): mask for value, mask in final.values() if mask is not None}
    )


# ---- the API server -------------------------------------------------------------------------


class ApiServerBuilds:
    """discover()'s `live` builder. The cluster is asked for (started) on the first use only."""

    def __init__(
        self, flux: FluxCli, scan: RepoScan, workdir: Path, cluster: Callable[[], Any]
    ) -> None:
        self.flux, self.scan, self.workdir = flux, scan, workdir
        self._get_cluster = cluster
        self._cluster: Any = None
        self._client: Any = None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _connect(self) -> Any:
        if self._client is None:
            self._cluster = self._get_cluster()
            self._client = self._cluster.admin()
        return self._client

    def __call__(self, node: Node, built: list[Node]) -> None:
        from lightkube.core.exceptions import ApiError

        refs = substitute_from(node.doc)
        objects: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        bodies: list[dict[str, Any]] = []
        for ref in refs:
            kind, name = str(ref.get("kind")), str(ref.get("name"))
            hit = None
            if kind in ("ConfigMap", "Secret"):
                hit = find_object(kind, name, node, self.scan, built)
            optional = " (optional)" if ref.get("optional") is True else ""
            if hit is None:
                node.made.append(f"{kind}/{name}{optional}: not in the repo, not created")
                objects.append((ref, None))
                continue
            where, src = hit
            node.made.append(f"{kind}/{name}{optional} {where}")
            body = _body(kind, name, node.ns, src)
            objects.append((ref, body))
            bodies.append(body)
        values = secret_values(node, objects)
        if values:
            node.scrub = values.scrub
        client = self._connect()
        created: list[tuple[type[Any], str]] = []
        try:
            _ensure_namespace(client, node.ns)
            for body in [*bodies, _placeholder(node)]:
                created.append(_create(client, body))
        except ApiError as exc:  # a refusal (e.g. a malformed Secret): not compared, why
            node.skip = (
                f"needs the API server: the harness cannot create what substituteFrom names "
                f"({values.scrub(str(exc))[:200]})"
            )
            _delete(client, created, node.ns)
            return
        try:
            kube = (self._cluster.kubeconfig, self._cluster.admin_context)
            result = run_flux(self.flux, node, self.workdir, kube=kube)
        finally:
            _delete(client, created, node.ns)
        if result.ok:
            normalised = []
            for obj in result.objects:
                obj, n = values.normalise(obj)
                normalised.append(obj)
                node.masked += n
            result = Build(ok=True, objects=normalised)
        else:
            result = Build(ok=False, error=values.scrub(result.error))
        node.flux = result


def _placeholder(node: Node) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": node.name, "namespace": node.ns},
        "spec": {"interval": "1h", "prune": False, "sourceRef": PLACEHOLDER_SOURCE},
    }


def _ensure_namespace(client: Any, name: str) -> None:
    from lightkube.core.exceptions import ApiError
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import Namespace

    try:
        client.get(Namespace, name)
    except ApiError as exc:
        if exc.status.code != 404:
            raise
        client.create(Namespace(metadata=ObjectMeta(name=name)))


def _create(client: Any, body: dict[str, Any]) -> tuple[type[Any], str]:
    """Create the object, replacing one of that name left behind (by an aborted run)."""
    from lightkube import codecs
    from lightkube.core.exceptions import ApiError
    from lightkube.generic_resource import create_namespaced_resource

    if body["kind"] == "Kustomization":
        create_namespaced_resource(
            "kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations"
        )
    res = codecs.from_dict(body)
    md = body["metadata"]
    try:
        client.create(res)
    except ApiError as exc:
        if exc.status.code != 409:
            raise
        client.delete(type(res), md["name"], namespace=md["namespace"])
        client.create(res)
    return type(res), md["name"]


def _delete(client: Any, created: list[tuple[type[Any], str]], ns: str) -> None:
    from lightkube.core.exceptions import ApiError

    for kind, name in reversed(created):
        try:
            client.delete(kind, name, namespace=ns)
        except ApiError as exc:
            if exc.status.code != 404:
                raise
