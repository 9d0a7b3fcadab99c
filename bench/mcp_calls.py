"""`fluxops mcp` kept open for a benchmark, as an agent keeps it: tool calls from synchronous
code (an anyio blocking portal runs the official MCP client), and the CPU time the server
process and the processes it waited for (kustomize) used, read from /proc.

    with McpServer(root, "--kubeconfig", path) as server:
        code = server.call("drift", {"path": "repo", "ks": "ns/name"})
        seconds = server.cpu()
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

PYTHON = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"


def available() -> bool:
    """Whether the MCP client is installed (the `mcp` extra)."""
    try:
        import mcp.client.stdio  # noqa: F401
    except ImportError:
        return False
    return True


class McpServer:
    """`python -m fluxops mcp --root ROOT EXTRA...` over stdio, initialised."""

    def __init__(self, root: Path, *extra: str) -> None:
        self.root = root
        self.extra = extra
        self._portal_cm: AbstractContextManager[Any] | None = None
        self._session_cm: AbstractContextManager[Any] | None = None
        self.pid = 0

    def __enter__(self) -> McpServer:
        from anyio.from_thread import start_blocking_portal

        self._portal_cm = start_blocking_portal()
        self.portal = self._portal_cm.__enter__()
        self._session_cm = self.portal.wrap_async_context_manager(self._session())
        self.session = self._session_cm.__enter__()
        self.pid = _server_pid()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._session_cm is not None:
            self._session_cm.__exit__(None, None, None)
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[Any]:
        from mcp.client.session import ClientSession
        from mcp.client.stdio import StdioServerParameters, stdio_client

        params = StdioServerParameters(
            command=str(PYTHON),
            args=["-m", "fluxops", "mcp", "--root", str(self.root), *self.extra],
            env=dict(os.environ),
        )
        with (self.root / "mcp-server-stderr.log").open("w") as errlog:
            async with (
                stdio_client(params, errlog=errlog) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                yield session

    def call(self, tool: str, arguments: dict[str, Any]) -> int:
        """Call `tool`; its exit code (the result's summary.exitCode). A failed call raises,
        with the server's message."""
        result = self.portal.call(self.session.call_tool, tool, arguments)
        data = result.structured_content
        if result.is_error or not isinstance(data, dict):
            text = result.content[0].text if result.content else ""
            raise RuntimeError(f"fluxops mcp {tool} failed: {text[:500]}")
        return int(data["summary"]["exitCode"])

    def cpu(self) -> float:
        """CPU seconds the server used so far: its own and its waited-for children's."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
        return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def _server_pid() -> int:
    """The MCP server: this process's child running `fluxops mcp`."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and b"mcp" in cmdline and b"fluxops" in cmdline:
            return int(entry.name)
    raise RuntimeError("the fluxops mcp server process was not found among this one's children")
