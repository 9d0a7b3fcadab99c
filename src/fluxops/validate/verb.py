"""The `validate` verb: render like `build`, then check every object against its schema."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.errors import UsageError
from fluxops.model.findings import Finding, Severity
from fluxops.model.selection import RenderOptions, Selection

if TYPE_CHECKING:
    from fluxops.validate.catalog import SchemaCatalog
    from fluxops.validate.results import ValidateResult


@dataclass(kw_only=True)
class ValidateRequest(Selection, RenderOptions):
    """What to validate: the selection of `build`; a PATH without a kustomization file and no
    --ks means every Flux Kustomization (--all). `kube_version`: of the built-in schemas;
    a field the schema does not define is an error, as server-side apply makes it, unless
    `allow_unknown_fields` (`strict_schema` forces strictness either way); `require_schemas`: a
    kind without any schema is an error; `fail_on`: the least severe finding that fails the
    run."""

    kube_version: str | None = None
    strict_schema: bool = False
    allow_unknown_fields: bool = False
    #: schema sources after the repo's CRDs, in this order (docs/validate.md)
    crds: tuple[str, ...] = ()
    crds_from_cluster: bool = False
    snapshot: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    timeout: float = 10.0
    schema_locations: tuple[str, ...] = ()
    skip_kinds: tuple[str, ...] = ()
    require_schemas: bool = False
    fail_on: Severity = Severity.ERROR


def run(request: ValidateRequest) -> ValidateResult:
    """Render like `build`, then validate every object against its schema (built-in kinds,
    the Flux CRDs, CRDs found in the repo or the output), CEL rules included."""
    from fluxops.loader.parsecache import parse_cache
    from fluxops.loader.repo import enclosing_repository, load_repo, text_reader
    from fluxops.render.verb import run as render
    from fluxops.render.verb import selection_mode
    from fluxops.validate.build_objects import validate_build
    from fluxops.validate.builtin import BuiltinSchemas, UnknownKubeVersion, resolve_kube_version
    from fluxops.validate.catalog import SchemaCatalog
    from fluxops.validate.compiled import default_cache_dir
    from fluxops.validate.locate import attach_origins
    from fluxops.validate.validator import ValidateOptions

    strict = request.strict_schema or not request.allow_unknown_fields
    try:
        kube_version = resolve_kube_version(request.kube_version)
        builtin = BuiltinSchemas(kube_version, strict=strict)
    except UnknownKubeVersion as exc:
        raise UsageError(f"--kube-version: {exc}") from None
    mode = selection_mode(request, all_by_default=True)
    root = Path(request.path).resolve()
    overlay = mode == "overlay"
    repo_root = (enclosing_repository(root) or root) if overlay else root
    repo = load_repo(repo_root, cache=parse_cache(request.cache))
    result = render(request, request, repo=None if overlay else repo, mode=mode)
    if overlay:
        attach_origins(result, repo.resources)
    catalog = SchemaCatalog(builtin, strict=strict)
    _add_sources(request, catalog, kube_version, strict)
    options = ValidateOptions(
        kube_version=kube_version,
        strict=strict,
        require_schemas=request.require_schemas,
        cache_dir=default_cache_dir() if request.cache else None,
        skip_kinds=tuple(k.strip() for k in request.skip_kinds if k.strip()),
    )
    outcome = validate_build(result, repo.resources, catalog, options, text_reader(repo_root))
    outcome.findings[:0] = [f for f in repo.findings if f.severity >= Severity.WARNING]
    outcome.root = repo_root
    outcome.notes = list(result.notes)
    outcome.fail_on = request.fail_on
    if catalog.locations is not None:
        outcome.findings.extend(
            Finding("schema-location", Severity.WARNING, problem, hint="--schema-location")
            for problem in catalog.locations.problems
        )
    return outcome


def _add_sources(
    request: ValidateRequest, catalog: SchemaCatalog, kube_version: str, strict: bool
) -> None:
    """--crds, --crds-from-cluster (live or --snapshot), --schema-location."""
    from fluxops.validate.compiled import default_cache_dir
    from fluxops.validate.sources import SchemaLocations, crds_from_cluster, crds_from_paths

    for raw, where in crds_from_paths(request.crds):
        catalog.add_crd(raw, where, origin="crds")
    if request.crds_from_cluster or request.snapshot:
        found, _ = crds_from_cluster(
            request.snapshot, request.kubeconfig, request.context, request.timeout
        )
        for raw, where in found:
            catalog.add_crd(raw, where, origin="cluster")
    if request.schema_locations:
        cache = default_cache_dir().parent / "schema-locations" if request.cache else None
        catalog.locations = SchemaLocations(
            list(request.schema_locations), kube_version, strict, cache
        )
