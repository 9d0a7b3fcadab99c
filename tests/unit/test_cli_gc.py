"""The CLI turns the cyclic garbage collector off for its first moments only (cli.main)."""

from __future__ import annotations

import gc
import threading

import pytest

from fluxops.cli import main as cli_main

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _no_timer_left() -> None:
    """Earlier tests that ran `main()` in this process may have a timer pending."""
    for thread in threading.enumerate():
        if thread.name == "fluxops-gc":
            thread.join(5)
    gc.enable()


def test_the_collector_is_off_at_start_and_back_on_later(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_main, "COLLECT_AFTER", 0.05)
    try:
        cli_main._collect_later()
        assert not gc.isenabled()
        back = threading.Event()
        for _ in range(200):
            if gc.isenabled():
                back.set()
                break
            back.wait(0.05)
        assert back.is_set()
    finally:
        gc.enable()


def test_a_collector_turned_off_by_the_embedding_program_stays_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli_main, "COLLECT_AFTER", 0.01)
    gc.disable()
    try:
        cli_main._collect_later()
        threading.Event().wait(0.2)
        assert not gc.isenabled()
    finally:
        gc.enable()
