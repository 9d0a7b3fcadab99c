"""Clean output: names and messages from a repository or a cluster cannot write terminal
escapes or forge lines in text output, or break out of a Markdown table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fluxops.output.escape import escape_text, markdown_code, markdown_text
from tests.security.conftest import Run, flux_repo, kustomization, write

pytestmark = [pytest.mark.security]

EVIL = "evil\x1b]0;pwned\x07\x1b[2J\nFORGED: all good\r\u202e"


def assert_no_control(text: str, *, bidi: bool = True) -> None:
    """No terminal control character, no forged line; with `bidi`, no bidirectional
    override either (YAML data on stdout may carry one verbatim: it is the object's data,
    written by the YAML writer)."""
    for char in ("\x1b", "\x07", "\r", "\x9b") + (("\u202e",) if bidi else ()):
        assert char not in text, repr(char)
    assert not any(line.startswith("FORGED") for line in text.splitlines())


def test_escape_helpers() -> None:
    assert escape_text("a\x1b[31mb\nc\u202e") == "a\\x1b[31mb\\nc\\u202e"
    assert escape_text("x\ny", indent="  ") == "x\n  y"
    assert markdown_code("a|b`c\nd") == "``a\\|b`c\\nd``"
    assert markdown_text("*x* | <b>") == "\\*x\\* \\| &lt;b&gt;"


def test_build_and_validate_text_output(run: Run, tmp_path: Path) -> None:
    repo = flux_repo(
        tmp_path / "repo",
        {
            "kustomization.yaml": "resources: [child.yaml]\n",
            "child.yaml": kustomization(EVIL, "./apps/missing" + EVIL),
        },
    )
    for args in (
        ("build", str(repo), "--all"),
        ("validate", str(repo), "--all"),
        ("validate", str(repo), "--all", "-o", "github"),
        ("lint", str(repo)),
    ):
        result = run(*args)
        result.assert_clean()
        assert_no_control(result.stdout, bidi=args[0] != "build")
        assert_no_control(result.stderr)
    assert "\\x1b" in run("build", str(repo), "--all").stderr


def test_status_text_from_a_snapshot(run: Run, tmp_path: Path) -> None:
    ks = json.loads(kustomization("apps", "./apps"))
    ks["metadata"]["name"] = "apps" + EVIL
    ks["status"] = {
        "conditions": [
            {
                "type": "Ready",
                "status": "False",
                "reason": "BuildFailed" + EVIL,
                "message": "kustomize build failed" + EVIL,
                "lastTransitionTime": "2025-06-01T10:00:00Z",
            }
        ]
    }
    snapshot = tmp_path / "snap.json"
    snapshot.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [ks]}))
    for extra in ((), ("--tree",)):
        result = run("status", "--snapshot", str(snapshot), *extra, expect=1)
        result.assert_clean()
        assert_no_control(result.stdout)
        assert "\\x1b" in result.stdout


def test_values_diff_markdown_table_holds(run: Run, tmp_path: Path) -> None:
    release = """\
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: web
          namespace: default
        spec:
          interval: 10m
          chartRef: {{kind: OCIRepository, name: web}}
          values:
            motd: {value}
            "key|with`pipe": {value}
        """
    repo = write(
        tmp_path / "repo",
        {
            "a/kustomization.yaml": "resources: [release.yaml]\n",
            "a/release.yaml": release.format(value=json.dumps("line1\n| injected | row |\n`x`")),
            "b/kustomization.yaml": "resources: [release.yaml]\n",
            "b/release.yaml": release.format(value=json.dumps("plain")),
        },
    )
    result = run(
        "values-diff", "web", str(repo), "--env", "a=a", "--env", "b=b", "-o", "markdown", expect=0
    )
    result.assert_clean()
    lines = result.stdout.splitlines()
    table = [line for line in lines if line.startswith("|")]
    header_cells = len(re.split(r"(?<!\\)\|", table[0]))
    for line in table:
        assert len(re.split(r"(?<!\\)\|", line)) == header_cells, line
    assert not any(line.startswith("| injected") for line in lines)
    values_rows = [line for line in table if "motd" in line or "pipe" in line]
    assert len(values_rows) == 2
