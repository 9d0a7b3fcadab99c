"""Writes only where asked: names that are not Kubernetes names never become path parts,
every path written resolves inside --output-dir, a folder that cannot be written is a clear
usage error (exit 2), and the repository is never written to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fluxops.model.resource import Resource
from fluxops.model.results import BuildResult, KustomizationBuild
from fluxops.output.build import output_file, write_output_dir
from tests.security.conftest import CONFIGMAP, Run, flux_repo, kustomization

pytestmark = [pytest.mark.security]


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize(
    "name", ["../../../../evil", "a/b", "..", "UPPER", "x" * 300, "evil\nname", "café"]
)
def test_a_hostile_name_never_becomes_a_path(run: Run, tmp_path: Path, name: str) -> None:
    repo = flux_repo(
        tmp_path / "repo",
        {
            "kustomization.yaml": "resources: [child.yaml, cm.yaml]\n",
            "child.yaml": kustomization(name, "./apps/sub"),
            "cm.yaml": CONFIGMAP,
            "sub/cm.yaml": CONFIGMAP.replace("plain", "sub"),
        },
    )
    before = tree(tmp_path)
    out = tmp_path / "work" / "out"
    result = run("build", str(repo), "--all", "--output-dir", str(out), expect=1)
    result.assert_clean()
    after = tree(tmp_path)
    created = sorted(set(after) - set(before))
    assert all(p.startswith(("work/out/", "cache/")) for p in created), created
    assert not (tmp_path / "evil.yaml").exists() and not Path("/evil.yaml").exists()
    assert {p for p in before if p in after and before[p] != after[p]} == set()
    assert "not a valid Kubernetes name" in result.stderr


def test_the_writer_refuses_bad_names_on_its_own(tmp_path: Path) -> None:
    """Even a build that claims success with a hostile name is not written outside."""
    raw = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "../../../evil", "namespace": "../.."},
        "spec": {"path": "./x"},
    }
    build = KustomizationBuild(cluster="../../../c", kustomization=Resource(raw=raw))
    build.objects = [
        Resource(raw={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    ]
    good = KustomizationBuild(
        cluster="../../c/../..",
        kustomization=Resource(raw={**raw, "metadata": {"name": "ok", "namespace": "default"}}),
    )
    assert output_file(build) is None
    assert output_file(good) == "_.._c_.._/default_ok.yaml"  # one folder, no `..` part
    out = tmp_path / "out"
    report = write_output_dir(BuildResult(builds=[build, good]), out)
    assert len(report.refused) == 1 and "not written" in report.refused[0]
    (written,) = report.written
    assert written.resolve().is_relative_to(out.resolve())
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_an_output_dir_that_cannot_be_written_exits_2(run: Run, tmp_path: Path, where: str) -> None:
    repo = flux_repo(
        tmp_path / "repo", {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": CONFIGMAP}
    )
    if where == "under-a-file":
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "out"
    else:
        out = Path("/proc/fluxops-out")
    result = run("build", str(repo), "--all", "--output-dir", str(out), expect=2)
    result.assert_clean()
    assert "--output-dir" in result.stderr
    assert "error:" in result.stderr


def test_every_verb_leaves_the_repository_untouched(run: Run, tmp_path: Path) -> None:
    repo = flux_repo(
        tmp_path / "repo",
        {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": CONFIGMAP},
    )
    before = tree(repo)
    run("build", str(repo), "--all", expect=0)
    run("validate", str(repo), "--all")
    run("lint", str(repo))
    run("build", str(repo / "apps"), expect=0)
    assert tree(repo) == before
    summary = json.loads(run("build", str(repo), "--all", "-o", "json", expect=0).stdout)["summary"]
    assert (summary["ok"], summary["failed"]) == (2, 0)
