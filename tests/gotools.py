"""The Go test tools of scripts/build-go-tools.sh, for tests that compare with Go.

`go_tool(name)` builds the tool when its inputs changed (seconds for the small ones under
tests/tools, minutes for flux) and returns its path; a tool that cannot be built fails the test
(never a skip: these tiers exist to run them).

- `GoDecoder` (tests/tools/goyamldecode): a YAML stream decoded as kubectl and the Flux
  controllers decode it (sigs.k8s.io/yaml), or with `kyaml=True` as kustomize reads resources.
- `GoOracle` (tests/tools/godiff): Flux's envsubst, Helm's strvals and Go's time.ParseDuration
  answering JSON-line cases, many cases per process.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS_DIR = Path(os.environ.get("FLUXOPS_TOOLS_DIR", Path.home() / ".cache/fluxops/tools"))


def go_tool(name: str) -> Path:
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts/build-go-tools.sh"), name],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"cannot build {name} with scripts/build-go-tools.sh {name} "
            f"(exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}",
            pytrace=False,
        )
    path = TOOLS_DIR / name
    if not os.access(path, os.X_OK):
        pytest.fail(f"{name} not found or not executable at {path}", pytrace=False)
    return path


class GoDecodeError(Exception):
    """The Go decoder refused the stream; the message is its error."""


class GoDecoder:
    def __init__(self, path: Path) -> None:
        self.path = path

    def decode(self, text: str, *, kyaml: bool = False) -> list[Any]:
        """Each non-empty document of the stream, as Go decodes it, as JSON values."""
        cmd = [str(self.path), *(["-kyaml"] if kyaml else [])]
        proc = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True, timeout=300)
        if proc.returncode != 0:
            raise GoDecodeError(proc.stderr.decode("utf-8", "replace").strip())
        # split at "\n" only: a JSON line may hold U+0085 or U+2028 raw
        return [json.loads(line) for line in proc.stdout.decode("utf-8").split("\n") if line]


class GoOracle:
    def __init__(self, path: Path) -> None:
        self.path = path

    def ask(self, mode: str, cases: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """One answer per case, in order (one process for all of them)."""
        lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
        proc = subprocess.run(
            [str(self.path), mode], input=lines.encode("utf-8"), capture_output=True, timeout=600
        )
        if proc.returncode != 0:
            raise RuntimeError(f"godiff {mode} failed: {proc.stderr.decode()[-2000:]}")
        answers = [json.loads(line) for line in proc.stdout.decode("utf-8").split("\n") if line]
        assert len(answers) == len(cases), f"godiff {mode}: {len(answers)} answers"
        return answers


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON values carry them: numbers by value (Go's JSON loses int/float), but a
    boolean is never a number and a string never anything else."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        # Go writes the float 2**64 as 18446744073709552000, which JSON readers take for an int
        return float(a) == float(b) if isinstance(a, float) or isinstance(b, float) else a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two JSON values differ (for messages), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'second' if k not in a else 'first'}"
            found = first_difference(a[k], b[k], f"{path}.{k}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if same_json(a, b) else f"{path or '.'}: {a!r:.120} != {b!r:.120}"
