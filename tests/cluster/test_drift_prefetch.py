"""`LiveReader.prefetch` (drift --ks asks for the live objects while the repo renders): the
read that follows answers exactly as a read without it, and sends no request of its own for
what was fetched ahead."""

from __future__ import annotations

import threading

import pytest

from fluxops.cluster.client import connect
from fluxops.cluster.live import LiveReader, LiveSet, Wanted
from fluxops.drift.early import live_kustomizations, owner_selector
from fluxops.drift.inventory import inventory_of
from tests.cluster.test_drift import Scenario, kube, scenario

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning"),
]
__all__ = ["kube", "scenario"]  # the fixtures


def _read(
    reader: LiveReader, scenario: Scenario, prefetch: bool, wait: bool = True
) -> tuple[LiveSet, int, int]:
    """The read drift makes for the scenario's Kustomization, and the requests sent before
    and by it."""
    ref = ("flux-system", scenario.ks)
    notes: list[str] = []
    live_ks = live_kustomizations(reader, [ref], notes)[ref]
    inventory = inventory_of(live_ks) or {}
    kinds = sorted({(api, key[1]) for key, api in inventory.items()})
    every = [Wanted(api, key[1], key[2], key[3]) for key, api in inventory.items()]
    # what drift wants: the inventory minus a deleted object, plus one never applied
    wanted = [w for w in every if w.name != "cm-deleted"] + [
        Wanted("v1", "ConfigMap", scenario.ns, "never-applied")
    ]
    if prefetch:
        reader.prefetch(kinds, owner_selector(*ref), every)
        for early in list(reader._early.values()) if wait else []:
            assert early.done.wait(20)
    stats = reader.source.stats  # type: ignore[attr-defined]
    before = stats.requests
    live = reader.read(wanted, owner_selector=owner_selector(*ref), owner_kinds=kinds)
    return live, before, stats.requests - before


def test_a_prefetched_read_answers_as_a_plain_one(scenario: Scenario) -> None:
    kubeconfig, context = scenario.cluster.kubeconfig, "admin"
    with connect(kubeconfig, context, timeout=20) as plain_client:
        plain, _, plain_sent = _read(LiveReader(plain_client), scenario, prefetch=False)
    with connect(kubeconfig, context, timeout=20) as early_client:
        early, _, early_sent = _read(LiveReader(early_client), scenario, prefetch=True)
    assert early.objects.keys() == plain.objects.keys()
    assert {k: o["metadata"]["uid"] for k, o in early.objects.items()} == {
        k: o["metadata"]["uid"] for k, o in plain.objects.items()
    }
    assert early.absent == plain.absent == {("", "ConfigMap", scenario.ns, "never-applied")}
    assert sorted(o["metadata"]["name"] for o in early.labelled) == sorted(
        o["metadata"]["name"] for o in plain.labelled
    )
    assert early.errors == plain.errors == {}
    # only the object no inventory names is asked for after the prefetch
    assert early_sent == 1
    assert plain_sent > 5


def test_a_read_racing_its_prefetch_answers_the_same(scenario: Scenario) -> None:
    kubeconfig, context = scenario.cluster.kubeconfig, "admin"
    with connect(kubeconfig, context, timeout=20) as plain_client:
        plain, _, _ = _read(LiveReader(plain_client), scenario, prefetch=False)
    for _ in range(3):
        with connect(kubeconfig, context, timeout=20) as early_client:
            early, _, _ = _read(LiveReader(early_client), scenario, prefetch=True, wait=False)
        assert early.objects.keys() == plain.objects.keys()
        assert early.absent == plain.absent


def test_requests_one_after_another_share_one_connection(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typing import IO

    from fluxops.cluster.http11 import Connection
    from fluxops.cluster.plain_http import PlainHTTP

    handshakes: list[object] = []
    real_open = Connection._open

    def counted(self: Connection) -> IO[bytes]:
        handshakes.append(self)
        return real_open(self)

    monkeypatch.setattr(Connection, "_open", counted)
    with connect(scenario.cluster.kubeconfig, "admin", timeout=20) as client:
        pool = client._http
        assert isinstance(pool, PlainHTTP)
        client.probe()  # its own short timeout, then kept with the client's
        for name in ("cm-edited", "cm-labelled", "creds"):
            kind = "Secret" if name == "creds" else "ConfigMap"
            assert client.get("v1", kind, name, scenario.ns) is not None
        assert len(handshakes) == 1
        assert len(pool._all) == 1
        assert pool._all[0].timeout == 20
        # two at once: a second connection, both kept
        reader = LiveReader(client)
        wanted = [Wanted("v1", "ConfigMap", scenario.ns, n) for n in ("cm-edited", "cm-ignored")]
        assert all(reader._parallel(reader._get, wanted))
        assert 1 <= len(handshakes) == len(pool._all) <= 2
        assert len(pool._idle) == len(pool._all)


def test_the_crds_of_custom_kinds_are_fetched_ahead(scenario: Scenario) -> None:
    from fluxops.drift.early import _custom_kind

    ref = ("flux-system", scenario.ks)
    with connect(scenario.cluster.kubeconfig, "admin", timeout=20) as client:
        reader = LiveReader(client)
        inventory = inventory_of(live_kustomizations(reader, [ref], [])[ref]) or {}
        kinds = sorted({(api, key[1]) for key, api in inventory.items()})
        assert ("source.toolkit.fluxcd.io/v1", "GitRepository") in kinds
        reader.prefetch(kinds, owner_selector(*ref), [], custom=_custom_kind)
        name = "gitrepositories.source.toolkit.fluxcd.io"
        key = ("get", "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name)
        for _ in range(200):  # the entry appears once the lists are done
            if key in reader._early:
                break
            threading.Event().wait(0.05)
        assert reader._early[key].done.wait(20)
        assert not any(k[1:3] == ("apps/v1", "Deployment") for k in reader._early if k[0] == "get")
        before = client.stats.requests
        crd = reader.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", name, None)
        assert client.stats.requests == before
        assert crd is not None and crd["spec"]["names"]["kind"] == "GitRepository"
