"""The server: the tools of `tools.py` annotated read-only, the debug prompts, and the
resources (each lint rule's documentation, the gitops skill). `serve` runs it over stdio or
streamable HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fluxops import __version__
from fluxops.mcp.adapter import ServerConfig

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

INSTRUCTIONS = (
    "fluxops answers Flux CD questions from the repository (build, validate, lint, "
    "values_diff, list, diff) and from the cluster (status, explain, check, drift), exactly "
    "as Flux does. Every tool only reads. Large answers are paged: see `page` in each result (offset, limit, and "
    "narrowing by ks, namespace or kind). Resources: fluxops://skill (the gitops skill), "
    "fluxops://lint/rules/{id} (each lint rule)."
)


def output_schema(lists: tuple[str, ...]) -> dict[str, Any]:
    """What every tool's structured content has: the verb's envelope (docs/json.md:
    `apiVersion`, `kind`, `summary` with `exitCode`, `findings`, its lists) and `page`."""
    page = {
        "type": "object",
        "properties": {
            "truncated": {"type": "boolean"},
            "maxBytes": {"type": "integer"},
            "bytes": {"type": "integer"},
            "lists": {"type": "object"},
        },
        "required": ["truncated", "maxBytes", "bytes", "lists"],
    }
    summary = {
        "type": "object",
        "properties": {"exitCode": {"type": "integer"}},
        "required": ["exitCode"],
    }
    properties: dict[str, Any] = {
        "apiVersion": {"const": "fluxops.io/v1"},
        "kind": {"type": "string"},
        "summary": summary,
        "findings": {"type": "array"},
        "page": page,
    }
    properties.update({key: {"type": "array"} for key in lists})
    return {
        "type": "object",
        "properties": properties,
        "required": ["apiVersion", "kind", "summary", "findings", "page"],
    }


def errors_as_tool_errors(fn: Any) -> Any:
    """`fn`, with a fluxops error raised before the verb runs (a path outside the root, a bad
    argument) answered as a tool error with its message, as the verb's own errors are."""
    import functools

    from fluxops.errors import FluxopsError
    from fluxops.mcp.adapter import tool_error

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except FluxopsError as exc:
            return tool_error(exc)

    return wrapper


def build_server(config: ServerConfig) -> MCPServer[Any]:
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.tools import Tool
    from mcp_types import ToolAnnotations

    from fluxops.mcp.tools import tool_specs

    tools = []
    for spec in tool_specs(config):
        tool = Tool.from_function(
            errors_as_tool_errors(spec.fn),
            name=spec.fn.__name__.rstrip("_"),
            title=spec.title,
            context_kwarg="ctx",
            annotations=ToolAnnotations(
                title=spec.title,
                read_only_hint=True,
                destructive_hint=False,
                idempotent_hint=True,
                open_world_hint=spec.open_world,
            ),
        )
        tool.fn_metadata.output_schema = output_schema(spec.lists)
        tools.append(tool)
    server: MCPServer[Any] = MCPServer(
        "fluxops",
        title="fluxops",
        instructions=INSTRUCTIONS,
        version=__version__,
        tools=tools,
        log_level="WARNING",
    )
    add_prompts(server)
    add_resources(server)
    return server


def add_prompts(server: MCPServer[Any]) -> None:
    from fluxops.mcp import prompts

    @server.prompt(
        "debug_kustomization",
        title="Debug a Flux Kustomization",
        description="Walk through explain, status, build, validate and drift for one Kustomization.",
    )
    def debug_kustomization(name: str, path: str = ".", context: str | None = None) -> str:
        return prompts.debug_kustomization(name, path, context)

    @server.prompt(
        "debug_helmrelease",
        title="Debug a Flux HelmRelease",
        description=(
            "Walk through explain, status, list, build, values_diff and drift for one HelmRelease."
        ),
    )
    def debug_helmrelease(name: str, path: str = ".", context: str | None = None) -> str:
        return prompts.debug_helmrelease(name, path, context)


def add_resources(server: MCPServer[Any]) -> None:
    from fluxops import api
    from fluxops.lint.docs import rule_markdown

    server.resource(
        "fluxops://skill",
        name="skill",
        title="The gitops skill (SKILL.md)",
        mime_type="text/markdown",
    )(api.skill_text)

    def documentation(rule: Any) -> Any:
        def text() -> str:
            return str(rule_markdown(rule))

        text.__name__ = f"rule_{rule.id}".replace("-", "_")
        return text

    rules = api.lint_rules()

    def index() -> str:
        rows = [f"| `fluxops://lint/rules/{r.id}` | {r.severity} | {r.summary} |" for r in rules]
        return "| resource | severity | what it finds |\n|---|---|---|\n" + "\n".join(rows) + "\n"

    server.resource(
        "fluxops://lint/rules",
        name="lint-rules",
        title="The lint rules",
        mime_type="text/markdown",
    )(index)
    for rule in rules:
        server.resource(
            f"fluxops://lint/rules/{rule.id}",
            name=f"lint-rule-{rule.id}",
            title=f"lint rule {rule.id}: {rule.summary}",
            description=rule.summary,
            mime_type="text/markdown",
        )(documentation(rule))


def require_sdk() -> None:
    """The MCP SDK is the optional extra `mcp`: without it, a clear error (exit 2) that names
    the install command, before anything imports it."""
    try:
        import mcp.server.mcpserver  # noqa: F401
        import mcp_types  # noqa: F401
        import pydantic  # noqa: F401
    except ImportError as exc:
        from fluxops.errors import ExtraNotInstalledError

        raise ExtraNotInstalledError(
            f"`fluxops mcp` needs the Model Context Protocol SDK, which is not installed ({exc})",
            hint="install fluxops with its mcp extra: pip install 'fluxops[mcp]' "
            "(pipx: pipx install 'fluxops[mcp]'; uv: uv tool install 'fluxops[mcp]')",
        ) from None


def serve(
    config: ServerConfig, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8000
) -> None:
    """Run until the client disconnects (stdio) or the process is stopped (http)."""
    require_sdk()
    server = build_server(config)
    if transport == "http":
        server.run("streamable-http", host=host, port=port)
    else:
        server.run("stdio")
