"""`fluxops list` end to end on the example repo, and `api.list` narrowing and cancellation."""

from __future__ import annotations

import json

import pytest

from fluxops import api
from fluxops.errors import CancelledByClient
from fluxops.output.listing import safe_url
from tests.conftest import EXAMPLE
from tests.e2e.conftest import Run

pytestmark = pytest.mark.unit


def test_list_json_names_every_flux_object_per_cluster(fluxops: Run) -> None:
    proc = fluxops("list", str(EXAMPLE), "-o", "json", check_code=0)
    data = json.loads(proc.stdout)
    assert data["clusters"] == ["clusters/production", "clusters/staging"]
    apps = [
        k
        for k in data["kustomizations"]
        if k["name"] == "apps" and k["cluster"] == "clusters/staging"
    ]
    assert apps == [
        {
            "cluster": "clusters/staging",
            "namespace": "flux-system",
            "name": "apps",
            "path": "./apps/staging",
            "sourceRef": "GitRepository/flux-system/flux-system",
            "dependsOn": ["flux-system/infra-configs"],
            "parent": "flux-system/flux-system",
            "definedIn": "clusters/staging/apps.yaml",
            "interval": apps[0]["interval"],
            "prune": True,
            "suspended": False,
            "status": "ok",
            "objects": apps[0]["objects"],
            "error": None,
        }
    ]
    releases = {(h["cluster"], h["namespace"], h["name"]) for h in data["helmReleases"]}
    assert ("clusters/production", "podinfo", "podinfo") in releases
    assert ("clusters/staging", "cert-manager", "cert-manager") in releases
    kinds = {s["kind"] for s in data["sources"]}
    assert {"GitRepository", "HelmRepository", "OCIRepository"} <= kinds
    assert data["summary"]["helmReleases"] == len(data["helmReleases"])
    assert data["summary"]["exitCode"] == 0


def test_list_text_and_narrowing(fluxops: Run) -> None:
    proc = fluxops(
        "list",
        str(EXAMPLE),
        "--cluster",
        "clusters/staging",
        "--kind",
        "HelmRelease",
        "-n",
        "podinfo",
        check_code=0,
    )
    assert "cluster clusters/staging" in proc.stdout
    assert "clusters/production" not in proc.stdout
    assert "podinfo/podinfo" in proc.stdout
    assert "cert-manager" not in proc.stdout
    assert "0 Kustomizations, 1 HelmReleases, 0 sources in 1 clusters" in proc.stderr


def test_list_cancel_hook_stops_between_kustomizations() -> None:
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) >= 2

    with pytest.raises(CancelledByClient, match="cancelled by the client after 2 of"):
        api.list_(api.ListRequest(path=str(EXAMPLE), cache=False, cancelled=cancelled))


def test_api_list_is_list_() -> None:
    result = api.list(api.ListRequest(path=str(EXAMPLE), kinds=["Source"], namespace="podinfo"))
    assert api.list is api.list_
    assert [(s.kind, s.name) for s in result.sources] == [
        ("OCIRepository", "podinfo"),
        ("OCIRepository", "podinfo"),
    ]
    assert result.kustomizations == [] and result.helm_releases == []


def test_source_urls_lose_their_password_only() -> None:
    assert (
        safe_url("https://user:hunter2@example.com/r.git") == "https://user:***@example.com/r.git"
    )
    assert safe_url("ssh://git@github.com/o/r") == "ssh://git@github.com/o/r"
