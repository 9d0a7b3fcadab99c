"""Turn what goes wrong on the wire into `ClusterError`s that say where, what and what to do.

Every message names the server and the kind/namespace concerned. 403 becomes `ForbiddenError`
(with the refused verb, resource and namespace), so callers can tell "not allowed" apart from
"not there" and "not reachable".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fluxops.errors import ClusterError, ForbiddenError, NotServedError


@dataclass(frozen=True)
class Target:
    """What a request is about, for messages."""

    server: str
    context: str
    verb: str  # the Kubernetes verb: get, list, patch, ...
    kind: str = ""
    api_version: str = ""
    resource: str = ""  # plural[.group]; "" for discovery
    namespace: str | None = None
    name: str | None = None

    def describe(self) -> str:
        what = self.kind or self.resource or "the API"
        if self.api_version and self.kind:
            what = f"{self.kind} ({self.api_version})"
        if self.name:
            what += f" {self.namespace + '/' if self.namespace else ''}{self.name}"
        elif self.namespace:
            what += f" in namespace {self.namespace!r}"
        elif self.kind and self.verb == "list":
            what += " in all namespaces"
        return what

    def obj(self) -> str | None:
        if not self.kind:
            return None
        if self.name:
            return f"{self.kind} {self.namespace + '/' if self.namespace else ''}{self.name}"
        return self.kind


def unreachable(target: Target, reason: str, timeout: float) -> ClusterError:
    if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate verify failed" in reason:
        return ClusterError(
            f"TLS verification of the API server {target.server} failed: {reason}",
            obj=target.obj(),
            hint=f"check the certificate-authority of kubeconfig context {target.context!r}",
        )
    return ClusterError(
        f"cannot reach the API server {target.server} of kubeconfig context "
        f"{target.context!r} (to {target.verb} {target.describe()}): {reason}",
        obj=target.obj(),
        hint=(
            f"check that the cluster is up and that kubeconfig context {target.context!r} points "
            f"to it (gave up after {timeout:g}s; raise the timeout for slow links)"
        ),
    )


def not_kubernetes(target: Target, status: int) -> ClusterError:
    return ClusterError(
        f"{target.server} (kubeconfig context {target.context!r}) is not a Kubernetes API "
        f"server: GET /version answered {status} without a Kubernetes version document",
        hint=f"check the server URL of kubeconfig context {target.context!r} (kubectl config "
        "view --minify) and that it points at the cluster's API server, not a proxy or a web "
        "page",
    )


def bad_credentials(target: Target, detail: str) -> ClusterError:
    return ClusterError(
        f"the API server {target.server} rejected the credentials of kubeconfig context "
        f"{target.context!r} (401 Unauthorized){': ' + detail if detail else ''}",
        obj=target.obj(),
        hint="log in again or refresh the token / client certificate of that context",
    )


def status_message(body: Any) -> str:
    if isinstance(body, Mapping):
        return str(body.get("message") or body.get("reason") or "").strip()
    return ""


def from_status(code: int, body: Any, target: Target) -> ClusterError:
    """Map an HTTP error status (with its Status body, if any) to a ClusterError."""
    msg = status_message(body)
    details = body.get("details") if isinstance(body, Mapping) else None
    if code == 401:
        return bad_credentials(target, msg)
    if code == 403:
        where = f"in namespace {target.namespace!r}" if target.namespace else "cluster-wide"
        resource = target.resource or "the API"
        return ForbiddenError(
            f"forbidden on {target.server}: may not {target.verb} {resource} {where}"
            f"{' (' + msg + ')' if msg else ''}",
            verb=target.verb,
            resource=resource,
            namespace=target.namespace,
            obj=target.obj(),
            hint=(
                f"grant the user of kubeconfig context {target.context!r} '{target.verb}' on "
                f"{resource} {where} (a Role/ClusterRole and binding), or use a context that "
                "has it"
            ),
        )
    if code == 404:
        if isinstance(details, Mapping) and details.get("kind") == "namespaces":
            return ClusterError(
                f"namespace {details.get('name')!r} does not exist on {target.server} "
                f"(to {target.verb} {target.describe()})",
                obj=target.obj(),
                hint="create the namespace first (Flux applies Namespaces before what is in them)",
            )
        return not_served(target)
    if code == 410:
        return ClusterError(
            f"the list of {target.describe()} on {target.server} expired while paging ({msg})",
            obj=target.obj(),
            hint="run again; a larger chunk size needs fewer pages",
        )
    if code == 409:
        return ClusterError(
            f"conflict on {target.server} for {target.describe()}: {msg}",
            obj=target.obj(),
            hint="another field manager owns these fields; apply with force to take them over",
        )
    if code == 422 or code == 400:
        return ClusterError(
            f"the API server {target.server} rejected {target.describe()}: {msg}",
            obj=target.obj(),
            hint="fix the object (the message says which field); it would fail in Flux too",
        )
    return ClusterError(
        f"the API server {target.server} answered {code} to {target.verb} "
        f"{target.describe()}{': ' + msg if msg else ''}",
        obj=target.obj(),
        hint="retry; if it persists, look at the API server's health (kubectl get --raw /readyz)",
    )


def not_served(target: Target, served: list[str] | None = None) -> NotServedError:
    also = f" (it serves {', '.join(served)})" if served else ""
    return NotServedError(
        f"the API server {target.server} does not serve "
        f"{target.kind or target.resource} in {target.api_version or 'this API'}{also}",
        obj=target.obj(),
        hint=(
            "install the CustomResourceDefinition that defines it (for Flux kinds: flux install, "
            "or the Flux version your repo targets), or use an apiVersion the server serves"
        ),
    )
