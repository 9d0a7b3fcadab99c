"""Validate rendered objects against their schemas; a pure function from models to findings
(the only I/O is reading schema data and the compiled-validator cache)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Origin, Resource
from fluxops.validate.apiserver import check_builtin, off_by_default
from fluxops.validate.catalog import SchemaCatalog, SchemaEntry, SchemaMiss
from fluxops.validate.celcost import PER_CALL_LIMIT
from fluxops.validate.celrules import CelEngine, check_extras
from fluxops.validate.convert import CelRule
from fluxops.validate.defaults import apply_defaults
from fluxops.validate.locate import LineIndex, ReadText
from fluxops.validate.messages import Describer, SchemaProblem, json_path
from fluxops.validate.metadata import check_metadata
from fluxops.validate.results import CODES, SkippedRule, ValidateResult
from fluxops.validate.sources import skipped as skip_kind

FAILING = frozenset({"schema", "schema-unknown-field", "schema-cel", "apiserver"})
#: Findings against a bundled (catalog) CRD that a newer release of the operator may not have.
LENIENT = frozenset({"schema-unknown-field"})


@dataclass
class ValidateOptions:
    kube_version: str
    strict: bool = True
    require_schemas: bool = False
    cache_dir: Path | None = None
    cel: bool = True
    skip_kinds: tuple[str, ...] = ()


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
        if self.options.skip_kinds and skip_kind(self.options.skip_kinds, api_version, kind):
            self.result.skipped += 1
            return []
        found = self.catalog.lookup(api_version, kind, item.cluster)
        problems: list[SchemaProblem] = []
        if isinstance(found, SchemaMiss) and found.known_versions:
            self.result.not_served += 1
            problems.extend(check_metadata(obj.id.group, kind, raw))
            return [
                self._finding(
                    item,
                    "schema-not-served",
                    Severity.ERROR,
                    found.reason,
                    ("apiVersion",),
                    _hint(found),
                ),
                *(self._problem(item, p) for p in problems),
            ]
        if isinstance(found, SchemaMiss):
            self.result.no_schema += 1
            severity = Severity.ERROR if self.options.require_schemas else Severity.INFO
            reason = f"{found.reason} (tried: {', '.join(self.catalog.sources_tried())})"
            findings = [self._finding(item, "schema-missing", severity, reason, (), _hint(found))]
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
        self.result.object_sources[f"{obj.id.short()} ({api_version})"] = entry.source
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
        if kind == "Secret" and obj.id.group == "" and "sops" in raw:
            # kustomize-controller decrypts the Secret and drops its `sops` block before applying
            raw = {k: v for k, v in raw.items() if k != "sops"}
        if entry.builtin:
            problems.extend(check_builtin(api_version, kind, raw))
            if off_by_default(api_version):
                findings.append(
                    self._finding(
                        item,
                        "api-off-by-default",
                        Severity.WARNING,
                        f"{api_version} is a built-in {'alpha' if 'alpha' in api_version else 'beta'}"
                        " API, off by default: the API server serves it only when the cluster "
                        f"enables it (--runtime-config={api_version}=true)",
                        ("apiVersion",),
                        None,
                    )
                )
        if entry.defaults is not None:
            raw = apply_defaults(raw, entry.defaults)
        ok = self.cache.is_valid(entry.digest, entry.schema, raw)
        if ok is not True:
            describer = Describer(secret=kind == "Secret" and obj.id.group == "")
            problems.extend(describer.problems(self.cache.errors(entry.digest, entry.schema, raw)))
        if entry.extras is not None:
            problems.extend(self._extras(raw, entry))
        problems.extend(check_metadata(obj.id.group, kind, raw))
        bundled = entry.source.startswith("catalog:")
        if any(p.code in FAILING and not (bundled and p.code in LENIENT) for p in problems):
            self.result.failed_documents += 1
        for p in problems:
            if bundled and p.code in LENIENT:
                # the operator's release in the cluster may be newer than the bundled CRD
                findings.append(
                    self._finding(
                        item,
                        p.code,
                        Severity.WARNING,
                        p.message,
                        p.path,
                        f"the bundled CRD ({entry.source}) does not define it, a newer release "
                        "may: pass --crds with your cluster's CRDs to make this exact",
                    )
                )
            else:
                findings.append(self._problem(item, p))
        return findings

    def _extras(self, raw: dict[str, Any], entry: SchemaEntry) -> list[SchemaProblem]:
        assert entry.extras is not None
        engine = self.cel() if entry.has_rules else None
        outcome = check_extras(raw, entry.extras, engine)
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


def _hint(miss: SchemaMiss) -> str:
    if miss.known_versions:
        return "use " + " or ".join(miss.known_versions)
    return (
        "pass the CRDs with --crds, --crds-from-cluster or --schema-location, or skip the kind "
        "with --skip-kinds; --require-schemas makes this an error"
    )


def _rule_path(path: tuple[str | int, ...], rule: CelRule) -> tuple[str | int, ...]:
    if rule.field_path:
        extra = [p for p in rule.field_path.lstrip(".").replace("[", ".").split(".") if p]
        return (*path, *(p.rstrip("]").strip("'\"") for p in extra))
    return path


def _rule_message(rule: CelRule) -> str:
    if rule.message:
        return f"{rule.message} (CEL rule: {rule.rule})"
    return f"fails the CEL rule {rule.rule}"
