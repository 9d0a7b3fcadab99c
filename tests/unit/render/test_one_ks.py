"""`--ks NAMESPACE/NAME` builds the tree down to that Kustomization only: its ancestors, and of
the wave that holds it only itself, unless it reads `substituteFrom` (a sibling may render
the ConfigMap it reads). Real kustomize engine, a repository written here."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops import api
from tests.unit.render.ks_repo import SYNC, Names

pytestmark = pytest.mark.unit


def child(name: str, extra: str = "") -> str:
    return f"""\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: flux-system}}
spec:
  interval: 10m
  path: ./apps/{name}
  prune: true
  sourceRef: {{kind: GitRepository, name: flux-system}}
{extra}"""


def configmap(name: str, key: str, value: str) -> str:
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: default}}\n"
        f"data:\n  {key}: {value}\n"
    )


def write_repo(root: Path, *, substitute: bool) -> None:
    cluster = root / "clusters" / "prod"
    (cluster / "flux-system").mkdir(parents=True)
    (cluster / "flux-system" / "gotk-sync.yaml").write_text(SYNC)
    extra = (
        "  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: generated-vars\n"
        if substitute
        else ""
    )
    (cluster / "one.yaml").write_text(child("one", extra))
    (cluster / "two.yaml").write_text(child("two"))
    (cluster / "three.yaml").write_text(child("three"))
    for name in ("one", "two", "three"):
        (root / "apps" / name).mkdir(parents=True)
    (root / "apps" / "one" / "cm.yaml").write_text(configmap("one", "colour", "${COLOUR:=none}"))
    (root / "apps" / "three" / "cm.yaml").write_text(configmap("three", "a", "b"))
    # `two` renders the ConfigMap `one` reads: it exists only as kustomize generates it
    (root / "apps" / "two" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "generatorOptions: {disableNameSuffixHash: true}\n"
        "configMapGenerator:\n  - name: generated-vars\n    namespace: flux-system\n"
        "    literals: [COLOUR=blue]\n"
    )


def build_one(root: Path, ref: str) -> tuple[api.BuildResult, list[str]]:
    names = Names()
    result = api.build(api.BuildRequest(path=str(root), ks=ref, progress=names))
    return result, names.built


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUXOPS_CACHE_DIR", str(tmp_path / "cache"))


def test_only_the_ancestors_and_the_kustomization_are_built(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_repo(repo, substitute=False)
    result, built = build_one(repo, "flux-system/three")
    assert built == ["flux-system/flux-system", "flux-system/three"]
    assert [b.ref for b in result.builds] == ["flux-system/three"]
    assert [o.name for o in result.builds[0].objects] == ["three"]


def test_substitute_from_builds_the_whole_wave_first(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_repo(repo, substitute=True)
    result, built = build_one(repo, "flux-system/one")
    assert sorted(built) == [f"flux-system/{n}" for n in ("flux-system", "one", "three", "two")]
    [build] = result.builds
    assert build.status == "ok", build.error
    # the value comes from the ConfigMap only `two` renders
    assert build.objects[0].raw["data"] == {"colour": "blue"}


def test_the_same_objects_as_the_whole_tree(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_repo(repo, substitute=False)
    everything = api.build(api.BuildRequest(path=str(repo), all_=True))
    for name in ("one", "two", "three"):
        result, _ = build_one(repo, f"flux-system/{name}")
        whole = next(b for b in everything.builds if b.name == name)
        assert [o.raw for o in result.builds[0].objects] == [o.raw for o in whole.objects]
