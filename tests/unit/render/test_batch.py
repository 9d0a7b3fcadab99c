"""Batching (render/batch.py, render/batchsafe.py): many Kustomizations in one kustomize run
give each exactly what its own run gives, errors included, with fewer engine runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fluxops.loader.repo import load_repo
from fluxops.model.results import KustomizationBuild
from fluxops.render.batch import Member, documents, split
from fluxops.render.batchsafe import Traits, conflict, plan, traits
from fluxops.render.build import Renderer
from fluxops.render.build_options import BuildOptions
from fluxops.render.select import repo_kustomizations

pytestmark = pytest.mark.unit

BASE = {
    "base/kustomization.yaml": "resources: [deploy.yaml, svc.yaml]\n",
    "base/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
        "      containers:\n      - name: web\n        image: ghcr.io/example/web:1.0\n"
    ),
    "base/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
    "  selector: {app: web}\n",
}


def _ks(name: str, path: str, **spec: Any) -> str:
    return json.dumps(
        {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {
                "path": path,
                "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                **spec,
            },
        }
    )


def _render(
    root: Path, files: dict[str, str], *, batch: bool, jobs: int = 1
) -> tuple[dict[str, KustomizationBuild], int]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    repo = load_repo(root)
    roots = [("", r) for r in repo_kustomizations(repo)]
    options = BuildOptions(cache=False, jobs=jobs, batch=batch)
    with Renderer(repo, options) as renderer:
        builds = renderer.build_tree(roots)
        runs = renderer.sandbox.runs
    return {b.name: b for b in builds}, runs


def _view(build: KustomizationBuild) -> tuple[str, str | None, list[Any]]:
    return (
        build.status,
        build.error,
        [(o.raw, o.origin) for o in build.objects],
    )


def _both(
    tmp_path: Path, files: dict[str, str], jobs: int = 1
) -> tuple[dict[str, KustomizationBuild], int, int]:
    """Render `files` batched and one by one; asserts equal results. Returns the batched
    builds and both engine run counts."""
    batched, runs = _render(tmp_path / "a", files, batch=True, jobs=jobs)
    alone, alone_runs = _render(tmp_path / "b", files, batch=False, jobs=jobs)
    assert batched.keys() == alone.keys()
    for name in batched:
        assert _view(batched[name]) == _view(alone[name]), name
    return batched, runs, alone_runs


def test_transformers_stay_with_their_kustomization(tmp_path: Path) -> None:
    files = dict(BASE)
    files["ks.yaml"] = "\n---\n".join(
        [
            _ks("labelled", "./apps/labelled", targetNamespace="one"),
            _ks("prefixed", "./apps/prefixed", targetNamespace="two"),
            _ks("plain", "./apps/plain", targetNamespace="three"),
            _ks("imaged", "./apps/imaged", targetNamespace="four"),
        ]
    )
    files["apps/labelled/kustomization.yaml"] = (
        "resources: [../../base]\ncommonLabels: {team: blue}\ncommonAnnotations: {note: mine}\n"
    )
    files["apps/prefixed/kustomization.yaml"] = "resources: [../../base]\nnamePrefix: p-\n"
    files["apps/plain/kustomization.yaml"] = "resources: [../../base]\n"
    files["apps/imaged/kustomization.yaml"] = (
        "resources: [../../base]\nimages: [{name: ghcr.io/example/web, newTag: '2.0'}]\n"
        "patches:\n- patch: |-\n    - op: add\n      path: /spec/replicas\n      value: 3\n"
        "  target: {kind: Deployment}\n"
    )
    builds, runs, alone_runs = _both(tmp_path, files)
    assert (runs, alone_runs) == (1, 4)
    labelled = builds["labelled"].objects
    assert all(o.raw["metadata"]["labels"]["team"] == "blue" for o in labelled)
    others = [o for name in ("prefixed", "plain", "imaged") for o in builds[name].objects]
    assert others and all("team" not in o.raw["metadata"].get("labels", {}) for o in others)
    assert all("note" not in o.raw["metadata"].get("annotations", {}) for o in others)
    assert sorted(o.name for o in builds["prefixed"].objects) == ["p-web", "p-web"]
    assert sorted(o.name for o in builds["plain"].objects) == ["web", "web"]
    assert {o.namespace for o in builds["plain"].objects} == {"three"}
    deploy = next(o for o in builds["imaged"].objects if o.kind == "Deployment")
    assert deploy.raw["spec"]["replicas"] == 3
    plain = next(o for o in builds["plain"].objects if o.kind == "Deployment")
    assert "replicas" not in plain.raw["spec"]
    assert plain.origin is not None and plain.origin.file == "base/deploy.yaml"
    for build in builds.values():
        for obj in build.objects:
            annotations = obj.raw["metadata"].get("annotations", {})
            assert not any(k.startswith("fluxops.io/batch") for k in annotations)
            assert "config.kubernetes.io/origin" not in annotations
            assert "fxb" not in json.dumps(obj.raw)


def test_same_object_from_two_kustomizations_falls_back(tmp_path: Path) -> None:
    """Two Kustomizations rendering the same Namespace collide in one run: the batch is
    halved until each builds on its own, and both still build."""
    ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shared\n"
    files = {
        "ks.yaml": "\n---\n".join(_ks(n, f"./apps/{n}") for n in ("a", "b", "c", "d")),
        **{f"apps/{n}/ns.yaml": ns for n in ("a", "b")},
        **{
            f"apps/{n}/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
            f"  name: {n}\n  namespace: x\n"
            for n in ("c", "d")
        },
    }
    builds, runs, alone_runs = _both(tmp_path, files)
    assert all(b.status == "ok" for b in builds.values())
    assert alone_runs == 4
    assert runs > 1  # the batch of four failed, then halves and singles ran


def test_error_inside_a_batch_is_the_failing_kustomizations_own(tmp_path: Path) -> None:
    files = dict(BASE)
    names = ["a", "b", "broken", "c", "d"]
    files["ks.yaml"] = "\n---\n".join(_ks(n, f"./apps/{n}", targetNamespace=n) for n in names)
    for name in names:
        files[f"apps/{name}/kustomization.yaml"] = "resources: [../../base]\n"
    files["apps/broken/kustomization.yaml"] = "resources: [../../base, missing.yaml]\n"
    builds, runs, _ = _both(tmp_path, files)
    assert [n for n in names if builds[n].status != "ok"] == ["broken"]
    error = builds["broken"].error or ""
    assert "missing.yaml" in error
    assert "batch" not in error and "fxb" not in error
    assert runs < len(names) + 3


def test_generated_name_is_not_given_to_anothers_reference(tmp_path: Path) -> None:
    """kustomize's parent level fixes name references across everything it holds: a
    configMapGenerator's hashed name must not reach a reference of another Kustomization in
    the same namespace (Flux builds them apart; the reference stays as written)."""
    deploy = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: reader\nspec:\n  template:\n"
        "    spec:\n      containers:\n      - name: c\n        image: x\n        envFrom:\n"
        "        - configMapRef:\n            name: settings\n"
    )
    files = {
        "ks.yaml": "\n---\n".join(
            [
                _ks("maker", "./apps/maker", targetNamespace="shared"),
                _ks("reader", "./apps/reader", targetNamespace="shared"),
                _ks("elsewhere", "./apps/elsewhere", targetNamespace="other"),
            ]
        ),
        "apps/maker/kustomization.yaml": "configMapGenerator:\n- name: settings\n"
        "  literals: [A=1]\n",
        "apps/reader/kustomization.yaml": "resources: [deploy.yaml]\n",
        "apps/reader/deploy.yaml": deploy,
        "apps/elsewhere/kustomization.yaml": "resources: [deploy.yaml]\n",
        "apps/elsewhere/deploy.yaml": deploy,
    }
    builds, runs, _ = _both(tmp_path, files)
    (made,) = builds["maker"].objects
    assert made.name.startswith("settings-") and made.name != "settings"
    reader = builds["reader"].objects[0].raw
    env = reader["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]
    assert env["configMapRef"]["name"] == "settings"
    assert runs == 2  # maker never shares a run with reader


def test_renamed_cluster_scoped_object_is_not_given_to_another(tmp_path: Path) -> None:
    """A name prefix renames cluster-scoped objects too, which any namespace may refer to:
    such a batch is split up, and the reference stays as written."""
    role = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: viewer\n"
    )
    binding = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
        "  name: bind\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n"
        "  name: viewer\nsubjects: []\n"
    )
    files = {
        "ks.yaml": "\n---\n".join(
            [
                _ks("roles", "./apps/roles", targetNamespace="one"),
                _ks("binder", "./apps/binder", targetNamespace="two"),
            ]
        ),
        "apps/roles/kustomization.yaml": "namePrefix: team-\nresources: [role.yaml]\n",
        "apps/roles/role.yaml": role,
        "apps/binder/kustomization.yaml": "resources: [binding.yaml]\n",
        "apps/binder/binding.yaml": binding,
    }
    builds, _, _ = _both(tmp_path, files)
    assert builds["roles"].objects[0].name == "team-viewer"
    assert builds["binder"].objects[0].raw["roleRef"]["name"] == "viewer"


def test_shared_base_in_one_namespace_with_placeholders(tmp_path: Path) -> None:
    """Many apps in one namespace over one component whose names hold `${APP}`: the same ids
    before substitution, one run all the same (each app's names are made unique in the run,
    then given back)."""
    component = (
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: ${APP}\nspec:\n"
        "  accessModes: [ReadWriteOnce]\n"
    )
    names = [f"app{i}" for i in range(5)]
    files = {
        "ks.yaml": "\n---\n".join(
            _ks(
                n,
                f"./apps/{n}",
                targetNamespace="media",
                postBuild={"substitute": {"APP": n}},
            )
            for n in names
        ),
        "component/kustomization.yaml": "resources: [pvc.yaml]\n",
        "component/pvc.yaml": component,
        **{f"apps/{n}/kustomization.yaml": "resources: [../../component]\n" for n in names},
    }
    builds, runs, _ = _both(tmp_path, files)
    assert sorted(b.objects[0].name for b in builds.values()) == names
    assert runs == 1


def test_split_refuses_forged_or_missing_markers(tmp_path: Path) -> None:
    doc = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n"
        "    config.kubernetes.io/origin: |\n      path: ../src/cm.yaml\n"
        "    fluxops.io/batch-abc: m{n}\n  name: fxbabcm{n}-cm\n"
    )
    members = [Member(tmp_path / "src" / "leaf", Traits()), Member(tmp_path / "x", Traits())]
    top = tmp_path / "batch"
    good = split(doc.format(n=0), "abc", top, members)
    assert good == [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n"
        "    config.kubernetes.io/origin: |\n      path: ../cm.yaml\n  name: cm\n",
        "",
    ]
    assert split(doc.format(n=7), "abc", top, members) is None  # no such member
    assert split(doc.format(n=0), "zzz", top, members) is None  # another nonce
    no_origin = doc.format(n=0).replace("config.kubernetes.io/origin", "other")
    assert split(no_origin, "abc", top, members) is None
    assert len(documents(doc.format(n=0) + "---\n" + doc.format(n=1))) == 2


def test_plan_keeps_conflicting_members_apart() -> None:
    renamer = Traits(namespace="a", renames=True)
    same_ns = Traits(namespace="a")
    other_ns = Traits(namespace="b")
    unknown = Traits(namespace=None)
    assert conflict(renamer, same_ns) and conflict(renamer, unknown)
    assert not conflict(renamer, other_ns) and not conflict(same_ns, unknown)
    items = ["r", "s", "o", "u"]
    of = {0: renamer, 1: same_ns, 2: other_ns, 3: unknown}
    groups = plan(items, of, workers=1)
    assert sorted(x for g in groups for x in g) == sorted(items)
    for group in groups:
        assert not ("r" in group and ("s" in group or "u" in group))
    many = [str(i) for i in range(100)]
    sized = plan(many, dict.fromkeys(range(100), Traits()), workers=2)
    assert len(sized) == 4 and max(len(g) for g in sized) <= 32
    assert len(plan(many[:10], dict.fromkeys(range(10), Traits()), workers=2)) == 2


def test_traits_read_every_kustomization_reached() -> None:
    top = {"resources": ["x"], "buildMetadata": ["originAnnotations"]}
    assert traits(top, [], target_namespace="a", remote=False) == Traits(namespace="a")
    assert traits(
        {**top, "buildMetadata": ["managedByLabel"]}, [], target_namespace="", remote=False
    ).alone
    assert traits(
        top, [{"sortOptions": {"order": "fifo"}}], target_namespace="", remote=False
    ).alone
    assert traits(top, [], target_namespace="", remote=True).alone
    hashed = traits(
        top, [{"configMapGenerator": [{"name": "c"}]}], target_namespace="a", remote=False
    )
    assert hashed.renames and not hashed.renames_any
    unhashed = {
        "configMapGenerator": [{"name": "c"}],
        "generatorOptions": {"disableNameSuffixHash": True},
    }
    assert not traits(top, [unhashed], target_namespace="a", remote=False).renames
    prefixed = traits(top, [{"namePrefix": "p-"}], target_namespace="a", remote=False)
    assert prefixed.renames and prefixed.renames_any


def test_a_batch_that_times_out_is_not_halved(tmp_path: Path) -> None:
    """Halving a batch that ran out of time would wait the timeout again at every level: its
    members are built one by one instead (each then times out on its own, with its own
    message). The engine here is a real process that outlives the timeout."""
    from dataclasses import replace

    engine = tmp_path / "slow-kustomize"
    engine.write_text("#!/bin/sh\nexec sleep 30\n")
    engine.chmod(0o755)
    names = ["a", "b", "c", "d"]
    files = {
        "ks.yaml": "\n---\n".join(_ks(n, f"./apps/{n}", targetNamespace=n) for n in names),
        **{f"apps/{n}/cm.yaml": BASE["base/svc.yaml"] for n in names},
    }
    root = tmp_path / "repo"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    repo = load_repo(root)
    roots = [("", r) for r in repo_kustomizations(repo)]
    options = BuildOptions(cache=False, jobs=1, kustomize_bin=str(engine), landlock=False)
    with Renderer(repo, options) as renderer:
        renderer.stager.engine = replace(renderer.engine, timeout=1.0)
        builds = renderer.build_tree(roots)
        runs = renderer.sandbox.runs
    assert sorted(b.name for b in builds) == names
    assert all("timed out after 1s" in (b.error or "") for b in builds)
    assert runs == 1 + len(names)  # one batch, then each on its own (halving: 1 + 2 + 4)
