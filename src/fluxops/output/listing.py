"""`fluxops list` results: a table per cluster for people, the JSON envelope (docs/json.md, one
top-level key per kind of object) for machines and the MCP server."""

from __future__ import annotations

import re
from typing import Any

from fluxops.output.envelope import envelope, register_documents
from fluxops.output.escape import escape_text
from fluxops.output.registry import Rendered, View, formatter
from fluxops.output.text import finding_line
from fluxops.render.listing import (
    ListedHelmRelease,
    ListedKustomization,
    ListedSource,
    ListResult,
)

_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://[^/@:]*):[^/@]*@")


def safe_url(url: str) -> str:
    """A source URL with the password of its user information masked."""
    return _USERINFO.sub(r"\1:***@", url)


def kustomization_data(item: ListedKustomization) -> dict[str, Any]:
    return {
        "cluster": item.cluster,
        "namespace": item.namespace,
        "name": item.name,
        "path": item.path,
        "sourceRef": item.source,
        "dependsOn": item.depends_on,
        "parent": item.parent,
        "definedIn": item.defined_in,
        "interval": item.interval,
        "prune": item.prune,
        "suspended": item.suspended,
        "status": item.status,
        "objects": item.objects,
        "error": item.error,
    }


def helm_release_data(item: ListedHelmRelease) -> dict[str, Any]:
    return {
        "cluster": item.cluster,
        "namespace": item.namespace,
        "name": item.name,
        "chart": item.chart,
        "version": item.version,
        "sourceRef": item.source,
        "dependsOn": item.depends_on,
        "kustomization": item.kustomization,
        "definedIn": item.defined_in,
        "interval": item.interval,
        "suspended": item.suspended,
    }


def source_data(item: ListedSource) -> dict[str, Any]:
    return {
        "cluster": item.cluster,
        "kind": item.kind,
        "namespace": item.namespace,
        "name": item.name,
        "url": safe_url(item.url),
        "ref": item.ref,
        "kustomization": item.kustomization,
        "definedIn": item.defined_in,
        "interval": item.interval,
        "suspended": item.suspended,
    }


def to_data(result: ListResult) -> dict[str, Any]:
    """The envelope of docs/json.md: counts in `summary`, one top-level key per kind of
    object."""
    summary = {
        "clusters": len(result.clusters),
        "kustomizations": len(result.kustomizations),
        "helmReleases": len(result.helm_releases),
        "sources": len(result.sources),
        "failed": result.failed,
    }
    data = {
        "clusters": result.clusters,
        "kustomizations": [kustomization_data(k) for k in result.kustomizations],
        "helmReleases": [helm_release_data(h) for h in result.helm_releases],
        "sources": [source_data(s) for s in result.sources],
    }
    return envelope(result, summary=summary, data=data)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    cells = [[escape_text(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return out


def _cluster_text(result: ListResult, cluster: str) -> list[str]:
    lines = [f"cluster {escape_text(cluster)}"]
    kss = [k for k in result.kustomizations if k.cluster == cluster]
    if kss:
        rows = [
            [
                f"{k.namespace}/{k.name}",
                k.path or "./",
                k.source,
                ", ".join(k.depends_on) or "-",
                k.status + (" (suspended)" if k.suspended else ""),
            ]
            for k in kss
        ]
        lines += ["", "  Kustomizations"]
        lines += [
            "  " + r for r in _table(["NAME", "PATH", "SOURCE", "DEPENDS ON", "STATUS"], rows)
        ]
    hrs = [h for h in result.helm_releases if h.cluster == cluster]
    if hrs:
        rows = [
            [
                f"{h.namespace}/{h.name}",
                h.chart + (f"@{h.version}" if h.version else ""),
                h.source or "-",
                ", ".join(h.depends_on) or "-",
                h.kustomization,
            ]
            for h in hrs
        ]
        headers = ["NAME", "CHART", "SOURCE", "DEPENDS ON", "KUSTOMIZATION"]
        lines += ["", "  HelmReleases"] + ["  " + r for r in _table(headers, rows)]
    sources = [s for s in result.sources if s.cluster == cluster]
    if sources:
        rows = [
            [f"{s.kind}/{s.namespace}/{s.name}", safe_url(s.url) or "-", s.ref or "-"]
            for s in sources
        ]
        lines += ["", "  Sources"] + ["  " + r for r in _table(["NAME", "URL", "REF"], rows)]
    return lines


@formatter("ListResult", "text")
def text_format(result: ListResult, view: View) -> Rendered:
    blocks = ["\n".join(_cluster_text(result, c)) for c in result.clusters]
    stdout = "\n\n".join(blocks) + "\n" if blocks else ""
    notes = [finding_line(f) for f in result.findings if str(f.severity) != "info" or view.verbose]
    notes += [
        f"FAILED Kustomization {escape_text(k.namespace)}/{escape_text(k.name)}: "
        f"{escape_text(k.error or '', indent='    ')}"
        for k in result.kustomizations
        if k.status == "failed"
    ]
    notes.append(
        f"{len(result.kustomizations)} Kustomizations, {len(result.helm_releases)} HelmReleases, "
        f"{len(result.sources)} sources in {len(result.clusters)} clusters"
    )
    return Rendered(stdout, "\n".join(notes) + "\n")


register_documents("ListResult", to_data)
