"""`fluxops build --ks NS/NAME` against `flux build kustomization`, per Flux Kustomization.

For each fixture repo: find the root Flux Kustomizations (in files, with a namespace), build
each with the real flux CLI, take the child Kustomizations from that output (so parent patches,
namespaces and substitutions are applied exactly as Flux applies them; this is what
`flux build --recursive` does), and build those in turn. Each definition is then compared with
`fluxops build REPO --ks NS/NAME`: the same object identities, and equal objects after parsing.
flux runs with --dry-run, except for definitions with substituteFrom: those are built against
a real API server holding the ConfigMaps and Secrets they name (harness_cluster.py).

Every deviation must be listed in the table in docs/fidelity.md, as `deliberate` (with the
reason) or as a known `bug`; anything else fails. A repo whose deviations are all documented
but include known bugs is an xfail; a table row that no longer matches anything fails (stale).
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
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
    compare,
    documented_deviations,
)
from .harness_repo import FIXTURE_REPOS, SourceMap, scan_repo

pytestmark = pytest.mark.fidelity

REPOS = (
    sorted(p.name for p in FIXTURE_REPOS.iterdir() if p.is_dir()) if FIXTURE_REPOS.is_dir() else []
)


@pytest.mark.parametrize("repo", REPOS or ["(no fixture repos)"])
def test_flux_build_fidelity(repo: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if not REPOS:
        pytest.skip(
            f"{FIXTURE_REPOS} is absent: the fidelity tier runs over the real public repos there"
        )
    flux: FluxCli = request.getfixturevalue("flux_cli")
    reports: dict[str, RepoReport] = request.getfixturevalue("fidelity_reports")
    report = reports[repo] = RepoReport(repo)
    root = FIXTURE_REPOS / repo
    scan = scan_repo(root)
    # the API server (tests/cluster/conftest.py) starts only when a definition needs it
    live = ApiServerBuilds(flux, scan, tmp_path, lambda: request.getfixturevalue("cluster"))
    try:
        nodes = discover(scan, SourceMap(scan, tmp_path), flux, tmp_path, live)
    finally:
        live.close()
    if scan.unparsed:
        report.notes.append(
            f"{len(scan.unparsed)} YAML files do not parse even tolerantly; not scanned"
        )

    def label(ks: str, node: Node) -> str:
        return ks if len(nodes[ks]) == 1 else f"{ks} [{node.near.partition('#')[0]}]"

    jobs: list[tuple[str, Node]] = []
    for ks, variants in sorted(nodes.items()):
        for node in variants:
            if node.skip:
                report.not_compared.append((label(ks, node), node.skip))
            elif node.flux and not node.flux.ok and NETWORK_ERROR.search(node.flux.error):
                error = node.flux.error.splitlines()[-1][:200]
                report.not_compared.append((label(ks, node), f"needs the network: {error}"))
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
            report.notes.append(f"flux only: {label(ks, node)}: {state}")
        pytest.skip(
            f"FLUXOPS_FIDELITY_FLUX_ONLY: flux built {len(jobs)} definitions, no comparison"
        )

    runner = Fluxops(
        request.getfixturevalue("fluxops_bin"),
        root,
        tmp_path,
        strict=flux.has("strict-substitute"),
    )

    def ours(job: tuple[str, Node]) -> tuple[str, Build] | None:
        return runner.build(job[1])

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(ours, jobs))

    entries = documented_deviations()
    stats: Counter[str] = Counter()
    used: set[str] = set()
    undocumented: list[str] = []
    bugs: list[str] = []
    for (ks, node), result in zip(jobs, results, strict=True):
        name = label(ks, node)
        if result is None:
            report.not_compared.append(
                (name, "no fluxops counterpart: none of the clusters fluxops builds it in holds it")
            )
            continue
        how, mine = result
        if how != "--ks":
            name = f"{ks} [cluster {how}]"
        assert node.flux is not None
        report.compared += 1
        if node.live:
            report.live.append(f"{name} ({'; '.join(node.made)})")
            stats[D2] += node.masked
        devs = compare(node.flux, mine, ks, stats, withhold=node.scrub is not None)
        if not devs:
            report.equal += 1
            if not mine.ok:
                report.notes.append(
                    f"both fail on {name}: fluxops: {mine.error.splitlines()[0][:160]}"
                )
            continue
        report.deviating += 1
        for dev in devs:
            entry = next(
                (e for e in entries if e.id not in NORMALISATIONS and e.matches(repo, dev)), None
            )
            text = f"{name} {dev.obj}: {dev.text}"
            text = node.scrub(text) if node.scrub else text
            if entry is None:
                undocumented.append(text)
                report.deviations.append(("UNDOCUMENTED", text))
            else:
                used.add(entry.id)
                report.deviations.append((entry.id, text))
                if entry.status == "bug":
                    bugs.append(f"[{entry.id}] {text}")

    for what, n in sorted(stats.items()):
        if n:
            ident = what.split()[0]
            documented = any(e.id == ident and e.status == "deliberate" for e in entries)
            report.notes.append(f"normalised: {n} x {what}{' (documented)' if documented else ''}")
            if not documented:
                undocumented.append(
                    f"the harness normalises {what!r}, but docs/fidelity.md has no deliberate {ident}"
                )
    stale = [e.id for e in entries if e.repo == repo and e.id not in used]
    problems = []
    if undocumented:
        problems.append(
            f"{len(undocumented)} deviations are neither a known fluxops bug nor documented in "
            "docs/fidelity.md:\n  " + "\n  ".join(undocumented)
        )
    if stale:
        problems.append(
            f"docs/fidelity.md rows that no longer match anything (fixed? remove them): {stale}"
        )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    if bugs:
        pytest.xfail("known fluxops bugs (reported):\n  " + "\n  ".join(bugs))


def test_compare_sees_differences() -> None:
    """The comparison itself: it must not be blind (no flux needed)."""
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"x": "1"}}}
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"k": "dg=="},
    }
    flux = Build(ok=True, objects=[ns, secret])
    stats: Counter[str] = Counter()
    assert compare(flux, Build(ok=True, objects=[ns, secret]), "ns/ks", stats) == []
    relabelled = {**ns, "metadata": {"name": "a", "labels": {"x": 1}}}  # int, not str
    masked = {**secret, "data": {"k": SECRET_MASK_B64}}
    devs = compare(flux, Build(ok=True, objects=[relabelled, masked]), "ns/ks", stats)
    assert [d.obj for d in devs] == ["core/Namespace//a"] and stats[D1] == 1
    renamed = {**secret, "data": {"other": SECRET_MASK_B64}}  # a mask does not hide a wrong key
    devs = compare(flux, Build(ok=True, objects=[ns, renamed]), "ns/ks", stats)
    assert [d.obj for d in devs] == ["core/Secret//s"] and "dg==" not in devs[0].text
    assert [d.text[:20] for d in compare(flux, Build(ok=True, objects=[ns]), "ns/ks", stats)] == [
        "missing from fluxops"
    ]
    assert compare(Build(ok=False, error="x"), Build(ok=False, error="y"), "ns/ks", stats) == []
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
