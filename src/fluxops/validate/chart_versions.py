"""The note that a bundled CRD may not be the installed one: a HelmRelease pins a chart of the
operator (`spec.chart.spec.version`, or the tag of the OCIRepository its `chartRef` names) at a
release other than the catalog's."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Resource

_EXACT = re.compile(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")


def _chart_pins(objects: Iterable[Resource]) -> list[tuple[str, str, str]]:
    """(chart name, exact version, HelmRelease) for each HelmRelease with an exact version."""
    objects = list(objects)
    oci = {
        (o.namespace, o.name): o.spec
        for o in objects
        if o.kind == "OCIRepository" and o.api_version.startswith("source.toolkit.fluxcd.io/")
    }
    pins = []
    for hr in objects:
        if hr.kind != "HelmRelease" or not hr.api_version.startswith("helm.toolkit.fluxcd.io/"):
            continue
        chart: Any = ((hr.spec.get("chart") or {}).get("spec")) or {}
        name, version = chart.get("chart"), chart.get("version")
        ref = hr.spec.get("chartRef") or {}
        if not name and isinstance(ref, dict) and ref.get("kind") == "OCIRepository":
            repo = oci.get((str(ref.get("namespace") or hr.namespace), str(ref.get("name"))))
            if repo is not None:
                name = str(repo.get("url") or "").rstrip("/").rpartition("/")[2]
                version = (repo.get("ref") or {}).get("tag")
        if isinstance(name, str) and isinstance(version, str) and _EXACT.match(version):
            pins.append((name, version, f"HelmRelease/{hr.namespace}/{hr.name}"))
    return pins


def catalog_version_notes(
    objects: Iterable[Resource], used_sources: Iterable[str], sources: dict[str, Any]
) -> list[Finding]:
    """One note per HelmRelease whose chart is another release of a catalog source that
    validated objects in this run (`used_sources`: catalog source names)."""
    used = set(used_sources)
    notes = []
    for chart, version, owner in _chart_pins(objects):
        for name, source in sources.items():
            if name not in used or chart not in source.get("charts", []):
                continue
            bundled = str(source.get("version", ""))
            if version.lstrip("v") != bundled.lstrip("v"):
                notes.append(
                    Finding(
                        "catalog-version",
                        Severity.INFO,
                        f"{owner} installs {chart} {version}; the bundled {name} CRDs are "
                        f"{bundled}: fields added or removed in between may be misjudged",
                        object=owner,
                        hint="pass the CRDs of that release with --crds (or --crds-from-cluster)",
                    )
                )
    return notes
