"""validate against the real API server: every rendered object of every fixture repo whose kind
the server knows (built-in, the Flux CRDs, the bundled catalog's CRDs installed here) is
server-side applied with dryRun=All, as kustomize-controller applies it, and fluxops's verdict
is compared with the server's.

- A false positive (fluxops reports an error, the server accepts the object) fails the test.
- A false negative (the server refuses, fluxops saw no error) must have a documented reason
  (docs/validate.md, "The server tier"); an undocumented one fails the test.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from fluxops.cluster.client import ClusterClient, connect
from fluxops.errors import ClusterError
from fluxops.model.findings import Severity
from tests.conftest import fixture_repos, require_fixture_repos

if TYPE_CHECKING:
    from tests.cluster.conftest import LiveCluster

pytestmark = pytest.mark.cluster

KUBE_VERSION = "1.36"  # the test server's
LENIENT_MARK = "(unknown field, a warning)"
#: Finding codes whose errors mean "the API server refuses this object".
REFUSALS = frozenset(
    {"schema", "schema-unknown-field", "schema-cel", "schema-not-served", "apiserver", "metadata"}
)
#: Server refusals fluxops does not report, each with its reason (docs/validate.md lists them).
KNOWN_MISSES: dict[str, re.Pattern[str]] = {
    # minReplicas 0: fluxops warns (apiserver-feature-gate); homelab clusters enable the gate
    "HPAScaleToZero feature gate": re.compile(r"minReplicas: Invalid value: 0"),
    # a `${VAR}` left for postBuild substitution the fixture does not define
    "unsubstituted ${VAR} (checks skipped on placeholders)": re.compile(r"\$\{"),
    # needs objects that only a controller creates (no controller-manager in the test server)
    "needs a controller-made object": re.compile(r"serviceaccount .* not found", re.I),
    # a CRD update that drops a version the cluster stores: depends on the cluster's history
    "CRD drops a stored version": re.compile(r"status\.storedVersions"),
}
#: An unknown field against a bundled CRD is a warning (the installed release may be newer).
CATALOG_UNKNOWN_FIELD = "unknown field against a bundled catalog CRD (a warning)"


@dataclass
class Tally:
    checked: int = 0
    agree: int = 0
    not_known: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: Counter[str] = field(default_factory=Counter)
    undocumented: list[str] = field(default_factory=list)


def _repos() -> list[Path]:
    require_fixture_repos()
    return fixture_repos()


@pytest.fixture(scope="module")
def admin(cluster: LiveCluster) -> Iterator[ClusterClient]:
    with connect(cluster.kubeconfig, cluster.admin_context, timeout=30) as client:
        yield client


def _groups_in_fixtures() -> set[str]:
    """The API groups named in the fixture repos' files (rendered objects come from them)."""
    found: set[str] = set()
    pattern = re.compile(r"^apiVersion:\s*['\"]?([a-z0-9.-]+\.[a-z]+)/", re.M)
    for repo in fixture_repos():
        for path in repo.rglob("*.y*ml"):
            try:
                found.update(pattern.findall(path.read_text(encoding="utf-8", errors="replace")))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def catalog_crds(cluster: LiveCluster) -> list[str]:
    """Install the bundled catalog's CRDs of the groups the fixture repos use; the groups the
    server accepted."""
    from lightkube import codecs

    from fluxops.validate.bundled import catalog_index, crd_manifests

    lk = cluster.admin()
    installed = []
    for group in sorted(set(catalog_index()["groups"]) & _groups_in_fixtures()):
        try:
            for manifest in crd_manifests(group):
                lk.apply(codecs.from_dict(manifest), force=True)
            installed.append(group)
        except Exception:  # a CRD this server version refuses: its group is not tested
            continue
    return installed


def _render_and_validate(repo: Path) -> list[tuple[Any, list[str]]]:
    """Each rendered object of `repo` with fluxops's refusal messages for it (none: accepted),
    validated one object at a time so that two objects with one name are told apart."""
    from fluxops.loader.repo import load_repo, text_reader
    from fluxops.model.selection import RenderOptions, Selection
    from fluxops.render.verb import run as render
    from fluxops.validate.builtin import BuiltinSchemas
    from fluxops.validate.catalog import SchemaCatalog
    from fluxops.validate.crds import is_crd
    from fluxops.validate.validator import ValidateOptions, Validator, _Item

    loaded = load_repo(repo)
    build = render(Selection(path=str(repo), all_=True), RenderOptions(), repo=loaded, mode="all")
    catalog = SchemaCatalog(BuiltinSchemas(KUBE_VERSION, strict=True), strict=True)
    objects = [o for kb in build.builds if kb.status != "failed" for o in kb.objects]
    for resource in [*loaded.resources, *objects]:
        if is_crd(resource.raw):
            catalog.add_crd(resource.raw, "repo")
    options = ValidateOptions(kube_version=KUBE_VERSION, strict=True, cache_dir=None)
    validator = Validator(catalog, options, text_reader(repo))
    out = []
    for obj in objects:
        findings = validator.validate(_Item(obj, None, ""))
        refusals = [
            f.message for f in findings if f.code in REFUSALS and f.severity >= Severity.ERROR
        ]
        refusals += [LENIENT_MARK for f in findings if f.code == "schema-unknown-field"]
        out.append((obj, refusals))
    return out


def _ensure_namespaces(admin: ClusterClient, cluster: LiveCluster, objects: list[Any]) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import Namespace

    lk = cluster.admin()
    for ns in sorted({o.namespace for o in objects if o.namespace and "${" not in o.namespace}):
        lk.apply(Namespace(metadata=ObjectMeta(name=ns)))


def _dry_run(admin: ClusterClient, raw: dict[str, Any]) -> str | None:
    """None when the server accepts the object, else its message."""
    try:
        admin.apply_dry_run(raw)
    except ClusterError as exc:
        return str(exc)
    return None


def _known(admin: ClusterClient, api_version: str, kind: str) -> bool:
    try:
        admin.resource(api_version, kind)
    except ClusterError:
        return False
    return True


@pytest.mark.parametrize("repo", _repos(), ids=lambda p: p.name)
def test_validate_agrees_with_the_api_server(
    repo: Path, cluster: LiveCluster, admin: ClusterClient, catalog_crds: list[str]
) -> None:
    verdicts = _render_and_validate(repo)
    _ensure_namespaces(admin, cluster, [obj for obj, _ in verdicts])
    tally = Tally()
    known: dict[tuple[str, str], bool] = {}
    for obj, refusals in verdicts:
        key = (obj.api_version, obj.kind)
        if key not in known:
            known[key] = _known(admin, *key)
        if not known[key] or (obj.kind == "Secret" and "sops" in obj.raw):
            tally.not_known += 1  # no schema on the server, or Flux decrypts it first
            continue
        tally.checked += 1
        label = f"{obj.id.short()} ({obj.api_version})"
        server = _dry_run(admin, obj.raw)
        lenient = LENIENT_MARK in refusals
        ours = [r for r in refusals if r != LENIENT_MARK] or None
        if (server is None) == (ours is None):
            tally.agree += 1
        elif server is None:
            tally.false_positives.append(f"{label}: {ours}")
        else:
            reason = next((r for r, p in KNOWN_MISSES.items() if p.search(server)), None)
            if reason is None and lenient and "field not declared in schema" in server:
                reason = CATALOG_UNKNOWN_FIELD
            if reason is None:
                tally.undocumented.append(f"{label}: {server}")
            else:
                tally.false_negatives[reason] += 1
    print(
        f"\n{repo.name}: {tally.checked} objects dry-run, {tally.agree} agree, "
        f"{len(tally.false_positives)} false positives, "
        f"{sum(tally.false_negatives.values())} documented false negatives "
        f"{dict(tally.false_negatives)}, {tally.not_known} not known to the server"
    )
    assert tally.checked > 0
    assert tally.false_positives == []
    assert tally.undocumented == []


def test_crds_from_the_live_cluster_and_from_its_snapshot(
    cluster: LiveCluster, admin: ClusterClient, tmp_path: Path
) -> None:
    from fluxops.cluster.snapshot_writer import take_snapshot, write_snapshot
    from fluxops.validate.sources import crds_from_cluster

    live, where = crds_from_cluster(None, cluster.kubeconfig, cluster.admin_context, 30.0)
    names = {c["metadata"]["name"] for c, _ in live}
    assert "helmreleases.helm.toolkit.fluxcd.io" in names and where.startswith("cluster ")
    doc, summary = take_snapshot(admin, events=False, inventory=False)
    assert summary.crds == len(live)
    path = tmp_path / "snap.yaml"
    write_snapshot(doc, str(path), "yaml")
    from_file, _ = crds_from_cluster(str(path), None, None, 30.0)
    assert {c["metadata"]["name"] for c, _ in from_file} == names
    assert "description" not in str(from_file[0][0]["spec"]["versions"][0]["schema"])[:2000]
