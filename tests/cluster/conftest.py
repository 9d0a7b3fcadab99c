"""The cluster tier's fixture: a real kube-apiserver and etcd on loopback, one per test session.

`kube-testcluster` (tests/cluster/apiserver, built from Go modules by scripts/build-go-tools.sh
and cached under ~/.cache/fluxops/tools) runs `up DIR` in its own process group. The fixture
waits for DIR/kubeconfig and /readyz, gives the user `reader` get/list/watch in namespace
`team-a` only, installs the Flux CRDs shipped in src/fluxops/data/crds/flux and waits until
they are Established. The whole process group is killed at the end of the session, on failure,
on Ctrl-C and at interpreter exit. See docs/cluster-tests.md.

If the binary cannot be built the fixture fails (it does not skip): the tier exists to run.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import ctypes
import os
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cluster.kubelet_stub import prepare_pki as prepare_kubelet_pki

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "scripts" / "build-go-tools.sh"
CRD_DIR = REPO / "src" / "fluxops" / "data" / "crds" / "flux"
TOOL = "kube-testcluster"
START_TIMEOUT = 180.0
READER_NAMESPACE = "team-a"


@dataclass(frozen=True)
class LiveCluster:
    """What a test needs to talk to the session's API server."""

    kubeconfig: str  # two contexts: "admin" (system:masters) and "reader" (RBAC: team-a only)
    admin_context: str
    reader_context: str
    reader_namespace: str
    server: str  # https://127.0.0.1:<port>
    ca_pem: bytes
    workdir: Path
    log: Path

    def admin(self) -> Any:
        """A lightkube client as admin, for setting up test objects."""
        from lightkube import Client, KubeConfig

        cfg = KubeConfig.from_file(self.kubeconfig).get(context_name=self.admin_context)
        return Client(cfg, field_manager="fluxops-tests")

    def raw_get(self, path: str, context: str | None = None) -> tuple[int, bytes]:
        """GET path with a context's token (admin by default), for checks below the client."""
        kc = yaml.safe_load(Path(self.kubeconfig).read_text())
        ctx = next(c for c in kc["contexts"] if c["name"] == (context or self.admin_context))
        user = next(u for u in kc["users"] if u["name"] == ctx["context"]["user"])
        return _get(self.server + path, self.ca_pem, user["user"]["token"])


# ---------------------------------------------------------------------------------------------
# build


def _tools_dir() -> Path:
    return Path(os.environ.get("FLUXOPS_TOOLS_DIR", "~/.cache/fluxops/tools")).expanduser()


def _build_binary() -> Path:
    """Run the (cached) build; an up-to-date binary costs one hash of the module's sources."""
    proc = subprocess.run(
        ["bash", str(BUILD_SCRIPT), TOOL],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    binary = _tools_dir() / TOOL
    if proc.returncode != 0 or not os.access(binary, os.X_OK):
        out = (proc.stdout + proc.stderr)[-6000:]
        pytest.fail(
            f"cannot build {TOOL} with {BUILD_SCRIPT} {TOOL} (exit {proc.returncode}):\n{out}",
            pytrace=False,
        )
    return binary.resolve()


# ---------------------------------------------------------------------------------------------
# process group handling


def _kill_group(proc: subprocess.Popen[bytes], grace: float = 30.0) -> None:
    """SIGTERM the `up` process (it stops the API server, then etcd), then SIGKILL the group."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it if pytest dies, even by SIGKILL (Linux prctl)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _get(url: str, ca_pem: bytes, token: str, timeout: float = 5.0) -> tuple[int, bytes]:
    ctx = ssl.create_default_context(cadata=ca_pem.decode())
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _tail(path: Path, n: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return "(no log)"


def _wait_ready(proc: subprocess.Popen[bytes], workdir: Path, log: Path) -> dict[str, Any]:
    kubeconfig = workdir / "kubeconfig"
    deadline = time.monotonic() + START_TIMEOUT
    while not kubeconfig.exists():
        if proc.poll() is not None:
            pytest.fail(f"{TOOL} up exited with {proc.returncode}:\n{_tail(log)}", pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(
                f"{TOOL} up not ready after {START_TIMEOUT:.0f}s:\n{_tail(log)}", pytrace=False
            )
        time.sleep(0.2)
    kc: dict[str, Any] = yaml.safe_load(kubeconfig.read_text())
    cluster = kc["clusters"][0]["cluster"]
    ca = base64.b64decode(cluster["certificate-authority-data"])
    admin = next(u for u in kc["users"] if u["name"] == "admin")["user"]["token"]
    status, body = 0, b""
    while time.monotonic() < deadline:
        try:
            status, body = _get(cluster["server"] + "/readyz", ca, admin)
        except OSError as exc:
            body = str(exc).encode()
        if status == 200:
            return kc
        time.sleep(0.3)
    pytest.fail(f"/readyz answered {status}: {body[-500:]!r}\n{_tail(log)}", pytrace=False)


# ---------------------------------------------------------------------------------------------
# cluster content


def _setup_rbac(client: Any) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.models.rbac_v1 import PolicyRule, RoleRef, Subject
    from lightkube.resources.core_v1 import Namespace
    from lightkube.resources.rbac_authorization_v1 import Role, RoleBinding

    client.apply(Namespace(metadata=ObjectMeta(name=READER_NAMESPACE)))
    client.apply(
        Role(
            metadata=ObjectMeta(name="read-all", namespace=READER_NAMESPACE),
            rules=[PolicyRule(apiGroups=["*"], resources=["*"], verbs=["get", "list", "watch"])],
        )
    )
    client.apply(
        RoleBinding(
            metadata=ObjectMeta(name="reader-read-all", namespace=READER_NAMESPACE),
            roleRef=RoleRef(apiGroup="rbac.authorization.k8s.io", kind="Role", name="read-all"),
            subjects=[Subject(apiGroup="rbac.authorization.k8s.io", kind="User", name="reader")],
        )
    )


def _install_crds(client: Any) -> list[str]:
    from lightkube import codecs
    from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

    files = sorted(CRD_DIR.glob("*.yaml"))
    if not files:
        pytest.fail(f"no Flux CRDs in {CRD_DIR} (run scripts/fetch_flux_crds.py)", pytrace=False)
    names: list[str] = []
    for f in files:
        for crd in codecs.load_all_yaml(f.read_text()):
            name = crd.metadata.name if crd.metadata else None
            if not name:
                pytest.fail(f"{f}: a CRD without metadata.name", pytrace=False)
            client.apply(crd, force=True)
            names.append(name)
    deadline = time.monotonic() + 60
    pending = set(names)
    while pending:
        for name in sorted(pending):
            crd = client.get(CustomResourceDefinition, name)
            conds = (crd.status.conditions if crd.status else None) or []
            if any(c.type == "Established" and c.status == "True" for c in conds):
                pending.discard(name)
        if pending and time.monotonic() > deadline:
            pytest.fail(f"CRDs not Established after 60s: {sorted(pending)}", pytrace=False)
        if pending:
            time.sleep(0.2)
    return names


def _write_kubeconfig(kc: dict[str, Any], path: Path) -> None:
    for ctx in kc["contexts"]:
        if ctx["name"] == "reader":
            ctx["context"]["namespace"] = READER_NAMESPACE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(kc))
    tmp.chmod(0o600)
    tmp.rename(path)


# ---------------------------------------------------------------------------------------------
# the fixture


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveCluster]:
    binary = _build_binary()
    workdir = tmp_path_factory.mktemp("kube-testcluster")
    log = workdir / "kube-testcluster.log"
    # the API server checks the stand-in kubelet (pods/log) against these roots
    kubelet_ca = prepare_kubelet_pki(workdir)
    with log.open("wb") as logf:
        proc = subprocess.Popen(
            [str(binary), "up", str(workdir)],
            env={**os.environ, "SSL_CERT_FILE": str(kubelet_ca)},
            stdin=subprocess.DEVNULL,
            stdout=logf,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole
            preexec_fn=_die_with_parent,
        )

    def _atexit() -> None:
        _kill_group(proc, grace=5.0)

    atexit.register(_atexit)
    try:
        kc = _wait_ready(proc, workdir, log)
        kubeconfig = workdir / "kubeconfig.yaml"
        _write_kubeconfig(kc, kubeconfig)
        cluster_entry = kc["clusters"][0]["cluster"]
        tc = LiveCluster(
            kubeconfig=str(kubeconfig),
            admin_context="admin",
            reader_context="reader",
            reader_namespace=READER_NAMESPACE,
            server=cluster_entry["server"],
            ca_pem=base64.b64decode(cluster_entry["certificate-authority-data"]),
            workdir=workdir,
            log=log,
        )
        admin = tc.admin()
        try:
            _setup_rbac(admin)
            _install_crds(admin)
        finally:
            admin.close()
        yield tc
    finally:
        _kill_group(proc)
        atexit.unregister(_atexit)
