"""`fluxops explain --snapshot`: the chain, conditions, events, logs recorded in the snapshot,
inventory health, Helm history, next commands, the document and the text (no cluster)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fluxops import api
from fluxops.cli.main import cli
from fluxops.cluster.snapshot_writer import LOGS_ANNOTATION, TAKEN_AT
from fluxops.errors import UsageError
from fluxops.output.envelope import schema_errors
from fluxops.output.explain import to_data
from fluxops.output.registry import render
from fluxops.status.explain_model import ExplainResult
from fluxops.status.explain_parts import parse_target
from tests.unit.status import objects as o

NS = "flux-system"
APPS = "web"
AUTH = "authentication required"


def log_line(msg: str, kind: str, name: str, ns: str, **extra: Any) -> str:
    return json.dumps(
        {
            "level": "info",
            "ts": "2025-06-01T11:59:00Z",
            "msg": msg,
            "controllerKind": kind,
            "name": name,
            "namespace": ns,
            **extra,
        }
    )


def scenario() -> list[dict[str, Any]]:
    inventory = [
        (f"{APPS}_web_apps_Deployment", "v1"),
        (f"{APPS}_creds__Secret", "v1"),
        (f"{APPS}_migrate_batch_Job", "v1"),
    ]
    objs = [
        o.git_repository("repo", NS),
        o.git_repository("broken", NS, failing=AUTH, artifact=False),
        o.kustomization(
            "infra",
            NS,
            source=("GitRepository", "broken"),
            ready="False",
            reason="ArtifactFailed",
            message="Source artifact not found",
        ),
        o.kustomization(
            "apps",
            NS,
            depends_on=["infra"],
            source=("GitRepository", "repo"),
            ready="False",
            reason="DependencyNotReady",
            message=f"dependency '{NS}/infra' is not ready",
            at=o.T2,
        ),
        o.kustomization(
            "web", NS, source=("GitRepository", "repo"), applied="main@sha1:1", inventory=inventory
        ),
        o.helm_repository("charts", NS),
        o.helm_release(
            "fresh",
            APPS,
            repository=("charts", NS),
            deployed=None,
            ready="False",
            message="install retries exhausted \x1b[31mred\x1b[0m",
        ),
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": APPS, "generation": 2},
            "spec": {"replicas": 1},
            "status": {"observedGeneration": 1},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "creds", "namespace": APPS},
            "data": {"password": "c2VjcmV0LXZhbHVl"},
        },
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "migrate", "namespace": APPS},
            "status": {
                "conditions": [
                    {
                        "type": "Failed",
                        "status": "True",
                        "message": "Job has reached the specified backoff limit",
                    }
                ]
            },
        },
    ]
    objs.append(
        o.event(objs[3], "DependencyNotReady", f"dependency '{NS}/infra' is not ready", count=4)
    )
    return objs


def write(tmp_path: Path, objs: list[dict[str, Any]], logs: dict[str, str] | None) -> Path:
    annotations = {TAKEN_AT: "2025-06-01T12:00:00Z"}
    for deployment, text in (logs or {}).items():
        annotations[LOGS_ANNOTATION + deployment] = text
    doc = {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"annotations": annotations},
        "items": objs,
    }
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(doc))
    return path


KUSTOMIZE_LOG = "\n".join(
    [
        log_line("dependency not ready", "Kustomization", "apps", NS),
        log_line("other object", "Kustomization", "infra", NS),
        log_line("token Bearer abcdefghijklmnop in message", "Kustomization", "apps", NS),
        log_line("last", "Kustomization", "apps", NS),
    ]
)


@pytest.fixture()
def snap(tmp_path: Path) -> Path:
    return write(tmp_path, scenario(), {"kustomize-controller": KUSTOMIZE_LOG})


def explain(path: Path, target: str, **kw: Any) -> ExplainResult:
    return api.explain(api.ExplainRequest(target=target, snapshot=str(path), **kw))


def test_dependency_not_ready_chain_root_cause_first(snap: Path) -> None:
    r = explain(snap, f"Kustomization/{NS}/apps")
    assert (r.exit_code, r.state, r.reason) == (1, "Failed", "DependencyNotReady")
    assert [(x.id, x.via, x.root_cause) for x in r.chain] == [
        (f"GitRepository/{NS}/broken", "sourceRef", True),
        (f"Kustomization/{NS}/infra", "dependsOn", False),
        (f"GitRepository/{NS}/repo", "sourceRef", False),
    ]
    assert r.blocked_by == [f"GitRepository/{NS}/broken"]
    assert r.next_commands[0] == f"fluxops explain GitRepository/{NS}/broken"
    ready = next(c for c in r.conditions if c.type == "Ready")
    assert ready.age == "60m"
    assert [(e.reason, e.count, e.age) for e in r.events] == [("DependencyNotReady", 4, "115m")]


def test_logs_from_the_snapshot_filtered_and_masked(snap: Path) -> None:
    r = explain(snap, f"ks/{NS}/apps", log_lines=2)
    assert r.logs.source == "snapshot" and r.logs.controllers == ["kustomize-controller"]
    assert [x.message for x in r.logs.lines] == ["token Bearer *** in message", "last"]
    assert r.logs.omitted == 1
    assert "abcdefghijklmnop" not in render(r, "text").stdout


def test_no_logs(snap: Path, tmp_path: Path) -> None:
    r = explain(snap, f"ks/{NS}/apps", logs=False)
    assert r.logs.source == "off" and "Controller logs" not in render(r, "text").stdout
    bare = write(tmp_path, scenario(), None)
    r = explain(bare, f"ks/{NS}/apps")
    assert not r.logs.read and "take it with --logs" in r.logs.notes[0]


def test_inventory_health_without_secret_values(snap: Path) -> None:
    r = explain(snap, f"Kustomization/{NS}/web")
    assert r.state == "Ready" and r.exit_code == 1
    assert r.inventory is not None and r.inventory.total == 3
    assert [(u.id, u.status) for u in r.inventory.unhealthy] == [
        (f"Deployment/{APPS}/web", "InProgress"),
        (f"Job/{APPS}/migrate", "Failed"),
    ]
    text = json.dumps(to_data(r)) + render(r, "text").stdout
    assert "c2VjcmV0LXZhbHVl" not in text and "secret-value" not in text
    assert r.next_commands == [f"kubectl -n {APPS} describe deployment web"]
    assert explain(snap, f"Kustomization/{NS}/web", inventory=False).exit_code == 0


def test_helmrelease_never_installed_history_and_escaping(snap: Path) -> None:
    r = explain(snap, f"hr/{APPS}/fresh")
    assert r.history == [] and r.exit_code == 1
    text = render(r, "text").stdout
    assert "(none: never installed)" in text
    assert "\x1b" not in text and "install retries exhausted" in text
    assert f"flux reconcile helmrelease fresh -n {APPS} --with-source" in r.next_commands


def test_not_found_and_unknown_kind(snap: Path) -> None:
    r = explain(snap, f"Kustomization/{NS}/aps")
    assert r.exit_code == 2 and r.suggestions[0] == f"Kustomization/{NS}/apps"
    assert render(r, "text").stderr.startswith(f"error: Kustomization {NS}/aps not found")
    r = explain(snap, f"Widget/{NS}/apps")
    assert r.exit_code == 2 and "not a Flux kind" in r.error_hint


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ks/a/b", "Kustomization"),
        ("kustomizations/a/b", "Kustomization"),
        ("HelmReleases/a/b", "HelmRelease"),
        ("gitrepositories/a/b", "GitRepository"),
        ("OCIRepository/a/b", "OCIRepository"),
        ("Widget/a/b", "Widget"),
    ],
)
def test_parse_target(text: str, kind: str) -> None:
    assert parse_target(text) == (kind, "a", "b")


@pytest.mark.parametrize("bad", ["apps", "ks/apps", "ks//apps", "a/b/c/d"])
def test_parse_target_refuses(bad: str) -> None:
    with pytest.raises(UsageError):
        parse_target(bad)


def test_document_is_camel_case(snap: Path) -> None:
    data = to_data(explain(snap, f"Kustomization/{NS}/apps"))
    assert data["apiVersion"] == "fluxops.io/v1" and data["kind"] == "ExplainResult"
    assert data["summary"]["exitCode"] == 1 and schema_errors(data) == []
    assert data["summary"]["blockedBy"] == 1 and data["summary"]["ready"] is False
    assert data["blockedBy"] == [f"GitRepository/{NS}/broken"]
    assert data["chain"][0]["rootCause"] is True

    def keys(value: object) -> list[str]:
        if isinstance(value, dict):
            return list(value) + [k for v in value.values() for k in keys(v)]
        if isinstance(value, list):
            return [k for v in value for k in keys(v)]
        return []

    assert [k for k in keys(data) if "_" in k] == []


def test_cli(snap: Path) -> None:
    res = CliRunner().invoke(cli, ["explain", f"ks/{NS}/apps", "--snapshot", str(snap)])
    assert res.exit_code == 1
    assert "Blocking chain (root cause first):" in res.output
    res = CliRunner().invoke(
        cli, ["explain", f"ks/{NS}/repo", "--snapshot", str(snap), "-o", "json"]
    )
    assert res.exit_code == 2  # ks/repo does not exist (the GitRepository does)
    missing = json.loads(res.stdout)
    assert [f["code"] for f in missing["findings"]] == ["not-found"]
    assert missing["summary"]["exitCode"] == 2 and schema_errors(missing) == []
    res = CliRunner().invoke(
        cli, ["explain", f"GitRepository/{NS}/repo", "--snapshot", str(snap), "-o", "yaml"]
    )
    assert res.exit_code == 0 and "state: Ready" in res.output
    res = CliRunner().invoke(cli, ["explain", "nonsense", "--snapshot", str(snap)])
    assert res.exit_code == 2


def test_remote_inventory_is_not_checked_here(tmp_path: Path) -> None:
    objs = scenario()
    web = next(x for x in objs if x["metadata"]["name"] == "web" and x["kind"] == "Kustomization")
    web["spec"]["kubeConfig"] = {"secretRef": {"name": "spoke-kubeconfig"}}
    r = explain(write(tmp_path, objs, None), f"Kustomization/{NS}/web")
    assert r.inventory is None and r.exit_code == 0
    assert any("spec.kubeConfig" in note for note in r.notes)
