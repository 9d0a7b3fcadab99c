from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def fluxops(tmp_path: Path) -> Run:
    """Run the real `fluxops` command (python -m fluxops) with a private cache."""
    env = dict(os.environ)
    env["FLUXOPS_CACHE_DIR"] = str(tmp_path / "cache")
    env.pop("FLUXOPS_KUSTOMIZE", None)

    def run(
        *args: str, cwd: Path | None = None, check_code: int | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "fluxops", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=300,
        )
        if check_code is not None:
            assert proc.returncode == check_code, (
                f"exit {proc.returncode}, expected {check_code}\nstdout:\n{proc.stdout[-3000:]}"
                f"\nstderr:\n{proc.stderr[-3000:]}"
            )
        return proc

    return run
