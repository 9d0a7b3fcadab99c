"""`fluxops validate`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import build_progress, emit, handle_errors
from fluxops.cli.options import colour_option, render_options, report_options, selection_options
from fluxops.model.selection import RenderOptions, Selection, as_kwargs


@click.command("validate")
@selection_options()
@click.option(
    "--kube-version",
    metavar="X.Y",
    help="Kubernetes version of the built-in schemas (default: the newest shipped).",
)
@click.option(
    "--strict-schema/--allow-unknown-fields",
    "strict_schema",
    default=True,
    show_default=True,
    help="Fields the schema does not define are errors, as server-side apply rejects them "
    "(--allow-unknown-fields: accepted).",
)
@click.option(
    "--crds",
    "crds",
    multiple=True,
    metavar="PATH",
    help="CRD manifests (files or folders) as schema sources, after the repo's own CRDs.",
)
@click.option(
    "--crds-from-cluster",
    is_flag=True,
    help="Use the CRDs of the cluster (read only; --snapshot FILE: of a snapshot instead).",
)
@click.option("--snapshot", metavar="FILE", help="A `fluxops snapshot` file to read CRDs from.")
@click.option(
    "--kubeconfig", type=click.Path(dir_okay=False), metavar="PATH", help="Kubeconfig file."
)
@click.option("--context", metavar="NAME", help="Kubeconfig context (default: the current one).")
@click.option(
    "--schema-location",
    "schema_locations",
    multiple=True,
    metavar="TEMPLATE",
    help="kubeconform-style schema location: a folder or URL, with {{.Group}}, "
    "{{.ResourceKind}}, {{.ResourceAPIVersion}}; URLs are fetched once into the cache.",
)
@click.option(
    "--skip-kinds",
    metavar="KINDS",
    default="",
    help="Comma-separated kinds not to validate (Kind, group/Kind or apiVersion/Kind).",
)
@click.option(
    "--require-schemas",
    is_flag=True,
    help="A kind without any schema is an error (default: one info line per kind).",
)
@report_options
@render_options(
    cache_help="Do not read or write the caches (kustomize output, parsed files, schemas).",
)
@colour_option
@handle_errors
def validate_command(
    selection: Selection,
    render: RenderOptions,
    kube_version: str | None,
    strict_schema: bool,
    crds: tuple[str, ...],
    crds_from_cluster: bool,
    snapshot: str | None,
    kubeconfig: str | None,
    context: str | None,
    schema_locations: tuple[str, ...],
    skip_kinds: str,
    require_schemas: bool,
    fmt: str,
    compact: bool,
    fail_on: str,
    verbose: bool,
    colour: bool,
) -> None:
    """Render like `build` (PATH: an overlay; --ks: one Flux Kustomization; --all, or a repo
    without a kustomization file at PATH: all of them), then validate every object against its
    schema, as server-side apply would: CRDs in the repo, --crds, --crds-from-cluster,
    --schema-location, the Flux CRDs, the bundled CRD catalog, the built-in kinds; CEL rules and
    unknown fields included.

    \b
    Examples:
      fluxops validate examples/podinfo-platform
      fluxops validate examples/podinfo-platform --ks apps --cluster clusters/production
      fluxops validate examples/podinfo-platform -o sarif > validate.sarif

    Exit status: 0 clean, 1 when a finding at or above --fail-on exists, 2 for usage errors.
    """
    from fluxops import api
    from fluxops.model.findings import Severity
    from fluxops.output.registry import View

    with build_progress(selection.all_ or not selection.ks) as progress:
        result = api.validate(
            api.ValidateRequest(
                **as_kwargs(selection),
                **as_kwargs(render, progress=progress),
                kube_version=kube_version,
                allow_unknown_fields=not strict_schema,
                crds=crds,
                crds_from_cluster=crds_from_cluster,
                snapshot=snapshot,
                kubeconfig=kubeconfig,
                context=context,
                schema_locations=schema_locations,
                skip_kinds=tuple(skip_kinds.split(",")) if skip_kinds else (),
                require_schemas=require_schemas,
                fail_on=Severity.parse(fail_on),
            )
        )
    view = View(colour=fmt == "text" and colour, verbose=verbose, compact=compact)
    sys.exit(emit(result, fmt, view))
