"""Validate rendered objects against their schemas; a pure function from models to findings
(the only I/O is reading schema data and the compiled-validator cache)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Origin, Resource
from fluxops.model.results import BuildResult
from fluxops.validate.catalog import SchemaCatalog, SchemaEntry, SchemaMiss
from fluxops.validate.celcost import PER_CALL_LIMIT
from fluxops.validate.celrules import CelEngine, check_extras
from fluxops.validate.convert import CelRule
from fluxops.validate.crds import is_crd
from fluxops.validate.locate import LineIndex, ReadText
from fluxops.validate.messages import Describer, SchemaProblem, json_path
from fluxops.validate.metadata import check_metadata
from fluxops.validate.results import CODES, SkippedRule, ValidateResult, dedupe


@dataclass
class ValidateOptions:
    kube_version: str
    strict: bool = False
    require_schemas: bool = False
    cache_dir: Path | None = None
    cel: bool = True


@dataclass
class _Item:
    resource: Resource
    fallback: Origin | None
    owner: str
    #: The cluster whose Kustomization renders it (its CRDs come first).
    cluster: str = ""


class Validator:
    """Holds the catalog, the compiled validators and the CEL engine of one run."""

    def __init__(self, catalog: SchemaCatalog, options: ValidateOptions, read_text: ReadText):
        from fluxops.validate.compiled import ValidatorCache

        self.catalog = catalog
        self.options = options
        self.cache = ValidatorCache(options.cache_dir)
        self.lines = LineIndex(read_text)
        self._cel: CelEngine | None = None
        self._cel_ready = False
        self._skipped: dict[tuple[str, str, str], SkippedRule] = {}
        self._reported: set[int] = set()
        self._crd_findings: list[Finding] = []
        self.result = ValidateResult(
            kube_version=catalog.builtin.kube_version, flux_release=catalog.flux_release
        )

    def cel(self) -> CelEngine | None:
        if not self._cel_ready:
            self._cel_ready = True
            if self.options.cel:
                try:
                    self._cel = CelEngine()
                except ImportError:  # the CEL library is an optional speed-up of coverage
                    self._cel = None
        return self._cel

    # -- one object ----------------------------------------------------------------------------

    def validate(self, item: _Item) -> list[Finding]:
        obj = item.resource
        self.result.documents += 1
        raw = obj.raw
        api_version, kind = obj.api_version, obj.kind
        found = self.catalog.lookup(api_version, kind, item.cluster)
        problems: list[SchemaProblem] = []
        if isinstance(found, SchemaMiss):
            self.result.no_schema += 1
            severity = Severity.ERROR if self.options.require_schemas else Severity.WARNING
            findings = [
                self._finding(item, "schema-missing", severity, found.reason, (), _hint(found))
            ]
            problems.extend(check_metadata(obj.id.group, kind, raw))
            return findings + [self._problem(item, p) for p in problems]
        entry: SchemaEntry = found
        if entry.problems and id(entry) not in self._reported:
            self._reported.add(id(entry))
            self._crd_findings.append(
                Finding(
                    "schema-crd-invalid",
                    Severity.ERROR,
                    f"the CRD for {kind} {api_version} ({entry.source}) is invalid, the API "
                    "server refuses it: " + "; ".join(entry.problems[:5]),
                    object=f"CustomResourceDefinition for {kind} ({api_version})",
                    file=entry.file,
                    hint="fix the CRD's openAPIV3Schema",
                )
            )
        self.result.validated += 1
        self.result.by_source[entry.source] = self.result.by_source.get(entry.source, 0) + 1
        findings = []
        if not entry.served:
            findings.append(
                self._finding(
                    item,
                    "schema-not-served",
                    Severity.ERROR,
                    f"{kind} {api_version} is defined but not served by its CRD ({entry.source})",
                    ("apiVersion",),
                    "use a served version",
                )
            )
        if entry.deprecated:
            warning = entry.deprecation_warning or f"{kind} {api_version} is deprecated"
            findings.append(
                self._finding(
                    item, "schema-deprecated", Severity.WARNING, warning, ("apiVersion",), None
                )
            )
        ok = self.cache.is_valid(entry.digest, entry.schema, raw)
        if ok is not True:
            describer = Describer(secret=kind == "Secret" and obj.id.group == "")
            problems.extend(describer.problems(self.cache.errors(entry.digest, entry.schema, raw)))
        if entry.extras is not None:
            problems.extend(self._extras(item, entry))
        problems.extend(check_metadata(obj.id.group, kind, raw))
        if any(p.code in ("schema", "schema-unknown-field", "schema-cel") for p in problems):
            self.result.failed_documents += 1
        findings.extend(self._problem(item, p) for p in problems)
        return findings

    def _extras(self, item: _Item, entry: SchemaEntry) -> list[SchemaProblem]:
        assert entry.extras is not None
        engine = self.cel() if entry.has_rules else None
        outcome = check_extras(item.resource.raw, entry.extras, engine)
        problems = [SchemaProblem(path, "schema", text) for path, text in outcome.duplicates]
        for path, rule, cost in outcome.costly:
            problems.append(
                SchemaProblem(
                    _rule_path(path, rule),
                    "schema-cel-cost",
                    f"CEL rule not evaluated: its estimated cost on this object ({cost:,}) is "
                    f"over the API server's per-rule budget ({PER_CALL_LIMIT:,}): {rule.rule}",
                )
            )
        self.result.cel_evaluated += outcome.evaluated
        for violation in outcome.violations:
            problems.append(
                SchemaProblem(
                    _rule_path(violation.path, violation.rule),
                    "schema-cel",
                    _rule_message(violation.rule),
                )
            )
        for path, rule, error in outcome.errors:
            problems.append(
                SchemaProblem(
                    _rule_path(path, rule),
                    "schema-cel-error",
                    f"CEL rule could not be evaluated ({error}): {rule.rule}",
                )
            )
        for skip in outcome.skipped:
            key = (entry.api_version, entry.kind, skip.rule.rule)
            slot = self._skipped.get(key)
            if slot is None:
                slot = SkippedRule(entry.kind, entry.api_version, skip.rule.rule, skip.reason)
                self._skipped[key] = slot
            slot.count += 1
        return problems

    # -- findings ------------------------------------------------------------------------------

    def _problem(self, item: _Item, problem: SchemaProblem) -> Finding:
        severity = CODES.get(problem.code, (Severity.ERROR, ""))[0]
        return self._finding(item, problem.code, severity, problem.message, problem.path, None)

    def _finding(
        self,
        item: _Item,
        code: str,
        severity: Severity,
        message: str,
        path: tuple[str | int, ...],
        hint: str | None,
    ) -> Finding:
        obj = item.resource
        own = obj.origin if obj.origin is not None and self.lines.exists(obj.origin.file) else None
        origin = own or item.fallback
        line = None
        file = None
        if origin is not None:
            file = origin.file
            line = origin.line
            if own is not None and path:
                line = self.lines.line(own.file, own.document, path) or own.line
        if obj.origin is not None and own is None:
            where = f"{obj.origin.file} of the artifact {item.owner} builds from"
            hint = (hint + "; " if hint else "") + where
        elif obj.origin is None and item.owner:
            hint = (hint + "; " if hint else "") + f"rendered by {item.owner} (no source file)"
        text = f"{json_path(path)}: {message}" if path else message
        return Finding(
            code=code,
            severity=severity,
            message=text,
            file=file,
            line=line,
            object=f"{obj.id.short()} ({obj.api_version})",
            path=json_path(path) if path else None,
            hint=hint,
        )

    def skipped_rules(self) -> list[SkippedRule]:
        return sorted(self._skipped.values(), key=lambda s: (s.kind, s.rule))


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


def _hint(miss: SchemaMiss) -> str:
    if miss.known_versions:
        return "use " + " or ".join(miss.known_versions)
    return "add the CRD to the repository, or pass --require-schemas to make this an error"


def _rule_path(path: tuple[str | int, ...], rule: CelRule) -> tuple[str | int, ...]:
    if rule.field_path:
        extra = [p for p in rule.field_path.lstrip(".").replace("[", ".").split(".") if p]
        return (*path, *(p.rstrip("]").strip("'\"") for p in extra))
    return path


def _rule_message(rule: CelRule) -> str:
    if rule.message:
        return f"{rule.message} (CEL rule: {rule.rule})"
    return f"fails the CEL rule {rule.rule}"


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
                catalog.add_crd(obj.raw, obj.origin.file if obj.origin else owner, cluster)
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


def attach_origins(build: BuildResult, repo_resources: Iterable[Resource]) -> int:
    """Give rendered objects without an origin (plain overlay builds) the file of the one repo
    document with the same kind and name; returns how many were matched."""
    index: dict[tuple[str, str], list[Resource]] = {}
    for resource in repo_resources:
        if resource.origin is not None:
            index.setdefault((resource.kind, resource.name), []).append(resource)
    matched = 0
    for kb in build.builds:
        for obj in kb.objects:
            if obj.origin is not None:
                continue
            candidates = index.get((obj.kind, obj.name), [])
            same_ns = [c for c in candidates if c.namespace in ("", obj.namespace)]
            chosen = same_ns if len(same_ns) == 1 else candidates if len(candidates) == 1 else []
            if chosen:
                obj.origin = chosen[0].origin
                matched += 1
    return matched
