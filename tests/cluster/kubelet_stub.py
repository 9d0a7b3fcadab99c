"""A stand-in kubelet for `pods/log`: the test cluster has no kubelet, so the API server's
log requests (it proxies `GET .../pods/NAME/log` to `https://<node address>:<kubelet port>/
containerLogs/NS/POD/CONTAINER`) are answered by this small HTTPS server with logs the test
sets. Only the transport is a stand-in: the API server, its authorization of `pods/log`, its
choice of container and its node lookup are real.

The API server verifies the kubelet's certificate against the system roots; the fixture starts
it with `SSL_CERT_FILE` pointing at the CA made here (`prepare_pki`), before anything runs.
"""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

PKI_DIR = "kubelet-pki"


def ca_file(workdir: Path) -> Path:
    return workdir / PKI_DIR / "ca.pem"


def prepare_pki(workdir: Path) -> Path:
    """A throwaway CA and a serving certificate for 127.0.0.1, made with openssl; returns the
    CA file (for the API server's SSL_CERT_FILE)."""
    pki = workdir / PKI_DIR
    pki.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        try:
            subprocess.run(["openssl", *args], cwd=pki, check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            err = getattr(exc, "stderr", b"") or b""
            pytest.fail(
                f"cannot make the stand-in kubelet's certificate with openssl {args[0]}: "
                f"{exc} {err.decode(errors='replace')[-1000:]}",
                pytrace=False,
            )

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=kubelet-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=keyCertSign",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "kubelet.key",
        "-out",
        "kubelet.csr",
    )
    (pki / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    run(
        "x509",
        "-req",
        "-in",
        "kubelet.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "kubelet.pem",
    )
    return pki / "ca.pem"


class KubeletStub:
    """An HTTPS server answering /containerLogs/NS/POD/CONTAINER with `logs[(ns, pod,
    container)]` (tailLines and limitBytes applied as the kubelet does); records requests."""

    def __init__(self, workdir: Path) -> None:
        self.logs: dict[tuple[str, str, str], str] = {}
        self.requests: list[str] = []
        pki = workdir / PKI_DIR
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.requests.append(self.path)
                url = urllib.parse.urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                if len(parts) != 4 or parts[0] != "containerLogs":
                    self.send_error(404)
                    return
                text = stub.logs.get((parts[1], parts[2], parts[3]))
                if text is None:
                    self.send_error(404, "container not found")
                    return
                query = urllib.parse.parse_qs(url.query)
                body = text.encode()
                if "tailLines" in query:
                    tail = int(query["tailLines"][0])
                    lines = body.splitlines(keepends=True)
                    body = b"".join(lines[-tail:] if tail else [])
                if "limitBytes" in query:
                    body = body[: int(query["limitBytes"][0])]
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pki / "kubelet.pem", pki / "kubelet.key")
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> KubeletStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
