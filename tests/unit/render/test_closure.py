"""The build cache's input closure (render/preflight.py): a sub-folder that holds a
kustomization of its own counts only where something names it, except where a kustomization
can read files no field names; and a change outside the closure leaves kustomize's output as
it was (checked with the engine)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fluxops.loader.repo import load_repo
from fluxops.model.results import KustomizationBuild
from fluxops.render.build import Renderer
from fluxops.render.build_options import BuildOptions
from fluxops.render.preflight import preflight
from fluxops.render.select import repo_kustomizations

pytestmark = pytest.mark.unit

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n"

FILES = {
    "apps/kustomization.yaml": "resources: [one, cm.yaml, plain/z.yaml]\n"
    "patches:\n- path: named/w.yaml\n",
    "apps/cm.yaml": CM.format(name="cm"),
    "apps/one/kustomization.yaml": "resources: [x.yaml]\n",
    "apps/one/x.yaml": CM.format(name="x"),
    "apps/two/kustomization.yaml": "resources: [y.yaml]\n",
    "apps/two/y.yaml": CM.format(name="y"),
    "apps/plain/z.yaml": CM.format(name="z"),
    "apps/plain/deeper/v.yaml": CM.format(name="v"),
    "apps/named/kustomization.yaml": "resources: [w.yaml]\n",
    "apps/named/w.yaml": CM.format(name="cm") + "data: {patched: 'yes'}\n",
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _closure(root: Path) -> set[str]:
    kus = {"resources": ["apps"]}
    checked = preflight(kus, root, "", "k")
    assert checked.problems == []
    return set(checked.closure)


def test_unnamed_kustomization_folders_are_left_out(tmp_path: Path) -> None:
    root = _write(tmp_path, FILES)
    assert _closure(root) == {
        "apps/kustomization.yaml",
        "apps/cm.yaml",
        "apps/one/kustomization.yaml",
        "apps/one/x.yaml",
        "apps/plain/z.yaml",
        "apps/plain/deeper/v.yaml",  # no kustomization of its own: counts with its parent
        "apps/named/w.yaml",  # named by a field
    }


@pytest.mark.parametrize(
    "field",
    [
        "generators",
        "transformers",
        "validators",
        "helmCharts",
        "helmGlobals",
        "helmChartInflationGenerator",
    ],
)
def test_a_field_that_reads_unnamed_files_counts_folders_whole(tmp_path: Path, field: str) -> None:
    files = dict(FILES)
    value: object = {"chartHome": "charts"} if field == "helmGlobals" else [{"name": "c"}]
    files["apps/one/kustomization.yaml"] = json.dumps({"resources": ["x.yaml"], field: value})
    closure = _closure(_write(tmp_path, files))
    assert {"apps/two/y.yaml", "apps/two/kustomization.yaml"} <= closure
    assert "apps/named/kustomization.yaml" in closure


def _ks(name: str, path: str) -> str:
    return json.dumps(
        {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {"path": path, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        }
    )


def _build(root: Path, cache: Path | None) -> KustomizationBuild:
    repo = load_repo(root)
    options = BuildOptions(cache=cache is not None, cache_dir=cache, jobs=1)
    with Renderer(repo, options) as renderer:
        builds = renderer.build_tree([("", r) for r in repo_kustomizations(repo)])
    (build,) = builds
    assert build.status == "ok", build.error
    return build


def test_a_change_outside_the_closure_keeps_the_key_and_the_output(tmp_path: Path) -> None:
    root = _write(tmp_path / "repo", {**FILES, "flux/apps.yaml": _ks("apps", "./apps")})
    cache = tmp_path / "cache"
    first = _build(root, cache)
    assert not first.cached
    names = sorted(o.name for o in first.objects)
    assert names == ["cm", "x", "z"]
    (root / "apps/two/y.yaml").write_text(CM.format(name="changed"), encoding="utf-8")
    again = _build(root, cache)
    assert again.cached  # the same key
    fresh = _build(root, None)  # and kustomize agrees: the output is the same
    assert [o.raw for o in fresh.objects] == [o.raw for o in again.objects]
    (root / "apps/one/x.yaml").write_text(CM.format(name="x2"), encoding="utf-8")
    assert not _build(root, cache).cached  # a file the build reads: a new key
