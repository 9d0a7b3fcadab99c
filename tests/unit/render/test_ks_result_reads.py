"""A cached `--ks` result outlives an edit to what it did not read (render/ksreads.py): a file
no build read and no repository-wide lookup reads (a README, another app's Deployment or
HelmRelease, a comment in a source's file) keeps it; a file a build read, an object lookups
read (a source, a ConfigMap, a FluxInstance, a HelmRelease that installs Flux), a
`.sourceignore`, a `gotk-components.yaml`, a file added or removed, a folder, a YAML file
that stops parsing: each renders again. Whichever way, what a run says is what a run without
any cache says. Real kustomize engine, repositories written here."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from fluxops import api
from fluxops.render.verb import BuildRequest
from tests.unit.render.ks_repo import WALK, build, use_cache, write_repo

pytestmark = pytest.mark.unit

#: Files beside the repository of ks_repo.py that neither `web` nor its parents build.
ELSEWHERE = {
    "README.md": "# the repository\n",
    "other/app/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other, namespace: other}\n"
        "spec:\n  replicas: 1\n  selector: {matchLabels: {app: other}}\n"
        "  template:\n    metadata: {labels: {app: other}}\n"
        "    spec: {containers: [{name: c, image: 'nginx:1.27'}]}\n"
    ),
    "other/app/helmrelease.yaml": (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
        "metadata: {name: other, namespace: other}\n"
        "spec:\n  interval: 1h\n  chart: {spec: {chart: podinfo, version: 6.7.0,"
        " sourceRef: {kind: HelmRepository, name: podinfo}}}\n"
        "  values: {replicaCount: 1}\n"
    ),
    "other/sources.yaml": (
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
        "metadata: {name: unused, namespace: flux-system}\n"
        "spec: {interval: 1m, url: https://example.com/other.git, ref: {branch: main}}\n"
    ),
    "other/settings.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: flux-system}\n"
        "data: {colour: green}\n"
    ),
    "other/flux/instance.yaml": (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
        "metadata: {name: flux-instance, namespace: flux-system}\n"
        "spec:\n  interval: 1h\n  chart: {spec: {chart: flux-instance, version: 0.30.0,"
        " sourceRef: {kind: HelmRepository, name: controlplane}}}\n"
        "  values:\n    instance:\n      distribution: {version: 2.5.x}\n"
    ),
    "clusters/prod/flux-system/gotk-components.yaml": "# Flux Version: v2.6.1\n",
    ".sourceignore": "# nothing left out yet\n",
    "apps/web/notes.txt": "no build names it\n",
    "other/app/notes.txt": "no build names it\n",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_cache(tmp_path, monkeypatch)
    root = write_repo(tmp_path / "repo")
    for rel, text in ELSEWHERE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / rel
        text = path.read_text()
        assert re.search(old, text), (rel, old)
        path.write_text(re.sub(old, new, text, count=1))

    return change


def append(rel: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        with (root / rel).open("a") as handle:
            handle.write(text)

    return change


KEPT = {
    "a README": append("README.md", "more words\n"),
    "a text file in another app's folder": append("other/app/notes.txt", "more\n"),
    "another app's Deployment": edit("other/app/deploy.yaml", "replicas: 1", "replicas: 3"),
    "another app's HelmRelease": edit(
        "other/app/helmrelease.yaml", "replicaCount: 1", "replicaCount: 2"
    ),
    "a comment in a source's file": append("other/sources.yaml", "# a comment\n"),
    "a comment in the flux-instance HelmRelease": append("other/flux/instance.yaml", "# hi\n"),
    # no substituteFrom fell back to the repository's ConfigMaps and Secrets
    "a ConfigMap no build reads": edit("other/settings.yaml", "green", "red"),
}

RENDERED_AGAIN = {
    "the Kustomization's own file": edit("apps/web/cm.yaml", "blue", "red"),
    "a file its parent's build reads (not YAML)": append("apps/notes.env", "MORE=1\n"),
    # apps/web holds no kustomization file: the parent's build counts the folder whole
    "a text file in a folder its parent's build reads whole": append(
        "apps/web/notes.txt", "more\n"
    ),
    "its parent's definition": edit("clusters/prod/apps.yaml", "interval: 10m", "interval: 5m"),
    "a source no build reads": edit("other/sources.yaml", "other.git", "else.git"),
    "a HelmRelease that installs Flux": edit("other/flux/instance.yaml", r"2\.5\.x", "2.4.x"),
    "gotk-components.yaml": edit(
        "clusters/prod/flux-system/gotk-components.yaml", r"v2\.6\.1", "v2.3.0"
    ),
    "a YAML file that stops parsing": append("other/app/deploy.yaml", "spec: [\n"),
    "a file added": lambda root: (root / "other" / "new.txt").write_text("new\n"),
    "a file removed": lambda root: (root / "README.md").unlink(),
    "a folder added": lambda root: (root / "other" / "empty").mkdir(),
    "a .sourceignore": append(".sourceignore", "other/\n"),
}


@pytest.mark.parametrize("change", list(KEPT))
def test_an_edit_to_what_it_did_not_read_keeps_the_result(repo: Path, change: str) -> None:
    first, built = build(repo)
    assert built == WALK
    KEPT[change](repo)
    kept, built = build(repo)
    assert built == []
    assert kept == build(repo, cache=False)[0] == first
    assert build(repo)[1] == []  # stored again under the new state


@pytest.mark.parametrize("change", list(RENDERED_AGAIN))
def test_an_edit_to_what_it_read_renders_again(repo: Path, change: str) -> None:
    build(repo)
    RENDERED_AGAIN[change](repo)
    again, built = build(repo)
    assert built == WALK
    assert again == build(repo, cache=False)[0]
    assert build(repo)[1] == []


def test_what_each_edit_changes_is_seen(repo: Path) -> None:
    """Edits that render again change what the run says, where they can: the test above
    would pass on a stale result otherwise."""
    build(repo)
    RENDERED_AGAIN["the Kustomization's own file"](repo)
    coloured, _ = build(repo)
    assert coloured[1][0][0][0]["data"] == {"colour": "red"}
    assert releases(repo) == {"clusters/prod": "2.6.1"}
    RENDERED_AGAIN["gotk-components.yaml"](repo)
    assert releases(repo) == {"clusters/prod": "2.3.0"}
    RENDERED_AGAIN["a YAML file that stops parsing"](repo)
    broken, _ = build(repo)
    assert "FO001" in [code for code, _ in broken[3]]


def releases(root: Path) -> dict[str, str]:
    result = api.build(BuildRequest(path=str(root), ks="flux-system/web"))
    return {c: ".".join(map(str, release)) for c, release in result.flux_releases.items()}


def test_edits_one_after_another(repo: Path) -> None:
    """Each kept edit is judged against the state the result was last stored for."""
    first, _ = build(repo)
    for name in ("a README", "another app's Deployment", "another app's HelmRelease"):
        KEPT[name](repo)
        assert build(repo)[1] == []
    RENDERED_AGAIN["a source no build reads"](repo)
    assert build(repo)[1] == WALK
    KEPT["a README"](repo)
    kept, built = build(repo)
    assert built == []
    assert kept == build(repo, cache=False)[0] == first


def test_a_configmap_substitution_reads_is_what_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `substituteFrom` no ancestor renders falls back to the repository's ConfigMaps and
    Secrets: then an edit to any of them renders again."""
    use_cache(tmp_path, monkeypatch)
    reads = "  postBuild:\n    substituteFrom:\n      - {kind: ConfigMap, name: settings}\n"
    root = tmp_path / "subst"
    write_repo(root, child_extra=reads)
    for rel, text in ELSEWHERE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "apps" / "web" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {colour: '${colour}'}\n"
    )
    first, _ = build(root)
    assert first[1][0][0][0]["data"] == {"colour": "green"}
    KEPT["a README"](root)
    assert build(root)[1] == []
    edit("other/settings.yaml", "green", "red")(root)
    again, built = build(root)
    assert built
    assert again[1][0][0][0]["data"] == {"colour": "red"}
    assert again == build(root, cache=False)[0]
    # another ConfigMap anywhere, too: a lookup by name may find it first
    (root / "other" / "more.yaml").write_text("")
    build(root)
    (root / "other" / "more.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated}\ndata: {a: b}\n"
    )
    assert build(root)[1]


def test_records_hold_no_value(repo: Path, tmp_path: Path) -> None:
    """What a record keeps of an object lookups read is a digest: never its values."""
    edit("other/settings.yaml", "green", "canary-7f3a9")(repo)
    build(repo)
    records = sorted((tmp_path / "cache").rglob("*.reads"))
    assert records
    for record in records:
        assert b"canary-7f3a9" not in record.read_bytes()


def test_an_edit_to_its_own_files_keeps_the_walk(repo: Path) -> None:
    """The walk to a Kustomization outlives an edit its ancestors did not read: then only the
    Kustomization itself is built. Here `web` has a kustomization file of its own, so its
    parent's build does not read its folder."""
    (repo / "apps" / "web" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml]\n"
    )
    build(repo)
    RENDERED_AGAIN["the Kustomization's own file"](repo)
    again, built = build(repo)
    assert built == ["flux-system/web"]
    assert again == build(repo, cache=False)[0]
    assert again[1][0][0][0]["data"] == {"colour": "red"}
    # what its ancestors read still walks again
    RENDERED_AGAIN["a source no build reads"](repo)
    assert build(repo)[1] == WALK
    RENDERED_AGAIN["a file its parent's build reads (not YAML)"](repo)
    assert build(repo)[1] == WALK
    # and a result stored after a kept walk is kept in turn
    KEPT["a README"](repo)
    kept, built = build(repo)
    assert built == []
    assert kept == build(repo, cache=False)[0]


def test_a_gotk_components_header_no_build_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Flux version is read from a `gotk-components.yaml` header, text outside any build
    (here one no build reads): an edit to it renders again."""
    use_cache(tmp_path, monkeypatch)
    root = write_repo(tmp_path / "repo")
    header = root / "other" / "flux-system" / "gotk-components.yaml"
    header.parent.mkdir(parents=True)
    header.write_text("# Flux Version: v2.6.1\n")
    assert releases(root) == {"clusters/prod": "2.6.1"}
    build(root)
    header.write_text("# Flux Version: v2.3.0\n")
    assert build(root)[1] == WALK
    assert releases(root) == {"clusters/prod": "2.3.0"}


#: Ways to remove cache entries by hand (docs/diff.md prunes files older than 30 days): by
#: the suffix of their files, or every other file whatever it is.
PRUNED: dict[str, Callable[[list[Path]], list[Path]]] = {
    "every other file": lambda files: files[::2],
    "the results": lambda files: [f for f in files if f.suffix == ".result"],
    "the records of what results and walks read": lambda files: [
        f for f in files if f.suffix == ".reads"
    ],
    "the walks": lambda files: [f for f in files if f.suffix == ".walk"],
    "kustomize's outputs": lambda files: [f for f in files if f.suffix == ".yaml"],
    "the parsed files": lambda files: [f for f in files if "parsed" in f.parts],
}


@pytest.mark.parametrize("prune", list(PRUNED))
def test_entries_removed_by_hand_are_misses(repo: Path, tmp_path: Path, prune: str) -> None:
    """Any file of the cache may go (a CI job prunes old ones): the run then says what a run
    without any cache says, before and after an edit, and the edit is seen."""
    first, _ = build(repo)
    KEPT["a README"](repo)
    assert build(repo)[1] == []  # a record carried to a second state
    files = sorted(p for p in (tmp_path / "cache").rglob("*") if p.is_file())
    victims = PRUNED[prune](files)
    assert victims, prune
    for victim in victims:
        victim.unlink()
    same, _ = build(repo)
    assert same == build(repo, cache=False)[0] == first
    RENDERED_AGAIN["the Kustomization's own file"](repo)
    for victim in PRUNED[prune](sorted(p for p in (tmp_path / "cache").rglob("*") if p.is_file())):
        victim.unlink()
    after, built = build(repo)
    assert built  # the edit is seen: something was built
    assert after == build(repo, cache=False)[0] != first
