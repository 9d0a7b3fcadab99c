"""The MCP SDK is an optional extra (`pip install 'fluxops[mcp]'`): without it `fluxops mcp`
exits 2 naming the install command, and every other verb still works. "Without it" is a real
interpreter in which `import mcp` fails (a finder ahead of the others refuses the SDK's
modules), running the installed `fluxops` entry point; nothing of fluxops is replaced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE

pytestmark = pytest.mark.unit

#: A sitecustomize that makes the SDK (and its model library) impossible to import, as in an
#: install without the extra.
BLOCK_SDK = """\
import importlib.abc
import sys

BLOCKED = ("mcp", "mcp_types", "pydantic")


class NoSdk(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NoSdk())
"""


def without_sdk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(BLOCK_SDK)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH")) if p)
    env["FLUXOPS_CACHE_DIR"] = str(tmp_path / "cache")
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "fluxops", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_the_blocker_really_hides_the_sdk(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(BLOCK_SDK)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    probe = subprocess.run(
        [sys.executable, "-c", "import mcp"], capture_output=True, text=True, env=env, check=False
    )
    assert probe.returncode == 1 and "No module named 'mcp'" in probe.stderr


def test_mcp_without_the_extra_exits_2_naming_the_install_command(tmp_path: Path) -> None:
    result = without_sdk(tmp_path, "mcp", "--root", str(EXAMPLE))
    assert result.returncode == 2, result.stderr
    assert "Model Context Protocol SDK, which is not installed" in result.stderr
    assert "pip install 'fluxops[mcp]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_other_verbs_work_without_the_extra(tmp_path: Path) -> None:
    result = without_sdk(tmp_path, "build", "--all", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "kind: Deployment" in result.stdout
