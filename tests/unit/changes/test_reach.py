"""changes.reach: which Flux Kustomizations a changed file reaches, read from the files."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops.changes.reach import Reach
from fluxops.loader.repo import load_repo


def _ks(name: str, path: str, extra: str = "") -> str:
    return (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
        f"metadata:\n  name: {name}\n  namespace: flux-system\n"
        f"spec:\n  path: {path}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
        f"{extra}"
    )


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n"

FILES = {
    "clusters/c/apps.yaml": _ks("apps", "./apps")
    + "---\n"
    + _ks(
        "gen",
        "./gen",
        "  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: vars\n",
    ),
    "clusters/c/vars.yaml": CM.format(name="vars"),
    "apps/kustomization.yaml": "resources:\n  - one.yaml\n  - ../shared\n",
    "apps/one.yaml": CM.format(name="one"),
    "apps/unused.yaml": CM.format(name="unused"),
    "shared/kustomization.yaml": "resources:\n  - s.yaml\n  - hr-values.yaml\n",
    "shared/hr-values.yaml": CM.format(name="hr-values"),
    "gen/sub/hr.yaml": (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
        "metadata:\n  name: hr\n  namespace: default\n"
        "spec:\n  valuesFrom:\n    - kind: ConfigMap\n      name: hr-values\n"
    ),
    "shared/s.yaml": CM.format(name="s"),
    "gen/a.yaml": CM.format(name="a"),
    "gen/sub/b.yaml": CM.format(name="b"),
    "gen/nested/kustomization.yaml": "resources:\n  - c.yaml\n",
    "gen/nested/c.yaml": CM.format(name="c"),
    "README.md": "hello\n",
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for rel, text in FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _needed(root: Path, *changed: str) -> set[str]:
    reach = Reach([load_repo(root)], set(changed), set())
    return {name for _file, name in reach.needed}


@pytest.mark.parametrize(
    ("changed", "needed"),
    [
        ("apps/one.yaml", {"apps"}),
        ("shared/s.yaml", {"apps"}),
        ("apps/kustomization.yaml", {"apps"}),
        ("apps/unused.yaml", set()),
        ("gen/sub/b.yaml", {"gen"}),
        ("gen/new.yaml", {"gen"}),
        ("gen/nested/c.yaml", {"gen"}),
        ("clusters/c/vars.yaml", {"gen"}),  # substituteFrom
        ("shared/hr-values.yaml", {"apps", "gen"}),  # a HelmRelease's valuesFrom
        ("clusters/c/apps.yaml", {"apps", "gen"}),
        ("README.md", set()),
    ],
)
def test_what_a_change_reaches(root: Path, changed: str, needed: set[str]) -> None:
    assert _needed(root, changed) == needed


def test_wants_renders_unknown_and_synthetic_kustomizations(root: Path) -> None:
    from fluxops.model.resource import Origin, Resource

    repo = load_repo(root)
    reach = Reach([repo], {"apps/one.yaml"}, set())
    by_name = {r.name: r for r in repo.resources if r.kind == "Kustomization"}
    assert reach.wants("c", by_name["apps"]) and not reach.wants("c", by_name["gen"])
    synthetic = Resource(raw=dict(by_name["gen"].raw), origin=Origin("clusters/c/sync.yaml"))
    assert reach.wants("c", synthetic)


def test_children_as_every_pair_says(root: Path) -> None:
    """`_children` (indexes) gives what `reaches` says of every pair of Kustomizations: through
    a folder Flux lists, a file a kustomization names, and a folder read whole."""
    from fluxops.changes import reach
    from fluxops.render.select import repo_kustomizations

    extra = {
        "flux/root.yaml": _ks("root", "./clusters"),
        "flux/named.yaml": _ks("named", "./named"),
        "named/kustomization.yaml": "resources:\n  - ../clusters/c/apps.yaml\n",
        "flux/whole.yaml": _ks("whole", "./whole"),
        "whole/kustomization.yaml": "configMapGenerator:\n  - name: x\n    files:\n"
        "      - ../clusters\n",
    }
    for rel, text in extra.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    repo = load_repo(root)
    layout = reach._Layout(repo, {})
    dirs = layout.kustomization_dirs
    all_ks = [reach._files_of(repo, layout, r, set()) for r in repo_kustomizations(repo)]
    pairs = {
        ks.key: {c.key for c in all_ks if c.key != ks.key and ks.reaches(c.key[0], dirs)}
        for ks in all_ks
    }
    children = reach._children(all_ks, dirs)
    assert children == pairs
    names = {key[1]: {name for _file, name in kids} for key, kids in children.items()}
    assert names["root"] == {"apps", "gen"}
    assert names["named"] == {"apps", "gen"}  # the file defines both
    assert names["whole"] == {"apps", "gen"}
    assert names["apps"] == names["gen"] == set()
