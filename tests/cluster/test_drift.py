"""`fluxops drift` against the real kube-apiserver, in both modes, and against the real
`flux diff kustomization` on the same cluster (fidelity).

The scenario (drift_scenario.py): objects applied by server-side apply as kustomize-controller
does, the Kustomization's inventory recorded, then hand edits (scale, image, label, ConfigMap
value, Secret value, delete, an extra object with the owner labels, `ssa: Ignore`), and the repo
moved on (two objects and a label dropped)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from click.testing import CliRunner

from fluxops import api
from fluxops.cli.main import cli
from fluxops.drift.verdicts import DriftResult
from tests.cluster import drift_scenario as sc
from tests.cluster.drift_support import Kube

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("FLUXOPS_TOOLS_DIR", "~/.cache/fluxops/tools")).expanduser()
SECRET_TEXTS = ("s3cr3t-v4lue", "changed-by-hand", "admin-user", "t0ken-untouched")


@dataclass
class Scenario:
    cluster: LiveCluster
    kube: Kube
    repo: Path
    ks_file: Path
    ns: str
    ks: str

    def expected(self, column: int) -> dict[str, str]:
        return {k.format(ns=self.ns): v[column] for k, v in sc.EXPECTED.items()}

    def run(self, mode: str = "fields", context: str = "admin", **kw: Any) -> DriftResult:
        return api.drift(
            api.DriftRequest(
                path=str(self.repo),
                ks=f"flux-system/{self.ks}",
                kubeconfig=self.cluster.kubeconfig,
                context=context,
                mode=mode,
                timeout=20,
                **kw,
            )
        )


def verdicts(result: DriftResult) -> dict[str, str]:
    return {o.id.short(): o.verdict for o in result.objects}


@pytest.fixture(scope="module")
def kube(cluster: LiveCluster) -> Iterator[Kube]:
    k = Kube(cluster.kubeconfig, cluster.admin_context)
    k.apply(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}},
        "fluxops-tests",
    )
    yield k
    k.close()


@pytest.fixture(scope="module")
def scenario(
    cluster: LiveCluster, kube: Kube, tmp_path_factory: pytest.TempPathFactory
) -> Scenario:
    suffix = uuid.uuid4().hex[:6]
    ns, ks = f"drift-{suffix}", f"apps-{suffix}"
    repo = tmp_path_factory.mktemp("drift-repo")
    sc.write_repo(repo, ns, ks, 1)
    sc.apply_as_flux(kube, ns, ks)
    ks_file = sc.write_repo(repo, ns, ks, 2)
    sc.edit_live(kube, ns, ks)
    return Scenario(cluster, kube, repo, ks_file, ns, ks)


def test_fields_mode_verdicts(scenario: Scenario) -> None:
    result = scenario.run("fields")
    assert verdicts(result) == scenario.expected(0)
    assert result.exit_code == 1
    # one LIST per kind with the owner-label selector, a few GETs: not a request per object
    assert result.requests is not None and result.requests < 30


def test_server_mode_verdicts(scenario: Scenario) -> None:
    result = scenario.run("server")
    assert verdicts(result) == scenario.expected(1)
    assert result.exit_code == 1


@pytest.mark.parametrize("mode", ["fields", "server"])
def test_differences_reported_field_by_field(scenario: Scenario, mode: str) -> None:
    result = scenario.run(mode)
    by_name = {o.id.name: o for o in result.objects}
    diffs = {
        name: {(d.path, d.op, d.desired, d.live) for d in o.differences}
        for name, o in by_name.items()
    }
    assert diffs["web-scaled"] == {("spec.replicas", "changed", 2, 5)}
    assert diffs["web-image"] == {
        ("spec.template.spec.containers[name=app].image", "changed", "nginx:1.25", "nginx:1.27")
    }
    assert diffs["cm-edited"] == {("data.level", "changed", "info", "debug")}
    assert diffs["cm-label-dropped"] == {
        ("metadata.labels.team", "unexpected", sc_absent(), "platform")
    }
    assert diffs["creds"] == {("data.password", "changed", "*** (desired)", "*** (live)")}
    assert by_name["creds"].secret_keys == [("password", "changed"), ("user", "unchanged")]
    assert by_name["stale"].prune == "prune"
    assert by_name["stale-kept"].prune == "keep-annotated"
    assert by_name["extra-owned"].prune == "keep"
    assert "ssa: Ignore" in by_name["cm-ignored"].reason
    # the label added with `kubectl label` is not drift (as in flux diff), but a note says
    # the real controller will remove it
    assert by_name["cm-labelled"].verdict == "in-sync"
    assert any(
        "metadata.labels.added was set by kubectl-label" in n for n in by_name["cm-labelled"].notes
    )


def sc_absent() -> Any:
    from fluxops.model.kube.scalars import ABSENT

    return ABSENT


def test_untouched_objects_with_server_defaults_are_in_sync(scenario: Scenario) -> None:
    live = scenario.kube.get("apps/v1", "Deployment", scenario.ns, "web-untouched")
    assert live is not None
    container = live["spec"]["template"]["spec"]["containers"][0]
    # the server filled in defaults and canonicalised quantities: still no drift
    assert live["spec"]["strategy"]["type"] == "RollingUpdate"
    assert container["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    assert container["ports"][0]["protocol"] == "TCP"
    assert "value" not in container["env"][1]
    for mode in ("fields", "server"):
        assert verdicts(scenario.run(mode))[f"Deployment/{scenario.ns}/web-untouched"] == "in-sync"


def test_a_run_writes_nothing(scenario: Scenario) -> None:
    namespaces = [scenario.ns, "flux-system"]
    before = scenario.kube.resource_versions(namespaces)
    assert len(before) > 15
    for mode in ("fields", "server"):
        scenario.run(mode)
        scenario.run(mode, helm=True)
    assert scenario.kube.resource_versions(namespaces) == before


@pytest.mark.parametrize("mode", ["fields", "server"])
def test_secret_values_never_in_any_output(scenario: Scenario, mode: str) -> None:
    runner = CliRunner()
    args = [
        "drift",
        str(scenario.repo),
        "--ks",
        f"flux-system/{scenario.ks}",
        "--kubeconfig",
        scenario.cluster.kubeconfig,
        "--context",
        "admin",
        "--mode",
        mode,
    ]
    outputs = []
    for fmt in ("text", "json", "markdown"):
        res = runner.invoke(cli, [*args, "-o", fmt, "--show-in-sync"])
        assert res.exit_code == 1, res.output
        outputs.append(res.output)
    assert json.loads(outputs[1])["summary"]["drifted"] == 5
    for text in SECRET_TEXTS:
        for output in outputs:
            assert text not in output
            assert base64.b64encode(text.encode()).decode() not in output


def test_snapshot_gives_the_same_verdicts_where_it_can(scenario: Scenario, tmp_path: Path) -> None:
    """A snapshot written like `kubectl get -o yaml` (no managedFields) of the same cluster."""
    items = []
    for api_version, kind in [
        ("v1", "Namespace"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "Service"),
        ("apps/v1", "Deployment"),
        ("source.toolkit.fluxcd.io/v1", "GitRepository"),
    ]:
        for obj in scenario.kube.client.list(
            api_version, kind, None if kind == "Namespace" else scenario.ns
        ):
            if kind == "Namespace" and obj["metadata"]["name"] != scenario.ns:
                continue
            obj["metadata"].pop("managedFields", None)
            items.append(obj)
    ks = scenario.kube.get(
        "kustomize.toolkit.fluxcd.io/v1", "Kustomization", "flux-system", scenario.ks
    )
    assert ks is not None
    items.append(ks)
    snap = tmp_path / "live.yaml"
    snap.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}))
    result = api.drift(
        api.DriftRequest(
            path=str(scenario.repo), ks=f"flux-system/{scenario.ks}", snapshot=str(snap)
        )
    )
    expected = scenario.expected(0)
    # a snapshot holds no Secret values (keys only) and, like kubectl get, no managedFields
    # (so a field Flux stopped setting cannot be told from one another manager set)
    expected[f"Secret/{scenario.ns}/creds"] = "in-sync"
    expected[f"ConfigMap/{scenario.ns}/cm-label-dropped"] = "in-sync"
    assert verdicts(result) == expected


def test_reader_context_fields_mode_and_server_mode_permission(
    cluster: LiveCluster, kube: Kube, tmp_path: Path
) -> None:
    """`reader` may only get/list/watch in team-a: fields mode works (per-namespace lists), the
    Kustomization it cannot read is reported, and server mode says it needs patch."""
    ns = cluster.reader_namespace
    suffix = uuid.uuid4().hex[:6]
    ks = f"team-{suffix}"
    objs = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"cm-{suffix}-{i}", "namespace": ns},
            "data": {"i": str(i)},
        }
        for i in range(2)
    ]
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "all.yaml").write_text(yaml.safe_dump_all(objs))
    (tmp_path / "apps" / "kustomization.yaml").write_text("resources: [all.yaml]\n")
    kustomization = sc.kustomization(ks)
    (tmp_path / "ks.yaml").write_text(yaml.safe_dump(kustomization))
    for obj in objs:
        kube.apply(sc.owner_labels(obj, ks))

    def request(context: str, mode: str = "fields") -> api.DriftRequest:
        return api.DriftRequest(
            path=str(tmp_path),
            ks=f"flux-system/{ks}",
            kubeconfig=cluster.kubeconfig,
            timeout=20,
            context=context,
            mode=mode,
        )

    as_admin = api.drift(request("admin"))
    assert as_admin.exit_code == 0 and set(verdicts(as_admin).values()) == {"in-sync"}
    fields = api.drift(request("reader"))
    assert set(verdicts(fields).values()) == {"in-sync"}
    assert fields.exit_code == 0
    assert any("cannot read Kustomization" in n for n in fields.notes)
    server = api.drift(request("reader", mode="server"))
    assert set(verdicts(server).values()) == {"error"}
    assert all("permission to patch" in o.reason for o in server.objects)
    assert server.exit_code == 2


def test_cli_exit_code_two_on_errors(scenario: Scenario) -> None:
    res = CliRunner().invoke(
        cli,
        [
            "drift",
            str(scenario.repo),
            "--ks",
            f"flux-system/{scenario.ks}",
            "--kubeconfig",
            scenario.cluster.kubeconfig,
            "--context",
            "nope",
        ],
    )
    assert res.exit_code == 2
    assert "no context 'nope'" in res.output


# -- --helm ------------------------------------------------------------------------------------


def _storage_secret(
    ns: str, release: str, version: int, status: str, manifest: str
) -> dict[str, Any]:
    import gzip

    body = {
        "name": release,
        "namespace": ns,
        "version": version,
        "manifest": manifest,
        "info": {"status": status},
        "config": {"password": "s3cr3t-v4lue"},
    }
    payload = base64.b64encode(gzip.compress(json.dumps(body).encode())).decode()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "helm.sh/release.v1",
        "metadata": {
            "name": f"sh.helm.release.v1.{release}.v{version}",
            "namespace": ns,
            "labels": {"owner": "helm", "name": release, "status": status, "version": str(version)},
        },
        "data": {"release": base64.b64encode(payload.encode()).decode()},
    }


def test_helm_release_objects_against_release_storage(
    cluster: LiveCluster, kube: Kube, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:6]
    ns, ks = f"helm-{suffix}", f"helm-{suffix}"
    hr = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "web", "namespace": ns},
        "spec": {
            "interval": "10m",
            "chart": {
                "spec": {"chart": "web", "sourceRef": {"kind": "HelmRepository", "name": "charts"}}
            },
            "driftDetection": {"mode": "enabled", "ignore": [{"paths": ["/data/ignored"]}]},
        },
    }
    (tmp_path / "apps").mkdir()
    (tmp_path / "apps" / "hr.yaml").write_text(
        yaml.safe_dump_all(
            [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, hr]
        )
    )
    (tmp_path / "apps" / "kustomization.yaml").write_text("resources: [hr.yaml]\n")
    (tmp_path / "ks.yaml").write_text(yaml.safe_dump(sc.kustomization(ks)))
    manifest_objs = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "web-config"},
            "data": {"a": "1", "ignored": "x"},
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "web-extra"},
            "data": {"b": "2"},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "web-secret"},
            "stringData": {"password": "s3cr3t-v4lue"},
        },
    ]
    manifest = "".join(
        "---\n# Source: web/templates/x.yaml\n" + yaml.safe_dump(o) for o in manifest_objs
    )
    kube.apply(
        sc.owner_labels({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, ks)
    )
    kube.apply(sc.owner_labels(hr, ks))
    kube.patch(
        "helm.toolkit.fluxcd.io/v2",
        "HelmRelease",
        ns,
        "web",
        {
            "status": {
                "storageNamespace": ns,
                "history": [
                    {
                        "name": "web",
                        "namespace": ns,
                        "version": 2,
                        "chartName": "web",
                        "chartVersion": "1.0.0",
                        "configDigest": "sha256:x",
                        "digest": "sha256:y",
                        "status": "deployed",
                        "firstDeployed": "2024-01-01T00:00:00Z",
                        "lastDeployed": "2024-01-01T00:00:00Z",
                        "appVersion": "1",
                    }
                ],
            }
        },
        manager="helm-controller",
        subresource="status",
    )
    kube.create(_storage_secret(ns, "web", 1, "superseded", "---\n"), manager="helm-controller")
    kube.create(_storage_secret(ns, "web", 2, "deployed", manifest), manager="helm-controller")
    for obj in manifest_objs:
        obj = json.loads(json.dumps(obj))
        obj["metadata"]["namespace"] = ns
        obj["metadata"]["labels"] = {"app.kubernetes.io/managed-by": "Helm"}
        obj["metadata"]["annotations"] = {
            "meta.helm.sh/release-name": "web",
            "meta.helm.sh/release-namespace": ns,
        }
        kube.apply(obj, manager="helm-controller")
    kube.patch(
        "v1", "ConfigMap", ns, "web-config", {"data": {"a": "changed", "ignored": "changed"}}
    )
    kube.delete("v1", "ConfigMap", ns, "web-extra")
    before = kube.resource_versions([ns])
    for mode in ("fields", "server"):
        result = api.drift(
            api.DriftRequest(
                path=str(tmp_path),
                ks=f"flux-system/{ks}",
                kubeconfig=cluster.kubeconfig,
                context="admin",
                mode=mode,
                helm=True,
                timeout=20,
            )
        )
        helm = {o.id.name: o for o in result.objects if o.owner == f"HelmRelease/{ns}/web"}
        assert {k: v.verdict for k, v in helm.items()} == {
            "web-config": "drifted",
            "web-extra": "missing",
            "web-secret": "in-sync",
        }, mode
        assert [(d.path, d.desired, d.live) for d in helm["web-config"].differences] == [
            ("data.a", "1", "changed")
        ]
        owner = next(o for o in result.owners if o.kind == "HelmRelease")
        assert any("v2" in n for n in owner.notes)
        assert "s3cr3t-v4lue" not in json.dumps(
            [o.differences for o in result.objects], default=str
        )
    assert kube.resource_versions([ns]) == before


# -- fidelity: the real `flux diff kustomization` on the same cluster -------------------------


def flux_binary() -> Path:
    override = os.environ.get("FLUXOPS_FLUX_BIN")
    if override:
        return Path(override)
    proc = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts/build-go-tools.sh"), "flux"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"cannot build flux: {proc.stdout[-2000:]}{proc.stderr[-2000:]}", pytrace=False)
    return TOOLS / "flux"


def flux_diff(flux: Path, scenario: Scenario) -> tuple[int, dict[str, str], str]:
    proc = subprocess.run(
        [
            str(flux),
            "diff",
            "kustomization",
            scenario.ks,
            "--path",
            str(scenario.repo / "apps"),
            "--kustomization-file",
            str(scenario.ks_file),
            "--kubeconfig",
            scenario.cluster.kubeconfig,
            "--context",
            "admin",
            "--progress-bar=false",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    found = dict(
        (m.group(1), m.group(2))
        for m in re.finditer(
            r"► (\S+) (created|drifted|skipped|deleted)", proc.stdout + proc.stderr
        )
    )
    return proc.returncode, found, proc.stdout + proc.stderr


@pytest.mark.fidelity
def test_verdicts_match_flux_diff(scenario: Scenario) -> None:
    before = scenario.kube.resource_versions([scenario.ns, "flux-system"])
    code, found, output = flux_diff(flux_binary(), scenario)
    assert code == 1, output
    expected_flux = {k.format(ns=scenario.ns): v for k, v in sc.FLUX_DIFF.items() if v}
    assert found == expected_flux, output
    # fluxops' verdicts, mapped to flux's words, agree except for the documented deviations
    mapping = {"missing": "created", "drifted": "drifted", "skipped": "skipped", "in-sync": None}
    for mode in ("fields", "server"):
        ours: dict[str, str] = {}
        for obj in scenario.run(mode).objects:
            word: str | None
            if obj.verdict == "orphaned":
                word = "deleted" if obj.prune == "prune" else f"orphaned/{obj.prune}"
            else:
                word = mapping[obj.verdict]
            if word:
                ours[obj.id.short()] = word
        deviations = {
            f"ConfigMap/{scenario.ns}/stale-kept": ("deleted", "orphaned/keep-annotated"),
            f"ConfigMap/{scenario.ns}/extra-owned": (None, "orphaned/keep"),
        }
        for key, (theirs, mine) in deviations.items():
            assert found.get(key) == theirs
            assert ours.pop(key) == mine
        assert ours == {k: v for k, v in found.items() if k not in deviations}, mode
    assert scenario.kube.resource_versions([scenario.ns, "flux-system"]) == before
