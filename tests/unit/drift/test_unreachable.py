"""An API server that cannot be reached is an error (exit 2), never "the cluster does not
serve this kind" (which made every object `missing`, exit 1: drift where there is none)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from fluxops.cli.main import cli

pytestmark = pytest.mark.unit


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: refused


def test_unreachable_server_is_an_error(tmp_path: Path) -> None:
    apps = tmp_path / "apps"
    apps.mkdir()
    (apps / "cm.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "c", "namespace": "apps"},
                "data": {"a": "1"},
            }
        )
    )
    (apps / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (tmp_path / "ks.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                "kind": "Kustomization",
                "metadata": {"name": "apps", "namespace": "flux-system"},
                "spec": {
                    "path": "./apps",
                    "interval": "5m",
                    "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                },
            }
        )
    )
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "c",
                "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u"}}],
                "clusters": [
                    {
                        "name": "k",
                        "cluster": {
                            "server": f"https://127.0.0.1:{closed_port()}",
                            "insecure-skip-tls-verify": True,
                        },
                    }
                ],
                "users": [{"name": "u", "user": {"token": "t"}}],
            }
        )
    )
    args = ["drift", str(tmp_path), "--ks", "flux-system/apps", "--kubeconfig", str(kubeconfig)]
    result = CliRunner().invoke(cli, [*args, "--timeout", "3s"])
    assert result.exit_code == 2, result.output
    assert "cannot reach the API server" in result.output
    assert "missing" not in result.output
