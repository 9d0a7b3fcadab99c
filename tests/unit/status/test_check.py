"""`fluxops check`'s pure parts: the Kubernetes minimum of Flux v2.9 and image tags. The
cluster parts run against the real API server in tests/cluster/test_check.py."""

from __future__ import annotations

import pytest

from fluxops.status.check import image_tag, kubernetes_finding, parse_kubernetes_version


@pytest.mark.parametrize(
    ("git_version", "ok"),
    [
        ("v1.36.3", True),
        ("v1.33.0", True),
        ("v1.33.0-rc.1", True),  # >=1.33.0-0 admits the 1.33.0 pre-releases
        ("v1.33.4-eks-1234abc", True),
        ("v1.34.1+k3s1", True),
        ("v1.32.9", False),
        ("v1.32.99-gke.100", False),
        ("v0.0.0-master+$Format:%H$", False),
        ("v2.0.0", True),
    ],
)
def test_kubernetes_minimum(git_version: str, ok: bool) -> None:
    finding = kubernetes_finding(git_version)
    assert (finding is None) is ok
    if finding is not None:
        assert finding.code == "CK001" and "1.33.0" in finding.message


def test_unreadable_version() -> None:
    assert parse_kubernetes_version("banana") is None
    finding = kubernetes_finding("banana")
    assert finding is not None and "cannot read" in finding.message


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("ghcr.io/fluxcd/kustomize-controller:v1.7.0", "v1.7.0"),
        ("ghcr.io/fluxcd/kustomize-controller:v1.7.0@sha256:abcd", "v1.7.0"),
        ("registry:5000/fluxcd/source-controller:v1.7.1", "v1.7.1"),
        ("registry:5000/fluxcd/source-controller", ""),
        ("ghcr.io/fluxcd/helm-controller@sha256:abcd", "sha256:abcd"),
    ],
)
def test_image_tag(image: str, tag: str) -> None:
    assert image_tag(image) == tag
