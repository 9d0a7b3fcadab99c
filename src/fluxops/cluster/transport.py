"""The HTTP plumbing under `ClusterClient`: one request (with the errors it can end in named
as fluxops errors: unreachable, timed out, bad credentials, an API status) and JSON bodies.
The connection is lightkube's httpx client, or `plain_http` for token-and-CA contexts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluxops.cluster import failures
from fluxops.errors import ClusterError

if TYPE_CHECKING:
    import httpx2

    from fluxops.cluster.plain_http import PlainHTTP, PlainResponse

#: A Kubernetes object or API document as decoded JSON.
Obj = dict[str, Any]


@dataclass
class RequestStats:
    """What this client has sent so far (for tests and `--verbose`)."""

    requests: int = 0
    list_pages: int = 0


class Transport:
    """Requests on `_http` to `server` within `timeout` seconds, counted in `stats`."""

    server: str
    context: str
    timeout: float
    stats: RequestStats
    _http: httpx2.Client | PlainHTTP

    def _request(
        self,
        method: str,
        path: str,
        target: failures.Target,
        *,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        allow: tuple[int, ...] = (),
        timeout: float | None = None,
    ) -> httpx2.Response | PlainResponse:
        hdrs = {"Accept": "application/json", **(headers or {})}
        self.stats.requests += 1
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        waited = self.timeout if timeout is None else timeout
        try:
            resp = self._http.request(
                method, path, params=dict(params or {}), content=content, headers=hdrs, **extra
            )
        except Exception as exc:
            failure = self._transport_failure(exc, target, waited)
            if failure is None:
                raise
            raise failure from exc
        if resp.status_code >= 400 and resp.status_code not in allow:
            try:
                body: Any = resp.json()
            except ValueError:
                body = {"message": resp.text[:300]}
            raise failures.from_status(resp.status_code, body, target)
        return resp

    def _transport_failure(
        self, exc: Exception, target: failures.Target, waited: float
    ) -> ClusterError | None:
        """What a failed request means (None: not a transport failure); `waited`: the
        timeout the request had."""
        import sys

        from fluxops.cluster.plain_http import PlainTimeout, PlainTransportError

        if isinstance(exc, PlainTimeout):
            return failures.unreachable(target, f"timed out ({exc.message})", waited)
        if isinstance(exc, PlainTransportError):
            return failures.unreachable(target, exc.message, waited)
        if "httpx2" not in sys.modules:
            return None
        import httpx2
        from lightkube import ConfigError

        if isinstance(exc, httpx2.TimeoutException):
            return failures.unreachable(target, f"timed out ({type(exc).__name__})", waited)
        if isinstance(exc, httpx2.TransportError):
            return failures.unreachable(target, str(exc) or type(exc).__name__, waited)
        if isinstance(exc, ConfigError):  # exec credential plugin failed, token file missing
            return failures.bad_credentials(target, str(exc))
        return None

    @staticmethod
    def _json(resp: httpx2.Response | PlainResponse) -> Obj:
        try:
            data = resp.json()
        except ValueError as exc:
            raise ClusterError(
                f"the API server answered {resp.request.url} with something that is not JSON"
            ) from exc
        if not isinstance(data, dict):
            raise ClusterError(
                f"the API server answered {resp.request.url} with {type(data).__name__}"
            )
        return data
