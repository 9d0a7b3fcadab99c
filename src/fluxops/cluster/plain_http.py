"""The common kubeconfig (a bearer token, the server's CA) over the standard library's
`socket` and `ssl`, without lightkube and httpx: importing those costs more CPU than a
whole small `drift --ks` otherwise needs.

The connections are `http11.Connection`s (HTTP/1.1 over TLS without `http.client`).
`simple_context` says whether the chosen context is that simple case: a `token` user (no
exec plugin, auth provider, client certificate, basic auth or impersonation) on a cluster
without proxy or TLS server name override. Anything else goes through lightkube as before.
`PlainHTTP` is what `ClusterClient` sends requests with: keep-alive HTTPS connections, each
used by one request at a time and then kept for the next (a TLS handshake costs both sides
CPU: a run that reads one after the other opens one), the token in the Authorization header,
the timeout on connecting and on each read.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluxops.errors import ClusterError

_USER_KEYS = {"token"}
_CLUSTER_KEYS = {
    "server",
    "certificate-authority",
    "certificate-authority-data",
    "insecure-skip-tls-verify",
    "extensions",
}


@dataclass(frozen=True)
class SimpleContext:
    context: str
    namespace: str
    server: str
    token: str
    ca_pem: str | None  # None: the system's trust store
    insecure: bool


def _named(doc: Mapping[str, Any], section: str, name: Any) -> dict[str, Any] | None:
    for entry in doc.get(section) or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            body = entry.get(section[:-1])
            return body if isinstance(body, dict) else None
    return None


def simple_context(doc: Mapping[str, Any], context: str | None) -> SimpleContext | None:
    """The context when it is the simple case (see the module), else None."""
    name = context or doc.get("current-context")
    ctx = _named(doc, "contexts", name) if name else None
    if ctx is None:
        return None
    cluster = _named(doc, "clusters", ctx.get("cluster"))
    user = _named(doc, "users", ctx.get("user"))
    if cluster is None or user is None or set(user) - _USER_KEYS or set(cluster) - _CLUSTER_KEYS:
        return None
    token, server = user.get("token"), cluster.get("server")
    if not isinstance(token, str) or not token or not isinstance(server, str):
        return None
    if not server.startswith("https://"):
        return None
    ca_pem: str | None = None
    try:
        if isinstance(cluster.get("certificate-authority-data"), str):
            ca_pem = base64.b64decode(cluster["certificate-authority-data"]).decode()
        elif isinstance(cluster.get("certificate-authority"), str):
            ca_pem = Path(cluster["certificate-authority"]).read_text(encoding="utf-8")
    except (ValueError, OSError):
        return None  # lightkube reports it
    return SimpleContext(
        context=str(name),
        namespace=str(ctx.get("namespace") or "default"),
        server=server.rstrip("/"),
        token=token,
        ca_pem=ca_pem,
        insecure=cluster.get("insecure-skip-tls-verify") is True,
    )


class PlainTimeout(ClusterError):
    """The server did not answer within the timeout (turned into the client's message)."""


class PlainTransportError(ClusterError):
    """The connection failed: refused, reset, TLS (turned into the client's message)."""


class PlainRequest:
    def __init__(self, url: str) -> None:
        self.url = url


class PlainResponse:
    """What `ClusterClient` reads of a response (httpx's names)."""

    def __init__(self, status: int, content: bytes, url: str) -> None:
        self.status_code = status
        self.content = content
        self.request = PlainRequest(url)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class PlainHTTP:
    def __init__(self, config: SimpleContext, timeout: float) -> None:
        parsed = urllib.parse.urlsplit(config.server)
        self.host = parsed.hostname or ""
        self.port = parsed.port or 443
        self.base_path = parsed.path.rstrip("/")
        self.server = config.server
        self.timeout = timeout
        self._auth = f"Bearer {config.token}"
        self._config = config
        self._ssl: Any = None  # made with the first connection: a run may need none
        self._idle: list[Any] = []
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def _context(self) -> Any:
        """The TLS context: the kubeconfig's CA (or the system's), or no verification."""
        import ssl

        with self._lock:
            if self._ssl is None:
                config = self._config
                if config.insecure:
                    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                elif config.ca_pem is not None:
                    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    context.load_verify_locations(cadata=config.ca_pem)
                else:
                    context = ssl.create_default_context()
                self._ssl = context
            return self._ssl

    def _new(self, timeout: float) -> Any:
        from fluxops.cluster.http11 import Connection

        conn = Connection(self.host, self.port, timeout=timeout, context=self._context())
        with self._lock:
            self._all.append(conn)
        return conn

    def _connection(self, fresh: bool = False) -> Any:
        """An idle kept-alive connection, else a new one (`fresh`: always new)."""
        if not fresh:
            with self._lock:
                if self._idle:
                    return self._idle.pop()
        return self._new(self.timeout)

    def _keep(self, conn: Any) -> None:
        """`conn` answered in full: the next request may use it (with the client's timeout)."""
        if conn.timeout != self.timeout:
            conn.settimeout(self.timeout)
        with self._lock:
            if conn in self._all:  # not closed meanwhile
                self._idle.append(conn)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> PlainResponse:
        """One request on a kept-alive connection; with `timeout`, on a new connection that
        waits at most that long (the /version probe; kept for what follows)."""
        from fluxops.cluster.http11 import ClosedByServer, ProtocolError

        target = self.base_path + path
        if params:
            target += "?" + urllib.parse.urlencode(params)
        hdrs = {"Authorization": self._auth, "User-Agent": "fluxops", **(headers or {})}
        for attempt in (0, 1):
            conn = self._connection(fresh=attempt == 1) if timeout is None else self._new(timeout)
            try:
                status, body = conn.request(method, target, content, hdrs)
                self._keep(conn)
                return PlainResponse(status, body, self.server + target)
            except TimeoutError as exc:
                conn.close()
                raise PlainTimeout(type(exc).__name__) from exc
            except (ClosedByServer, BrokenPipeError, ConnectionResetError):
                conn.close()
                if attempt == 1:
                    raise PlainTransportError("the connection was closed by the server") from None
            except ProtocolError as exc:
                raise PlainTransportError(exc.message) from exc
            except OSError as exc:
                conn.close()
                raise PlainTransportError(str(exc) or type(exc).__name__) from exc
        raise PlainTransportError("unreachable")  # pragma: no cover

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._idle.clear()
