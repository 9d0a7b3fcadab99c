"""Which kubeconfig contexts take the standard-library transport (a token and the server's
CA), and which stay with lightkube (everything else)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from fluxops.cluster.plain_http import PlainHTTP, simple_context

pytestmark = pytest.mark.unit

CA = "-----BEGIN CERTIFICATE-----\nnot-parsed-here\n-----END CERTIFICATE-----\n"


def doc(user: dict[str, Any], cluster: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "current-context": "c",
        "contexts": [{"name": "c", "context": {"cluster": "k", "user": "u", "namespace": "ns"}}],
        "clusters": [
            {
                "name": "k",
                "cluster": cluster
                or {
                    "server": "https://127.0.0.1:6443/",
                    "certificate-authority-data": base64.b64encode(CA.encode()).decode(),
                },
            }
        ],
        "users": [{"name": "u", "user": user}],
    }


def test_token_and_ca_data_is_simple() -> None:
    ctx = simple_context(doc({"token": "t0k"}), None)
    assert ctx is not None
    assert (ctx.context, ctx.namespace, ctx.server, ctx.token) == (
        "c",
        "ns",
        "https://127.0.0.1:6443",
        "t0k",
    )
    assert ctx.ca_pem == CA and not ctx.insecure


@pytest.mark.parametrize(
    "user",
    [
        {"exec": {"command": "aws"}},
        {"token": "t", "client-certificate-data": "x", "client-key-data": "y"},
        {"token": "t", "as": "admin"},
        {"username": "a", "password": "b"},
        {"auth-provider": {"name": "oidc"}},
        {},
    ],
)
def test_other_users_stay_with_lightkube(user: dict[str, Any]) -> None:
    assert simple_context(doc(user), None) is None


@pytest.mark.parametrize(
    "cluster",
    [
        {"server": "https://h", "proxy-url": "http://proxy"},
        {"server": "https://h", "tls-server-name": "other"},
        {"server": "http://h"},
    ],
)
def test_other_clusters_stay_with_lightkube(cluster: dict[str, Any]) -> None:
    assert simple_context(doc({"token": "t"}, cluster), None) is None


def test_unknown_context_is_left_to_lightkube_errors() -> None:
    assert simple_context(doc({"token": "t"}), "missing") is None


def test_insecure_and_system_trust() -> None:
    insecure = simple_context(
        doc({"token": "t"}, {"server": "https://h:1", "insecure-skip-tls-verify": True}), None
    )
    assert insecure is not None and insecure.insecure and insecure.ca_pem is None
    http = PlainHTTP(insecure, timeout=1)
    assert (http.host, http.port, http.base_path) == ("h", 1, "")
    http.close()
