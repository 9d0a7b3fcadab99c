import json
from pathlib import Path

import pytest

from fluxops.cluster.snapshot import load_snapshot
from fluxops.errors import UsageError

pytestmark = pytest.mark.unit

KS = {
    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
    "kind": "Kustomization",
    "metadata": {"name": "apps", "namespace": "flux-system"},
}
SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "s", "namespace": "flux-system"},
    "data": {"password": "aHVudGVyMg=="},
}


def test_kubectl_list_in_json_and_yaml(tmp_path: Path) -> None:
    as_json = tmp_path / "s.json"
    as_json.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [KS, SECRET]}))
    as_yaml = tmp_path / "s.yaml"
    as_yaml.write_text(
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: kustomize.toolkit.fluxcd.io/v1\n  kind: Kustomization\n"
        "  metadata: {name: apps, namespace: flux-system}\n"
    )
    for path in (as_json, as_yaml):
        snap = load_snapshot(path)
        assert [
            o["metadata"]["name"]
            for o in snap.list("kustomize.toolkit.fluxcd.io/v1beta2", "Kustomization")
        ] == ["apps"]
        assert snap.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps", "flux-system")
        assert snap.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps", "other") is None
        assert snap.flux_api_versions() == {"Kustomization": "kustomize.toolkit.fluxcd.io/v1"}


def test_secret_values_are_dropped_on_load(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"kind": "List", "items": [SECRET]}))
    (secret,) = load_snapshot(path).list("v1", "Secret")
    assert secret["data"] == {"password": ""}
    assert "aHVudGVyMg" not in json.dumps(load_snapshot(path).objects)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("a: [", "not valid YAML"),
        ("foo: bar\n", "no Kubernetes objects"),
    ],
)
def test_bad_snapshots_are_usage_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_snapshot(path)
    with pytest.raises(UsageError, match="not found"):
        load_snapshot(tmp_path / "missing.yaml")
