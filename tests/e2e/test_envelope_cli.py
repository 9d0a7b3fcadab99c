"""Every verb's real `-o json` (and `-o yaml`) output is the envelope of docs/json.md and
validates against the JSON Schema of its kind shipped in the package; `summary.exitCode` is the
exit status of the process. On the example repo, on the fixture repos, and on snapshot files
made here (the live API server: tests/cluster/test_envelope.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from fluxops.output.envelope import API_VERSION, schema_errors
from tests.e2e.conftest import Run
from tests.unit.status import objects as status_objects

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "podinfo-platform"
FIXTURES = ROOT / "tests" / "fixtures"
SELECTION = FIXTURES / "selection-repo"
VALUES = FIXTURES / "values-repo"


def envelope_of(proc: Any, kind: str, fmt: str = "json") -> dict[str, Any]:
    """The document on stdout: of `kind`, valid against its schema, its exitCode the
    process's."""
    doc: dict[str, Any] = json.loads(proc.stdout) if fmt == "json" else yaml.safe_load(proc.stdout)
    assert doc["apiVersion"] == API_VERSION
    assert doc["kind"] == kind, doc
    assert schema_errors(doc) == []
    assert doc["summary"]["exitCode"] == proc.returncode
    return doc


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["build", str(EXAMPLE), "--all", "-o", "json"], "BuildResult"),
        (["build", str(SELECTION), "--all", "-o", "json"], "BuildResult"),
        (["validate", str(EXAMPLE), "-o", "json"], "ValidateResult"),
        (["validate", str(SELECTION), "-o", "yaml"], "ValidateResult"),
        (["lint", str(EXAMPLE), "-o", "json"], "LintResult"),
        (["lint", str(SELECTION), "-o", "yaml", "--fail-on", "info"], "LintResult"),
        (
            ["values-diff", "podinfo", str(EXAMPLE), "--envs", "staging,production", "-o", "json"],
            "ValuesDiffResult",
        ),
        (
            ["values-diff", "--all", str(VALUES), "--envs", "a,b", "-o", "yaml", "--exit-code"],
            "ValuesDiffResult",
        ),
        (["list", str(EXAMPLE), "-o", "json"], "ListResult"),
        (["list", str(SELECTION), "-o", "json"], "ListResult"),
        (["list", str(EXAMPLE), "-o", "yaml"], "ListResult"),
    ],
)
def test_repo_verbs_print_a_valid_envelope(fluxops: Run, args: list[str], kind: str) -> None:
    fmt = args[args.index("-o") + 1]
    envelope_of(fluxops(*args), kind, fmt)


def test_findings_have_one_shape_and_exit_code_1(fluxops: Run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "kustomization.yaml").write_text("resources: [svc.yaml]\n")
    (repo / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n"
        "  - port: not-a-number\n"
    )
    doc = envelope_of(fluxops("validate", str(repo), "-o", "json", check_code=1), "ValidateResult")
    assert doc["summary"]["errors"] >= 1
    first = doc["findings"][0]
    assert list(first)[:8] == [
        "code",
        "severity",
        "message",
        "file",
        "line",
        "object",
        "path",
        "hint",
    ]


def test_compact_is_one_line(fluxops: Run) -> None:
    proc = fluxops("build", str(EXAMPLE), "--all", "-o", "json", "--compact", check_code=0)
    assert proc.stdout.count("\n") == 1
    envelope_of(proc, "BuildResult")
    indented = fluxops("build", str(EXAMPLE), "--all", "-o", "json", check_code=0)
    assert indented.stdout.count("\n") > 10


def test_every_verb_offers_compact_and_color(fluxops: Run) -> None:
    """The output flags are the same on every verb that prints a result (docs/cli.md)."""
    import click

    from fluxops.cli.main import cli

    context = click.Context(cli)
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        if command is None or isinstance(command, click.Group) or name == "mcp":
            continue
        flags = {flag for p in command.params for flag in p.opts}
        assert {"-o", "--compact", "--color"} <= flags, name
    proc = fluxops("list", str(EXAMPLE), "-o", "yaml", "--compact", check_code=0)
    assert proc.stdout.startswith("---\n")
    doc = envelope_of(proc, "ListResult", "yaml")
    assert doc["summary"]["kustomizations"] == len(doc["kustomizations"])


@pytest.fixture
def status_snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "status.yaml"
    items = status_objects.scenario()
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}))
    return path


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_status_on_a_snapshot(fluxops: Run, status_snapshot: Path, fmt: str) -> None:
    doc = envelope_of(
        fluxops("status", "--snapshot", str(status_snapshot), "-o", fmt, check_code=1),
        "StatusResult",
        fmt,
    )
    assert doc["summary"]["failed"] >= 1 and doc["failing"] is True


def test_drift_on_a_snapshot_of_the_rendered_objects(fluxops: Run, tmp_path: Path) -> None:
    """The live state is what the repo renders: in sync, exit 0."""
    rendered = fluxops(
        "build", str(EXAMPLE), "--ks", "apps", "--cluster", "clusters/staging", check_code=0
    )
    items = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    snap = tmp_path / "live.yaml"
    snap.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}))
    args = ["drift", str(EXAMPLE), "--ks", "flux-system/apps", "--cluster", "clusters/staging"]
    doc = envelope_of(
        fluxops(*args, "--snapshot", str(snap), "-o", "json", check_code=0), "DriftResult"
    )
    assert doc["summary"]["inSync"] == len(items) and doc["drift"] is False
    envelope_of(fluxops(*args, "--snapshot", str(snap), "-o", "yaml"), "DriftResult", "yaml")


@pytest.mark.parametrize(
    ("args", "code", "exit_code"),
    [
        (["build", str(EXAMPLE), "--ks", "nope", "-o", "json"], "not-found", 2),
        (["validate", str(EXAMPLE), "--cluster", "clusters/nope", "-o", "json"], "usage", 2),
        (["lint", "/nonexistent/repo", "-o", "yaml"], "usage", 2),
        (["status", "--snapshot", "/nonexistent.yaml", "-o", "json"], "usage", 2),
    ],
)
def test_a_command_that_cannot_run_prints_an_error_result(
    fluxops: Run, args: list[str], code: str, exit_code: int
) -> None:
    proc = fluxops(*args, check_code=exit_code)
    fmt = args[args.index("-o") + 1]
    doc = envelope_of(proc, "ErrorResult", fmt)
    assert [f["code"] for f in doc["findings"]] == [code]
    assert doc["findings"][0]["message"] in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["build", str(EXAMPLE), "--ks", "nope", "-o", "json", "--compact"],
        ["lint", str(EXAMPLE), "--bogus", "-o", "json", "--compact"],
    ],
)
def test_compact_applies_to_the_error_result(fluxops: Run, args: list[str]) -> None:
    """A command that cannot run (or a flag click refuses) keeps `--compact`: one line."""
    proc = fluxops(*args, check_code=2)
    assert proc.stdout.count("\n") == 1
    envelope_of(proc, "ErrorResult")
    indented = fluxops(*[a for a in args if a != "--compact"], check_code=2)
    assert indented.stdout.count("\n") > 5


def test_build_yaml_stays_an_object_stream_on_error(fluxops: Run) -> None:
    proc = fluxops("build", str(EXAMPLE), "--ks", "nope", check_code=2)
    assert proc.stdout == ""


def test_missing_engine_is_an_engine_error_result(fluxops: Run) -> None:
    args = ["build", str(EXAMPLE), "--all", "-o", "json", "--kustomize-bin", "/nonexistent/k"]
    doc = envelope_of(fluxops(*args, check_code=2), "ErrorResult")
    assert doc["findings"][0]["code"] == "engine"


def test_a_bug_is_exit_3_with_an_internal_error_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug cannot be caused on purpose: the api call is replaced by one that fails."""
    from click.testing import CliRunner

    from fluxops import api
    from fluxops.cli.main import cli

    def broken(request: object) -> None:
        raise RuntimeError("an invariant did not hold")

    monkeypatch.setattr(api, "lint", broken, raising=False)
    monkeypatch.delenv("FLUXOPS_DEBUG", raising=False)
    res = CliRunner().invoke(cli, ["lint", str(EXAMPLE), "-o", "json"])
    assert res.exit_code == 3
    doc = json.loads(res.stdout)
    assert doc["kind"] == "ErrorResult" and schema_errors(doc) == []
    assert doc["summary"]["exitCode"] == 3
    finding = doc["findings"][0]
    assert finding["code"] == "internal" and "invariant" in finding["message"]
    assert "this is a bug" in res.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["lint", str(EXAMPLE), "--bogus", "-o", "json"],
        ["validate", str(EXAMPLE), "--output=yaml", "--fail-on", "never"],
        ["status", "-ojson", "--fail-on", "sometimes"],
    ],
)
def test_a_flag_click_refuses_still_gives_an_error_result(fluxops: Run, args: list[str]) -> None:
    proc = fluxops(*args, check_code=2)
    fmt = "yaml" if "--output=yaml" in args else "json"
    doc = envelope_of(proc, "ErrorResult", fmt)
    assert doc["findings"][0]["code"] == "usage"
    assert "Usage: fluxops" in proc.stderr


def test_a_flag_click_refuses_without_json_prints_only_usage(fluxops: Run) -> None:
    proc = fluxops("lint", str(EXAMPLE), "--bogus", check_code=2)
    assert proc.stdout == "" and "No such option '--bogus'" in proc.stderr


def test_list_summary_counts_its_lists(fluxops: Run) -> None:
    doc = envelope_of(fluxops("list", str(EXAMPLE), "-o", "json", check_code=0), "ListResult")
    for key in ("kustomizations", "helmReleases", "sources", "clusters"):
        assert doc["summary"][key] == len(doc[key]) > 0


@pytest.mark.parametrize("dry_run", [True, False])
def test_init(fluxops: Run, tmp_path: Path, dry_run: bool) -> None:
    args = ["init", str(tmp_path / "fleet"), "--cluster", "staging", "-o", "json"]
    proc = fluxops(*args, *(["--dry-run"] if dry_run else []), check_code=0)
    doc = envelope_of(proc, "InitResult")
    assert doc["summary"]["dryRun"] is dry_run
    assert doc["summary"]["created"] == len(doc["created"]) > 0
    assert (tmp_path / "fleet").exists() is not dry_run


def test_diff_on_a_git_repository(fluxops: Run, tmp_path: Path) -> None:
    """A copy of the example repo in git: a change, then the diff's envelope (exit 0, and 1
    with --exit-code), and no difference at all (exit 0)."""
    from tests.gitrepos import GitRepo

    repo = GitRepo.copy_of(EXAMPLE, tmp_path / "repo")
    repo.edit("apps/base/podinfo/smoke.yaml", "replicas: 1", "replicas: 3")
    repo.commit("three smoke replicas")
    args = ["diff", str(repo.root), "--base", "base", "--head", "HEAD", "-o", "json"]
    doc = envelope_of(fluxops(*args, check_code=0), "DiffResult")
    assert doc["summary"]["changed"] == sum(k["counts"]["changed"] for k in doc["kustomizations"])
    assert doc["summary"]["changedFiles"] == len(doc["changedFiles"]) == 1
    envelope_of(fluxops(*args, "--exit-code", check_code=1), "DiffResult")
    same = ["diff", str(repo.root), "--base", "HEAD", "--head", "HEAD", "-o", "json"]
    doc = envelope_of(fluxops(*same, "--exit-code", check_code=0), "DiffResult")
    assert doc["summary"]["kustomizations"] == 0 and doc["kustomizations"] == []
