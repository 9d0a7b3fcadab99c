"""Each layer of the engine's confinement on its own: the OS-level wall (Landlock) with the
path checks bypassed, the path checks with Landlock off, the minimal environment, and the
memory and time limits."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from fluxops.loader.repo import load_repo
from fluxops.render import landlock
from fluxops.render.build import Renderer
from fluxops.render.build_options import BuildOptions
from fluxops.render.engine import Engine, KustomizeFailure, default_engine
from fluxops.render.sandbox import Sandbox, engine_env
from fluxops.render.select import build_all
from fluxops.render.workspace import Workspace
from tests.security.conftest import CANARY, CONFIGMAP, Recorder, flux_repo, write

pytestmark = [pytest.mark.security]

needs_landlock = pytest.mark.skipif(
    landlock.abi_version() < 1, reason="this kernel has no Landlock (the OS-level layer)"
)


def _run_engine(
    ws: Workspace, folder: Path, *, landlock_on: bool, engine: Engine | None = None
) -> tuple[str, str]:
    """Run kustomize on `folder` through a sandbox, with no path check before it."""
    engine = engine or default_engine()
    sandbox = Sandbox(
        ws.root, engine.binary, home=ws.home, tmp=ws.tmp, landlock_enabled=landlock_on, workers=1
    )
    try:
        return engine.build(folder, sandbox), ""
    except KustomizeFailure as exc:
        return "", str(exc)
    finally:
        sandbox.close()


@needs_landlock
def test_landlock_alone_blocks_reads_outside_the_workspace(tmp_path: Path) -> None:
    secret = write(tmp_path / "outside", {"secret.txt": CANARY + "\n"})
    with Workspace() as ws:
        folder = write(
            ws.root / "src",
            {
                "kustomization.yaml": f"configMapGenerator:\n- name: c\n  files: [{secret / 'secret.txt'}]\n"
            },
        )
        out, err = _run_engine(ws, folder, landlock_on=True)
        assert out == "" and CANARY not in err
        assert "permission denied" in err
        # The same build without Landlock reads it: the wall, not the file, stopped it.
        out, err = _run_engine(ws, folder, landlock_on=False)
        assert CANARY in out


@needs_landlock
def test_landlock_alone_blocks_the_network(tmp_path: Path, http_server: Recorder) -> None:
    http_server.body = b"fetched\n"
    with Workspace() as ws:
        folder = write(
            ws.root / "src",
            {
                "kustomization.yaml": f"configMapGenerator:\n- name: c\n  files: [k={http_server.url}/creds]\n"
            },
        )
        out, err = _run_engine(ws, folder, landlock_on=True)
        assert out == "" and err
        assert http_server.requests == []
        out, err = _run_engine(ws, folder, landlock_on=False)
        assert len(http_server.requests) == 1 and "fetched" in out


def test_path_checks_alone_refuse_without_landlock(tmp_path: Path) -> None:
    secret = write(tmp_path / "outside", {"secret.txt": CANARY + "\n"})
    repo = flux_repo(
        tmp_path / "repo",
        {
            "kustomization.yaml": f"configMapGenerator:\n- name: c\n  files: [{secret / 'secret.txt'}]\n"
        },
    )
    with Renderer(load_repo(repo), BuildOptions(landlock=False, cache=False)) as renderer:
        builds = build_all(renderer, None)
        assert not renderer.sandbox.confined
    (apps,) = [b for b in builds if b.name == "apps"]
    assert apps.status == "failed"
    assert apps.error is not None and "absolute path" in apps.error
    assert not any(CANARY in str(o.raw) for b in builds for o in b.objects)


def test_the_engine_environment_is_minimal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With both other layers off, kustomize reads its own environment: only the variables
    fluxops sets are there, nothing from the caller's."""
    for name in (
        "GITHUB_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "SSH_AUTH_SOCK",
        "HTTPS_PROXY",
        "GIT_ASKPASS",
    ):
        monkeypatch.setenv(name, CANARY)
    with Workspace() as ws:
        folder = write(
            ws.root / "src",
            {
                "kustomization.yaml": "configMapGenerator:\n- name: c\n  envs: [/proc/self/environ]\n"
            },
        )
        out, err = _run_engine(ws, folder, landlock_on=False)
    assert not err and CANARY not in out
    # kustomize reads the NUL-separated file as one variable: PATH, then \0NAME=value...
    keys = {"PATH", *re.findall(r"\\0([A-Z_]+)=", out)}
    assert '  PATH: "/usr/local/bin:/usr/bin:/bin' in out
    assert keys == set(engine_env(ws.home, ws.tmp, allow_remote=False))
    assert keys == {"PATH", "HOME", "TMPDIR", "GOGC", "GOMEMLIMIT"}
    remote = engine_env(ws.home, ws.tmp, allow_remote=True)
    assert remote["GIT_CONFIG_NOSYSTEM"] == "1" and remote["GIT_CONFIG_GLOBAL"] == "/dev/null"
    assert "SSH_AUTH_SOCK" not in remote and "IdentityAgent=none" in remote["GIT_SSH_COMMAND"]


def test_memory_limit_stops_an_alias_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUXOPS_ENGINE_MEMORY", "1536MiB")
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: bomb", "data: {a: b}"]
    lines.append('l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]')
    lines += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    with Workspace() as ws:
        folder = write(
            ws.root / "src",
            {
                "kustomization.yaml": "resources: [bomb.yaml]\n",
                "bomb.yaml": "\n".join(lines) + "\n",
            },
        )
        started = time.monotonic()
        out, err = _run_engine(ws, folder, landlock_on=True)
        elapsed = time.monotonic() - started
    assert out == ""
    assert "ran out of memory" in err and "1536 MiB" in err
    assert elapsed < 90


def test_wall_clock_limit_kills_the_engine(tmp_path: Path) -> None:
    engine = default_engine()
    slow = Engine(argv=engine.argv, name=engine.name, timeout=0.01)
    with Workspace() as ws:
        folder = write(
            ws.root / "src", {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": CONFIGMAP}
        )
        out, err = _run_engine(ws, folder, landlock_on=True, engine=slow)
    assert out == "" and "timed out" in err
