"""One HTTP/1.1 keep-alive connection over TLS, the little `plain_http` needs of it: a request
with a body, a response read in full (Content-Length, chunked, or up to the connection's end).

The standard library's `http.client` does this too, and imports the `email` package to parse
headers: more start-up than a short `drift --ks` spends on all its requests. The API server is
Go's net/http, which speaks plain HTTP/1.1; anything else here fails clearly
(`ProtocolError`), never silently. Transport failures are the OSErrors of `socket` and
`ssl` (TimeoutError included).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Mapping
from typing import IO, Any

from fluxops.errors import ClusterError

#: bounds on what is read before the body (Go's server sends a few hundred bytes)
MAX_LINE = 65536
MAX_HEADERS = 200


class ProtocolError(ClusterError):
    """The server's answer is not HTTP/1.1 as expected."""


class ClosedByServer(ClusterError):
    """A kept-alive connection the server had closed: nothing came back (ask again)."""


class Connection:
    """A connection to `host`:`port` with `context` (TLS), opened on first use; `timeout`
    bounds connecting and each read. One request at a time."""

    def __init__(self, host: str, port: int, *, timeout: float, context: Any) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.context = context
        self.sock: Any = None
        self._file: IO[bytes] | None = None

    def close(self) -> None:
        file, sock = self._file, self.sock
        self._file = self.sock = None
        for closable in (file, sock):
            if closable is not None:
                with contextlib.suppress(OSError):
                    closable.close()

    def settimeout(self, timeout: float) -> None:
        self.timeout = timeout
        if self.sock is not None:
            self.sock.settimeout(timeout)

    def _open(self) -> IO[bytes]:
        raw = socket.create_connection((self.host, self.port), timeout=self.timeout)
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock = self.context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise
        self._file = self.sock.makefile("rb")
        return self._file

    def request(
        self, method: str, target: str, body: bytes | None, headers: Mapping[str, str]
    ) -> tuple[int, bytes]:
        """Send one request and read its response: (status, body). Raises ClosedByServer
        when a reused connection was closed before answering, TimeoutError, OSError."""
        reused = self._file is not None
        file = self._file or self._open()
        host = self.host if self.port == 443 else f"{self.host}:{self.port}"
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body or b'')}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.sock.sendall(head + (body or b""))
            status, fields, close = read_head(file, reused=reused)
            content = read_body(file, method, status, fields)
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, content


def _line(file: IO[bytes]) -> bytes:
    line = file.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise ProtocolError("a response line longer than 64 KiB")
    return line


def read_head(file: IO[bytes], *, reused: bool = False) -> tuple[int, dict[str, str], bool]:
    """The status, the header fields (names lower-cased; repeated ones joined with ", ") and
    whether the server closes the connection after this response. Informational (1xx)
    responses are skipped."""
    while True:
        line = _line(file)
        if not line:
            if reused:
                raise ClosedByServer("the server closed the kept-alive connection")
            raise ProtocolError("the server closed the connection without answering")
        parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ProtocolError(f"not an HTTP/1.1 status line: {line[:80]!r}")
        status = int(parts[1])
        fields: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            raw = _line(file)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep:
                raise ProtocolError(f"a malformed header line: {raw[:80]!r}")
            key = name.strip().lower()
            value = value.strip()
            fields[key] = f"{fields[key]}, {value}" if key in fields else value
        else:
            raise ProtocolError(f"more than {MAX_HEADERS} header lines")
        if 100 <= status < 200 and status != 101:
            continue
        close = "close" in fields.get("connection", "").lower() or parts[0] == "HTTP/1.0"
        return status, fields, close


def read_body(file: IO[bytes], method: str, status: int, fields: Mapping[str, str]) -> bytes:
    """The body as the header fields frame it."""
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return b""
    if "chunked" in fields.get("transfer-encoding", "").lower():
        return _chunked(file)
    length = fields.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise ProtocolError(f"a bad Content-Length: {length[:40]!r}")
        return _exactly(file, int(length))
    return file.read()  # up to the end of the connection


def _exactly(file: IO[bytes], size: int) -> bytes:
    data = file.read(size)
    if len(data) < size:
        raise ProtocolError(f"the response ended after {len(data)} of {size} bytes")
    return data


def _chunked(file: IO[bytes]) -> bytes:
    chunks: list[bytes] = []
    while True:
        line = _line(file).split(b";", 1)[0].strip()
        if not line or line.strip(b"0123456789abcdefABCDEF"):
            raise ProtocolError(f"a bad chunk size: {line[:40]!r}")
        size = int(line, 16)
        if size == 0:
            while _line(file) not in (b"\r\n", b"\n", b""):  # trailer fields
                pass
            return b"".join(chunks)
        chunks.append(_exactly(file, size))
        _line(file)  # the chunk's CRLF
