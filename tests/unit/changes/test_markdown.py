"""The Markdown of `diff` holds names from the repository: they cannot break out of the
summary table, the folded sections or the code blocks."""

from __future__ import annotations

from fluxops.changes.result import DiffResult, KustomizationDiff, ObjectChange, Side
from fluxops.output.diff import MARKDOWN_LIMIT, markdown_format
from fluxops.output.registry import View

HOSTILE = "</summary></details><img src=x onerror=alert(1)>|`x`"


def _result() -> DiffResult:
    obj = ObjectChange(
        "changed", "v1", "ConfigMap", "default", HOSTILE,
        diff="--- a\n+++ b\n@@ -1 +1 @@\n-```\n+</details>\n",
    )  # fmt: skip
    ks = KustomizationDiff(f"clusters/{HOSTILE}", "flux-system", "apps", "changed", objects=[obj])
    return DiffResult(base=Side("main", "a" * 40), head=Side("HEAD", "b" * 40), kustomizations=[ks])


def test_names_cannot_break_out() -> None:
    body = markdown_format(_result(), View()).stdout
    assert len(body) < MARKDOWN_LIMIT
    (summary,) = [line for line in body.splitlines() if line.startswith("<details><summary>")]
    assert "<img" not in summary and "&lt;/summary&gt;&lt;/details&gt;&lt;img" in summary
    lines = body.splitlines()
    assert lines.count("</details>") == 1
    # The diff's own backticks cannot close its block: the fence is longer.
    start = lines.index("````diff")
    assert lines[start + 1 : start + 7] == [
        "--- a",
        "+++ b",
        "@@ -1 +1 @@",
        "-```",
        "+</details>",
        "````",
    ]
    # In the table the names are code spans (HTML is not read there), fenced by more
    # backticks than they hold, with `|` escaped.
    rows = [line for line in body.splitlines() if line.startswith("| ``")]
    assert len(rows) == 1
    assert rows[0].startswith(
        "| `` clusters/</summary></details><img src=x onerror=alert(1)>\\|`x` `` |"
    )
