"""The 26 drift scenarios of issue 19 on the real API server, each judged by `fluxops drift`
(fields and server mode) and by the real `flux diff kustomization` (fidelity).

Each scenario (tests/cluster/drift_cases.py) is one Flux Kustomization in its own namespace,
applied by a small stand-in for kustomize-controller (server-side apply with field manager
`kustomize-controller`, forced; owner labels; the inventory recorded in the Kustomization's
status), then edited by hand as people do. The test asserts fluxops' verdicts and exit codes,
what `flux diff` says, and that every disagreement between the two is a row of the table of
deviations in docs/drift.md. Set FLUXOPS_SCENARIO_TABLE=FILE to get the table of results.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from fluxops import api
from fluxops.drift.verdicts import DriftResult, ObjectDrift
from tests.cluster.drift_cases import CASES, SUBST_SECRET_VALUE, Case
from tests.cluster.drift_scenario import inventory_entry, owner_labels
from tests.cluster.drift_support import Kube
from tests.cluster.test_drift import flux_binary

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = [pytest.mark.cluster, pytest.mark.fidelity]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "drift.md"
WORDS = {"missing": "created", "drifted": "drifted", "skipped": "skipped", "error": "error"}
ROWS: dict[str, str] = {}


def fill(value: Any, ns: str) -> Any:
    """The case's placeholders (`N`) with its namespace."""
    if isinstance(value, dict):
        return {fill(k, ns): fill(v, ns) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ns) for v in value]
    if isinstance(value, str):
        if value == "N":
            return ns
        if value.endswith("-N"):
            return value[:-1] + ns
        return value.replace("/N/", f"/{ns}/")
    return value


def kustomization(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {
            "interval": "10m",
            "path": "./apps",
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            **spec,
        },
    }


def prepare(kube: Kube, case: Case, root: Path) -> Path:
    """Apply as kustomize-controller did, write the repo as it is now, make the hand edits."""
    ns = f"sc-{case.name}"
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, "fluxops-tests")
    for obj in fill(case.setup, ns):
        kube.apply(obj, "fluxops-tests")
    applied = [owner_labels(o, ns) for o in fill(case.applied, ns)]
    for obj in applied:
        kube.apply(obj)
    ks = kustomization(ns, fill(case.spec, ns))
    kube.apply(ks, "fluxops-tests")
    kube.patch(
        "kustomize.toolkit.fluxcd.io/v1",
        "Kustomization",
        "flux-system",
        ns,
        {"status": {"inventory": {"entries": [inventory_entry(o) for o in applied]}}},
        manager="kustomize-controller",
        subresource="status",
    )
    repo = root / case.name
    apps = repo / "apps"
    apps.mkdir(parents=True)
    files = []
    for i, obj in enumerate(fill(case.repo if case.repo is not None else case.applied, ns)):
        files.append(f"{i}.yaml")
        (apps / files[-1]).write_text(yaml.safe_dump(obj))
    (apps / "kustomization.yaml").write_text(yaml.safe_dump({"resources": files}))
    (repo / "ks.yaml").write_text(yaml.safe_dump(ks))
    if case.edit is not None:
        case.edit(kube, ns)
    return repo


@pytest.fixture(scope="module")
def prepared(cluster: LiveCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    kube = Kube(cluster.kubeconfig, cluster.admin_context)
    kube.apply(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}},
        "fluxops-tests",
    )
    root = tmp_path_factory.mktemp("scenarios")
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda c: prepare(kube, c, root), CASES))
    kube.close()
    yield root
    table = os.environ.get("FLUXOPS_SCENARIO_TABLE")
    if table:
        head = "| scenario | fluxops fields | fluxops server | flux diff | agree? |\n|---|---|---|---|---|\n"
        Path(table).write_text(head + "".join(ROWS[c.name] for c in CASES if c.name in ROWS))


def word(obj: ObjectDrift) -> str | None:
    if obj.verdict == "orphaned":
        return "deleted" if obj.prune == "prune" else obj.prune
    return WORDS.get(obj.verdict)


def flux_diff(cluster: LiveCluster, repo: Path, ns: str) -> tuple[int, dict[str, str], str]:
    proc = subprocess.run(
        [
            str(flux_binary()),
            "diff",
            "kustomization",
            ns,
            "--path",
            str(repo / "apps"),
            "--kustomization-file",
            str(repo / "ks.yaml"),
            "--kubeconfig",
            cluster.kubeconfig,
            "--context",
            "admin",
            "--progress-bar=false",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = proc.stdout + proc.stderr
    found = {
        m.group(1): m.group(2)
        for m in re.finditer(r"► (\S+) (created|drifted|skipped|deleted)", output)
    }
    return proc.returncode, found, output


def documented_deviations() -> str:
    text = DOCS.read_text()
    return text[text.index("## Deviations from `flux diff") :]


def describe(result: DriftResult) -> str:
    return (
        ", ".join(
            f"{o.id.short()} {o.verdict}{'/' + o.prune if o.prune else ''}" for o in result.objects
        )
        + f" (exit {result.exit_code})"
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_scenario(case: Case, prepared: Path, cluster: LiveCluster) -> None:
    ns = f"sc-{case.name}"
    repo = prepared / case.name
    expect = {fill(k, ns): v for k, v in case.expect.items()}
    results: dict[str, DriftResult] = {}
    for column, mode in enumerate(("fields", "server")):
        result = api.drift(
            api.DriftRequest(
                path=str(repo),
                ks=f"flux-system/{ns}",
                kubeconfig=cluster.kubeconfig,
                context="admin",
                mode=mode,
                timeout=20,
            )
        )
        results[mode] = result
        got = {o.id.short(): o.verdict for o in result.objects}
        assert got == {k: v[column] for k, v in expect.items()}, (mode, describe(result))
        assert result.exit_code == case.exits[column], (mode, describe(result))
        assert SUBST_SECRET_VALUE not in repr(result), mode
    if case.note is not None:
        notes = [n for o in results["fields"].objects for n in o.notes]
        assert any(case.note in n for n in notes) if case.note else not notes, notes
    code, found, output = flux_diff(cluster, repo, ns)
    assert found == {k: v[2] for k, v in expect.items() if v[2]}, output
    assert code == case.exits[2], output
    agree = True
    for mode, result in results.items():
        ours = {o.id.short(): word(o) for o in result.objects if word(o)}
        ours = {k: v for k, v in ours.items() if v != "error"}  # flux fails the whole run
        if ours != found or (result.exit_code != code):
            agree = False
            assert case.deviation, (
                f"{mode}: fluxops {ours} exit {result.exit_code}, flux {found} exit {code}"
            )
    if case.deviation:
        assert not agree, "documented deviation, but no disagreement"
        assert f"`{case.deviation}`" in documented_deviations()
    ROWS[case.name] = (
        f"| {case.name} | {describe(results['fields'])} | "
        f"{describe(results['server'])} | "
        f"{', '.join(f'{k} {v}' for k, v in found.items()) or 'nothing'} (exit {code}) | "
        f"{'yes' if agree else 'documented: ' + case.deviation} |\n"
    )


def test_unreadable_secret_variables_are_not_compared(
    prepared: Path, cluster: LiveCluster, tmp_path: Path
) -> None:
    """The `reader` context may read namespace team-a only: the substituteFrom Secret in
    flux-system is refused, so the field that depends on it is not compared (never drift),
    and said so; the other fields still are."""
    ns, name = cluster.reader_namespace, "sc-forbidden"
    kube = Kube(cluster.kubeconfig, cluster.admin_context)
    value = "f0rbidden-v4lue"
    kube.apply(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": f"{name}-vars", "namespace": "flux-system"},
            "stringData": {"PASSWORD": value},
        },
        "fluxops-tests",
    )
    live = owner_labels(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": ns},
            "data": {"password": value, "level": "info"},
        },
        name,
    )
    kube.apply(live)
    spec = {"postBuild": {"substituteFrom": [{"kind": "Secret", "name": f"{name}-vars"}]}}
    ks = kustomization(name, spec)
    kube.apply(ks, "fluxops-tests")
    kube.close()
    apps = tmp_path / "apps"
    apps.mkdir()
    desired = {**live, "data": {"password": "${PASSWORD}", "level": "info"}}
    desired["metadata"] = {"name": name, "namespace": ns}
    (apps / "cm.yaml").write_text(yaml.safe_dump(desired))
    (apps / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    repo_secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": f"{name}-vars", "namespace": "flux-system"},
        "stringData": {"PASSWORD": "not-the-live-value"},
    }
    (tmp_path / "ks.yaml").write_text(yaml.safe_dump_all([ks, repo_secret]))
    for level, verdict in (("info", "in-sync"), ("debug", "drifted")):
        if level == "debug":
            desired["data"]["level"] = "debug"
            (apps / "cm.yaml").write_text(yaml.safe_dump(desired))
        result = api.drift(
            api.DriftRequest(
                path=str(tmp_path),
                ks=f"flux-system/{name}",
                kubeconfig=cluster.kubeconfig,
                context=cluster.reader_context,
                timeout=20,
            )
        )
        (obj,) = result.objects
        assert obj.verdict == verdict, describe(result)
        assert [p for p, _ in obj.not_compared] == ["data.password"]
        assert "cannot be read" in obj.not_compared[0][1]
        assert value not in repr(result)
