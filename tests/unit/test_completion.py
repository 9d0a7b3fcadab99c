"""Shell completion of --ks and --cluster (docs/cli.md), through click's real protocol."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1] / "fixtures" / "selection-repo"


def complete(words: str) -> list[str]:
    env = dict(os.environ, _FLUXOPS_COMPLETE="bash_complete", COMP_WORDS=words)
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    proc = subprocess.run(
        [sys.executable, "-c", "from fluxops.cli.main import main; main()"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return [line.partition(",")[2] for line in proc.stdout.splitlines()]


def test_cluster_names() -> None:
    assert complete(f"fluxops build {REPO} --cluster ") == ["clusters/alpha", "clusters/beta"]


def test_kustomization_names_never_guess_a_namespace() -> None:
    names = complete(f"fluxops validate {REPO} --ks ")
    assert "flux-system/common" in names and "metrics" in names
    assert "flux-system/metrics" not in names  # its namespace comes from its parent
    assert complete(f"fluxops build {REPO} --ks me") == ["metrics"]
