"""Kubeconfig and exec credential plugins: errors never echo the file's content, a malformed
kubeconfig is a clear exit 2, exec plugins of `client.authentication.k8s.io/v1` (and v1beta1)
work, and a plugin that is missing, fails or hangs is named as such (never a 401) and bounded
by --timeout. The "API server" is a local HTTP server that records what it is sent."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from fluxops.cluster.exec_credential import ExecCredentialAuth, ExecPluginError
from tests.security.conftest import CANARY, Recorder, Run

pytestmark = [pytest.mark.security]


def kubeconfig(path: Path, server: str, user: dict[str, Any]) -> Path:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
        "users": [{"name": "u", "user": user}],
    }
    path.write_text(json.dumps(doc))
    return path


def plugin(tmp_path: Path, body: str, api: str = "client.authentication.k8s.io/v1") -> Path:
    script = tmp_path / "plugin.sh"
    script.write_text("#!/bin/sh\n" + body.replace("API", api) + "\n")
    script.chmod(0o755)
    return script


def exec_user(command: str, api: str = "client.authentication.k8s.io/v1") -> dict[str, Any]:
    return {"exec": {"apiVersion": api, "command": command, "interactiveMode": "Never"}}


def test_a_kubeconfig_syntax_error_does_not_echo_the_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "kc"
    path.write_text(
        "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: " + CANARY + ": [unclosed\n"
    )
    result = run("status", "--kubeconfig", str(path), expect=2)
    result.assert_clean()
    assert "not valid YAML at line" in result.output


@pytest.mark.parametrize("content", ["- a\n- b\n", "just a string\n", "clusters: {a: b}\n"])
def test_a_malformed_kubeconfig_is_a_clear_error(run: Run, tmp_path: Path, content: str) -> None:
    path = tmp_path / "kc"
    path.write_text(content)
    result = run("status", "--kubeconfig", str(path), expect=2)
    result.assert_clean()
    assert "kubeconfig" in result.output


def test_exec_plugin_v1_token_is_sent(run: Run, tmp_path: Path, http_server: Recorder) -> None:
    http_server.body = b"{}"
    script = plugin(
        tmp_path,
        'test "$KUBERNETES_EXEC_INFO" = "" && exit 9\n'
        'echo \'{"apiVersion": "API", "kind": "ExecCredential", "status": {"token": "tok-123"}}\'',
    )
    path = kubeconfig(tmp_path / "kc", http_server.url, exec_user(str(script)))
    result = run("status", "--kubeconfig", str(path), "--timeout", "5s")
    result.assert_clean()
    assert http_server.requests, result.output
    assert all(r["headers"].get("Authorization") == "Bearer tok-123" for r in http_server.requests)


@pytest.mark.parametrize(
    "api", ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
)
def test_exec_plugin_api_versions(tmp_path: Path, api: str) -> None:
    script = plugin(
        tmp_path,
        'echo \'{"apiVersion": "API", "kind": "ExecCredential", "status": {"token": "t", '
        '"expirationTimestamp": "2999-01-01T00:00:00Z"}}\'',
        api,
    )
    auth = ExecCredentialAuth(exec_user(str(script), api)["exec"], user="u", timeout=5)
    assert auth.token() == "t" and auth.token() == "t"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (None, "was not found"),
        ("echo broken >&2; exit 3", "failed with exit status 3: broken"),
        ("echo not-json", "not JSON"),
        (
            'echo \'{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {"token": "t"}}\'',
            "answered with apiVersion",
        ),
    ],
)
def test_exec_plugin_failures_are_named(
    run: Run, tmp_path: Path, http_server: Recorder, body: str | None, expected: str
) -> None:
    command = str(tmp_path / "missing-plugin") if body is None else str(plugin(tmp_path, body))
    path = kubeconfig(tmp_path / "kc", http_server.url, exec_user(command))
    result = run("status", "--kubeconfig", str(path), "--timeout", "5s", expect=2)
    result.assert_clean()
    assert "credential plugin" in result.output and expected in result.output
    # no HTTP 401 reported (the server's URL, whose random port may hold "401", left out)
    assert "401" not in result.output.replace(http_server.url, "")
    assert http_server.requests == []


def test_a_hanging_exec_plugin_is_bounded_by_timeout(
    run: Run, tmp_path: Path, http_server: Recorder
) -> None:
    script = plugin(tmp_path, f"sleep 300 & echo $! > {tmp_path}/child.pid; wait")
    path = kubeconfig(tmp_path / "kc", http_server.url, exec_user(str(script)))
    started = time.monotonic()
    result = run("status", "--kubeconfig", str(path), "--timeout", "2s", expect=2, timeout=60)
    elapsed = time.monotonic() - started
    result.assert_clean()
    assert elapsed < 30
    assert "did not answer within 2s" in result.output
    child = int((tmp_path / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the plugin's child process was left running")


def test_exec_plugin_error_helper() -> None:
    auth = ExecCredentialAuth(
        {"apiVersion": "client.authentication.k8s.io/v9", "command": "x"}, user="u", timeout=1
    )
    with pytest.raises(ExecPluginError, match="does not support"):
        auth.fetch()
