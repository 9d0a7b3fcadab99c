"""Read anywhere: a repository must never make fluxops read outside its source.

Each probe is a hostile repository; the outcome is a clear finding (or a failed build naming
the file, the field and the value) and nothing from outside in any output. The outside files
hold a canary; the CLI's environment holds another."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.security.conftest import CANARY, CONFIGMAP, Run, flux_repo, write

pytestmark = [pytest.mark.security]

OUTSIDE = "OUTSIDE-" + CANARY


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the repository with a secret file and a kustomization."""
    return write(
        tmp_path / "outside",
        {
            "secret.txt": OUTSIDE + "\n",
            "cm.yaml": CONFIGMAP.replace("a: b", f"a: {OUTSIDE}"),
            "kustomization.yaml": "resources: [cm.yaml]\n",
        },
    )


def _build(run: Run, repo: Path, *extra: str) -> dict[str, Any]:
    result = run("build", str(repo), "--all", "-o", "json", *extra, expect=1)
    result.assert_clean()
    assert OUTSIDE not in result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _apps(data: dict[str, Any]) -> dict[str, Any]:
    apps: dict[str, Any]
    (apps,) = [k for k in data["kustomizations"] if k["name"] == "apps"]
    return apps


@pytest.mark.parametrize(
    ("kustomization", "field"),
    [
        (
            "configMapGenerator:\n- name: c\n  files: [/etc/hostname]\n",
            "configMapGenerator[0].files[0]",
        ),
        (
            "configMapGenerator:\n- name: c\n  files: [env=/proc/self/environ]\n",
            "configMapGenerator[0].files[0]",
        ),
        (
            "secretGenerator:\n- name: c\n  envs: [/proc/self/environ]\n",
            "secretGenerator[0].envs[0]",
        ),
        ("resources: [/etc/passwd]\n", "resources[0]"),
        ("resources: [../../../outside]\n", "resources[0]"),
        ("resources: [cm.yaml]\npatches:\n- path: /etc/hostname\n", "patches[0].path"),
        ("resources: [cm.yaml]\ncrds: [../../outside/secret.txt]\n", "crds[0]"),
        ("resources: [cm.yaml]\nopenapi:\n  path: /proc/self/environ\n", "openapi.path"),
        (
            "resources: [cm.yaml]\nreplacements:\n- path: ../../outside/secret.txt\n",
            "replacements[0].path",
        ),
        ("resources: [cm.yaml]\nconfigurations: [/etc/hostname]\n", "configurations[0]"),
        ("components: [../../outside]\n", "components[0]"),
    ],
)
def test_paths_out_of_the_source_are_refused(
    run: Run, tmp_path: Path, outside: Path, kustomization: str, field: str
) -> None:
    repo = flux_repo(tmp_path / "repo", {"kustomization.yaml": kustomization, "cm.yaml": CONFIGMAP})
    apps = _apps(_build(run, repo))
    assert apps["status"] == "failed"
    assert "refused before building" in apps["error"]
    assert f"apps/kustomization.yaml field {field}" in apps["error"]


def test_a_nested_base_that_climbs_out_is_refused(run: Run, tmp_path: Path, outside: Path) -> None:
    repo = flux_repo(
        tmp_path / "repo",
        {
            "kustomization.yaml": "resources: [base]\n",
            "base/kustomization.yaml": "resources: [../../../outside]\n",
        },
    )
    apps = _apps(_build(run, repo))
    assert "apps/base/kustomization.yaml field resources[0]" in apps["error"]


@pytest.mark.parametrize("target", ["file", "folder", "dev-zero", "fifo", "loop"])
def test_symlinks_are_left_out_with_a_finding(
    run: Run, tmp_path: Path, outside: Path, target: str
) -> None:
    repo = flux_repo(tmp_path / "repo", {"kustomization.yaml": "resources: [linked]\n"})
    link = repo / "apps" / "linked"
    if target == "file":
        link.symlink_to(outside / "cm.yaml")
    elif target == "folder":
        link.symlink_to(outside)
    elif target == "dev-zero":
        link.symlink_to("/dev/zero")
    elif target == "fifo":
        os.mkfifo(tmp_path / "pipe")
        link.symlink_to(tmp_path / "pipe")
    else:
        (repo / "apps" / "other").symlink_to(link)
        link.symlink_to(repo / "apps" / "other")
    data = _build(run, repo)
    apps = _apps(data)
    assert apps["status"] == "failed"
    assert "linked" in apps["error"]
    codes = {(f["code"], f["file"]) for f in data["findings"]}
    assert ("FO013", "apps/linked") in codes


def test_special_files_in_the_repo_are_left_out(run: Run, tmp_path: Path) -> None:
    repo = flux_repo(
        tmp_path / "repo", {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": CONFIGMAP}
    )
    os.mkfifo(repo / "apps" / "pipe.yaml")  # reading it would block forever
    result = run("build", str(repo), "--all", "-o", "json", expect=0, timeout=60)
    result.assert_clean()
    data = json.loads(result.stdout)
    assert ("FO014", "apps/pipe.yaml") in {(f["code"], f["file"]) for f in data["findings"]}
    result = run("lint", str(repo), "-o", "json", timeout=60)
    result.assert_clean()
    assert "apps/pipe.yaml" in result.stdout


def test_kustomize_error_messages_do_not_carry_outside_content(
    run: Run, tmp_path: Path, outside: Path
) -> None:
    """validate -o github shows kustomize's error messages: they must hold nothing from
    outside (the engine never reads it, and its environment holds no secret)."""
    repo = flux_repo(
        tmp_path / "repo",
        {"kustomization.yaml": "resources: [../../outside/secret.txt]\n"},
    )
    result = run("validate", str(repo), "--all", "-o", "github", expect=1)
    result.assert_clean()
    assert OUTSIDE not in result.output
    assert "::error" in result.stdout


def test_values_diff_does_not_follow_a_symlinked_chart(
    run: Run, tmp_path: Path, outside: Path
) -> None:
    write(outside, {"chart/values.yaml": f"leaked: {OUTSIDE}\nreplicas: 1\n"})
    release = """\
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: web
          namespace: default
        spec:
          interval: 10m
          chart:
            spec:
              chart: ./charts/web
              sourceRef:
                kind: GitRepository
                name: flux-system
                namespace: flux-system
          values:
            replicas: {n}
        """
    repo = write(
        tmp_path / "repo",
        {
            "a/kustomization.yaml": "resources: [release.yaml]\n",
            "a/release.yaml": release.format(n=2),
            "b/kustomization.yaml": "resources: [release.yaml]\n",
            "b/release.yaml": release.format(n=3),
            "charts/.keep": "",
        },
    )
    (repo / "charts" / "web").symlink_to(outside / "chart")
    result = run(
        "values-diff",
        "web",
        str(repo),
        "--env",
        "a=a",
        "--env",
        "b=b",
        "--with-defaults",
        "--all-values",
        "-o",
        "json",
        expect=0,
    )
    result.assert_clean()
    assert OUTSIDE not in result.output
    data = json.loads(result.stdout)
    notes = data["releases"][0]["notes"]
    assert any("chart defaults not available" in n for n in notes)


def test_nothing_outside_is_staged_or_read_by_lint(run: Run, tmp_path: Path, outside: Path) -> None:
    repo = flux_repo(
        tmp_path / "repo", {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": CONFIGMAP}
    )
    (repo / "apps" / "leak.yaml").symlink_to(outside / "cm.yaml")
    (repo / ".fluxops-link.yaml").symlink_to(outside / "secret.txt")
    result = run("lint", str(repo), "-o", "json")
    result.assert_clean()
    data = json.loads(result.stdout)
    symlinks = [f for f in data["findings"] if f["code"] == "repo-symlink"]
    assert {f["file"] for f in symlinks} == {"apps/leak.yaml", ".fluxops-link.yaml"}
    assert OUTSIDE not in result.output
