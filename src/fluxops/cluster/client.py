"""A small, typed client for the Kubernetes API, over lightkube.

lightkube reads the kubeconfig (contexts, tokens, client certificates, exec credential
plugins, CAs) and provides the HTTP connection. Requests are made on the resource paths found
by API discovery, for any kind, with raw JSON dicts in and out: objects come back exactly as the
server sends them (no typed models that drop unknown fields, no global registry of kinds),
and list paging is visible (`stats`). lightkube is imported only when a client is created.

    with connect(kubeconfig=None, context="prod", timeout=10) as c:
        for ks in c.list("kustomize.toolkit.fluxcd.io/v1", "Kustomization", namespace="flux-system"):
            ...
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from fluxops.cluster import discovery, failures
from fluxops.cluster.discovery import APIResource
from fluxops.cluster.kubeconfig import select_context
from fluxops.cluster.transport import Obj, RequestStats, Transport
from fluxops.errors import ClusterError

if TYPE_CHECKING:
    import httpx2
    from lightkube.config.kubeconfig import SingleConfig

    from fluxops.cluster.plain_http import PlainHTTP, SimpleContext


DEFAULT_TIMEOUT = 10.0
#: how long `ClusterClient.probe` waits for /version
PROBE_TIMEOUT = 5.0
_APPLY_PATCH = "application/apply-patch+yaml"  # JSON is YAML: the body is sent as JSON


def connect(
    kubeconfig: str | None = None, context: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> ClusterClient:
    """A client for the cluster of `context` in `kubeconfig`.

    `kubeconfig` None means `$KUBECONFIG` (its first existing file), then `~/.kube/config`,
    then the in-cluster service account. `context` None means the current context. `timeout`
    (seconds) bounds connecting and each request. Does not talk to the server yet.
    """
    from fluxops.cluster.kubeconfig import load_merged
    from fluxops.cluster.plain_http import simple_context

    doc, files = load_merged(kubeconfig)
    simple = simple_context(doc, context) if files else None
    if simple is not None:
        return ClusterClient.plain(simple, timeout=timeout)
    config, exec_spec = select_context(kubeconfig, context)
    return ClusterClient(config, timeout=timeout, exec_spec=exec_spec)


class ClusterClient(Transport):
    """One connection to one API server, as one kubeconfig context. Use `connect()`."""

    def __init__(
        self,
        config: SingleConfig,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        exec_spec: Mapping[str, Any] | None = None,
    ) -> None:
        import httpx2
        from lightkube.config.client_adapter import Client, ConnectionParams

        self.server: str = config.cluster.server.rstrip("/")
        self.context: str = config.context_name
        self.namespace: str = config.namespace
        self.timeout = timeout
        self.stats = RequestStats()
        self._http: httpx2.Client | PlainHTTP = Client(
            config, ConnectionParams(timeout=httpx2.Timeout(timeout))
        )
        if exec_spec is not None:
            from fluxops.cluster.exec_credential import ExecCredentialAuth

            self._http.auth = ExecCredentialAuth(
                exec_spec, user=str(config.context.user or ""), timeout=timeout
            )
        self._init_state()

    @classmethod
    def plain(cls, config: SimpleContext, *, timeout: float = DEFAULT_TIMEOUT) -> ClusterClient:
        """A token-and-CA context over the standard library (`fluxops.cluster.plain_http`)."""
        from fluxops.cluster.plain_http import PlainHTTP

        client = cls.__new__(cls)
        client.server = config.server
        client.context = config.context
        client.namespace = config.namespace
        client.timeout = timeout
        client.stats = RequestStats()
        client._http = PlainHTTP(config, timeout)
        client._init_state()
        return client

    def _init_state(self) -> None:
        import threading

        # discovery is asked once: threads that need the same answer wait for it
        self._discovery_lock = threading.RLock()
        self._groups: dict[str, builtins.list[str]] = {}
        self._aggregated_tried = False
        self._resources: dict[tuple[str, str], dict[str, APIResource] | None] = {}

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ClusterClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ClusterClient(server={self.server!r}, context={self.context!r})"

    # -- objects -------------------------------------------------------------------------

    def list(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        chunk_size: int = 500,
        label_selector: str | None = None,
    ) -> Iterator[Obj]:
        """Every object of `kind` in `namespace` (None: all namespaces), paging `chunk_size`
        at a time through the server's `continue` tokens. Items get `apiVersion` and `kind`
        (the list API leaves them out of built-in kinds' items). `label_selector` filters on
        the server (`app=web,tier!=db`)."""
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        res = self.resource(api_version, kind)
        ns = namespace if res.namespaced else None
        target = self._target("list", res, namespace=ns)
        path = self._collection_path(res, ns)
        cont: str | None = None
        while True:
            params = {"limit": str(chunk_size)}
            if label_selector:
                params["labelSelector"] = label_selector
            if cont:
                params["continue"] = cont
            self.stats.list_pages += 1
            page = self._json(self._request("GET", path, target, params=params))
            for item in page.get("items") or []:
                item.setdefault("apiVersion", res.api_version)
                item.setdefault("kind", res.kind)
                yield item
            cont = (page.get("metadata") or {}).get("continue")
            if not cont:
                return

    def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> Obj | None:
        """The object, or None when it does not exist. `namespace` None means the context's
        namespace for namespaced kinds."""
        res = self.resource(api_version, kind)
        ns = (namespace or self.namespace) if res.namespaced else None
        target = self._target("get", res, namespace=ns, name=name)
        resp = self._request(
            "GET", f"{self._collection_path(res, ns)}/{name}", target, allow=(404,)
        )
        if resp.status_code == 404:
            return None
        obj = self._json(resp)
        obj.setdefault("apiVersion", res.api_version)
        obj.setdefault("kind", res.kind)
        return obj

    def apply_dry_run(
        self,
        obj: Mapping[str, Any],
        field_manager: str = "kustomize-controller",
        force: bool = True,
    ) -> Obj:
        """Server-side apply `obj` with dryRun=All: what the object would look like after Flux
        applied it (defaults, admission, merged with the live object), without changing
        anything. Namespaced objects without a namespace go to the context's namespace."""
        api_version = str(obj.get("apiVersion") or "")
        kind = str(obj.get("kind") or "")
        meta = obj.get("metadata") or {}
        name = str(meta.get("name") or "")
        if not api_version or not kind or not name:
            raise ClusterError(
                "cannot apply an object without apiVersion, kind and metadata.name",
                obj=f"{kind or '?'} {name or '?'}",
            )
        res = self.resource(api_version, kind)
        ns = (meta.get("namespace") or self.namespace) if res.namespaced else None
        target = self._target("patch", res, namespace=ns, name=name)
        params = {"dryRun": "All", "fieldManager": field_manager}
        if force:
            params["force"] = "true"
        resp = self._request(
            "PATCH",
            f"{self._collection_path(res, ns)}/{name}",
            target,
            params=params,
            content=json.dumps(obj).encode(),
            headers={"Content-Type": _APPLY_PATCH},
        )
        return self._json(resp)

    def pod_log(self, namespace: str, pod: str, params: Mapping[str, str] | None = None) -> str:
        """The text of `pods/log` (params: container, tailLines, sinceSeconds, limitBytes)."""
        target = failures.Target(
            self.server,
            self.context,
            "get",
            kind="Pod",
            api_version="v1",
            resource="pods/log",
            namespace=namespace,
            name=pod,
        )
        path = f"/api/v1/namespaces/{namespace}/pods/{pod}/log"
        resp = self._request(
            "GET", path, target, params=params, headers={"Accept": "text/plain, */*"}
        )
        return resp.content.decode("utf-8", errors="replace")

    # -- discovery -----------------------------------------------------------------------

    def version(self) -> Obj:
        """The server's /version document (gitVersion, platform, ...)."""
        target = failures.Target(self.server, self.context, "get", resource="/version")
        return self._json(self._request("GET", "/version", target))

    def probe(self, timeout: float = PROBE_TIMEOUT) -> Obj:
        """Check, before anything else, that the server is a Kubernetes API server that
        accepts us: GET /version within `timeout` seconds (at most the client's). Raises
        ClusterError (unreachable, not Kubernetes, credentials) or ForbiddenError, naming
        the server and the kubeconfig context, so that a verb that cannot look says so
        instead of reporting what it did not see."""
        target = failures.Target(self.server, self.context, "get", resource="/version")
        wait = min(timeout, self.timeout)
        resp = self._request("GET", "/version", target, allow=(404,), timeout=wait)
        try:
            doc = resp.json()
        except ValueError:
            doc = None
        if resp.status_code != 200 or not isinstance(doc, dict) or "gitVersion" not in doc:
            raise failures.not_kubernetes(target, resp.status_code)
        return doc

    def _aggregated_discovery(self) -> None:
        """One request for every API group (aggregated discovery, Kubernetes >= 1.30) instead
        of one per group and version. Servers that answer with the legacy document keep the
        per-group requests."""
        if self._aggregated_tried:
            return
        self._aggregated_tried = True
        target = failures.Target(self.server, self.context, "get", resource="/apis")
        resp = self._request(
            "GET",
            "/apis",
            target,
            allow=(404, 406),
            headers={"Accept": discovery.AGGREGATED_ACCEPT},
        )
        if resp.status_code >= 400:
            return
        parsed = discovery.parse_aggregated(self._json(resp))
        if parsed is None:
            return
        groups, resources = parsed
        self._groups.update(groups)
        self._resources.update(resources)

    def served_versions(self, group: str) -> builtins.list[str]:
        """Versions of `group` the server serves, preferred first; [] when it serves none.
        `group` "" (or "core") is the core group."""
        group = "" if group == "core" else group
        if group not in self._groups:
            with self._discovery_lock:
                self._discover_group(group)
        return list(self._groups[group])

    def _discover_group(self, group: str) -> None:
        if group and group not in self._groups:
            # Aggregated discovery only adds what it saw: a group it lacks is asked for
            # directly (CRDs may have been installed since, by this client or another).
            self._aggregated_discovery()
        if group not in self._groups:
            target = failures.Target(
                self.server, self.context, "get", resource=discovery.group_path(group)
            )
            resp = self._request("GET", discovery.group_path(group), target, allow=(404,))
            self._groups[group] = (
                [] if resp.status_code == 404 else discovery.parse_group(group, self._json(resp))
            )

    def preferred_version(self, group: str) -> str | None:
        versions = self.served_versions(group)
        return versions[0] if versions else None

    def resources(self, group: str, version: str) -> dict[str, APIResource]:
        """Kinds served in one group version, by kind ({} when the version is not served)."""
        key = (group, version)
        if key not in self._resources:
            with self._discovery_lock:
                self._discover_resources(group, version)
        return dict(self._resources[key] or {})

    def _discover_resources(self, group: str, version: str) -> None:
        key = (group, version)
        if group and key not in self._resources:
            self._aggregated_discovery()
        if key not in self._resources:
            path = discovery.group_version_path(group, version)
            target = failures.Target(self.server, self.context, "get", resource=path)
            resp = self._request("GET", path, target, allow=(404,))
            self._resources[key] = (
                None
                if resp.status_code == 404
                else discovery.parse_resources(group, version, self._json(resp))
            )

    def resource(self, api_version: str, kind: str) -> APIResource:
        """How the server serves `kind` in `api_version`; ClusterError if it does not."""
        try:
            group, version = discovery.split_api_version(api_version)
        except ValueError as exc:
            raise ClusterError(str(exc), obj=kind) from exc
        found = self.resources(group, version).get(kind)
        if found is None:
            target = failures.Target(
                self.server, self.context, "get", kind=kind, api_version=api_version
            )
            served = [
                discovery.join_api_version(group, v)
                for v in self.served_versions(group)
                if kind in self.resources(group, v)
            ]
            raise failures.not_served(target, served)
        return found

    def flux_api_versions(self) -> dict[str, str]:
        """kind -> the apiVersion the server prefers for it, over the Flux API groups.
        Kinds of groups the server does not serve are absent."""
        out: dict[str, str] = {}
        for group in discovery.FLUX_GROUPS:
            versions = self.served_versions(group)
            by_version = {v: self.resources(group, v) for v in versions}
            for kind, api_version in discovery.preferred_by_kind(
                group, versions, by_version
            ).items():
                out.setdefault(kind, api_version)
        return out

    # -- paths ---------------------------------------------------------------------------

    def _target(
        self, verb: str, res: APIResource, *, namespace: str | None = None, name: str | None = None
    ) -> failures.Target:
        return failures.Target(
            server=self.server,
            context=self.context,
            verb=verb,
            kind=res.kind,
            api_version=res.api_version,
            resource=res.resource,
            namespace=namespace,
            name=name,
        )

    @staticmethod
    def _collection_path(res: APIResource, namespace: str | None) -> str:
        base = discovery.group_version_path(res.group, res.version)
        if res.namespaced and namespace:
            return f"{base}/namespaces/{namespace}/{res.plural}"
        return f"{base}/{res.plural}"
