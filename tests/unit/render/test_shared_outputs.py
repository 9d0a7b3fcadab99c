"""render.cache.SharedOutputs: two renderers (diff's two sides) that share one store build a
key once, the one that comes second waiting for the first's output; a failed build wakes the
waiter, which then builds it itself (its error is its own); claims never deadlock."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from fluxops.loader.repo import load_repo
from fluxops.render.build import Renderer
from fluxops.render.build_options import BuildOptions
from fluxops.render.cache import BuildCache, SharedOutputs
from fluxops.render.select import repo_kustomizations

pytestmark = pytest.mark.unit


def test_claims_outputs_and_releases() -> None:
    store = SharedOutputs()
    one, two = BuildCache(None, "s", store), BuildCache(None, "s", store)
    assert one.claim("k") is None  # one builds it
    assert one.claim("k") is None  # still its own
    event = two.claim("k")
    assert isinstance(event, threading.Event) and not event.is_set()
    one.put("k", "out\n")
    assert event.is_set() and two.get("k") == "out\n"
    assert two.claim("k") == "out\n"
    assert one.claim("f") is None
    failed = two.claim("f")
    assert isinstance(failed, threading.Event)
    two.release("f")  # not its claim: nothing happens
    assert not failed.is_set()
    one.release("f")
    assert failed.is_set() and two.get("f") is None
    assert two.claim("f") is None  # now two builds it
    assert one.claim("g") is None and one.claim("h") is None
    waits = [two.claim("g"), two.claim("h")]
    one.close()  # a run that stopped early releases every claim it holds
    assert all(isinstance(w, threading.Event) and w.is_set() for w in waits)


def _ks(name: str, path: str) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {"path": path, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
    }


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n"


def _repo(root: Path) -> Path:
    files = {
        "clusters/c/ks.yaml": "\n---\n".join(
            json.dumps(_ks(f"app{i}", f"./apps/app{i}")) for i in range(6)
        )
        + "\n---\n"
        + json.dumps(_ks("broken", "./apps/broken"))
        + "\n---\n"
        + json.dumps(_ks("parent", "./nested")),
        "nested/child.yaml": json.dumps(_ks("child", "./apps/child")),
        "apps/child/cm.yaml": CM.format(name="child"),
        "apps/broken/kustomization.yaml": "resources: [missing.yaml]\n",
    }
    for i in range(6):
        files[f"apps/app{i}/kustomization.yaml"] = "resources: [cm.yaml]\n"
        files[f"apps/app{i}/cm.yaml"] = CM.format(name=f"cm{i}")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _render(root: Path, store: SharedOutputs | None) -> tuple[dict[str, Any], int]:
    repo = load_repo(root)
    # one engine run per build (no batching), so that runs count builds
    options = BuildOptions(cache=False, jobs=2, store=store, batch=False)
    with Renderer(repo, options) as renderer:
        builds = renderer.build_tree([("c", r) for r in repo_kustomizations(repo)])
        runs = renderer.sandbox.runs
    view = {
        b.name: (b.status, (b.error or "").replace(str(root), "ROOT"), [o.raw for o in b.objects])
        for b in builds
    }
    return view, runs


def test_two_renderers_sharing_a_store_build_each_key_once(tmp_path: Path) -> None:
    alone, alone_runs = _render(_repo(tmp_path / "alone"), None)
    assert alone["broken"][0] == "failed" and alone["child"][0] == "ok"
    store = SharedOutputs()
    sides = [_repo(tmp_path / "base"), _repo(tmp_path / "head")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        (base, base_runs), (head, head_runs) = pool.map(lambda r: _render(r, store), sides)
    assert base == head == alone
    assert alone_runs == 9
    # every output comes from one side's run, but the broken build runs on both sides: the
    # side that waited for it builds it itself, so each reports its own error
    assert base_runs + head_runs == 9 + 1
