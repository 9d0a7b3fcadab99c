"""`fluxops drift` end to end against a snapshot file: render, read, verdicts, renderers, exit
codes. (The same against a real API server, in both modes, is tests/cluster/test_drift.py.)"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from fluxops import api
from fluxops.cli.main import cli
from fluxops.output import drift as out

pytestmark = pytest.mark.unit

OWNER = {
    "kustomize.toolkit.fluxcd.io/name": "apps",
    "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
}
SECRET = "pl41n-s3cret"


def objects() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "same", "namespace": "apps"},
            "data": {"a": "1"},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "edited", "namespace": "apps"},
            "data": {"a": "1"},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "gone", "namespace": "apps"},
            "data": {"a": "1"},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "creds", "namespace": "apps"},
            "stringData": {"password": SECRET},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "apps"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "web",
                                "image": "nginx",
                                "resources": {"limits": {"cpu": "500m"}},
                            }
                        ]
                    },
                },
            },
        },
    ]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    apps = tmp_path / "apps"
    apps.mkdir()
    (apps / "all.yaml").write_text(yaml.safe_dump_all(objects()))
    (apps / "kustomization.yaml").write_text("resources: [all.yaml]\n")
    (tmp_path / "ks.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                "kind": "Kustomization",
                "metadata": {"name": "apps", "namespace": "flux-system"},
                "spec": {
                    "path": "./apps",
                    "prune": True,
                    "interval": "5m",
                    "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                },
            }
        )
    )
    return tmp_path


def live_objects(edit: bool = True) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for obj in objects():
        obj = json.loads(json.dumps(obj))
        obj["metadata"]["labels"] = {**obj["metadata"].get("labels", {}), **OWNER}
        obj["metadata"]["resourceVersion"] = "1"
        if obj["kind"] == "Secret":
            obj["data"] = {"password": base64.b64encode(b"another-value").decode()}
            del obj["stringData"]
        if obj["kind"] == "Deployment":
            obj["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "0.5"
            obj["spec"]["strategy"] = {"type": "RollingUpdate"}
            obj["status"] = {"replicas": 2}
            if edit:
                obj["spec"]["replicas"] = 4
        if obj["metadata"]["name"] == "edited" and edit:
            obj["data"]["a"] = "2"
        if obj["metadata"]["name"] == "gone" and edit:
            continue
        out.append(obj)
    stale = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "stale", "namespace": "apps", "labels": OWNER},
        "data": {},
    }
    entries = [
        {
            "id": f"apps_{o['metadata']['name']}_{o['apiVersion'].rpartition('/')[0]}_{o['kind']}",
            "v": "v1",
        }
        for o in [*objects(), stale]
    ]
    ks = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system"},
        "spec": {"path": "./apps", "prune": True},
        "status": {"inventory": {"entries": entries}},
    }
    return [*out, ks] + ([stale] if edit else [])


def snapshot(tmp_path: Path, edit: bool = True) -> str:
    path = tmp_path / "live.yaml"
    path.write_text(
        yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": live_objects(edit)})
    )
    return str(path)


def test_snapshot_verdicts(repo: Path) -> None:
    result = api.drift(
        api.DriftRequest(path=str(repo), ks="flux-system/apps", snapshot=snapshot(repo))
    )
    verdicts = {o.id.short(): o.verdict for o in result.objects}
    assert verdicts == {
        "ConfigMap/apps/same": "in-sync",
        "ConfigMap/apps/edited": "drifted",
        "ConfigMap/apps/gone": "missing",
        "ConfigMap/apps/stale": "orphaned",
        "Secret/apps/creds": "in-sync",  # a snapshot has no Secret values: keys only
        "Deployment/apps/web": "drifted",
    }
    web = next(o for o in result.objects if o.id.name == "web")
    assert [(d.path, d.desired, d.live) for d in web.differences] == [("spec.replicas", 2, 4)]
    assert result.exit_code == 1
    assert result.source.startswith("snapshot ")


def test_clean_snapshot_exits_zero(repo: Path) -> None:
    result = api.drift(
        api.DriftRequest(path=str(repo), ks="flux-system/apps", snapshot=snapshot(repo, edit=False))
    )
    assert result.exit_code == 0, [
        (o.id.short(), o.verdict, o.differences) for o in result.objects if o.verdict != "in-sync"
    ]


def test_overlay_path_with_owner(repo: Path) -> None:
    result = api.drift(
        api.DriftRequest(path=str(repo / "apps"), owner="flux-system/apps", snapshot=snapshot(repo))
    )
    verdicts = {o.id.name: o.verdict for o in result.objects}
    assert verdicts["stale"] == "orphaned" and verdicts["edited"] == "drifted"
    plain = api.drift(api.DriftRequest(path=str(repo / "apps"), snapshot=snapshot(repo)))
    assert "stale" not in {o.id.name for o in plain.objects}
    assert plain.owners[0].kind == "overlay"


def test_cli_outputs_and_exit_codes(repo: Path) -> None:
    runner = CliRunner()
    snap = snapshot(repo)
    base = ["drift", str(repo), "--ks", "flux-system/apps", "--snapshot", snap]
    res = runner.invoke(cli, [*base, "-o", "json"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    assert data["kind"] == "DriftResult" and data["mode"] == "fields" and data["drift"] is True
    assert data["summary"]["exitCode"] == res.exit_code
    assert data["summary"]["drifted"] == 2 and data["summary"]["orphaned"] == 1
    edited = next(o for o in data["objects"] if o["name"] == "edited")
    assert edited["differences"] == [
        {
            "path": "data.a",
            "pointer": "/data/a",
            "op": "changed",
            "desired": "1",
            "live": "2",
            "secret": False,
        }
    ]
    text = runner.invoke(cli, [*base, "--no-color"])
    assert text.exit_code == 1
    assert "► ConfigMap/apps/edited drifted" in text.output
    assert '-  a: "2"' in text.output and '+  a: "1"' in text.output
    md = runner.invoke(cli, [*base, "-o", "markdown"])
    assert (
        md.exit_code == 1
        and "### fluxops drift: drift found" in md.output
        and "```diff" in md.output
    )
    for output in (res.output, text.output, md.output):
        assert SECRET not in output
        assert base64.b64encode(SECRET.encode()).decode() not in output
    usage = runner.invoke(cli, [*base, "--mode", "server"])
    assert usage.exit_code == 2 and "needs a live cluster" in usage.output


def test_markdown_is_cut_before_the_comment_limit(repo: Path) -> None:
    result = api.drift(
        api.DriftRequest(path=str(repo), ks="flux-system/apps", snapshot=snapshot(repo))
    )
    text = out.to_markdown(result, limit=600)
    assert len(text) < 1500 and "left out" in text
