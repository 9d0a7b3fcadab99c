"""What the cluster benchmarks share: the Go-built tools and the kube-apiserver process.

`tool(name)` builds (if needed) and finds a tool of scripts/build-go-tools.sh; `ApiServer`
runs `kube-testcluster up` in its own process group and waits for its kubeconfig. Each
benchmark then installs what it needs through its own client.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("FLUXOPS_TOOLS_DIR", "~/.cache/fluxops/tools")).expanduser()
CRD_DIR = ROOT / "src" / "fluxops" / "data" / "crds" / "flux"


def tool(name: str) -> Path:
    override = os.environ.get("FLUXOPS_FLUX_BIN") if name == "flux" else None
    if override:
        return Path(override)
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-go-tools.sh"), name],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"cannot build {name}: {proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return TOOLS / name


class ApiServer:
    """kube-testcluster (etcd + kube-apiserver) in its own process group."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.log = (workdir / "apiserver.log").open("wb")
        self.proc = subprocess.Popen(
            [str(tool("kube-testcluster")), "up", str(workdir / "up")],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.kubeconfig = workdir / "up" / "kubeconfig"
        deadline = time.monotonic() + 180
        while not self.kubeconfig.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                sys.exit(f"kube-testcluster did not start; see {workdir / 'apiserver.log'}")
            time.sleep(0.2)
        time.sleep(0.5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()
