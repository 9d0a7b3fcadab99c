"""A verb that could not look never reports what it did not see: drift, status and snapshot
against a closed port and against a web server that is not Kubernetes exit 2 quickly (the
/version probe), naming the server and the kubeconfig context, with an ErrorResult (or, for
status, a cluster error) on stdout and nothing reported missing or drifted."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from fluxops.output.envelope import schema_errors
from tests.e2e.conftest import Run

pytestmark = pytest.mark.unit

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "podinfo-platform"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[str]:
    """A plain HTTP server (python's http.server) on a free loopback port."""
    handler = lambda *a, **kw: _Quiet(*a, directory=str(tmp_path), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        with contextlib.suppress(OSError):
            server.server_close()


def kubeconfig(tmp_path: Path, server: str) -> Path:
    path = tmp_path / "kubeconfig"
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "probe-ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "probe-ctx",
    }
    path.write_text(yaml.safe_dump(doc))
    return path


VERBS = [
    ["drift", str(EXAMPLE), "--ks", "flux-system/apps", "--cluster", "clusters/staging"],
    ["status"],
    ["snapshot"],
]


@pytest.mark.parametrize("verb", VERBS, ids=lambda v: v[0])
@pytest.mark.parametrize("where", ["closed-port", "not-kubernetes"])
def test_cannot_look_is_exit_2_naming_server_and_context(
    fluxops: Run, tmp_path: Path, web_server: str, verb: list[str], where: str
) -> None:
    server = "https://127.0.0.1:1" if where == "closed-port" else web_server
    config = kubeconfig(tmp_path, server)
    proc = fluxops(*verb, "--kubeconfig", str(config), "--timeout", "5s", "-o", "json")
    assert proc.returncode == 2, proc.stderr
    assert server in proc.stderr and "probe-ctx" in proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert schema_errors(doc) == [] and doc["summary"]["exitCode"] == 2
    codes = {f["code"] for f in doc["findings"]}
    assert codes == {"cluster-unreachable"}
    assert "missing" not in proc.stdout.replace('"inventoryMissing"', "")
    if verb[0] == "status":
        assert doc["kind"] == "StatusResult" and doc["clusters"][0]["objects"] == []
    else:
        assert doc["kind"] == "ErrorResult"


def test_not_kubernetes_says_so(fluxops: Run, tmp_path: Path, web_server: str) -> None:
    config = kubeconfig(tmp_path, web_server)
    proc = fluxops("snapshot", "--kubeconfig", str(config), check_code=2)
    assert "is not a Kubernetes API server" in proc.stderr
    assert proc.stdout == ""
