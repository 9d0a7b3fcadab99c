"""docs/architecture.md stays true: every fluxops module it names exists, every package in the
source tree is in its table, and its layer diagram lists the layers import-linter enforces."""

from __future__ import annotations

import importlib
import importlib.util
import re
import tomllib

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.unit

DOC = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src" / "fluxops"
NAME = re.compile(r"\bfluxops(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _resolves(dotted: str) -> bool:
    """A module or package, or an attribute of one (`fluxops.render.verb.run`)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        if importlib.util.find_spec(module) is None:
            continue
        value: object = importlib.import_module(module)
        for attr in parts[cut:]:
            if not hasattr(value, attr):
                return False
            value = getattr(value, attr)
        return True
    return False


def test_every_name_in_the_doc_exists() -> None:
    names = sorted(set(NAME.findall(DOC.read_text(encoding="utf-8"))))
    assert len(names) > 15
    missing = [n for n in names if not _resolves(n)]
    assert missing == []


def test_every_package_is_in_the_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `(fluxops[\w.]*)` \|", text, re.MULTILINE))
    packages = {
        "fluxops." + ".".join(p.parent.relative_to(SRC).parts)
        for p in SRC.rglob("__init__.py")
        if p.parent != SRC
    }
    data = {"fluxops.data"} if (SRC / "data").is_dir() else set()
    assert sorted(packages | data) == sorted(table)


def test_the_layer_diagram_is_the_enforced_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("## Layers", 1)[1].split("```", 2)[1]
    drawn = [sorted(NAME.findall(line.split("  ")[0] + "  " + line)) for line in block.splitlines()]
    drawn_names = {n for row in drawn for n in row}
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    enforced = {n.strip() for layer in layers for n in layer.split("|")}
    assert drawn_names == enforced
