"""The `check` verb: can this cluster run Flux, and what this repository asks of it?

- the Kubernetes version against Flux's minimum (flux v2.9 `check`: `>=1.33.0-0`: any
  1.33.0 pre-release counts, so the major.minor.patch of the server's gitVersion is compared);
- the Flux controllers: Deployments labelled `app.kubernetes.io/part-of=flux` in the Flux
  namespace (as `flux check` finds them), their images and tags, and whether each is available
  (kstatus, `status.health`);
- the Flux kinds the cluster serves, in which apiVersions (discovery);
- with a repository: every apiVersion/kind its YAML files use, against what the cluster
  serves. A version the cluster does not serve (while it serves the group) is an error naming
  the versions it serves; a group it does not serve is an error for Flux's groups and a
  warning for others, unless a CustomResourceDefinition in the repository defines it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluxops.errors import ClusterError, ForbiddenError
from fluxops.model.findings import Finding, Severity
from fluxops.status.check_model import (
    KUBERNETES_MINIMUM,
    CheckResult,
    ControllerCheck,
    RepoApiVersion,
    ServedKind,
)

if TYPE_CHECKING:
    from fluxops.cluster.client import ClusterClient
    from fluxops.loader.repo import Repo

#: apiVersion groups that are configuration, never sent to a cluster
NOT_APPLIED = frozenset({"kustomize.config.k8s.io", "config.kubernetes.io", "builtin"})
PART_OF = "app.kubernetes.io/part-of=flux"
_GIT_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


@dataclass
class CheckRequest:
    """The current (or `context`) cluster; `repo`: also check the API versions it uses."""

    repo: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    timeout: float = 10.0
    flux_namespace: str = "flux-system"


def run(request: CheckRequest) -> CheckResult:
    from fluxops.cluster.client import connect

    repo = None
    if request.repo:
        from fluxops.loader.repo import load_repo

        repo = load_repo(request.repo)  # a bad path is a usage error before any request
    result = CheckResult(repo=request.repo, flux_namespace=request.flux_namespace)
    try:
        with connect(request.kubeconfig, request.context, timeout=request.timeout) as client:
            result.cluster, result.server = client.context, client.server
            _kubernetes(client, result)
            _controllers(client, request.flux_namespace, result)
            served = _served_flux_kinds(client)
            result.served = [ServedKind(k, tuple(v)) for k, v in sorted(served.items())]
            if repo is not None:
                _repo_api_versions(client, repo, result)
    except ClusterError as exc:
        result.error, result.error_hint = exc.message, exc.hint or ""
        result.error_code = exc.code
    return result


def parse_kubernetes_version(git_version: str) -> tuple[int, int, int] | None:
    match = _GIT_VERSION.match(git_version.strip())
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def kubernetes_finding(git_version: str) -> Finding | None:
    """None when `git_version` meets Flux v2.9's minimum, else the finding."""
    parsed = parse_kubernetes_version(git_version)
    if parsed is None:
        return Finding(
            "CK001", Severity.ERROR, f"cannot read the Kubernetes version {git_version!r}"
        )
    if parsed < KUBERNETES_MINIMUM:
        minimum = ".".join(map(str, KUBERNETES_MINIMUM))
        return Finding(
            "CK001",
            Severity.ERROR,
            f"Kubernetes {git_version} is older than Flux v2.9's minimum {minimum}",
            hint="upgrade the cluster, or stay on a Flux release that supports it",
        )
    return None


def _kubernetes(client: ClusterClient, result: CheckResult) -> None:
    result.kubernetes_version = str(client.version().get("gitVersion") or "")
    finding = kubernetes_finding(result.kubernetes_version)
    result.kubernetes_ok = finding is None
    if finding is not None:
        result.findings.append(finding)


def image_tag(image: str) -> str:
    """The tag of an image reference (`repo:tag@digest` -> tag; no tag -> the digest or '')."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        return last.split(":", 1)[1]
    return digest


def _controllers(client: ClusterClient, namespace: str, result: CheckResult) -> None:
    from fluxops.status.health import health

    try:
        deployments = list(client.list("apps/v1", "Deployment", namespace, label_selector=PART_OF))
    except ForbiddenError as exc:
        result.findings.append(
            Finding("CK006", Severity.WARNING, f"cannot list the Flux controllers: {exc.message}")
        )
        return
    if not deployments:
        result.findings.append(
            Finding(
                "CK002",
                Severity.ERROR,
                f"no Flux controllers in namespace {namespace!r} (Deployments labelled {PART_OF})",
                hint="install Flux (`flux install` or `flux bootstrap`), or pass --flux-namespace",
            )
        )
    for deploy in deployments:
        name = str((deploy.get("metadata") or {}).get("name") or "")
        pod_spec = ((deploy.get("spec") or {}).get("template") or {}).get("spec") or {}
        images = tuple(str(c.get("image") or "") for c in pod_spec.get("containers") or [])
        verdict = health(deploy)
        check = ControllerCheck(
            name=name,
            images=images,
            versions=tuple(image_tag(i) for i in images),
            status=verdict.status,
            message=verdict.message,
            available=verdict.healthy,
        )
        result.controllers.append(check)
        if not check.available:
            result.findings.append(
                Finding(
                    "CK003",
                    Severity.ERROR,
                    f"Flux controller {namespace}/{name} is not available: {verdict.status}: "
                    f"{verdict.message}",
                    object=f"Deployment/{namespace}/{name}",
                    hint=f"kubectl -n {namespace} describe deployment {name}",
                )
            )


def _served_flux_kinds(client: ClusterClient) -> dict[str, list[str]]:
    from fluxops.cluster.discovery import FLUX_GROUPS, join_api_version

    out: dict[str, list[str]] = {}
    for group in FLUX_GROUPS:
        for version in client.served_versions(group):
            for kind in client.resources(group, version):
                out.setdefault(kind, []).append(join_api_version(group, version))
    return out


def _repo_crds(repo: Repo) -> dict[tuple[str, str], set[str]]:
    """(group, kind) -> versions served by the CustomResourceDefinitions in the repository."""
    out: dict[tuple[str, str], set[str]] = {}
    for res in repo.resources:
        if res.kind != "CustomResourceDefinition":
            continue
        raw_spec = res.raw.get("spec")
        spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
        names = spec.get("names")
        kind = names.get("kind") if isinstance(names, dict) else None
        key = (str(spec.get("group") or ""), str(kind or ""))
        for v in spec.get("versions") or []:
            if isinstance(v, dict) and v.get("served", True) and v.get("name"):
                out.setdefault(key, set()).add(str(v["name"]))
    return out


def _repo_api_versions(client: ClusterClient, repo: Repo, result: CheckResult) -> None:
    from fluxops.cluster.discovery import FLUX_GROUPS, join_api_version, split_api_version

    uses: dict[tuple[str, str], list[str]] = {}
    for res in repo.resources:
        if not res.api_version or not res.kind:
            continue
        try:
            group, _ = split_api_version(res.api_version)
        except ValueError:
            continue
        if group in NOT_APPLIED or res.kind == "List":
            continue
        uses.setdefault((res.api_version, res.kind), []).append(str(res.origin or ""))
    crds = _repo_crds(repo)
    unserved_groups: dict[str, list[RepoApiVersion]] = {}
    for (api_version, kind), where in sorted(uses.items()):
        group, version = split_api_version(api_version)
        served = [
            join_api_version(group, v)
            for v in client.served_versions(group)
            if kind in client.resources(group, v)
        ]
        ok = api_version in served
        note = ""
        hint: str | None
        if not ok and version in crds.get((group, kind), set()):
            ok, note = True, "defined by a CustomResourceDefinition in the repository"
        entry = RepoApiVersion(api_version, kind, len(where), where[0], ok, tuple(served), note)
        result.repo_api_versions.append(entry)
        if ok:
            continue
        uses_text = f"{len(where)} object(s) use {api_version} {kind}"
        if served:
            message = (
                f"{uses_text}, which the cluster does not serve; it serves {kind} as "
                f"{', '.join(served)}"
            )
            hint = f"change apiVersion to {served[0]}"
        elif group in FLUX_GROUPS or not group or client.served_versions(group):
            message = f"{uses_text}: the cluster does not serve {kind} in any version"
            hint = "install or upgrade Flux (its CRDs)" if group in FLUX_GROUPS else None
        else:
            unserved_groups.setdefault(group, []).append(entry)
            continue
        result.findings.append(_finding("CK004", Severity.ERROR, message, where[0], kind, hint))
    for group, entries in sorted(unserved_groups.items()):
        kinds = ", ".join(f"{e.kind} ({e.api_version}) x{e.count}" for e in entries)
        message = f"the cluster does not serve the API group {group}, used by {kinds}"
        hint = "its CustomResourceDefinitions must be installed before these objects apply"
        first = entries[0]
        result.findings.append(
            _finding("CK005", Severity.WARNING, message, first.first, first.kind, hint)
        )


def _finding(
    code: str, severity: Severity, message: str, where: str, kind: str, hint: str | None
) -> Finding:
    file, _, line = where.rpartition(":")
    return Finding(
        code,
        severity,
        message,
        file=file or None,
        line=int(line) if line.isdigit() else None,
        object=kind,
        hint=hint,
    )
