"""Compare one HelmRelease across environments: effective values (as helm-controller composes
them), the chart, and the release settings that change behaviour. Pure: callers hand in the
HelmRelease objects and a lookup for the ConfigMaps and Secrets of each environment."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from fluxops.errors import ValuesError
from fluxops.helmvalues.compose import (
    ComposedValues,
    coalesce_values,
    compose_values,
    values_references,
)
from fluxops.helmvalues.valuediff import MISSING, Row, diff_across, render_path, values_equal
from fluxops.model.findings import Finding
from fluxops.model.flux import HelmRelease
from fluxops.model.resource import Resource
from fluxops.model.results import Result
from fluxops.model.secret_keys import holds_inline_secret

MASK = "***"

#: Settings that change how a release behaves; compared besides the values.
SETTING_PATHS: tuple[tuple[str, ...], ...] = (
    ("releaseName",),
    ("targetNamespace",),
    ("storageNamespace",),
    ("serviceAccountName",),
    ("suspend",),
    ("timeout",),
    ("dependsOn",),
    ("install", "remediation"),
    ("install", "strategy"),
    ("install", "crds"),
    ("upgrade", "remediation"),
    ("upgrade", "strategy"),
    ("upgrade", "crds"),
    ("rollback",),
    ("postRenderers",),
    ("driftDetection",),
)

#: (kind, name) -> the object in the release's namespace, or None.
ObjectLookup = Callable[[str, str], Mapping[str, Any] | None]


@dataclass
class EnvRelease:
    """One environment's view of the release."""

    env: str
    release: Resource | None
    lookup: ObjectLookup
    chart_defaults: Mapping[str, Any] | None = None
    composed: ComposedValues | None = None
    error: str | None = None


@dataclass
class DiffRow:
    """One compared path: the display value per environment (masked where secret)."""

    section: str  # values | chart | settings
    path: str
    values: dict[str, Any]
    differs: bool
    secret: bool = False


@dataclass
class ReleaseDiff:
    release: str
    envs: list[str]
    rows: list[DiffRow] = field(default_factory=list)
    missing_in: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.missing_in) or any(r.differs for r in self.rows)


def _get(spec: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = spec
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return node


def chart_of(release: HelmRelease) -> dict[str, Any]:
    """What the release installs: chart name, version range and source, or chartRef."""
    out: dict[str, Any] = {}
    spec = release.chart_spec
    if spec:
        out["chart"] = spec.get("chart", MISSING)
        out["version"] = spec.get("version", MISSING)
        ref = release.chart_source_ref
        out["sourceRef"] = str(ref) if ref else MISSING
    ref = release.chart_ref
    if ref:
        out["chartRef"] = str(ref)
    return out


def _compose(entry: EnvRelease, with_defaults: bool) -> None:
    assert entry.release is not None
    hr = HelmRelease(entry.release)
    try:
        entry.composed = compose_values(
            values_references(hr.values_from),
            hr.values,
            entry.lookup,
            namespace=hr.namespace,
            release=f"HelmRelease/{hr.namespace}/{hr.name}",
        )
    except ValuesError as exc:
        entry.error = str(exc)
        return
    if with_defaults and entry.chart_defaults is not None:
        values = coalesce_values(entry.composed.values, entry.chart_defaults)
        entry.composed = ComposedValues(
            values=values,
            secret_paths=entry.composed.secret_paths,
            missing_optional=entry.composed.missing_optional,
        )


def _display(value: Any) -> Any:
    return MISSING if value is MISSING else value


def compare(
    name: str, envs: list[EnvRelease], *, all_values: bool = False, with_defaults: bool = False
) -> ReleaseDiff:
    result = ReleaseDiff(release=name, envs=[e.env for e in envs])
    present = [e for e in envs if e.release is not None]
    result.missing_in = [e.env for e in envs if e.release is None]
    for entry in present:
        _compose(entry, with_defaults)
        if entry.error:
            result.errors[entry.env] = entry.error
        elif entry.composed is not None:
            for ref in entry.composed.missing_optional:
                result.notes.append(f"{entry.env}: optional {ref} is not there (skipped)")
    ok = [e for e in present if e.composed is not None and not e.error]
    if ok:
        trees = {e.env: e.composed.values for e in ok if e.composed is not None}
        rows: list[Row] = diff_across(trees, include_equal=all_values)
        for row in rows:
            secret = any(
                e.composed is not None and e.composed.is_secret(row.path) for e in ok
            ) or _inline_secret(row.path, row.values.values())
            values = {env: _display(v) for env, v in row.values.items()}
            if secret:
                values = {
                    env: (
                        MISSING if v is MISSING else (MASK + " (differs)" if row.differs else MASK)
                    )
                    for env, v in values.items()
                }
            result.rows.append(
                DiffRow("values", render_path(row.path), values, row.differs, secret)
            )
    views = {e.env: HelmRelease(e.release) for e in present if e.release is not None}
    chart_keys: list[str] = []
    charts = {env: chart_of(hr) for env, hr in views.items()}
    for chart in charts.values():
        for key in chart:
            if key not in chart_keys:
                chart_keys.append(key)
    for key in chart_keys:
        values = {env: charts[env].get(key, MISSING) for env in charts}
        _add_row(result, "chart", key, values, all_values)
    namespaces = {env: hr.namespace for env, hr in views.items()}
    _add_row(result, "settings", "metadata.namespace", dict(namespaces), all_values)
    for path in SETTING_PATHS:
        values = {env: _get(hr.spec, path) for env, hr in views.items()}
        if all(v is MISSING for v in values.values()):
            continue
        _add_row(result, "settings", ".".join(path), values, all_values)
    return result


def _inline_secret(path: tuple[Any, ...], values: Any) -> bool:
    """A value lint's hr-inline-secret rule calls a secret (a `password:` literal...), in
    any environment: masked like values from Secrets."""
    key = path[-1] if path and isinstance(path[-1], str) else None
    return any(v is not MISSING and holds_inline_secret(key, v) for v in values)


def _add_row(
    result: ReleaseDiff, section: str, path: str, values: dict[str, Any], all_values: bool
) -> None:
    items = list(values.values())
    differs = any(not values_equal(items[0], v) for v in items[1:])
    if differs or all_values:
        result.rows.append(DiffRow(section, path, values, differs))


@dataclass
class ValuesDiffResult(Result):
    """The outcome of `values-diff`: one ReleaseDiff per release compared, releases that only
    some environments have (with --all), and findings from rendering."""

    envs: list[str]
    env_descriptions: dict[str, str]
    diffs: list[ReleaseDiff]
    only_in: dict[str, list[str]]
    findings: list[Finding]
    #: seconds spent rendering the environments, and composing and diffing the values
    timings: dict[str, float] = field(default_factory=dict)
    #: a difference makes the exit status 1 (`--exit-code`)
    exit_on_difference: bool = False
    kind: ClassVar[str] = "ValuesDiffResult"

    @property
    def exit_code(self) -> int:
        return 1 if self.exit_on_difference and self.differs else 0

    @property
    def differs(self) -> bool:
        return bool(self.only_in) or any(d.differs for d in self.diffs)
