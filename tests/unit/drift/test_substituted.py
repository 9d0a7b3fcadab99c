"""substituteFrom variables in drift: Secret values carried through the render as per-run
tokens, swapped back for the comparison, masked everywhere; values fluxops cannot read (a
snapshot, a refused read) make the fields that depend on them "not compared", in every format.
(The same against a real API server: tests/cluster/test_drift_scenarios.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from fluxops import api
from fluxops.cli.main import cli
from fluxops.drift.compare import CompareOptions, compare_object
from fluxops.drift.schema import SchemaRegistry
from fluxops.drift.substituted import mask_fields, resolve, scrub
from fluxops.render.live_variables import VariableSource

pytestmark = pytest.mark.unit

REGISTRY = SchemaRegistry()
VALUE = "hunter2-real-value"
OWNER = {
    "kustomize.toolkit.fluxcd.io/name": "apps",
    "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
}


def cm(data: dict[str, Any], name: str = "c") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "apps"},
        "data": data,
    }


def test_tokens_are_random_per_run_and_stand_for_values() -> None:
    one, two = VariableSource(), VariableSource()
    assert one.prefix != two.prefix and one.prefix.startswith("masked-secret-")
    token = one.token(VALUE)
    assert VALUE not in token and one.values[token] == VALUE
    unknown = one.token(None, "Secret flux-system/vars: forbidden")
    assert one.known_values() == [VALUE] and one.reasons[unknown].endswith("forbidden")


@pytest.mark.parametrize(("live_value", "verdict"), [(VALUE, "in-sync"), ("other", "drifted")])
def test_known_values_are_compared_and_masked(live_value: str, verdict: str) -> None:
    source = VariableSource()
    token = source.token(VALUE)
    desired = cm({"url": f"https://u:{token}@db", "plain": "1"})
    resolved = resolve(desired, source)
    assert resolved.raw["data"]["url"] == f"https://u:{VALUE}@db"
    assert resolved.secret == ["/data/url"] and not resolved.not_compared
    assert token in str(desired)  # the rendered object is left as it was
    live = cm({"url": f"https://u:{live_value}@db", "plain": "1"})
    drift = compare_object(resolved.raw, live, REGISTRY, CompareOptions())
    mask_fields(drift, resolved)
    scrub(drift, source.known_values())
    assert drift.verdict == verdict
    text = json.dumps([d.__dict__ for d in drift.differences], default=str)
    text += json.dumps([drift.desired_view, drift.live_view, drift.notes])
    assert VALUE not in text and "hunter2" not in text
    if verdict == "drifted":
        assert [(d.path, d.desired, d.live, d.secret) for d in drift.differences] == [
            ("data.url", "*** (desired)", "*** (live)", True)
        ]


def test_a_field_that_is_one_token_takes_the_values_yaml_type() -> None:
    source = VariableSource()
    desired = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "namespace": "apps"},
        "spec": {"replicas": source.token("3"), "paused": source.token("true")},
    }
    spec = resolve(desired, source).raw["spec"]
    assert spec == {"replicas": 3, "paused": True}


def test_unknown_values_are_not_compared() -> None:
    source = VariableSource()
    token = source.token(None, "Secret flux-system/vars: the snapshot holds no Secret values")
    resolved = resolve(cm({"password": token, "plain": "1"}), source)
    assert resolved.not_compared == {
        "/data/password": "Secret flux-system/vars: the snapshot holds no Secret values"
    }
    live = cm({"password": "anything", "plain": "1"})
    skip = list(resolved.not_compared)
    assert compare_object(resolved.raw, live, REGISTRY, CompareOptions(), skip=skip).verdict == (
        "in-sync"
    )
    live["data"]["plain"] = "2"
    assert compare_object(resolved.raw, live, REGISTRY, CompareOptions(), skip=skip).verdict == (
        "drifted"
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    apps = tmp_path / "apps"
    apps.mkdir()
    (apps / "cm.yaml").write_text(
        yaml.safe_dump(cm({"password": "${PASSWORD}", "level": "${LEVEL}"}, "app-config"))
    )
    (apps / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    vars_secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "vars", "namespace": "flux-system"},
        "stringData": {"PASSWORD": VALUE},
    }
    vars_cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "flux-system"},
        "data": {"LEVEL": "info"},
    }
    ks = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system"},
        "spec": {
            "path": "./apps",
            "prune": True,
            "interval": "5m",
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            "postBuild": {
                "substituteFrom": [
                    {"kind": "ConfigMap", "name": "settings"},
                    {"kind": "Secret", "name": "vars"},
                ]
            },
        },
    }
    (tmp_path / "ks.yaml").write_text(yaml.safe_dump_all([ks, vars_secret, vars_cm]))
    return tmp_path


def snapshot(repo: Path, level: str) -> str:
    live = cm({"password": VALUE, "level": level}, "app-config")
    live["metadata"]["labels"] = dict(OWNER)
    path = repo / "live.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [live]}))
    return str(path)


@pytest.mark.parametrize(("level", "code"), [("info", 0), ("debug", 1)])
def test_snapshot_secret_variables_not_compared_in_every_format(
    repo: Path, level: str, code: int
) -> None:
    base = ["drift", str(repo), "--ks", "flux-system/apps", "--snapshot", snapshot(repo, level)]
    runner = CliRunner()
    outputs = {}
    for fmt in ("text", "json", "markdown"):
        res = runner.invoke(cli, [*base, "-o", fmt])
        assert res.exit_code == code, res.output
        assert VALUE not in res.output
        outputs[fmt] = res.output
    data = json.loads(outputs["json"])
    (obj,) = data["objects"]
    assert obj["verdict"] == ("in-sync" if code == 0 else "drifted")
    assert [n["path"] for n in obj["notCompared"]] == ["data.password"]
    assert "snapshot holds no Secret values" in obj["notCompared"][0]["reason"]
    assert "not compared: data.password" in outputs["text"]
    assert "data.password" in outputs["markdown"] and "Not compared" in outputs["markdown"]


def test_api_result_holds_no_secret_value(repo: Path) -> None:
    result = api.drift(
        api.DriftRequest(path=str(repo), ks="flux-system/apps", snapshot=snapshot(repo, "x"))
    )
    assert VALUE not in repr(result)
