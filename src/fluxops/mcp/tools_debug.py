"""The tools that investigate: `explain` and `check` (they read a cluster) and `diff` (it
reads two git revisions), thin adapters over `fluxops.api` like those of `tools.py`.

No `from __future__ import annotations` here: the SDK reads these signatures at run time."""

from typing import Annotated, Any

from pydantic import Field

from fluxops.mcp.adapter import ServerConfig, run_tool
from fluxops.mcp.fit import Narrow
from fluxops.mcp.tools import (
    Cluster,
    Context_,
    Limit,
    Namespace,
    Offset,
    Path_,
    Snapshot,
    ToolSpec,
)


def investigation_specs(config: ServerConfig) -> list[ToolSpec]:
    """explain, check and diff, bound to `config`."""
    from mcp.server.mcpserver import Context

    from fluxops import api

    async def explain(
        ctx: Context,
        object: Annotated[
            str,
            Field(
                description="The Flux object, KIND/NAMESPACE/NAME (Kustomization/flux-system/"
                "apps; ks and hr abbreviate the kinds)."
            ),
        ],
        snapshot: Snapshot = None,
        context: Context_ = None,
        logs: Annotated[bool, Field(description="Read the controllers' log lines.")] = True,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """Why one Flux object is not Ready: the chain that blocks it (root cause first),
        conditions, events, controller log lines, unhealthy inventory objects, Helm history and
        the next command. Reads only."""
        snap = config.path(snapshot, "snapshot") if snapshot else None

        def call(progress: Any, cancelled: Any) -> Any:
            return api.explain(
                api.ExplainRequest(
                    target=object,
                    kubeconfig=None if snap else config.kubeconfig,
                    context=context,
                    snapshot=snap,
                    logs=logs,
                )
            )

        return await run_tool(
            "explain", call, config=config, report=ctx.report_progress, offset=offset, limit=limit
        )

    async def check(
        ctx: Context,
        path: Annotated[
            str | None,
            Field(
                description="Also check the apiVersions this repository folder (relative to "
                "the server's root) uses against what the cluster serves."
            ),
        ] = None,
        context: Context_ = None,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """Whether the cluster can run Flux and what the repository asks of it: the
        Kubernetes version, the Flux controllers, the Flux APIs served. Reads only."""
        repo = config.path(path) if path else None

        def call(progress: Any, cancelled: Any) -> Any:
            return api.check(
                api.CheckRequest(repo=repo, kubeconfig=config.kubeconfig, context=context)
            )

        return await run_tool(
            "check", call, config=config, report=ctx.report_progress, offset=offset, limit=limit
        )

    async def diff(
        ctx: Context,
        base: Annotated[str, Field(description="The git revision to compare with (main).")],
        path: Path_ = ".",
        head: Annotated[
            str | None, Field(description="The git revision to compare (default: working tree).")
        ] = None,
        cluster: Cluster = None,
        changed_only: Annotated[
            bool, Field(description="Render only what the changed files reach.")
        ] = False,
        namespace: Namespace = None,
        offset: Offset = 0,
        limit: Limit = None,
    ) -> Any:
        """What a change does to the rendered objects: every Flux Kustomization whose objects
        differ between two git revisions (added, removed, changed, moved), Secret values
        masked. Reads only; never changes the checkout."""
        root = config.path(path)

        def call(progress: Any, cancelled: Any) -> Any:
            return api.diff(
                api.DiffRequest(
                    path=root,
                    base=base,
                    head=head,
                    cluster=cluster,
                    changed_only=changed_only,
                    progress=progress,
                    cancelled=cancelled,
                )
            )

        return await run_tool(
            "diff",
            call,
            config=config,
            report=ctx.report_progress,
            narrow=Narrow(namespace=namespace),
            offset=offset,
            limit=limit,
        )

    return [
        ToolSpec(explain, "Explain one Flux object", ("chain", "events"), open_world=True),
        ToolSpec(check, "Check a cluster can run Flux", ("controllers",), open_world=True),
        ToolSpec(diff, "Diff rendered objects between git revisions", ("kustomizations",)),
    ]
