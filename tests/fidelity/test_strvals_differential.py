"""The strvals port (fluxops.helmvalues.strvals) against Helm's own Go code (helm.sh/helm/v4
pkg/strvals, the version helm-controller of flux v2.9 uses, through tests/tools/godiff):
generated `--set`, `--set-string` and `--set-literal` lines applied in sequence to one values
map (which may start with values read from JSON, float64 in Go), seeded so every run asks the
same cases; the same resulting map, including what Helm leaves behind on an error, and the
same error text."""

from __future__ import annotations

import copy
import json
import os
import random
from typing import Any

import pytest

from fluxops.helmvalues.strvals import StrvalsError, parse_into, parse_literal_into
from tests.gotools import GoOracle, first_difference

pytestmark = pytest.mark.fidelity

SEED = 11_2027
CASES = int(os.environ.get("FLUXOPS_DIFF_CASES", "50000"))

KEYS = ["a", "b", "c", "name", "x_y", "ä", "日本", "a\\.b", "a\\=b", "a\\,b", "a\\[0]", "K"]
ODD_KEYS = ["", " ", "a b", "\\", "a\\"]
INDEXES = ["0", "1", "2", "3", "10", "-1", "+1", "01", "0x1", " 1", "", "65537",
           "9223372036854775807", "9223372036854775808", "99999999999999999999",
           "99999999999999999999x", "1_0", "a"]  # fmt: skip
VALUES = ["1", "0", "05", "-5", "+5", "-05", "1.5", "1e3", "true", "TRUE", "False", "null",
          "NULL", "x", "", "hello world", "9223372036854775807", "9223372036854775808",
          "-9223372036854775808", "-9223372036854775809", "ä", "a\\,b", "a\\\\", "\\", "=",
          "a=b", "{x,y}", "{}", "{1,true,null}", "{a,{b}}", "{", "}", "[0]", "0x10"]  # fmt: skip
MODES = ["set", "set", "set", "string", "literal"]


def _path(rng: random.Random) -> str:
    parts = []
    for i in range(rng.randint(1, 3)):
        key = rng.choice(KEYS) if rng.random() < 0.95 else rng.choice(ODD_KEYS)
        if i:
            parts.append(".")
        parts.append(key)
        while rng.random() < 0.3:
            roll = rng.random()
            index = rng.choice(INDEXES[:5] if roll < 0.8 else INDEXES)
            if roll > 0.9999:
                index = "65536"  # MaxIndex: a list of 65537 entries, so rarely
            parts.append(f"[{index}]")
    return "".join(parts)


def _line(rng: random.Random) -> str:
    pairs = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.9:
            pairs.append(f"{_path(rng)}={rng.choice(VALUES)}")
        elif roll < 0.95:
            pairs.append(_path(rng))  # no value
        else:
            pairs.append(rng.choice(["", ",", "=", "a[", "a[1", "a]", "a.", ".a", "a..b=1"]))
    return ",".join(pairs) + ("," if rng.random() < 0.05 else "")


def _dest(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.4:
        return {}
    pool: list[Any] = [1, 0, 1.5, "s", True, None, [], [1, None, "x"], {}, {"b": 2}, {"c": [3]}]
    return {k: copy.deepcopy(rng.choice(pool)) for k in KEYS[:4] if rng.random() < 0.6}


def _case(rng: random.Random) -> dict[str, Any]:
    return {
        "dest": _dest(rng),
        "steps": [
            {"expr": _line(rng), "mode": rng.choice(MODES)} for _ in range(rng.randint(1, 3))
        ],
    }


def _ours(case: dict[str, Any]) -> dict[str, Any]:
    dest = copy.deepcopy(case["dest"])
    for i, step in enumerate(case["steps"]):
        try:
            if step["mode"] == "literal":
                parse_literal_into(step["expr"], dest)
            else:
                parse_into(step["expr"], dest, as_string=step["mode"] == "string")
        except StrvalsError as exc:
            return {"dest": json.loads(json.dumps(dest)), "err": exc.message, "step": i}
    return {"dest": json.loads(json.dumps(dest)), "err": "", "step": len(case["steps"])}


def test_strvals_matches_helm(go_oracle: GoOracle) -> None:
    rng = random.Random(SEED)
    cases = [_case(rng) for _ in range(CASES)]
    answers = go_oracle.ask("strvals", cases)
    mismatches = []
    errors = 0
    for case, go in zip(cases, answers, strict=True):
        ours = _ours(case)
        errors += bool(go["err"])
        where = first_difference(go["dest"], ours["dest"])
        if ours["err"] != go["err"] or ours["step"] != go["step"] or where:
            mismatches.append(
                f"{json.dumps(case, ensure_ascii=False)}\n    go:   {go['err']!r} {where or ''}"
                f"\n    ours: {ours['err']!r}"
            )
    assert len(cases) >= 50_000 or "FLUXOPS_DIFF_CASES" in os.environ
    assert 0.1 * len(cases) < errors < 0.9 * len(cases), f"{errors} of {len(cases)} cases fail"
    assert not mismatches, f"{len(mismatches)} of {len(cases)} cases differ:\n" + "\n".join(
        mismatches[:15]
    )
