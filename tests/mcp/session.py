"""A real MCP client session against `fluxops mcp` (a subprocess, over stdio or streamable
HTTP), and the checks every tool result must pass."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import CallToolResult, Tool

#: The tools every server has.
TOOLS = {
    "build",
    "validate",
    "lint",
    "values_diff",
    "list",
    "status",
    "drift",
    "explain",
    "check",
    "diff",
}


def server_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FLUXOPS_CACHE_DIR"] = str(tmp / "cache")
    env.pop("FLUXOPS_KUSTOMIZE", None)
    return env


@contextlib.asynccontextmanager
async def stdio_session(root: Path, tmp: Path, *extra: str) -> AsyncIterator[ClientSession]:
    """`python -m fluxops mcp --root ROOT` over stdio, initialised."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "fluxops", "mcp", "--root", str(root), *extra],
        env=server_env(tmp),
    )
    with (tmp / "server-stderr.log").open("w") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


def check_annotations(tool: Tool) -> None:
    """Every tool only reads: readOnlyHint true, destructiveHint false, idempotent."""
    assert tool.annotations is not None, tool.name
    assert tool.annotations.read_only_hint is True, tool.name
    assert tool.annotations.destructive_hint is False, tool.name
    assert tool.annotations.idempotent_hint is True, tool.name
    assert tool.annotations.open_world_hint is not None, tool.name


def check_result(tool: Tool, result: Any) -> dict[str, Any]:
    """A successful call: structured content valid against the tool's output schema, with
    the page information, and a one-line text summary naming the tool."""
    assert isinstance(result, CallToolResult)
    text = result.content[0].text if result.content else ""  # type: ignore[union-attr]
    assert not result.is_error, text
    assert text.startswith(f"fluxops {tool.name}:"), text
    data = result.structured_content
    assert isinstance(data, dict)
    assert tool.output_schema is not None
    jsonschema.validate(data, tool.output_schema)
    assert data["apiVersion"] == "fluxops.io/v1" and data["kind"].endswith("Result")
    assert data["page"]["bytes"] <= data["page"]["maxBytes"]
    return data
