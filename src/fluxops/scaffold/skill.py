"""The gitops skill (Agent Skills format) shipped as package data, and `skill install`."""

from __future__ import annotations

from pathlib import Path

#: The skill's name (its frontmatter `name`), and the folder `install` creates.
SKILL_NAME = "fluxops-gitops"


def skill_text() -> str:
    from importlib.resources import files

    return (files("fluxops") / "data" / "skill" / "SKILL.md").read_text(encoding="utf-8")


def install(directory: Path) -> Path:
    """Write DIR/fluxops-gitops/SKILL.md (e.g. DIR = .claude/skills); never overwrites."""
    from fluxops.scaffold.files import write_new

    return write_new(directory, f"{SKILL_NAME}/SKILL.md", skill_text())
