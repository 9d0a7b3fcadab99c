"""Build folders are made inside the staged tree (beside `spec.path`): a build of an enclosing
folder must not see another build's folder, neither in its generated kustomization nor in its
cache key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fluxops.loader.repo import load_repo
from fluxops.render.build import Renderer
from fluxops.render.build_options import BuildOptions
from fluxops.render.select import repo_kustomizations

pytestmark = pytest.mark.unit

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n"


def _ks(name: str, path: str) -> str:
    return json.dumps(
        {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {"path": path, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        }
    )


def test_nested_builds_do_not_see_each_other(tmp_path: Path) -> None:
    files = {
        "ks.yaml": _ks("inner", "./apps/sub") + "\n---\n" + _ks("outer", "./apps"),
        "apps/cm.yaml": CM.format(name="outer"),
        "apps/sub/kustomization.yaml": "resources: [cm.yaml]\n",
        "apps/sub/cm.yaml": CM.format(name="inner"),
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    repo = load_repo(tmp_path)
    roots = sorted(repo_kustomizations(repo), key=lambda r: r.name)
    for attempt in range(2):
        options = BuildOptions(cache_dir=tmp_path.parent / "cache", jobs=1)
        with Renderer(repo, options) as renderer:
            builds = [renderer.build_one(r) for r in roots]  # inner first: its folder exists
        names = {b.name: sorted(o.name for o in b.objects) for b in builds}
        assert names == {"inner": ["inner"], "outer": ["inner", "outer"]}, names
        assert [b.status for b in builds] == ["ok", "ok"]
        assert all(b.cached for b in builds) == (attempt == 1)
