"""`fluxops mcp`."""

from __future__ import annotations

from pathlib import Path

import click

from fluxops.cli.common import handle_errors


@click.command("mcp")
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http"]),
    default="stdio",
    show_default=True,
    help="stdio (an MCP client starts the server) or streamable HTTP.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="HTTP: the address to bind.")
@click.option("--port", type=int, default=8000, show_default=True, help="HTTP: the port.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=".",
    show_default=True,
    help="The folder the tools may read: repository paths and snapshot files stay inside it.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1000),
    default=200_000,
    show_default=True,
    help="The size limit of one tool response (JSON bytes); larger results are paged.",
)
@click.option("--kubeconfig", type=click.Path(dir_okay=False), help="For the cluster tools.")
@handle_errors
def mcp_command(
    transport: str, host: str, port: int, root: Path, max_bytes: int, kubeconfig: str | None
) -> None:
    """Serve the verbs as Model Context Protocol tools for AI agents (Claude Code, VS Code,
    Cursor): build, validate, lint, values_diff, list, status, drift; the prompts
    debug_kustomization and debug_helmrelease; the lint rules and the gitops skill as
    resources. Every tool only reads: nothing is written to a cluster or a repository.
    See docs/mcp.md for client configuration. Needs the optional extra:
    pip install 'fluxops[mcp]'.

    Exit status: 0 when the client disconnects, 2 for usage errors or when the extra is not
    installed.
    """
    from fluxops.mcp.adapter import ServerConfig
    from fluxops.mcp.server import serve

    config = ServerConfig(root=root.resolve(), max_bytes=max_bytes, kubeconfig=kubeconfig)
    serve(config, transport=transport, host=host, port=port)
