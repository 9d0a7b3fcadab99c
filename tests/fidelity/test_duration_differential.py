"""The Go-duration parser (fluxops.model.durations) against Go's own `time.ParseDuration`
(through tests/tools/godiff): generated durations, seeded so every run asks the same cases;
the same nanoseconds, or the same error text."""

from __future__ import annotations

import json
import os
import random
from typing import Any

import pytest

from fluxops.model.durations import DurationError, parse_duration, parse_duration_ns
from tests.gotools import GoOracle

pytestmark = pytest.mark.fidelity

SEED = 11_2028
CASES = int(os.environ.get("FLUXOPS_DIFF_CASES", "50000"))

SIGNS = ["", "", "", "", "", "", "-", "-", "+", "--", "+-", "-+", " ", "\t"]
NUMBERS = ["0", "1", "5", "10", "90", "1.5", ".5", "5.", "0.000000001", "1.0000000001",
           "2562047", "9223372036854775807", "9223372036854775808", "18446744073709551616",
           "0.1234567890123456789", "00", "007", "1e3", "", ".", "1.2.3", "\u0661", "1_0",
           "2562047.788015215", "106751.99116730064", "15372286728.091293675"]  # fmt: skip
UNITS = ["ns", "us", "µs", "μs", "ms", "s", "m", "h", "", "S", "H", "hr", "min", "sec", "d",
         "mss", "x", "µ", "h ", " h", "ns\x00"]  # fmt: skip
ODD = ["0", "+0", "-0", "", " ", "1h 30m", "1h30m ", "2562047h47m16.854775807s",
       "2562047h47m16.854775808s", "-2562047h47m16.854775808s", "-2562047h47m16.854775809s",
       "1h-30m", "1h+30m", "\u00b5s", "1\u00b5", "1h\u00e9", '1"h', "1\\h", "5m\n"]  # fmt: skip


def _case(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.05:
        return {"s": rng.choice(ODD)}
    parts = [rng.choice(SIGNS)]
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.3:
            number = rng.choice(NUMBERS)
        else:  # mostly small, sometimes near or past the int64 limits
            number = str(rng.randint(0, 10 ** rng.choice([1, 2, 3, 4, 6, 9, 12, 15, 19, 20])))
        if rng.random() < 0.25:
            number += "." + str(rng.randint(0, 10 ** rng.randint(1, 22)))
        unit = rng.choice(UNITS[:8]) if rng.random() < 0.93 else rng.choice(UNITS)
        parts.append(number + unit)
    return {"s": "".join(parts)}


def _ours(text: str) -> tuple[int, str]:
    try:
        return parse_duration_ns(text), ""
    except DurationError as exc:
        return 0, str(exc)


def test_duration_matches_go(go_oracle: GoOracle) -> None:
    rng = random.Random(SEED)
    cases = [_case(rng) for _ in range(CASES)]
    answers = go_oracle.ask("duration", cases)
    mismatches = []
    errors = 0
    for case, go in zip(cases, answers, strict=True):
        ns, err = _ours(case["s"])
        errors += bool(go["err"])
        if err != go["err"] or ns != go["ns"]:
            mismatches.append(f"{json.dumps(case, ensure_ascii=False)} go: {go} ours: {ns} {err!r}")
    assert len(cases) >= 50_000 or "FLUXOPS_DIFF_CASES" in os.environ
    assert 0.1 * len(cases) < errors < 0.9 * len(cases), f"{errors} of {len(cases)} cases fail"
    assert not mismatches, f"{len(mismatches)} of {len(cases)} cases differ:\n" + "\n".join(
        mismatches[:15]
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("--5m", None), (" 5m", None), ("+-1h", None), ("1\u03bcs", 1e-6), ("1\u00b5s", 1e-6)],
)
def test_issue_11_duration_cases(text: str, seconds: float | None) -> None:
    """Go rejects the first three and accepts the Greek mu; the parser used to do the opposite."""
    assert parse_duration(text) == seconds
