"""The HTTP/1.1 response reader of `cluster.http11` (what plain_http's connections read):
framing by Content-Length, chunks and the connection's end; informational responses; the
errors a malformed or cut answer gives. (Over TLS against the real API server:
tests/cluster.)"""

from __future__ import annotations

import io
import socket
import ssl
import threading

import pytest

from fluxops.cluster.http11 import (
    ClosedByServer,
    Connection,
    ProtocolError,
    read_body,
    read_head,
)

pytestmark = pytest.mark.unit


def answer(raw: bytes, method: str = "GET", reused: bool = False) -> tuple[int, bytes, bool]:
    file = io.BytesIO(raw)
    status, fields, close = read_head(file, reused=reused)
    return status, read_body(file, method, status, fields), close


def test_content_length_frames_the_body_and_the_next_response_follows() -> None:
    file = io.BytesIO(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        b"HTTP/1.1 404 Not Found\r\ncontent-length: 5\r\n\r\nnope!"
    )
    status, fields, close = read_head(file)
    assert (status, read_body(file, "GET", status, fields), close) == (200, b"{}", False)
    assert fields["content-type"] == "application/json"
    status, fields, _ = read_head(file)
    assert (status, read_body(file, "GET", status, fields)) == (404, b"nope!")


def test_chunked_bodies_with_extensions_and_trailers() -> None:
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: a\r\n\r\n"
    )
    assert answer(raw)[:2] == (200, b"Wikipedia in\r\n\r\nchunks.")


def test_informational_responses_are_skipped_and_close_is_honoured() -> None:
    raw = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 201 Created\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"
    )
    assert answer(raw) == (201, b"x", True)
    assert answer(b"HTTP/1.0 200 OK\r\n\r\nuntil the end") == (200, b"until the end", True)


def test_no_body_where_http_has_none() -> None:
    assert answer(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")[:2] == (204, b"")
    assert answer(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", method="HEAD")[1] == b""


@pytest.mark.parametrize(
    "raw",
    [
        b"SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 OK 200\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1_0\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 201 + b"\r\n",
        b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000 + b"\r\n\r\n",
        b"",
    ],
)
def test_malformed_or_cut_answers_are_protocol_errors(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        answer(raw)


def test_a_reused_connection_closed_by_the_server_asks_again() -> None:
    with pytest.raises(ClosedByServer):
        answer(b"", reused=True)
    # plain_http asks again on a new connection (tests/cluster: the kept-alive connection)


def test_a_request_over_a_socket_pair() -> None:
    """The request as sent (method, target, Host, headers, body) and its answer, through a
    context whose wrap_socket leaves the socket plain (TLS itself: tests/cluster)."""

    class Plain:
        def wrap_socket(self, sock: socket.socket, server_hostname: str) -> socket.socket:
            assert server_hostname == "127.0.0.1"
            return sock

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    seen: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data or not data.endswith(b'{"a":1}'):
                data += conn.recv(4096)
            seen.append(data)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone")

    thread = threading.Thread(target=serve)
    thread.start()
    conn = Connection("127.0.0.1", port, timeout=5, context=Plain())
    try:
        status, body = conn.request("PATCH", "/x?y=1", b'{"a":1}', {"Accept": "*/*"})
    finally:
        conn.close()
        thread.join(5)
        server.close()
    assert (status, body) == (200, b"done")
    head = seen[0].split(b"\r\n")
    assert head[0] == b"PATCH /x?y=1 HTTP/1.1"
    assert f"Host: 127.0.0.1:{port}".encode() in head
    assert b"Accept: */*" in head and b"Content-Length: 7" in head


def test_tls_errors_surface_as_os_errors() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")  # not a TLS handshake

    thread = threading.Thread(target=serve)
    thread.start()
    context = ssl.create_default_context()
    conn = Connection("127.0.0.1", port, timeout=5, context=context)
    try:
        with pytest.raises(OSError):
            conn.request("GET", "/version", None, {})
    finally:
        conn.close()
        thread.join(5)
        server.close()
