"""Plumbing for the hostile-repository tests: repositories written into a temp folder, the real
`fluxops` CLI run in a subprocess under an address-space limit and a timeout, with canary
values in its environment that must never come out, and a local HTTP server that records every
request (to prove that none arrives)."""

from __future__ import annotations

import http.server
import json
import os
import resource
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: In the environment of every CLI run: must never appear in any output.
CANARY = "CANARY-f7d1c0ffee"
#: The CLI and everything it starts get at most this much address space, and this long.
CLI_MEMORY = 6 << 30
CLI_TIMEOUT = 240


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def kustomization(name: str, path: str, namespace: str = "flux-system", **spec: Any) -> str:
    """A Flux Kustomization document (JSON is YAML)."""
    body = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "interval": "10m",
            "path": path,
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            **spec,
        },
    }
    return json.dumps(body) + "\n"


def flux_repo(root: Path, apps: dict[str, str], **spec: Any) -> Path:
    """A bootstrap-shaped repository: cluster `clusters/test` whose Flux Kustomization `apps`
    builds `./apps`, holding `apps` (file name -> YAML)."""
    write(
        root,
        {
            "clusters/test/flux-system/gotk-sync.yaml": "# placeholder\n",
            "clusters/test/apps.yaml": kustomization("apps", "./apps", **spec),
        },
    )
    return write(root, {f"apps/{k}": v for k, v in apps.items()})


CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
  namespace: default
data:
  a: b
"""


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def assert_clean(self) -> None:
        """No canary, no traceback, no internal error."""
        assert CANARY not in self.output
        assert "Traceback" not in self.output
        assert "internal error" not in self.output


Run = Callable[..., Result]


def _limits() -> None:  # runs in the child before exec (tests are single-threaded here)
    resource.setrlimit(resource.RLIMIT_AS, (CLI_MEMORY, CLI_MEMORY))


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FLUXOPS_CACHE_DIR"] = str(tmp_path / "cache")
    env["FLUXOPS_CANARY_TOKEN"] = CANARY
    env["GITHUB_TOKEN"] = CANARY
    env.pop("FLUXOPS_KUSTOMIZE", None)
    env.pop("FLUXOPS_DEBUG", None)
    return env


@pytest.fixture
def run(cli_env: dict[str, str], tmp_path: Path) -> Run:
    """Run `python -m fluxops ARGS` under the limits; `expect` checks the exit status."""

    def call(
        *args: str,
        expect: int | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = CLI_TIMEOUT,
    ) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "fluxops", *args],
            capture_output=True,
            text=True,
            env={**cli_env, **(env or {})},
            cwd=cwd or tmp_path,
            timeout=timeout,
            preexec_fn=_limits,
            check=False,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if expect is not None:
            assert proc.returncode == expect, (
                f"exit {proc.returncode}, expected {expect}\nstdout:\n{proc.stdout[-3000:]}"
                f"\nstderr:\n{proc.stderr[-3000:]}"
            )
        return result

    return call


@dataclass
class Recorder:
    """A local HTTP server: what it was asked (method, path, headers)."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    body: bytes = b""
    status: int = 200


@pytest.fixture
def http_server() -> Iterator[Recorder]:
    recorder = Recorder(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            recorder.requests.append(
                {"method": self.command, "path": self.path, "headers": dict(self.headers)}
            )
            self.send_response(recorder.status)
            self.send_header("Content-Length", str(len(recorder.body)))
            self.end_headers()
            self.wfile.write(recorder.body)

        do_GET = do_POST = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
