"""docs/lint.md's rule reference is generated from the rule modules and must be current."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops.lint.docs import update
from fluxops.lint.rules import RULES

pytestmark = pytest.mark.unit
DOC = Path(__file__).resolve().parents[3] / "docs" / "lint.md"


def test_lint_docs_are_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert update(text) == text, "run: python -m fluxops.lint.docs docs/lint.md"
    for rule in RULES:
        assert f"### {rule.id}" in text
