"""fluxops against the real flux CLI, on every fixture repo, at two levels (docs/fidelity.md):

1. `test_kustomization_fidelity`: each Flux Kustomization. Find the root Kustomizations (in
   files, with a namespace), build each with flux, take the child Kustomizations from that
   output (so parent patches, namespaces and substitutions are applied exactly as Flux applies
   them; what `flux build --recursive` does), and build those in turn. Each definition is then
   compared with `fluxops build REPO --ks NS/NAME --source ...`: the same object identities,
   and equal objects. flux runs with --dry-run, except for definitions with substituteFrom:
   those are built against a real API server holding the ConfigMaps and Secrets they name
   (harness_cluster.py).
2. `test_whole_repo_fidelity`: `fluxops build REPO --all` with no --source (so fluxops finds
   the clusters and resolves every source itself) against flux's own recursive build,
   `flux build kustomization ROOT --recursive --local-sources ...` (harness_tree.py).

Both outputs are decoded by Go (sigs.k8s.io/yaml, as kustomize-controller decodes them): a
scalar's type counts. Secret values are compared too: fluxops's library, called in the test
process, supplies what its CLI masks (harness_inprocess.py). Two failed builds are equal only
when they fail on the same kind of error (harness_compare.FAILURE_KINDS).

Every deviation must be listed in the table in docs/fidelity.md, as `deliberate` (with the
reason) or as a known `bug`; anything else fails. A repo whose deviations are all documented
but include known bugs is an xfail; a table row that matches nothing at either level fails
(stale; checked by the whole-repo test). Each repo's counts must reach the results tables of
docs/fidelity.md (lower bounds: zero compared never passes).
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .harness_build import (
    NETWORK_ERROR,
    WORKERS,
    Build,
    FluxCli,
    Fluxops,
    Node,
    RepoReport,
    discover,
)
from .harness_cluster import SECRET_VAR_MASK, ApiServerBuilds, SecretValues, secret_values
from .harness_compare import (
    D1,
    D2,
    NORMALISATIONS,
    SECRET_MASK_B64,
    Deviation,
    Entry,
    check_lower_bounds,
    compare,
    documented_deviations,
    failure_kind,
    is_secret,
)
from .harness_inprocess import secrets_of_ks
from .harness_repo import FIXTURE_REPOS, SourceMap, scan_repo
from .harness_tree import whole_repo

pytestmark = pytest.mark.fidelity

REPOS = (
    sorted(p.name for p in FIXTURE_REPOS.iterdir() if p.is_dir()) if FIXTURE_REPOS.is_dir() else []
)


@dataclass
class RepoRun:
    """One repo's discovery (flux's builds of every definition), shared by both levels."""

    root: Path
    nodes: dict[str, list[Node]]
    fluxops: Fluxops
    workdir: Path
    unparsed: int
    used: set[str] = field(default_factory=set)  # deviation table rows matched, both levels


_RUNS: dict[str, RepoRun] = {}


def _repo_run(repo: str, request: pytest.FixtureRequest) -> RepoRun:
    if not REPOS:
        if os.environ.get("FLUXOPS_REQUIRE_FIXTURES"):
            pytest.fail(f"{FIXTURE_REPOS} is absent and FLUXOPS_REQUIRE_FIXTURES is set")
        pytest.skip(
            f"{FIXTURE_REPOS} is absent: the fidelity tier runs over the real public repos there"
        )
    if repo not in _RUNS:
        flux: FluxCli = request.getfixturevalue("flux_cli")
        workdir = request.getfixturevalue("tmp_path_factory").mktemp(f"fidelity-{repo}")
        root = FIXTURE_REPOS / repo
        scan = scan_repo(root)
        # the API server (tests/cluster/conftest.py) starts only when a definition needs it
        live = ApiServerBuilds(flux, scan, workdir, lambda: request.getfixturevalue("cluster"))
        try:
            nodes = discover(scan, SourceMap(scan, workdir), flux, workdir, live)
        finally:
            live.close()
        runner = Fluxops(
            request.getfixturevalue("fluxops_bin"),
            root,
            workdir,
            flux,
            strict=flux.has("strict-substitute"),
        )
        _RUNS[repo] = RepoRun(root, nodes, runner, workdir, len(scan.unparsed))
    return _RUNS[repo]


def _label(nodes: dict[str, list[Node]], ks: str, node: Node) -> str:
    return ks if len(nodes[ks]) == 1 else f"{ks} [{node.near.partition('#')[0]}]"


def _has_secret_values(build: Build) -> bool:
    return any(is_secret(o) and (o.get("data") or o.get("stringData")) for o in build.objects)


class Verdicts:
    """Deviations sorted against the documented table: known bugs, undocumented, rows used."""

    def __init__(self, repo: str, report: RepoReport, used: set[str]) -> None:
        self.repo, self.report, self.used = repo, report, used
        self.entries: list[Entry] = documented_deviations()
        self.undocumented: list[str] = []
        self.bugs: list[str] = []

    def add(self, name: str, devs: list[Deviation]) -> None:
        self.report.compared += 1
        if not devs:
            self.report.equal += 1
            return
        self.report.deviating += 1
        for dev in devs:
            entry = next(
                (
                    e
                    for e in self.entries
                    if e.id not in NORMALISATIONS and e.matches(self.repo, dev)
                ),
                None,
            )
            text = f"{name} {dev.obj}: {dev.text}"
            if entry is None:
                self.undocumented.append(text)
                self.report.deviations.append(("UNDOCUMENTED", text))
            else:
                self.used.add(entry.id)
                self.report.deviations.append((entry.id, text))
                if entry.status == "bug":
                    self.bugs.append(f"[{entry.id}] {text}")

    def normalised(self, stats: Counter[str]) -> None:
        for what, n in sorted(stats.items()):
            if not n:
                continue
            ident = what.split()[0]
            documented = any(e.id == ident and e.status == "deliberate" for e in self.entries)
            self.report.notes.append(
                f"normalised: {n} x {what}{' (documented)' if documented else ''}"
            )
            if not documented:
                self.undocumented.append(
                    f"the harness normalises {what!r}, but docs/fidelity.md has no deliberate {ident}"
                )

    def finish(self, level: str, extra: list[str] | None = None) -> None:
        problems = list(extra or [])
        if self.undocumented:
            problems.append(
                f"{len(self.undocumented)} deviations are neither a known fluxops bug nor "
                "documented in docs/fidelity.md:\n  " + "\n  ".join(self.undocumented)
            )
        problems += check_lower_bounds(level, self.repo, self.report.compared, self.report.equal)
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)
        if self.bugs:
            pytest.xfail("known fluxops bugs (reported):\n  " + "\n  ".join(self.bugs))


@pytest.mark.parametrize("repo", REPOS or ["(no fixture repos)"])
def test_kustomization_fidelity(repo: str, request: pytest.FixtureRequest) -> None:
    run = _repo_run(repo, request)
    reports: dict[tuple[str, str], RepoReport] = request.getfixturevalue("fidelity_reports")
    report = reports[("kustomizations", repo)] = RepoReport(repo)
    nodes = run.nodes
    if run.unparsed:
        report.notes.append(f"{run.unparsed} YAML files do not parse even tolerantly; not scanned")

    jobs: list[tuple[str, Node]] = []
    for ks, variants in sorted(nodes.items()):
        for node in variants:
            if node.skip:
                report.not_compared.append((_label(nodes, ks, node), node.skip))
            elif node.flux and not node.flux.ok and NETWORK_ERROR.search(node.flux.error):
                error = node.flux.error.splitlines()[-1][:200]
                report.not_compared.append((_label(nodes, ks, node), f"needs the network: {error}"))
            else:
                jobs.append((ks, node))

    if os.environ.get("FLUXOPS_FIDELITY_FLUX_ONLY"):
        for ks, node in jobs:
            assert node.flux is not None
            state = (
                f"{len(node.flux.objects)} objects"
                if node.flux.ok
                else "FAILS " + node.flux.error.splitlines()[-1][:160]
            )
            report.notes.append(f"flux only: {_label(nodes, ks, node)}: {state}")
        pytest.skip(
            f"FLUXOPS_FIDELITY_FLUX_ONLY: flux built {len(jobs)} definitions, no comparison"
        )

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda job: run.fluxops.build(job[1]), jobs))

    verdicts = Verdicts(repo, report, run.used)
    stats: Counter[str] = Counter()
    for (ks, node), result in zip(jobs, results, strict=True):
        name = _label(nodes, ks, node)
        if result is None:
            report.not_compared.append(
                (name, "no fluxops counterpart: none of the clusters fluxops builds it in holds it")
            )
            continue
        how, mine = result
        if how != "--ks":
            name = f"{ks} [cluster {how}]"
        assert node.flux is not None
        if node.live:
            report.live.append(f"{name} ({'; '.join(node.made)})")
            stats[D2] += node.masked
        raw = None
        if mine.ok and node.flux.ok and _has_secret_values(node.flux):
            raw = secrets_of_ks(run.fluxops.request(node, how), run.fluxops.cache_dir)
        devs = compare(node.flux, mine, ks, stats, withhold=node.scrub is not None, raw=raw)
        if node.scrub is not None:
            devs = [Deviation(d.ks, d.obj, node.scrub(d.text)) for d in devs]
        if not devs and not mine.ok:
            report.both_fail.append((name, failure_kind(mine.error)))
        verdicts.add(name, devs)
    verdicts.normalised(stats)
    verdicts.finish("kustomizations")


@pytest.mark.parametrize("repo", REPOS or ["(no fixture repos)"])
def test_whole_repo_fidelity(repo: str, request: pytest.FixtureRequest) -> None:
    run = _repo_run(repo, request)
    flux: FluxCli = request.getfixturevalue("flux_cli")
    reports: dict[tuple[str, str], RepoReport] = request.getfixturevalue("fidelity_reports")
    report = reports[("whole-repo", repo)] = RepoReport(repo)
    tree = whole_repo(run.nodes, flux, run.fluxops, run.workdir)
    verdicts = Verdicts(repo, report, run.used)
    for name, devs in tree.compared:
        verdicts.add(name, devs)
    report.not_compared += tree.not_compared
    report.both_fail += tree.both_fail
    report.notes += [f"recursive run from {r}" for r in tree.recursive_runs] + tree.notes
    verdicts.normalised(tree.stats)
    # a row of the deviations table that matched nothing at either level is stale (this test
    # runs after the Kustomization-level one in a full run, which adds what it used)
    stale = [e.id for e in verdicts.entries if e.repo == repo and e.id not in run.used]
    extra = (
        [f"docs/fidelity.md rows that no longer match anything (fixed? remove them): {stale}"]
        if stale
        else []
    )
    verdicts.finish("whole-repo", extra)


def test_compare_sees_differences() -> None:
    """The comparison itself: it must not be blind (no flux needed)."""
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"x": "1"}}}
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"k": "dg=="},
    }
    masked = {**secret, "data": {"k": SECRET_MASK_B64}}
    raw = {"core/Secret//s": [secret]}
    flux = Build(ok=True, objects=[ns, secret])
    stats: Counter[str] = Counter()
    assert compare(flux, Build(ok=True, objects=[ns, masked]), "ns/ks", stats, raw=raw) == []
    assert stats[D1] == 1
    relabelled = {**ns, "metadata": {"name": "a", "labels": {"x": 1}}}  # int, not str
    devs = compare(flux, Build(ok=True, objects=[relabelled, masked]), "ns/ks", stats, raw=raw)
    assert [d.obj for d in devs] == ["core/Namespace//a"]
    # a Secret value that differs is seen, and not shown
    other = {"core/Secret//s": [{**secret, "data": {"k": "dw=="}}]}
    devs = compare(flux, Build(ok=True, objects=[ns, masked]), "ns/ks", stats, raw=other)
    assert [d.obj for d in devs] == ["core/Secret//s"] and "dg==" not in devs[0].text
    assert "dw==" not in devs[0].text
    # without the in-process values, Secret values are not taken as equal
    devs = compare(flux, Build(ok=True, objects=[ns, masked]), "ns/ks", stats, raw=None)
    assert [d.obj for d in devs] == ["core/Secret//s"]
    renamed = {**secret, "data": {"other": SECRET_MASK_B64}}  # a mask does not hide a wrong key
    devs = compare(flux, Build(ok=True, objects=[ns, renamed]), "ns/ks", stats, raw=raw)
    assert [d.obj for d in devs] == ["core/Secret//s"] and "dg==" not in devs[0].text
    # a value fluxops printed unmasked is a failure of its own (the house rule)
    with pytest.raises(AssertionError, match="printed Secret values"):
        compare(flux, Build(ok=True, objects=[ns, secret]), "ns/ks", stats, raw=raw)
    assert [d.text[:20] for d in compare(flux, Build(ok=True, objects=[ns]), "ns/ks", stats)] == [
        "missing from fluxops"
    ]
    # both fail: equal only on the same kind of failure
    dup = "in Replace: id matched 2 resources"
    assert compare(Build(ok=False, error=dup), Build(ok=False, error=dup), "ns/ks", stats) == []
    missing = "evalsymlink failure on '/x/a.sh' : lstat /x/a.sh: no such file or directory"
    assert len(compare(Build(ok=False, error=dup), Build(ok=False, error=missing), "k", stats)) == 1
    assert len(compare(Build(ok=False, error="x"), Build(ok=False, error="x"), "k", stats)) == 1
    flux_path = '✗ invalid resource path "/repo/nope"'
    ours_path = "kustomization path not found: ./nope (in /repo)"
    assert (
        compare(Build(ok=False, error=flux_path), Build(ok=False, error=ours_path), "k", stats)
        == []
    )
    assert len(compare(flux, Build(ok=False, error="boom"), "ns/ks", stats)) == 1


def test_secret_sourced_values_are_masked() -> None:
    """D2 and the message rule for builds with Secret-sourced variables (no flux needed)."""
    refs = [{"kind": "ConfigMap", "name": "c"}, {"kind": "Secret", "name": "s"}]
    doc = {"spec": {"postBuild": {"substitute": {"B": "x"}, "substituteFrom": refs}}}
    node = Node(ns="ns", name="ks", doc=doc, origin="f#0", near="f#0")
    configmap = {"data": {"A": "plain"}}
    secret = {"stringData": {"PW": "s3cr3t\n", "B": "overridden"}, "data": {"T": "dG9r"}}
    values = secret_values(node, [(refs[0], configmap), (refs[1], secret)])
    assert "s3cr3t" not in repr(values) and isinstance(values, SecretValues)
    obj = {
        "metadata": {"name": "s3cr3t-app"},
        "data": {"s3cr3t": "url://s3cr3t@host/tok", "other": "overridden plain"},
    }
    out, n = values.normalise(obj)  # newline removed as LoadVariables does; B is inline's
    mask = SECRET_VAR_MASK
    assert n == 4 and out == {
        "metadata": {"name": f"{mask}-app"},
        "data": {mask: f"url://{mask}@host/{mask}", "other": "overridden plain"},
    }
    assert values.scrub("error: s3cr3t") == f"error: {mask}"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    flux = Build(
        ok=True, objects=[{**cm, "data": {"k": "s3cr"}}, {**cm, "metadata": {"name": "s3"}}]
    )
    ours = Build(ok=True, objects=[{**cm, "data": {"k": mask}}])
    devs = compare(flux, ours, "ns/ks", Counter(), withhold=True)
    assert len(devs) == 2 and not any("s3" in d.obj + d.text for d in devs)


def test_children_of_a_failed_definition_are_not_compared(tmp_path: Path) -> None:
    """A file under the path of a definition flux cannot build is nothing's child (no flux)."""
    from .harness_build import _failed_parent
    from .harness_repo import RepoScan

    (tmp_path / "apps/team").mkdir(parents=True)
    scan = RepoScan(root=tmp_path, url=None)
    spec = {"path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}
    parent = Node(ns="ns", name="apps", doc={"spec": spec}, origin="c/apps.yaml#0", near="c")
    parent.folder, parent.flux = tmp_path, Build(ok=False, error="boom")
    child = Node(ns="", name="team", doc={}, origin="apps/team/ks.yaml#0", near="c")
    elsewhere = Node(ns="", name="x", doc={}, origin="other/ks.yaml#0", near="c")
    assert _failed_parent(scan, child, [parent]) is parent
    assert _failed_parent(scan, elsewhere, [parent]) is None
