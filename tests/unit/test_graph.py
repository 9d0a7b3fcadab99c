import pytest

from fluxops.model.graph import KustomizationGraph, find_cycles

pytestmark = pytest.mark.unit


def n(name: str) -> tuple[str, str, str]:
    return ("c", "flux-system", name)


def test_cycles_are_found_once_and_rotated() -> None:
    edges = {n("a"): [n("b")], n("b"): [n("c")], n("c"): [n("a"), n("d")], n("d"): [n("d")]}
    cycles = find_cycles(edges.keys(), edges)
    assert cycles == [[n("a"), n("b"), n("c")], [n("d")]]


def test_missing_targets_and_order() -> None:
    g = KustomizationGraph()
    for name in ("apps", "infra-configs", "infra-controllers"):
        g.add(n(name))
    g.add_dependency(n("apps"), n("infra-configs"))
    g.add_dependency(n("infra-configs"), n("infra-controllers"))
    g.add_dependency(n("apps"), n("ghost"))
    g.resolve()
    assert g.missing == [(n("apps"), n("ghost"))]
    assert g.cycles() == []
    order = g.order()
    assert (
        order.index(n("infra-controllers"))
        < order.index(n("infra-configs"))
        < order.index(n("apps"))
    )
