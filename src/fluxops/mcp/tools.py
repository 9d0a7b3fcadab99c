"""The tools: one thin adapter per verb over `fluxops.api`. Each states its arguments with
types and descriptions (the SDK turns them into the input schema), runs the verb through
`adapter.run_tool` and declares the top-level keys of its JSON (the output schema).

No `from __future__ import annotations` here: the SDK reads these signatures at run time.

Adding a tool (docs/mcp.md): a function below and one `spec(...)` line in `tool_specs`."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from fluxops.mcp.adapter import ServerConfig, run_tool
from fluxops.mcp.fit import Narrow

Path_ = Annotated[
    str, Field(description="Repository folder, relative to the server's root (default: the root).")
]
Ks = Annotated[str | None, Field(description="One Flux Kustomization, NAMESPACE/NAME.")]
Cluster = Annotated[
    str | None, Field(description="Only the cluster whose entry folder is this (clusters/prod).")
]
Namespace = Annotated[str | None, Field(description="Keep only items in this namespace.")]
Kind = Annotated[str | None, Field(description="Keep only items of this kind.")]
Offset = Annotated[int, Field(description="Skip this many items of every list (paging).", ge=0)]
Limit = Annotated[
    int | None, Field(description="Return at most this many items of every list.", ge=1)
]
Snapshot = Annotated[
    str | None,
    Field(description="A `fluxops snapshot` file (relative to the root) instead of the cluster."),
]
Context_ = Annotated[
    str | None, Field(description="kubeconfig context (default: the current one).")
]


@dataclass(frozen=True)
class ToolSpec:
    """A tool: its function, a title, whether it reaches a cluster (openWorldHint), and the
    top-level lists of its JSON (for the output schema)."""

    fn: Callable[..., Any]
    title: str
    lists: tuple[str, ...]
    open_world: bool = False


def _has_kustomization_file(path: str) -> bool:
    return any(
        (Path(path) / n).is_file()
        for n in ("kustomization.yaml", "kustomization.yml", "Kustomization")
    )


def tool_specs(config: ServerConfig) -> list[ToolSpec]:
    """Every tool, bound to `config`."""
    from mcp.server.mcpserver import Context

    from fluxops import api
    from fluxops.mcp.tools_debug import investigation_specs

    async def build(
        ctx: Context,
        path: Path_ = ".",
        ks: Ks = None,
        cluster: Cluster = None,
        objects: Annotated[
            bool, Field(description="Include the rendered objects (Secret values masked).")
        ] = False,
        namespace: Namespace = None,
        kind: Kind = None,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """Render what Flux will apply, exactly as kustomize-controller builds it: every Flux
        Kustomization (default), one (`ks`), or a plain kustomize overlay (a folder with a
        kustomization.yaml). Returns a summary per Kustomization; `objects` adds the objects."""
        root = config.path(path)
        all_ = ks is None and not _has_kustomization_file(root)

        def call(progress: Any, cancelled: Any) -> Any:
            result = api.build(
                api.BuildRequest(
                    path=root,
                    ks=ks,
                    all_=all_,
                    cluster=cluster,
                    progress=progress,
                    cancelled=cancelled,
                )
            )
            return with_objects(result) if objects else result

        narrow = Narrow(ks=ks, namespace=namespace, kind=kind)
        return await run_tool(
            "build",
            call,
            config=config,
            report=ctx.report_progress,
            narrow=narrow,
            offset=offset,
            limit=limit,
        )

    async def validate(
        ctx: Context,
        path: Path_ = ".",
        ks: Ks = None,
        cluster: Cluster = None,
        kube_version: Annotated[
            str | None, Field(description="Kubernetes version of the built-in schemas.")
        ] = None,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """Validate every rendered object against its schema (built-in kinds, the Flux CRDs,
        CRDs in the repo, CEL rules). Returns the findings."""
        root = config.path(path)

        def call(progress: Any, cancelled: Any) -> Any:
            return api.validate(
                api.ValidateRequest(
                    path=root,
                    ks=ks,
                    cluster=cluster,
                    kube_version=kube_version,
                    progress=progress,
                    cancelled=cancelled,
                )
            )

        return await run_tool(
            "validate", call, config=config, report=ctx.report_progress, offset=offset, limit=limit
        )

    async def lint(
        ctx: Context,
        path: Path_ = ".",
        render: Annotated[
            bool, Field(description="Render the Kustomizations for the rules that need it.")
        ] = True,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """Check the repository against the GitOps conventions (the lint rules; their
        documentation is the resource fluxops://lint/rules/{id})."""
        root = config.path(path)

        def call(progress: Any, cancelled: Any) -> Any:
            return api.lint(
                api.LintRequest(path=root, render=render, progress=progress, cancelled=cancelled)
            )

        return await run_tool(
            "lint", call, config=config, report=ctx.report_progress, offset=offset, limit=limit
        )

    async def values_diff(
        ctx: Context,
        envs: Annotated[
            list[str] | None,
            Field(
                description="Environments: Flux Kustomization names, cluster or overlay folders."
            ),
        ] = None,
        path: Path_ = ".",
        env_paths: Annotated[
            list[str] | None,
            Field(description="Environments stated explicitly, NAME=PATH (PATH in the repo)."),
        ] = None,
        release: Annotated[
            str | None, Field(description="A HelmRelease, NAME or NAMESPACE/NAME.")
        ] = None,
        all_releases: Annotated[bool, Field(description="Compare every HelmRelease.")] = False,
        all_values: Annotated[bool, Field(description="Show equal values too.")] = False,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """How HelmReleases' effective values (composed as helm-controller does) differ
        between environments. Values from Secrets are masked."""
        root = config.path(path)

        def call(progress: Any, cancelled: Any) -> Any:
            return api.values_diff(
                api.ValuesDiffRequest(
                    path=root,
                    release=release,
                    envs=list(envs or []),
                    env_paths=list(env_paths or []),
                    all_=all_releases,
                    all_values=all_values,
                    progress=progress,
                    cancelled=cancelled,
                )
            )

        return await run_tool(
            "values_diff",
            call,
            config=config,
            report=ctx.report_progress,
            offset=offset,
            limit=limit,
        )

    async def list_(
        ctx: Context,
        path: Path_ = ".",
        cluster: Cluster = None,
        kind: Annotated[
            Literal["Kustomization", "HelmRelease", "Source"] | None,
            Field(description="Only this kind of object."),
        ] = None,
        namespace: Namespace = None,
        ks: Annotated[
            str | None, Field(description="Only what this Kustomization (NAMESPACE/NAME) defines.")
        ] = None,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """The Flux Kustomizations, HelmReleases and sources the repository defines, per
        cluster, with paths, sources, dependsOn and the Kustomization that defines each."""
        root = config.path(path)

        def call(progress: Any, cancelled: Any) -> Any:
            return api.list_(
                api.ListRequest(
                    path=root,
                    cluster=cluster,
                    kinds=[kind] if kind else [],
                    namespace=namespace,
                    progress=progress,
                    cancelled=cancelled,
                )
            )

        return await run_tool(
            "list",
            call,
            config=config,
            report=ctx.report_progress,
            narrow=Narrow(ks=ks),
            offset=offset,
            limit=limit,
        )

    async def status(
        ctx: Context,
        snapshot: Snapshot = None,
        context: Context_ = None,
        namespace: Annotated[str | None, Field(description="Only this namespace.")] = None,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """What is failing in the cluster (live, or a snapshot file), why, what it blocks, and
        the command to run next. Reads only."""
        snap = config.path(snapshot, "snapshot") if snapshot else None

        def call(progress: Any, cancelled: Any) -> Any:
            return api.status(
                api.StatusRequest(
                    contexts=[context] if context else [],
                    kubeconfig=config.kubeconfig,
                    namespace=namespace,
                    snapshot=snap,
                )
            )

        return await run_tool(
            "status", call, config=config, report=ctx.report_progress, offset=offset, limit=limit
        )

    async def drift(
        ctx: Context,
        path: Path_ = ".",
        ks: Ks = None,
        cluster: Cluster = None,
        snapshot: Snapshot = None,
        context: Context_ = None,
        mode: Annotated[
            Literal["fields", "server"],
            Field(description="fields: what the repo sets vs live; server: apply dry runs."),
        ] = "fields",
        helm: Annotated[
            bool, Field(description="Also compare each HelmRelease's objects with its release.")
        ] = False,
        namespace: Namespace = None,
        kind: Kind = None,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """Where the live cluster (or a snapshot) differs from what the repo renders: missing,
        drifted and orphaned objects. Reads and server-side dry runs only; Secret values are
        masked."""
        root = config.path(path)
        snap = config.path(snapshot, "snapshot") if snapshot else None
        all_ = ks is None and not _has_kustomization_file(root)

        def call(progress: Any, cancelled: Any) -> Any:
            return api.drift(
                api.DriftRequest(
                    path=root,
                    ks=ks,
                    all_=all_,
                    cluster=cluster,
                    snapshot=snap,
                    kubeconfig=None if snap else config.kubeconfig,
                    context=context,
                    mode=mode,
                    helm=helm,
                    progress=progress,
                    cancelled=cancelled,
                )
            )

        narrow = Narrow(namespace=namespace, kind=kind)
        return await run_tool(
            "drift",
            call,
            config=config,
            report=ctx.report_progress,
            narrow=narrow,
            offset=offset,
            limit=limit,
        )

    return [
        ToolSpec(build, "Render Flux Kustomizations", ("kustomizations", "findings", "objects")),
        ToolSpec(
            validate, "Validate rendered objects against schemas", ("findings", "objectSources")
        ),
        ToolSpec(lint, "Lint the repository", ("findings",)),
        ToolSpec(values_diff, "Compare HelmRelease values across environments", ("releases",)),
        ToolSpec(list_, "List Flux objects per cluster", ("kustomizations", "helmReleases")),
        ToolSpec(status, "Flux status of a cluster", ("clusters",), open_world=True),
        ToolSpec(
            drift, "Drift between the repo and the cluster", ("objects", "owners"), open_world=True
        ),
        *investigation_specs(config),
    ]


def with_objects(result: Any) -> dict[str, Any]:
    """`build`'s JSON plus `objects`: every rendered object, Secret values masked as
    `fluxops build` masks them, with the cluster and Kustomization that renders it."""
    from fluxops.mcp.adapter import result_data
    from fluxops.output.masking import mask_secret

    data = result_data(result)
    data["objects"] = [
        {
            "cluster": b.cluster,
            "kustomization": b.ref,
            "kind": obj.kind,
            "namespace": obj.namespace,
            "name": obj.name,
            "object": mask_secret(obj.raw),
        }
        for b in result.builds
        for obj in b.objects
    ]
    return data
