"""`fluxops lint` and `fluxops validate` from the command line: formats, exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fluxops.cli.main import cli
from fluxops.lint.rules.ks_prune import KsPrune

pytestmark = pytest.mark.unit


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_lint_exit_codes_and_formats(tmp_path: Path) -> None:
    repo = write(tmp_path / "repo", KsPrune.failing)
    runner = CliRunner()
    out = runner.invoke(cli, ["lint", str(repo), "--no-render"])
    assert out.exit_code == 0, out.output  # a warning, fail-on error
    assert "ks-prune" in out.output and "apps.yaml" in out.output
    out = runner.invoke(
        cli, ["lint", str(repo), "--no-render", "--fail-on", "warning", "-o", "json"]
    )
    assert out.exit_code == 1
    data = json.loads(out.output)
    assert data["findingsPerRule"] == {"ks-prune": 1} and data["summary"]["exitCode"] == 1
    out = runner.invoke(cli, ["lint", str(repo), "--no-render", "-o", "sarif"])
    assert json.loads(out.output)["version"] == "2.1.0"


def test_lint_bad_config_exits_2_naming_the_file(tmp_path: Path) -> None:
    repo = write(
        tmp_path / "repo", {**KsPrune.passing, ".fluxops.yaml": "lint:\n  disable: [nope]\n"}
    )
    out = CliRunner().invoke(cli, ["lint", str(repo), "--no-render"])
    assert out.exit_code == 2
    assert ".fluxops.yaml" in out.output and "nope" in out.output and "Traceback" not in out.output


def test_list_rules() -> None:
    out = CliRunner().invoke(cli, ["lint", "--list-rules"])
    assert out.exit_code == 0 and "ks-prune" in out.output and "image-marker" in out.output


def test_validate_unknown_kube_version_exits_2(tmp_path: Path) -> None:
    repo = write(
        tmp_path / "repo",
        {
            "kustomization.yaml": "resources: [cm.yaml]\n",
            "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        },
    )
    out = CliRunner().invoke(cli, ["validate", str(repo), "--kube-version", "0.9"])
    assert out.exit_code == 2 and "--kube-version" in out.output


def test_validate_overlay_finds_errors_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUXOPS_CACHE_DIR", str(tmp_path / "cache"))
    repo = write(
        tmp_path / "repo",
        {
            "kustomization.yaml": "resources: [svc.yaml]\n",
            "svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: http\n",
        },
    )
    out = CliRunner().invoke(cli, ["validate", str(repo), "-o", "json"])
    assert out.exit_code == 1, out.output
    data = json.loads(out.output)
    schema = [f for f in data["findings"] if f["code"] == "schema"]
    assert schema and schema[0]["file"] == "svc.yaml" and schema[0]["line"] == 7
    assert schema[0]["path"] == "spec.ports[0].port"
