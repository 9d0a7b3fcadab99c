"""The fluxops commands SKILL.md names: those in its code blocks (run by the tests) and those
in inline code (checked against the CLI, not run: they hold placeholders)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

SKILL = Path(__file__).resolve().parents[2] / "src" / "fluxops" / "data" / "skill" / "SKILL.md"

#: Commands of verbs not on this branch yet (a verb built in parallel): they are left out of
#: the runs until the branch that builds the verb is merged. Empty: every command runs.
PENDING: list[str] = []

#: Verbs that need a cluster: their commands run in tests/cluster/test_skill_commands.py.
CLUSTER_VERBS = {"status", "snapshot", "drift", "explain", "check"}


def skill_text() -> str:
    return SKILL.read_text(encoding="utf-8")


def block_commands(text: str | None = None) -> list[str]:
    """Every `fluxops ...` line of a ```bash block, in order."""
    text = skill_text() if text is None else text
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL):
        out += [line.strip() for line in block.splitlines() if line.strip().startswith("fluxops ")]
    return out


def inline_commands(text: str | None = None) -> list[str]:
    """Every inline code span that starts with `fluxops `."""
    text = skill_text() if text is None else text
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return [c for c in re.findall(r"`(fluxops [^`]+)`", prose)]


def is_pending(command: str) -> bool:
    return command in PENDING


def needs_cluster(command: str) -> bool:
    return shlex.split(command)[1] in CLUSTER_VERBS
