"""drift's text output without colour is written without rich: the same text, byte for byte,
as rich prints it (soft-wrapped lines as they are, the lines rich wraps wrapped by rich)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops import api
from fluxops.drift.verdicts import DriftResult, ObjectDrift, OwnerSummary
from fluxops.model.identity import ObjectId
from fluxops.output import drift as out
from fluxops.output.registry import PlainConsole, RichLines, View, render, rich_console
from tests.unit.drift.test_snapshot_run import repo, snapshot

pytestmark = pytest.mark.unit
__all__ = ["repo"]  # the fixture


def by_rich(result: DriftResult, view: View) -> str:
    console = RichLines(rich_console(view))
    out.print_text(result, console, show_in_sync=view.show_in_sync, diff=view.diff)
    return console.getvalue()


def with_owners(result: DriftResult) -> DriftResult:
    long_note = "reconcile: disabled on the live object; " + "very long words " * 12
    result.owners += [
        OwnerSummary(
            kind="Kustomization", ref="flux-system/off", status="skipped", notes=[long_note]
        ),
        OwnerSummary(
            kind="Kustomization", ref="flux-system/wide", status="skipped", notes=["名前 " * 30]
        ),
        OwnerSummary(
            kind="Kustomization", ref="flux-system/short", status="skipped", notes=["suspended"]
        ),
        OwnerSummary(
            kind="Kustomization", ref="flux-system/broken", status="failed", error="x\ty\x1b[31m"
        ),
    ]
    result.objects.append(
        ObjectDrift(
            id=ObjectId("", "ConfigMap", "other", "tab\there"),
            owner="flux-system/other",
            verdict="missing",
            notes=["a note with\u202eright-to-left and émoji 🚀 " + "x" * 200],
        )
    )
    result.notes.append("a note " * 40)
    return result


@pytest.mark.parametrize("width", [40, 80, 200])
@pytest.mark.parametrize("show_in_sync", [False, True])
@pytest.mark.parametrize("diff", [False, True])
def test_plain_text_is_what_rich_prints(
    repo: Path, width: int, show_in_sync: bool, diff: bool
) -> None:
    result = api.drift(
        api.DriftRequest(path=str(repo), ks="flux-system/apps", snapshot=snapshot(repo))
    )
    result = with_owners(result)
    view = View(colour=False, width=width, show_in_sync=show_in_sync, diff=diff)
    plain = render(result, "text", view).stdout
    assert plain == by_rich(result, view)
    assert "ConfigMap/apps/edited" in plain and "very long" in plain


def test_plain_console_writes_plain_lines_itself() -> None:
    console = PlainConsole(20)
    console.line("short", "bold")
    assert console._rich is None
    console.line("a line that is longer than twenty", wrap=True)
    assert console._rich is not None
    assert console.getvalue() == "short\na line that is \nlonger than twenty\n"  # as rich wraps
