"""The sandbox's engine threads (render.workers.EnginePool): each thread prepared once before
its first call, at most N of them, results and errors handed back, shutdown."""

from __future__ import annotations

import threading

import pytest

from fluxops.render.workers import EnginePool, PoolClosed

pytestmark = pytest.mark.unit


def test_calls_run_on_prepared_threads_at_most_n() -> None:
    prepared: list[str] = []
    local = threading.local()

    def initializer() -> None:
        prepared.append(threading.current_thread().name)
        local.ready = True

    pool = EnginePool(2, "engine", initializer)
    gate = threading.Barrier(3)  # two calls at once, and this test

    def blocking(n: int) -> tuple[int, str, bool]:
        gate.wait(5)
        return n, threading.current_thread().name, getattr(local, "ready", False)

    results: list[tuple[int, str, bool]] = []
    callers = [
        threading.Thread(target=lambda n=n: results.append(pool.call(blocking, n))) for n in (1, 2)
    ]
    for caller in callers:
        caller.start()
    gate.wait(5)
    for caller in callers:
        caller.join(5)
    assert sorted(r[0] for r in results) == [1, 2]
    assert all(r[2] for r in results)  # the initializer ran on the thread that ran the call
    assert {r[1] for r in results} == set(prepared) and len(prepared) == 2
    # one after another: no new thread
    for n in range(5):
        assert pool.call(lambda x: x * 2, n) == 2 * n
    assert len(prepared) == 2
    pool.shutdown()
    assert not any(t.is_alive() for t in threading.enumerate() if t.name in prepared)


def test_errors_reach_the_caller_and_a_closed_pool_refuses() -> None:
    pool = EnginePool(1, "engine", lambda: None)

    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        pool.call(fail)
    assert pool.call(lambda: "still works") == "still works"
    pool.shutdown()
    with pytest.raises(PoolClosed):
        pool.call(lambda: None)
