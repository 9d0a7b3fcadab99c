"""Repository-wide lookups read `Repo.lookups()` only, and `substituteFrom` alone reads
`Repo.variable_objects()` (loader/repo.py `looked_up`): a cached `--ks` result is kept across
an edit to a file whose lookup objects did not change (render/ksreads.py), which is sound only
while no lookup on the render path reads any other object of the repository. This test reads
the render path's code to keep it so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fluxops.loader.repo import looked_up
from fluxops.model.resource import Resource

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[3] / "src" / "fluxops"
#: The render path: the loader and the renderer.
PACKAGES = ("loader", "render")
#: Where the whole list may be read, and why.
ALLOWED = {
    # the loader fills it, `lookups` filters it; `flux`/`find` serve the other verbs
    "loader/repo.py": 4,
    # origins of rendered objects, by file: only files a build read are ever asked for
    "render/build.py": 1,
}
#: Where the ConfigMaps and Secrets may be read: the `substituteFrom` lookup (it records that
#: it did, `Renderer.core_lookups`), and what the result cache records of them.
VARIABLE_READERS = {"render/build.py": 1, "render/ksreads.py": 1}


def _uses(tree: ast.AST) -> int:
    """Reads of `.resources` (on anything: an alias counts too), and calls of `.flux(...)`
    or `.find(...)` on a repository (`repo`, `self.repo`, `self`)."""
    count = 0
    for node in ast.walk(tree):
        attribute = None
        if isinstance(node, ast.Attribute) and node.attr == "resources":
            count += 1
            continue
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("flux", "find")
        ):
            attribute = node.func
        if attribute is None:
            continue
        owner = attribute.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if name in ("repo", "self"):
            count += 1
    return count


def test_the_render_path_searches_the_repository_through_lookups_only() -> None:
    found = {}
    for package in PACKAGES:
        for path in sorted((SRC / package).rglob("*.py")):
            uses = _uses(ast.parse(path.read_text(), str(path)))
            if uses:
                found[path.relative_to(SRC).as_posix()] = uses
    assert found == ALLOWED


def test_only_substitution_reads_the_repositorys_configmaps_and_secrets() -> None:
    found = {}
    for package in PACKAGES:
        for path in sorted((SRC / package).rglob("*.py")):
            calls = [
                node
                for node in ast.walk(ast.parse(path.read_text(), str(path)))
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "variable_objects"
            ]
            if calls:
                found[path.relative_to(SRC).as_posix()] = len(calls)
    assert found == VARIABLE_READERS


def test_the_guard_sees_a_direct_read() -> None:
    code = "def f(repo):\n    return [r for r in repo.resources] + list(repo.flux('X'))\n"
    assert _uses(ast.parse(code)) == 2
    assert _uses(ast.parse("def f(loaded):\n    every = loaded.resources\n")) == 1
    assert _uses(ast.parse("def f(repo):\n    return list(repo.lookup_flux('X'))\n")) == 0


def obj(api_version: str, kind: str, spec: dict[str, object] | None = None) -> Resource:
    raw: dict[str, object] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    if spec is not None:
        raw["spec"] = spec
    return Resource(raw=raw)


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization"), True),
        (obj("source.toolkit.fluxcd.io/v1", "GitRepository"), True),
        (obj("source.extensions.fluxcd.io/v1beta1", "ArtifactGenerator"), True),
        (obj("fluxcd.controlplane.io/v1", "FluxInstance"), True),
        (obj("fluxcd.controlplane.io/v1", "ResourceSet"), True),
        (obj("example.com/v1", "FluxInstance"), True),  # lookups test the kind alone
        (obj("v1", "ConfigMap"), True),
        (obj("v1", "Secret"), True),
        (obj("v1", "Service"), False),
        (obj("apps/v1", "Deployment"), False),
        (obj("kustomize.config.k8s.io/v1beta1", "Kustomization"), False),
        (obj("external-secrets.io/v1", "ExternalSecret"), False),
        (obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", {"values": {"a": 1}}), False),
        (obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", {"values": {"instance": {}}}), True),
        (
            obj(
                "helm.toolkit.fluxcd.io/v2", "HelmRelease", {"chart": {"spec": {"chart": "flux2"}}}
            ),
            True,
        ),
        (obj("example.com/v1", "HelmRelease", {"values": {"instance": {"sync": {}}}}), True),
    ],
)
def test_what_lookups_read(resource: Resource, expected: bool) -> None:
    assert looked_up(resource) is expected
