"""Renderers (table, tree, JSON/YAML document) and the CLI on snapshot files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from fluxops import api
from fluxops.cli.main import cli
from fluxops.output.envelope import API_VERSION, schema_errors
from fluxops.output.status import to_data, to_yaml
from fluxops.output.status_text import render_table, render_tree
from fluxops.status.states import State, StatusResult
from tests.unit.status import objects as o

pytestmark = pytest.mark.unit

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DOC = Path(__file__).resolve().parents[3] / "docs" / "status.md"


@pytest.fixture(scope="module")
def snapshot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    objs = o.scenario()
    doc = {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {
            "resourceVersion": "",
            "annotations": {
                "snapshot.fluxops.io/taken-at": "2025-06-01T12:00:00Z",
                "snapshot.fluxops.io/context": "prod",
                "snapshot.fluxops.io/server": "https://10.0.0.1:6443",
            },
        },
        "items": objs + o.scenario_events(objs),
    }
    path = tmp_path_factory.mktemp("snap") / "cluster.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture(scope="module")
def result(snapshot_file: Path) -> StatusResult:
    return api.status(api.StatusRequest(snapshot=str(snapshot_file)))


def test_snapshot_time_and_context(result: StatusResult) -> None:
    assert result.generated_at == NOW
    c = result.clusters[0]
    assert (c.name, c.server, c.origin) == ("prod", "https://10.0.0.1:6443", "snapshot")
    assert result.failing() and not result.failing("none")


def test_json_document(result: StatusResult) -> None:
    data = json.loads(json.dumps(to_data(result)))
    assert data["apiVersion"] == API_VERSION and data["kind"] == "StatusResult"
    assert schema_errors(data) == []
    assert data["generatedAt"] == "2025-06-01T12:00:00Z"
    assert data["failing"] is True
    assert data["summary"]["objects"] == len(o.scenario())
    cluster = data["clusters"][0]
    assert cluster["error"] is None
    statuses = [x["status"] for x in cluster["objects"]]
    order = [
        str(s)
        for s in (
            State.STALLED,
            State.FAILED,
            State.UNKNOWN,
            State.PROGRESSING,
            State.SUSPENDED,
            State.READY,
        )
    ]
    assert statuses == sorted(statuses, key=order.index)  # failing first
    objs = {x["id"]: x for x in cluster["objects"]}
    hr = objs["HelmRelease/podinfo/podinfo"]
    assert hr["failedUpgrade"] == {
        "action": "upgrade",
        "attempted": "6.5.4",
        "deployed": "6.5.3",
        "deployedRelease": 2,
        "failures": 1,
    }
    assert hr["hint"]["commands"]
    crds = objs["Kustomization/flux-system/platform-crds"]
    assert crds["blockedBy"] == ["GitRepository/flux-system/platform"]
    assert crds["upstream"] == [{"via": "sourceRef", "id": "GitRepository/flux-system/platform"}]
    lagging = objs["Kustomization/flux-system/lagging"]
    assert lagging["revision"]["behindSource"] is True
    roots = {r["id"]: r for r in cluster["rootCauses"]}
    assert roots["GitRepository/flux-system/platform"]["blocks"] == [
        "Kustomization/flux-system/platform-config",
        "Kustomization/flux-system/platform-controllers",
        "Kustomization/flux-system/platform-crds",
    ]
    assert [r["type"] for r in cluster["rootCauses"]].count("cycle") == 1
    assert cluster["cycles"] == [
        ["Kustomization/flux-system/cycle-x", "Kustomization/flux-system/cycle-y"]
    ]


def test_documented_schema_matches(result: StatusResult) -> None:
    """Every key the document has is in docs/status.md's schema block, and the reverse."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("### JSON schema", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    documented = set(re.findall(r"^\s*-?\s*([a-zA-Z]+):", block, re.MULTILINE))
    documented |= set(re.findall(r"[{,]\s*([a-zA-Z]+):", block))
    data = to_data(result)
    seen: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if not k[0].isupper() and "." not in k:  # state names and kinds are values
                    seen.add(k)
                if k not in ("apiVersions",):
                    walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(data)
    assert seen - documented == set()


def test_yaml_equals_json(result: StatusResult) -> None:
    assert yaml.safe_load(to_yaml(result)) == json.loads(json.dumps(to_data(result)))


def test_table_root_causes_first_with_blocked_under(result: StatusResult) -> None:
    text = render_table(result, width=220)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("STATUS"))
    body = lines[header + 1 : lines.index("", header)]
    platform = next(
        i for i, line in enumerate(body) if "GitRepository/flux-system/platform" in line
    )
    assert body[platform].startswith("Failed")
    assert all("└ Kustomization/flux-system/platform-" in body[platform + k] for k in (1, 2, 3))
    chain = next(
        i
        for i, line in enumerate(body)
        if line.split()[1:2] == ["Kustomization/flux-system/chain-c"]
    )
    assert "  └ Kustomization/flux-system/chain-b" in body[chain + 1]
    assert "    └ Kustomization/flux-system/chain-a" in body[chain + 2]
    first_ready = next(i for i, line in enumerate(body) if line.startswith("Ready"))
    assert all(
        not line.startswith(("Failed", "Stalled")) for line in body[first_ready:] if line.strip()
    )

    # every object once in the table
    def object_column(line: str) -> str:
        tokens = line.split()
        return tokens[2] if tokens[1] == "└" else tokens[1]

    column = [object_column(line) for line in body]
    for st in result.clusters[0].objects:
        assert column.count(st.id) == 1, st.id
    assert "Root causes (6):" in text
    assert "$ fluxops build . --ks flux-system/chain-c" in text
    assert "$ flux get sources helm podinfo -n flux-system" in text
    assert "warning events:" in text and "(x12)" in text
    assert "\x1b[" not in text


def test_table_problems_only_and_colour(result: StatusResult) -> None:
    text = render_table(result, width=160, problems_only=True, colour=True)
    assert not any(line.startswith("\x1b[32mReady") for line in text.splitlines())
    assert "\x1b[31mFailed\x1b[0m" in text


def test_tree(result: StatusResult) -> None:
    text = render_tree(result)
    assert "GitRepository/flux-system/platform  Failed GitOperationFailed" in text
    assert (
        "├── Kustomization/flux-system/platform-config (sourceRef)  Failed ArtifactFailed" in text
    )
    assert "│   └── Kustomization/flux-system/apps (dependsOn)  Ready" in text
    assert (
        "dependency cycle: Kustomization/flux-system/cycle-x -> Kustomization/flux-system/cycle-y -> Kustomization/flux-system/cycle-x"
        in text
    )


def test_cli_json_and_exit_codes(snapshot_file: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["status", "--snapshot", str(snapshot_file), "-o", "json"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    assert data["clusters"][0]["name"] == "prod"
    res = runner.invoke(cli, ["status", "--snapshot", str(snapshot_file), "--fail-on", "none"])
    assert res.exit_code == 0
    assert "Root causes (6):" in res.stdout
    res = runner.invoke(
        cli, ["status", "--snapshot", str(snapshot_file), "--tree", "--fail-on", "none"]
    )
    assert res.exit_code == 0 and "└──" in res.stdout


def test_cli_ready_cluster_exits_0(tmp_path: Path) -> None:
    objs = [
        o.git_repository("flux-system"),
        o.kustomization("apps", applied=o.git_revision("main", "flux-system/flux-system")),
    ]
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": objs}))
    res = CliRunner().invoke(cli, ["status", "--snapshot", str(path), "--fail-on", "progressing"])
    assert res.exit_code == 0, res.output
    assert "2 Flux objects" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--watch", "--snapshot", "x.yaml"], "--watch needs a live cluster"),
        (["-n", "a", "-A"], "-n and -A"),
        (["--snapshot", "x.yaml", "--context", "a"], "cannot be combined with --context"),
        (["--stale-after", "soon"], "--stale-after 'soon'"),
        (["--snapshot", "does-not-exist.yaml"], "snapshot file not found"),
    ],
)
def test_cli_usage_errors(args: list[str], message: str) -> None:
    res = CliRunner().invoke(cli, ["status", *args])
    assert res.exit_code == 2
    assert message in res.output


def test_cli_snapshot_without_flux(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "List",
                "items": [
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": "x", "namespace": "y"},
                    }
                ],
            }
        )
    )
    res = CliRunner().invoke(cli, ["status", "--snapshot", str(path), "-o", "json"])
    assert res.exit_code == 2
    data = json.loads(res.stdout)
    assert "holds no Flux objects" in data["clusters"][0]["error"]["message"]
    assert "holds no Flux objects" in res.stderr


def test_namespace_filter_on_a_snapshot(snapshot_file: Path) -> None:
    result = api.status(api.StatusRequest(snapshot=str(snapshot_file), namespace="podinfo"))
    ids = {st.id for st in result.clusters[0].objects}
    assert "HelmRelease/podinfo/podinfo" in ids
    # what podinfo's releases reference is fetched from outside the namespace
    assert "HelmChart/flux-system/podinfo-broken" in ids
    assert "Kustomization/flux-system/apps" not in ids
    roots = {r.id for r in result.clusters[0].root_causes}
    assert "HelmChart/flux-system/podinfo-broken" in roots


def test_help_does_not_import_the_kubernetes_client() -> None:
    code = (
        "import sys; from fluxops.cli.main import cli; from click.testing import CliRunner;"
        "r = CliRunner().invoke(cli, ['status', '--help']); assert r.exit_code == 0, r.output;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lightkube', 'httpx2', 'httpx')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
