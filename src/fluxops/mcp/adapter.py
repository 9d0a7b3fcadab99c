"""What every tool shares: paths confined to the server's root, the verb run in a worker
thread with progress notifications and cancellation, its result rendered by the same JSON
formatter as `fluxops VERB -o json` (so Secrets are masked exactly as in the CLI), then
narrowed, paged and cut to the size limit (`fit`)."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluxops.errors import CancelledByClient, FluxopsError, UsageError
from fluxops.mcp.fit import DEFAULT_MAX_BYTES, Narrow, fit, summary_line
from fluxops.model.results import Result
from fluxops.model.selection import Cancelled, Progress

#: What a tool runs in its worker thread: (progress, cancelled) -> the verb's result, or the
#: verb's JSON when the tool adds to it.
Call = Callable[[Progress, Cancelled], "Result | dict[str, Any]"]
Report = Callable[[float, float | None, str | None], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class ServerConfig:
    """`root`: the folder the tools may read (repository paths and snapshot files are
    resolved in it and never leave it); `max_bytes`: the size limit of one response;
    `kubeconfig`: for the cluster tools (None: $KUBECONFIG or ~/.kube/config)."""

    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES
    kubeconfig: str | None = None

    def path(self, value: str, what: str = "path") -> str:
        """`value` (relative to the root, or absolute inside it) as a path inside the root."""
        root = self.root.resolve()
        candidate = (root / value).resolve()
        if candidate != root and root not in candidate.parents:
            raise UsageError(
                f"{what} {value!r} is outside the folder this server serves ({root})",
                hint="start `fluxops mcp --root DIR` with a folder that holds the repository",
            )
        if not candidate.exists():
            raise UsageError(f"{what} {value!r}: no such file or folder under {root}")
        return str(candidate)


def result_data(result: Result | dict[str, Any]) -> dict[str, Any]:
    """The verb's envelope (docs/json.md), exactly as the CLI's `-o json` prints it:
    `summary.exitCode` is the envelope's own."""
    if isinstance(result, dict):
        return result
    from fluxops.output.registry import View, render

    data: dict[str, Any] = json.loads(render(result, "json", View(compact=True)).stdout)
    return data


async def run_tool(
    tool: str,
    call: Call,
    *,
    config: ServerConfig,
    report: Report | None,
    narrow: Narrow | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Any:
    """Run `call` in a worker thread and answer as an MCP tool: structured content (the JSON,
    fitted) and a one-line text summary; a fluxops error is a tool error with its message.
    A cancel notification from the client stops the render between Kustomizations."""
    import anyio
    import anyio.lowlevel
    from mcp_types import CallToolResult, TextContent

    if offset < 0 or (limit is not None and limit < 1):
        return tool_error(UsageError("offset must be >= 0 and limit >= 1"))
    stop = threading.Event()
    token = anyio.lowlevel.current_token()

    def progress(done: int, total: int) -> None:
        if report is None or stop.is_set():
            return
        try:
            anyio.from_thread.run(report, done, total, f"rendered {done} of {total}", token=token)
        except Exception:  # the client went away: progress is best effort
            return

    def work() -> Result | dict[str, Any]:
        try:
            return call(progress, stop.is_set)
        except CancelledByClient as exc:  # nobody waits for this answer: say it on stderr
            sys.stderr.write(f"fluxops mcp: {tool}: {exc}\n")
            raise

    try:
        result = await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    except anyio.get_cancelled_exc_class():
        stop.set()
        raise
    except FluxopsError as exc:
        return tool_error(exc)
    data = fit(
        result_data(result),
        narrow=narrow,
        offset=offset,
        limit=limit,
        max_bytes=config.max_bytes,
    )
    return CallToolResult(
        content=[TextContent(type="text", text=summary_line(tool, data))],
        structured_content=data,
        is_error=False,
    )


def tool_error(exc: FluxopsError) -> Any:
    from mcp_types import CallToolResult, TextContent

    from fluxops.output.escape import escape_text

    return CallToolResult(
        content=[TextContent(type="text", text=escape_text(str(exc), indent=""))],
        is_error=True,
    )
