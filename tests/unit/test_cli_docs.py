import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_cli_docs.py"
DOC = ROOT / "docs" / "cli.md"


def check(doc: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--doc", str(doc)],
        capture_output=True,
        text=True,
    )


def test_cli_reference_is_current() -> None:
    proc = check(DOC)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text.replace("--strict-substitute", "--strict", 1),  # a renamed flag
        lambda text: text.replace("-h, --help", "--help", 1),  # not the real CLI's context
        lambda text: text.split("## fluxops values-diff")[0],  # a verb left out
    ],
)
def test_check_fails_on_a_stale_reference(tmp_path: Path, edit: object) -> None:
    stale = tmp_path / "cli.md"
    assert callable(edit)
    stale.write_text(edit(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    proc = check(stale)
    assert proc.returncode == 1
    assert "is stale" in proc.stderr


def test_reference_has_the_flag_table_and_every_verb() -> None:
    text = DOC.read_text(encoding="utf-8")
    from fluxops.cli.main import LazyGroup, cli

    assert isinstance(cli, LazyGroup)
    verbs = sorted(cli.load_all())
    assert "| flag | " + " | ".join(verbs) + " |" in text
    no_format = {"mcp", "skill"}  # the verbs without -o
    row = " | ".join("" if v in no_format else "-o" for v in verbs)
    assert f"| `--output` | {row} |" in text
    assert "_FLUXOPS_COMPLETE=bash_source fluxops" in text
