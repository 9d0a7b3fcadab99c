"""`fluxops diff` end to end on a git repository built from examples/podinfo-platform: one
branch per kind of change, each diffed against the `base` tag and asserted exactly, and each
also with --changed-only, which must give the same diff."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fluxops import api
from fluxops.output.diff import MARKDOWN_LIMIT, to_data
from tests.e2e.conftest import Run
from tests.gitrepos import GitRepo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "podinfo-platform"

EXTRA_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: extra
  namespace: flux-system
spec:
  interval: 10m
  sourceRef:
    kind: GitRepository
    name: flux-system
  path: ./apps/extra
  prune: false
"""
EXTRA_CM = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: default
data:
  mode: fast
"""
SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: dns-token
  namespace: cert-manager
stringData:
  token: {token}
  zone: example.com
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitRepo]:
    root = tmp_path_factory.mktemp("diff")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLUXOPS_CACHE_DIR", str(root / "cache"))
        yield GitRepo.copy_of(EXAMPLE, root / "repo")


def _diff(repo: GitRepo, *, changed_only: bool = False, base: str = "base") -> dict[str, Any]:
    request = api.DiffRequest(
        path=str(repo.root), base=base, head="HEAD", changed_only=changed_only
    )
    return to_data(api.diff(request))


def _summary(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(cluster, ks, status, prune, [(change, ref, movedFrom, pruned, fields)]) per KS."""
    out = []
    for ks in data["kustomizations"]:
        objects = [
            (
                o["change"],
                f"{o['kind']}/{o['namespace']}/{o['name']}",
                o.get("movedFrom"),
                o.get("pruned"),
                [(f["path"], f["before"], f["after"]) for f in o["fields"]],
            )
            for o in ks["objects"]
        ]
        out.append(
            (ks["cluster"], f"{ks['namespace']}/{ks['name']}", ks["status"], ks["prune"], objects)
        )
    return out


def _values(data: dict[str, Any]) -> list[tuple[str, str, str, Any, Any]]:
    return [
        (ks["cluster"], v["section"], v["path"], v["before"], v["after"])
        for ks in data["kustomizations"]
        for o in ks["objects"]
        for v in o.get("values", [])
    ]


def _both(repo: GitRepo) -> dict[str, Any]:
    """The full diff, after checking that --changed-only gives the same one while rendering
    no more Kustomizations."""
    full = _diff(repo)
    only = _diff(repo, changed_only=True)
    assert only["kustomizations"] == full["kustomizations"]
    assert only["head"]["rendered"] <= full["head"]["rendered"]
    return full


def test_a_patch_changes_one_cluster(repo: GitRepo) -> None:
    repo.branch("patch")
    repo.edit("apps/staging/podinfo-values.yaml", '"#f0ad4e"', '"#ff0000"')
    repo.commit("staging colour")
    data = _both(repo)
    assert data["changedFiles"] == ["apps/staging/podinfo-values.yaml"]
    assert _summary(data) == [
        (
            "clusters/staging",
            "flux-system/apps",
            "changed",
            True,
            [
                (
                    "changed",
                    "HelmRelease/podinfo/podinfo",
                    None,
                    None,
                    [("spec.values.ui.color", '"#f0ad4e"', '"#ff0000"')],
                )
            ],
        )
    ]
    assert _values(data) == [("clusters/staging", "values", "ui.color", "#f0ad4e", "#ff0000")]
    diff = data["kustomizations"][0]["objects"][0]["diff"]
    assert "-      color: '#f0ad4e'\n+      color: '#ff0000'\n" in diff


def test_a_helmrelease_value_where_no_variable_overrides_it(repo: GitRepo) -> None:
    repo.branch("value")
    repo.edit(
        "apps/base/podinfo/release.yaml",
        "logLevel: ${LOG_LEVEL:=info}",
        "logLevel: ${LOG_LEVEL:=warn}",
    )
    repo.commit("default log level")
    data = _both(repo)
    # staging sets LOG_LEVEL itself: only production renders differently.
    assert [(k[0], k[1], k[2]) for k in _summary(data)] == [
        ("clusters/production", "flux-system/apps", "changed")
    ]
    assert _values(data) == [("clusters/production", "values", "logLevel", "info", "warn")]


def test_a_chart_version(repo: GitRepo) -> None:
    repo.branch("chart")
    repo.edit("infrastructure/controllers/cert-manager.yaml", '"1.16.x"', '"1.17.x"')
    repo.commit("cert-manager 1.17")
    data = _both(repo)
    change = ("spec.chart.spec.version", '"1.16.x"', '"1.17.x"')
    assert _summary(data) == [
        (
            cluster,
            "flux-system/infra-controllers",
            "changed",
            True,
            [("changed", "HelmRelease/cert-manager/cert-manager", None, None, [change])],
        )
        for cluster in ("clusters/production", "clusters/staging")
    ]
    assert _values(data) == [
        ("clusters/production", "chart", "version", "1.16.x", "1.17.x"),
        ("clusters/staging", "chart", "version", "1.16.x", "1.17.x"),
    ]


def test_a_base_resource(repo: GitRepo) -> None:
    repo.branch("base-resource")
    repo.edit("apps/base/podinfo/smoke.yaml", "replicas: 1", "replicas: 2")
    repo.commit("two smoke testers")
    data = _both(repo)
    assert _summary(data) == [
        (
            cluster,
            "flux-system/apps",
            "changed",
            True,
            [
                (
                    "changed",
                    "Deployment/podinfo/podinfo-smoke",
                    None,
                    None,
                    [("spec.replicas", "1", "2")],
                )
            ],
        )
        for cluster in ("clusters/production", "clusters/staging")
    ]


def test_a_kustomization_added(repo: GitRepo) -> None:
    repo.branch("add")
    repo.write("clusters/staging/extra.yaml", EXTRA_KS)
    repo.write("apps/extra/settings.yaml", EXTRA_CM)
    repo.commit("extra")
    data = _both(repo)
    assert _summary(data) == [
        (
            "clusters/staging",
            "flux-system/flux-system",
            "changed",
            True,
            [("added", "Kustomization/flux-system/extra", None, None, [])],
        ),
        (
            "clusters/staging",
            "flux-system/extra",
            "added",
            False,
            [("added", "ConfigMap/default/settings", None, None, [])],
        ),
    ]
    kinds = [o["category"] for k in data["kustomizations"] for o in k["objects"]]
    assert kinds == ["kustomization", "object"]


def test_a_kustomization_removed_is_pruned(repo: GitRepo) -> None:
    repo.branch("remove")
    path = repo.root / "clusters/production/infrastructure.yaml"
    controllers = path.read_text(encoding="utf-8").split("\n---\n")[0]
    path.write_text(controllers + "\n", encoding="utf-8")
    repo.commit("no infra-configs in production")
    data = _both(repo)
    assert _summary(data) == [
        (
            "clusters/production",
            "flux-system/flux-system",
            "changed",
            True,
            [("removed", "Kustomization/flux-system/infra-configs", None, True, [])],
        ),
        (
            "clusters/production",
            "flux-system/infra-configs",
            "removed",
            True,
            [("removed", "ClusterIssuer//letsencrypt", None, True, [])],
        ),
    ]


def test_an_object_moved_between_kustomizations(repo: GitRepo) -> None:
    repo.branch("move")
    shutil.move(
        repo.root / "infrastructure/configs/cluster-issuer.yaml",
        repo.root / "infrastructure/controllers/cluster-issuer.yaml",
    )
    repo.write("infrastructure/configs/README.md", "moved\n")
    repo.edit(
        "infrastructure/controllers/kustomization.yaml",
        "  - cert-manager.yaml",
        "  - cert-manager.yaml\n  - cluster-issuer.yaml",
    )
    repo.commit("issuer with the controllers")
    data = _both(repo)
    label = (
        'metadata.labels["kustomize.toolkit.fluxcd.io/name"]',
        '"infra-configs"',
        '"infra-controllers"',
    )
    # infra-controllers has no postBuild: the variables stay as written.
    assert _summary(data) == [
        (
            f"clusters/{env}",
            "flux-system/infra-controllers",
            "changed",
            True,
            [
                (
                    "moved",
                    "ClusterIssuer//letsencrypt",
                    "flux-system/infra-configs",
                    None,
                    [
                        label,
                        ("spec.acme.email", f'"platform@{domain}"', '"platform@${DOMAIN}"'),
                        (
                            "spec.acme.privateKeySecretRef.name",
                            f'"letsencrypt-{env}"',
                            '"letsencrypt-${CLUSTER_NAME}"',
                        ),
                    ],
                )
            ],
        )
        for env, domain in (("production", "example.com"), ("staging", "staging.example.com"))
    ]


def test_a_secret_change_shows_no_value(repo: GitRepo, fluxops: Run) -> None:
    repo.branch("secret")
    repo.write("infrastructure/controllers/secret.yaml", SECRET.format(token="hunter2-old"))
    repo.edit(
        "infrastructure/controllers/kustomization.yaml",
        "  - cert-manager.yaml",
        "  - cert-manager.yaml\n  - secret.yaml",
    )
    first = repo.commit("a token")
    repo.write("infrastructure/controllers/secret.yaml", SECRET.format(token="hunter2-new"))
    repo.commit("a new token")
    data = _diff(repo, base=first)
    assert _summary(data) == [
        (
            cluster,
            "flux-system/infra-controllers",
            "changed",
            True,
            [
                (
                    "changed",
                    "Secret/cert-manager/dns-token",
                    None,
                    None,
                    [("stringData.token", None, None)],
                )
            ],
        )
        for cluster in ("clusters/production", "clusters/staging")
    ]
    assert all(
        o["diff"] == "" and o["secret"] for k in data["kustomizations"] for o in k["objects"]
    )
    for fmt in ("text", "json", "markdown"):
        proc = fluxops("diff", str(repo.root), "--base", first, "--head", "HEAD", "-o", fmt)
        assert proc.returncode == 0, proc.stderr
        assert "dns-token" in proc.stdout
        assert "hunter2" not in proc.stdout + proc.stderr
    # Added whole: still no value.
    added = _diff(repo)
    secrets = [o for k in added["kustomizations"] for o in k["objects"] if o["kind"] == "Secret"]
    assert [(o["change"], o["secret"], o["diff"]) for o in secrets] == [("added", True, "")] * 2
    assert "hunter2" not in json.dumps(added)


def test_markdown_stays_under_the_comment_limit(repo: GitRepo, fluxops: Run) -> None:
    repo.branch("big")
    docs = [
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-{i}\n  namespace: default\n"
        f"data:\n  blob: {'x' * 2000}\n"
        for i in range(120)
    ]
    repo.write("apps/base/podinfo/bulk.yaml", "---\n".join(docs))
    repo.edit(
        "apps/base/podinfo/kustomization.yaml", "  - smoke.yaml", "  - smoke.yaml\n  - bulk.yaml"
    )
    repo.commit("bulk")
    proc = fluxops("diff", str(repo.root), "--base", "base", "--head", "HEAD", "-o", "markdown")
    assert proc.returncode == 0, proc.stderr
    body = proc.stdout
    assert len(body) < MARKDOWN_LIMIT
    assert body.startswith("### fluxops diff")
    assert "| `clusters/production` | `flux-system/apps` | changed | 120 | 0 | 0 | 0 | on |" in body
    assert "| `clusters/staging` | `flux-system/apps` | changed | 120 | 0 | 0 | 0 | on |" in body
    shown = body.count("- **added** `ConfigMap/podinfo/bulk-")
    assert shown > 0
    match = re.search(r"Cut to fit a comment \(65,536 characters\):\*\* (\d+) of 240 changed", body)
    assert match is not None and int(match.group(1)) == 240 - shown
    assert "more objects of this Kustomization are not shown (cut to fit)" in body
    assert body.count("<details>") == body.count("</details>")


def test_exit_code_and_an_untouched_checkout(repo: GitRepo, fluxops: Run) -> None:
    repo.branch("worktree")
    repo.edit("apps/base/podinfo/smoke.yaml", "replicas: 1", "replicas: 3")  # not committed
    repo.git("add", "apps/base/podinfo/smoke.yaml")
    repo.edit("apps/staging/podinfo-values.yaml", "Staging", "Staging!")  # not staged either
    before = _snapshot(repo.root)
    same = fluxops("diff", str(repo.root), "--base", "HEAD", "--head", "HEAD", "--exit-code")
    assert same.returncode == 0, same.stderr
    assert same.stdout == "No differences.\n"
    changed = fluxops("diff", str(repo.root), "--base", "HEAD", "--exit-code", "-o", "json")
    assert changed.returncode == 1, changed.stderr
    data = json.loads(changed.stdout)
    assert data["head"] == {
        "ref": "(working tree)",
        "commit": "",
        "rendered": 8,
        "cached": data["head"]["cached"],
        "failed": 0,
    }
    assert data["changedFiles"] == [
        "apps/base/podinfo/smoke.yaml",
        "apps/staging/podinfo-values.yaml",
    ]
    assert sorted((k["cluster"], k["status"]) for k in data["kustomizations"]) == [
        ("clusters/production", "changed"),
        ("clusters/staging", "changed"),
    ]
    assert fluxops("diff", str(repo.root), "--base", "HEAD").returncode == 0
    assert _snapshot(repo.root) == before


def test_an_unknown_revision_is_a_usage_error(repo: GitRepo, fluxops: Run) -> None:
    proc = fluxops("diff", str(repo.root), "--base", "no-such-branch")
    assert proc.returncode == 2
    assert "'no-such-branch' names no commit" in proc.stderr
    assert "Traceback" not in proc.stderr


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the work tree and of .git (index, HEAD, refs, objects) with its bytes,
    and every file's mtime."""
    out: dict[str, bytes] = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            out[rel] = path.read_bytes() + f"|{path.stat().st_mtime_ns}".encode()
    return out


def test_one_cluster_only(repo: GitRepo, fluxops: Run) -> None:
    repo.branch("one-cluster")
    repo.edit("infrastructure/controllers/cert-manager.yaml", '"1.16.x"', '"1.17.x"')
    repo.commit("cert-manager 1.17")
    proc = fluxops(
        "diff", str(repo.root), "--base", "base", "--head", "HEAD",
        "--cluster", "clusters/staging", "-o", "json", check_code=0,
    )  # fmt: skip
    data = json.loads(proc.stdout)
    assert [(k["cluster"], k["name"]) for k in data["kustomizations"]] == [
        ("clusters/staging", "infra-controllers")
    ]


def test_a_folder_outside_git_is_a_usage_error(tmp_path: Path, fluxops: Run) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "plain")
    proc = fluxops("diff", str(tmp_path / "plain"), "--base", "main")
    assert proc.returncode == 2
    assert "is not in a git repository" in proc.stderr
    assert "fluxops diff compares git revisions" in proc.stderr
