"""`changes.revisions.Sameness`: a file both sides hold is the same by blob id when both sides are
commits (nothing read), else by its bytes, read once."""

from __future__ import annotations

from pathlib import Path

from fluxops.changes.revisions import Sameness


def _sides(tmp_path: Path, base: dict[str, str], head: dict[str, str]) -> tuple[Path, Path]:
    roots = tmp_path / "base", tmp_path / "head"
    for root, files in zip(roots, (base, head), strict=True):
        root.mkdir()
        for rel, text in files.items():
            (root / rel).write_text(text, encoding="utf-8")
    return roots


def test_blob_ids_decide_without_reading(tmp_path: Path) -> None:
    missing_base, missing_head = tmp_path / "no-base", tmp_path / "no-head"
    same = Sameness(missing_base, missing_head, {"a.yaml": "1" * 40, "b.yaml": "2" * 40},
                    {"a.yaml": "1" * 40, "b.yaml": "3" * 40})  # fmt: skip
    assert same("a.yaml") is True
    assert same("b.yaml") is False


def test_bytes_decide_when_a_side_has_no_blob_ids(tmp_path: Path) -> None:
    base, head = _sides(tmp_path, {"a.yaml": "x: 1\n", "b.yaml": "x: 1\n"},
                        {"a.yaml": "x: 1\n", "b.yaml": "x: 2\n"})  # fmt: skip
    same = Sameness(base, head, {"a.yaml": "1" * 40, "b.yaml": "1" * 40}, None)
    assert same("a.yaml") is True
    assert same("b.yaml") is False
    assert same("gone.yaml") is False  # unreadable: not the same


def test_bytes_are_read_once_per_file(tmp_path: Path) -> None:
    base, head = _sides(tmp_path, {"a.yaml": "x: 1\n"}, {"a.yaml": "x: 1\n"})
    same = Sameness(base, head)
    assert same("a.yaml") is True
    (head / "a.yaml").write_text("x: 2\n", encoding="utf-8")
    assert same("a.yaml") is True  # the answer of the first read: one view per run
    assert Sameness(base, head)("a.yaml") is False
