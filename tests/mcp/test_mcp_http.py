"""`fluxops mcp --transport http`: the same server over streamable HTTP, with the SDK's client."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import EXAMPLE
from tests.mcp.session import TOOLS, check_annotations, check_result, server_env

pytestmark = pytest.mark.unit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    command = [sys.executable, "-m", "fluxops", "mcp", "--transport", "http"]
    proc = subprocess.Popen(
        [*command, "--port", str(port), "--root", str(EXAMPLE.parent)],
        env=server_env(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the HTTP server did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_tools_over_streamable_http(http_server: str) -> None:
    seen: dict[str, object] = {}

    async def run() -> None:
        async with (
            streamable_http_client(http_server) as streams,
            ClientSession(streams[0], streams[1]) as session,
        ):
            await session.initialize()
            tools = {t.name: t for t in (await session.list_tools()).tools}
            seen["tools"] = tools
            result = await session.call_tool(
                "list", {"path": "podinfo-platform", "kind": "HelmRelease"}
            )
            seen["list"] = check_result(tools["list"], result)

    anyio.run(run)
    tools = seen["tools"]
    assert isinstance(tools, dict) and set(tools) == TOOLS
    for tool in tools.values():
        check_annotations(tool)
    data = seen["list"]
    assert isinstance(data, dict)
    assert data["summary"]["helmReleases"] == 4
    assert {h["name"] for h in data["helmReleases"]} == {"podinfo", "cert-manager"}
