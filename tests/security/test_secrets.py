"""Secrets at rest and in output: the caches never hold a Secret value and are private;
values-diff masks what lint calls an inline secret; Secret values appear in no output format;
a cancelled run (SIGTERM, SIGHUP) removes its workspace."""

from __future__ import annotations

import base64
import json
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.security.conftest import CANARY, CONFIGMAP, Run, flux_repo, kustomization, write

pytestmark = [pytest.mark.security]

SECRET = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: default
stringData:
  password: {CANARY}
data:
  token: {base64.b64encode(CANARY.encode()).decode()}
"""


def _secret_repo(root: Path) -> Path:
    repo = flux_repo(
        root,
        {
            "kustomization.yaml": "resources: [secret.yaml, cm.yaml]\n",
            "secret.yaml": SECRET,
            "cm.yaml": CONFIGMAP,
        },
    )
    write(
        repo,
        {
            "clusters/test/plain.yaml": kustomization("plain", "./plain"),
            "plain/cm.yaml": CONFIGMAP.replace("plain", "other"),
        },
    )
    return repo


def test_the_cache_holds_no_secret_and_is_private(run: Run, tmp_path: Path) -> None:
    repo = _secret_repo(tmp_path / "repo")
    run("build", str(repo), "--all", expect=0)
    second = json.loads(run("build", str(repo), "--all", "-o", "json", expect=0).stdout)
    cached = {k["name"]: k["cached"] for k in second["kustomizations"]}
    assert cached["plain"] is True  # the cache works
    assert cached["apps"] is False  # a Secret's values are never read back from disk
    for ks in ("flux-system/apps", "flux-system/plain"):  # the --ks walk and result caches
        for _ in range(2):
            run("build", str(repo), "--ks", ks, expect=0)
    cache = tmp_path / "cache"
    assert list(cache.rglob("*.walk")) and list(cache.rglob("*.result"))
    # the Kustomization with the Secret: its walk is kept, its result never
    assert len(list(cache.rglob("*.result"))) == 1
    encoded = base64.b64encode(CANARY.encode())
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files
    for path in [cache, *cache.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
        if path.is_file():
            data = path.read_bytes()
            assert CANARY.encode() not in data and encoded not in data


def test_secret_values_appear_in_no_output(run: Run, tmp_path: Path) -> None:
    repo = _secret_repo(tmp_path / "repo")
    out = tmp_path / "out"
    outputs = [
        run("build", str(repo), "--all", expect=0).output,
        run("build", str(repo), "--all", "-o", "json", expect=0).output,
        run("build", str(repo), "--all", "--output-dir", str(out), expect=0).output,
        *[
            run("validate", str(repo), "--all", "-o", fmt).output
            for fmt in ("text", "json", "sarif", "github")
        ],
        run("lint", str(repo), "-o", "json").output,
    ]
    outputs += [p.read_text() for p in out.rglob("*.yaml")]
    encoded = base64.b64encode(CANARY.encode()).decode()
    for text in outputs:
        assert CANARY not in text and encoded not in text


def test_values_diff_masks_inline_secrets(run: Run, tmp_path: Path) -> None:
    release = """\
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: web
          namespace: default
        spec:
          interval: 10m
          chartRef: {{kind: OCIRepository, name: web}}
          values:
            adminPassword: {value}
            smtp: {{password: {value}, host: mail}}
            replicas: 1
        """
    repo = write(
        tmp_path / "repo",
        {
            "a/kustomization.yaml": "resources: [release.yaml]\n",
            "a/release.yaml": release.format(value=CANARY + "-a"),
            "b/kustomization.yaml": "resources: [release.yaml]\n",
            "b/release.yaml": release.format(value=CANARY + "-b"),
        },
    )
    lint = json.loads(run("lint", str(repo), "--no-render", "-o", "json", expect=1).stdout)
    flagged = {f["path"] for f in lint["findings"] if f["code"] == "hr-inline-secret"}
    assert flagged == {"spec.values.adminPassword", "spec.values.smtp.password"}
    for fmt in ("table", "json", "yaml", "markdown"):
        result = run(
            "values-diff",
            "web",
            str(repo),
            "--env",
            "a=a",
            "--env",
            "b=b",
            "--all-values",
            "-o",
            fmt,
            expect=0,
        )
        result.assert_clean()
        assert "***" in result.stdout
    data = json.loads(
        run(
            "values-diff",
            "web",
            str(repo),
            "--env",
            "a=a",
            "--env",
            "b=b",
            "--all-values",
            "-o",
            "json",
        ).stdout
    )
    secret_rows = {r["path"] for r in data["releases"][0]["rows"] if r["secret"]}
    assert {"adminPassword", "smtp.password"} <= secret_rows
    assert "smtp.host" not in secret_rows


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_cancelled_run_removes_its_workspace(
    tmp_path: Path, cli_env: dict[str, str], signum: int
) -> None:
    apps = {f"app{i}/cm.yaml": CONFIGMAP.replace("plain", f"app{i}") for i in range(60)}
    repo = flux_repo(tmp_path / "repo", {"kustomization.yaml": "resources: []\n"})
    write(repo, {f"apps/{k}": v for k, v in apps.items()})
    write(
        repo,
        {
            f"clusters/test/app{i}.yaml": kustomization(f"app{i}", f"./apps/app{i}")
            for i in range(60)
        },
    )
    workspaces = tmp_path / "ws"
    workspaces.mkdir()
    # one engine run per Kustomization (no batching), so that the run lasts until the signal
    env = {**cli_env, "FLUXOPS_TMPDIR": str(workspaces), "FLUXOPS_BATCH": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fluxops", "build", str(repo), "--all", "--no-cache", "-j", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(workspaces.iterdir()):
        time.sleep(0.02)
    assert any(workspaces.iterdir()), "the run never made a workspace"
    time.sleep(0.5)
    assert proc.poll() is None, "the run ended before the signal: make it longer"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert list(workspaces.iterdir()) == []
    assert "Traceback" not in err
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=False).stdout
    assert str(workspaces) not in ps  # no engine process left behind
