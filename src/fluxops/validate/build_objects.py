"""Validate every object a build rendered: each cluster's CRDs (from its files and its
output) become schema sources for that cluster's objects, then `Validator` checks each
object; the findings and counts make the `ValidateResult`."""

from __future__ import annotations

import time
from collections.abc import Iterable

from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Resource
from fluxops.model.results import BuildResult
from fluxops.validate.catalog import SchemaCatalog
from fluxops.validate.crds import is_crd
from fluxops.validate.locate import ReadText
from fluxops.validate.results import ValidateResult, dedupe
from fluxops.validate.validator import ValidateOptions, Validator, _Item


def validate_build(
    build: BuildResult,
    repo_resources: Iterable[Resource],
    catalog: SchemaCatalog,
    options: ValidateOptions,
    read_text: ReadText,
) -> ValidateResult:
    """Validate every object that `build` rendered. CRDs found in the repository files and in
    the rendered output are schema sources for the rest."""
    started = time.perf_counter()
    operator = False
    # A CRD that a cluster's Kustomizations render belongs to that cluster (a Flux release
    # vendored for one cluster must not judge another's objects); CRD files no render reached
    # hold for every cluster.
    rendered_crd_files = {
        obj.origin.file
        for kb in build.builds
        for obj in kb.objects
        if obj.origin is not None and is_crd(obj.raw)
    }
    for resource in repo_resources:
        operator = operator or _flux_operator(resource)
        file = resource.origin.file if resource.origin else ""
        if is_crd(resource.raw) and file not in rendered_crd_files:
            catalog.add_crd(resource.raw, file)
    items: list[_Item] = []
    for kb in build.builds:
        owner = f"Kustomization/{kb.ref}" if kb.kustomization.kind else ""
        if kb.status != "ok":
            continue
        cluster = kb.target
        for obj in kb.objects:
            operator = operator or _flux_operator(obj)
            if is_crd(obj.raw):
                catalog.add_crd(obj.raw, obj.origin.file if obj.origin else owner, scope=cluster)
            items.append(_Item(obj, kb.kustomization.origin, owner, cluster))
    if operator:
        catalog.use_flux_operator()
    validator = Validator(catalog, options, read_text)
    result = validator.result
    result.crds = catalog.crd_count
    result.builds_ok = build.ok
    result.builds_failed = build.failed
    findings: list[Finding] = []
    for kb in build.builds:
        if kb.status == "failed":
            origin = kb.kustomization.origin
            findings.append(
                Finding(
                    "build-failed",
                    Severity.ERROR,
                    f"Kustomization {kb.ref} failed to render, its objects were not validated: "
                    f"{kb.error}",
                    file=origin.file if origin else None,
                    line=origin.line if origin else None,
                    object=f"Kustomization/{kb.ref}",
                )
            )
    for item in items:
        try:
            findings.extend(validator.validate(item))
        except RecursionError:
            findings.append(
                validator._finding(
                    item,
                    "schema",
                    Severity.ERROR,
                    "the object (or its schema) nests too deeply to validate",
                    (),
                    None,
                )
            )
    findings.extend(validator._crd_findings)
    if catalog.use_bundled:
        from fluxops.validate.bundled import catalog_index
        from fluxops.validate.chart_versions import catalog_version_notes

        used = [s.split(" ")[1] for s in result.by_source if s.startswith("catalog: ")]
        if used:
            rendered = [i.resource for i in items]
            notes = catalog_version_notes(rendered, used, catalog_index()["sources"])
            findings.extend(notes)
    findings.extend(f for f in build.all_findings() if f.severity >= Severity.WARNING)
    result.cel_skipped = validator.skipped_rules()
    for skipped in result.cel_skipped:
        findings.append(
            Finding(
                "schema-cel-unsupported",
                Severity.INFO,
                f"CEL rule of {skipped.kind} {skipped.api_version} not evaluated on "
                f"{skipped.count} object(s): {skipped.reason}: {skipped.rule}",
                object=f"{skipped.kind} ({skipped.api_version})",
            )
        )
    result.findings = dedupe(findings)
    result.compiled = validator.cache.compiled
    result.loaded_from_cache = validator.cache.loaded
    result.seconds = time.perf_counter() - started
    return result


def _flux_operator(resource: Resource) -> bool:
    """Signs that the Flux Operator installs Flux: a FluxInstance, or the flux-operator /
    flux-instance charts."""
    if resource.kind == "FluxInstance":
        return True
    if resource.kind in ("HelmRelease", "OCIRepository", "HelmRepository"):
        if resource.name in ("flux-operator", "flux-instance"):
            return True
        values = resource.spec.get("values")
        return isinstance(values, dict) and isinstance(values.get("instance"), dict)
    return False
