"""Writing to the test API server for the drift tests: server-side apply as kustomize-controller
does, hand edits as `kubectl` would make them, status updates, deletes.

fluxops itself never writes; these helpers are test set-up only. They talk HTTPS with the
kubeconfig's bearer token (urllib), and use fluxops' discovery for resource paths.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from fluxops.cluster.client import ClusterClient, connect
from fluxops.drift.normalize import flux_normalize

OWNER_NAME = "kustomize.toolkit.fluxcd.io/name"
OWNER_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace"


class Kube:
    def __init__(self, kubeconfig: str, context: str = "admin") -> None:
        kc = yaml.safe_load(Path(kubeconfig).read_text())
        ctx = next(c for c in kc["contexts"] if c["name"] == context)["context"]
        cluster = next(c for c in kc["clusters"] if c["name"] == ctx["cluster"])["cluster"]
        user = next(u for u in kc["users"] if u["name"] == ctx["user"])["user"]
        self.server = cluster["server"]
        self.token = user["token"]
        ca = base64.b64decode(cluster["certificate-authority-data"]).decode()
        self.ssl = ssl.create_default_context(cadata=ca)
        self.client: ClusterClient = connect(kubeconfig, context, timeout=20)

    def close(self) -> None:
        self.client.close()

    # -- plumbing ------------------------------------------------------------------------------

    def path(self, api_version: str, kind: str, namespace: str, name: str = "") -> str:
        res = self.client.resource(api_version, kind)
        base = f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"
        if res.namespaced:
            base += f"/namespaces/{namespace}"
        base += f"/{res.plural}"
        return f"{base}/{name}" if name else base

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        url = self.server + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self.ssl, timeout=30) as resp:
                raw = resp.read()
                try:
                    return resp.status, json.loads(raw) if raw else None
                except ValueError:
                    return resp.status, raw.decode(errors="replace")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, raw.decode(errors="replace")

    def _ok(self, result: tuple[int, Any], what: str) -> Any:
        status, body = result
        if status >= 400:
            raise AssertionError(f"{what}: HTTP {status}: {body}")
        return body

    # -- verbs ---------------------------------------------------------------------------------

    def apply(
        self, obj: dict[str, Any], manager: str = "kustomize-controller", force: bool = True
    ) -> dict[str, Any]:
        """Server-side apply, as kustomize-controller applies (normalised, forced)."""
        obj = flux_normalize(obj)
        meta = obj.get("metadata", {})
        path = self.path(obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"])
        params = {"fieldManager": manager}
        if force:
            params["force"] = "true"
        applied: dict[str, Any] = self._ok(
            self.request("PATCH", path, obj, "application/apply-patch+yaml", params),
            f"apply {obj['kind']}/{meta['name']}",
        )
        return applied

    def patch(
        self,
        api_version: str,
        kind: str,
        namespace: str,
        name: str,
        patch: dict[str, Any],
        manager: str = "kubectl-edit",
        subresource: str = "",
        strategic: bool | None = None,
    ) -> dict[str, Any]:
        """A patch recorded as an Update by `manager`, as `kubectl edit` makes it: strategic
        merge for built-in kinds, JSON merge for custom ones (and the status subresource)."""
        if strategic is None:
            strategic = "." not in api_version.partition("/")[0] and not subresource
        content_type = (
            "application/strategic-merge-patch+json"
            if strategic
            else "application/merge-patch+json"
        )
        path = self.path(api_version, kind, namespace, name) + (
            f"/{subresource}" if subresource else ""
        )
        patched: dict[str, Any] = self._ok(
            self.request("PATCH", path, patch, content_type, {"fieldManager": manager}),
            f"patch {kind}/{name}",
        )
        return patched

    def create(self, obj: dict[str, Any], manager: str = "kubectl-create") -> dict[str, Any]:
        meta = obj["metadata"]
        path = self.path(obj["apiVersion"], obj["kind"], meta.get("namespace", ""))
        created: dict[str, Any] = self._ok(
            self.request("POST", path, obj, params={"fieldManager": manager}),
            f"create {obj['kind']}/{meta['name']}",
        )
        return created

    def delete(self, api_version: str, kind: str, namespace: str, name: str) -> None:
        self._ok(
            self.request("DELETE", self.path(api_version, kind, namespace, name)),
            f"delete {kind}/{name}",
        )

    def get(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.client.get(api_version, kind, name, namespace or None)

    def resource_versions(self, namespaces: list[str]) -> dict[str, str]:
        """kind/namespace/name -> resourceVersion of every object of the common kinds in
        `namespaces` (and the Flux Kustomizations), to prove a run wrote nothing."""
        out: dict[str, str] = {}
        kinds = [
            ("v1", "ConfigMap"),
            ("v1", "Secret"),
            ("v1", "Service"),
            ("v1", "ServiceAccount"),
            ("apps/v1", "Deployment"),
            ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"),
            ("helm.toolkit.fluxcd.io/v2", "HelmRelease"),
        ]
        for ns in namespaces:
            for api_version, kind in kinds:
                for obj in self.client.list(api_version, kind, ns):
                    meta = obj["metadata"]
                    out[f"{kind}/{ns}/{meta['name']}"] = meta["resourceVersion"]
            ns_obj = self.get("v1", "Namespace", "", ns)
            if ns_obj:
                out[f"Namespace/{ns}"] = ns_obj["metadata"]["resourceVersion"]
        return out
