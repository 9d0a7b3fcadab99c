"""Exec credential plugins (`users[].user.exec` in a kubeconfig), as client-go runs them.

The plugin is run with the kubeconfig's `command`, `args` and `env` added to fluxops's
environment, and `KUBERNETES_EXEC_INFO` describing the request (never interactive: fluxops
gives the plugin no terminal). It must print an `ExecCredential` of the same apiVersion
(`client.authentication.k8s.io/v1`, `v1beta1` or `v1alpha1`) with `status.token`; the token is
reused until its `expirationTimestamp`, and fetched again once when the server answers 401.
`--timeout` bounds the plugin too. A plugin that is missing, fails, hangs or prints something
else is reported as such, never as a 401 from the server.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import signal
import subprocess
import time
from collections.abc import Generator, Mapping
from typing import Any

import httpx2

from fluxops.errors import ClusterError

API_VERSIONS = (
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
    "client.authentication.k8s.io/v1alpha1",
)
_OUTPUT_LIMIT = 1 << 20


class ExecPluginError(ClusterError):
    """The credential plugin could not give a token (missing, failed, timed out, bad output)."""


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


class ExecCredentialAuth(httpx2.Auth):
    """httpx auth that runs an exec credential plugin, caching its token until it expires."""

    def __init__(self, spec: Mapping[str, Any], *, user: str, timeout: float) -> None:
        self.spec = spec
        self.user = user
        self.timeout = timeout
        self._token: str | None = None
        self._expires: float | None = None

    # -- the plugin ----------------------------------------------------------------------

    def _fail(self, message: str, hint: str | None = None) -> ExecPluginError:
        install = self.spec.get("installHint")
        if hint is None and isinstance(install, str) and install.strip():
            hint = _clip(install, 500)
        return ExecPluginError(
            f"the credential plugin of kubeconfig user {self.user!r} {message}",
            hint=hint or "check the `exec` section of that user in the kubeconfig",
        )

    def _command(self) -> tuple[list[str], dict[str, str], str]:
        api_version = self.spec.get("apiVersion")
        if api_version not in API_VERSIONS:
            raise self._fail(
                f"uses apiVersion {api_version!r}, which fluxops does not support",
                hint="use " + " or ".join(API_VERSIONS[:2]),
            )
        command = self.spec.get("command")
        if not isinstance(command, str) or not command:
            raise self._fail("has no command")
        args = self.spec.get("args") or []
        if not isinstance(args, list):
            raise self._fail("has `args` that is not a list")
        if self.spec.get("interactiveMode") == "Always":
            raise self._fail(
                "needs an interactive terminal (interactiveMode: Always)",
                hint="log in first with the plugin, or use a token",
            )
        env = dict(os.environ)
        for item in self.spec.get("env") or []:
            if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                env[item["name"]] = str(item.get("value", ""))
        info = {"apiVersion": api_version, "kind": "ExecCredential", "spec": {"interactive": False}}
        env["KUBERNETES_EXEC_INFO"] = json.dumps(info)
        return [command, *(str(a) for a in args)], env, str(api_version)

    def fetch(self) -> str:
        """Run the plugin and return its token."""
        argv, env, api_version = self._command()
        name = argv[0]
        try:
            proc = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # on timeout, its children are stopped too
            )
        except FileNotFoundError:
            raise self._fail(f"{name!r} was not found (is it installed and on PATH?)") from None
        except PermissionError:
            raise self._fail(f"{name!r} cannot be run (permission denied)") from None
        except OSError as exc:
            raise self._fail(f"{name!r} cannot be run: {exc.strerror or exc}") from None
        try:
            stdout, stderr = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
            proc.wait()
            raise self._fail(
                f"{name!r} did not answer within {self.timeout:g}s (--timeout)",
                hint="run the plugin by hand to see what it waits for, or raise --timeout",
            ) from None
        if proc.returncode != 0:
            detail = _clip(stderr[-2000:].decode("utf-8", "replace"))
            raise self._fail(
                f"{name!r} failed with exit status {proc.returncode}"
                + (f": {detail}" if detail else "")
            )
        return self._parse(stdout[:_OUTPUT_LIMIT], name, api_version)

    def _parse(self, output: bytes, name: str, api_version: str) -> str:
        try:
            data = json.loads(output)
        except (ValueError, RecursionError):
            raise self._fail(f"{name!r} did not print an ExecCredential (not JSON)") from None
        if not isinstance(data, dict) or data.get("kind") != "ExecCredential":
            raise self._fail(f"{name!r} did not print an ExecCredential")
        if data.get("apiVersion") != api_version:
            raise self._fail(
                f"{name!r} answered with apiVersion {data.get('apiVersion')!r}, "
                f"the kubeconfig asks for {api_version}"
            )
        status = data.get("status")
        if not isinstance(status, dict):
            raise self._fail(f"{name!r} returned no status")
        token = status.get("token")
        if not isinstance(token, str) or not token:
            if status.get("clientCertificateData"):
                raise self._fail(
                    f"{name!r} returned a client certificate; fluxops supports token "
                    "credentials only",
                    hint="use a plugin mode that returns a token",
                )
            raise self._fail(f"{name!r} returned no token")
        self._expires = _expiry(status.get("expirationTimestamp"))
        self._token = token
        return token

    def token(self, *, force: bool = False) -> str:
        fresh = self._expires is None or time.time() < self._expires - 10
        if self._token is not None and not force and fresh:
            return self._token
        return self.fetch()

    # -- httpx ---------------------------------------------------------------------------

    def sync_auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        had = self._token is not None
        request.headers["Authorization"] = f"Bearer {self.token()}"
        response = yield request
        if response.status_code == 401 and had:
            # The cached token may have been revoked early: ask the plugin once more.
            request.headers["Authorization"] = f"Bearer {self.token(force=True)}"
            yield request


def _expiry(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.UTC)
    return stamp.timestamp()
