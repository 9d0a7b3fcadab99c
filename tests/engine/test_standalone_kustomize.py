"""The engine is swappable: a standalone kustomize (built from Go modules, the same kustomize
v5.8.1 that kubectl 1.37 embeds) renders exactly what the bundled `kubectl kustomize` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def kustomize_bin() -> Path:
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-go-tools.sh"), "kustomize"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"building kustomize failed:\n{proc.stdout}\n{proc.stderr}")
    tools = Path(os.environ.get("FLUXOPS_TOOLS_DIR", "~/.cache/fluxops/tools")).expanduser()
    binary = tools / "kustomize"
    assert binary.exists(), proc.stdout
    return binary


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fluxops", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_standalone_kustomize_renders_the_same(kustomize_bin: Path, tmp_path: Path) -> None:
    cache = {"FLUXOPS_CACHE_DIR": str(tmp_path / "cache")}
    bundled = run("build", str(EXAMPLE), "--all", "--no-cache", env=cache)
    standalone = run(
        "build",
        str(EXAMPLE),
        "--all",
        "--no-cache",
        "--kustomize-bin",
        str(kustomize_bin),
        env=cache,
    )
    by_env = run(
        "build",
        str(EXAMPLE),
        "--all",
        "--no-cache",
        env={**cache, "FLUXOPS_KUSTOMIZE": str(kustomize_bin)},
    )
    assert bundled.returncode == standalone.returncode == by_env.returncode == 0, standalone.stderr
    assert bundled.stdout == standalone.stdout == by_env.stdout
    assert bundled.stdout.count("\nkind: ") >= 30


def test_engine_errors_name_the_kustomization(kustomize_bin: Path, tmp_path: Path) -> None:
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    (repo / "apps/staging/kustomization.yaml").write_text("resources:\n  - ../base/nope\n")
    for extra in ([], ["--kustomize-bin", str(kustomize_bin)]):
        proc = run(
            "build",
            str(repo),
            "--ks",
            "flux-system/apps",
            "--cluster",
            "clusters/staging",
            "--no-cache",
            *extra,
        )
        assert proc.returncode == 1
        assert "FAILED Kustomization flux-system/apps" in proc.stderr
        assert "apps/base/nope" in proc.stderr
        assert str(tmp_path / "cache") not in proc.stderr and "/dev/shm" not in proc.stderr
