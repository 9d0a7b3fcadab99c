"""How the kustomize engine process runs: confined, bounded, with a minimal environment.

Layers (each tested on its own):

1. Landlock (Linux >= 5.13; render/landlock.py). The engine is started from worker threads
   that gave up, for themselves and every process they start, all filesystem access except
   reading the workspace (where the sources are staged) and running the engine binary, and
   (ABI >= 4) every TCP connect and bind. A thread, not the child before `exec`: Python's
   `preexec_fn` is unsafe in a threaded program and would forbid `vfork`, which keeps
   spawning cheap. Where Landlock is missing (macOS, old kernels) the engine runs without it,
   a note says so, and the path checks made before each build (render/preflight.py) remain.
   With `--allow-remote`, system folders become readable and executable (git, CA
   certificates, DNS) and the network is allowed; the user's home stays out of reach.
2. Limits: address space (RLIMIT_AS, `FLUXOPS_ENGINE_MEMORY`, default 3 GiB; set with
   `prlimit` as soon as the process exists, before Go has read any input) and a wall-clock
   timeout. Go refuses to grow past the limit ("out of memory"), which fails that one build.
3. Environment: only PATH, HOME (an empty folder in the workspace), TMPDIR and the Go
   settings; no credentials, proxies, GIT_* or SSH agent. With `--allow-remote`, git is told
   to ignore system and user configuration and never to prompt, and ssh to use no agent,
   keys or configuration.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import subprocess
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fluxops.render import landlock
from fluxops.render.workers import EnginePool, PoolClosed

DEFAULT_MEMORY = 3 << 30
SYSTEM_READ = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/opt")
SYSTEM_FILES = (
    "/etc/ssl",
    "/etc/pki",
    "/etc/ca-certificates",
    "/etc/ca-certificates.conf",
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/services",
    "/etc/protocols",
    "/etc/passwd",
    "/etc/group",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/dev/urandom",
    "/dev/random",
)


def memory_limit() -> int:
    """Bytes of address space the engine may use: $FLUXOPS_ENGINE_MEMORY (`3GiB`, `2048MiB`,
    bytes), else 3 GiB."""
    text = os.environ.get("FLUXOPS_ENGINE_MEMORY", "").strip()
    match = re.fullmatch(r"(\d+)\s*(|[KMG]i?B?)", text, re.IGNORECASE)
    if not match:
        return DEFAULT_MEMORY
    unit = match.group(2).upper()[:1]
    scale = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[unit]
    value = int(match.group(1)) * scale
    return value if value >= 256 << 20 else DEFAULT_MEMORY


def engine_env(home: Path, tmp: Path, *, allow_remote: bool) -> dict[str, str]:
    """The engine's whole environment."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(tmp),
        # A kustomize run is short-lived: garbage collection only costs CPU (about a third of
        # it, measured in bench/). Collect only when a run grows past 1 GiB; the address
        # space limit stops a run that keeps growing.
        "GOGC": "off",
        "GOMEMLIMIT": "1GiB",
    }
    if allow_remote:
        env.update(
            {
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": "/dev/null",
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_ASKPASS": "/bin/false",
                "SSH_ASKPASS": "/bin/false",
                "GIT_SSH_COMMAND": (
                    "ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes "
                    "-o IdentityFile=none -o IdentityAgent=none "
                    "-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=/dev/null"
                ),
            }
        )
    return env


_ACTIVE: weakref.WeakSet[Sandbox] = weakref.WeakSet()


def abort_all() -> None:
    """Stop every engine process of every open sandbox and refuse new ones (signal handlers
    call this before unwinding, so that workspaces are removed promptly)."""
    for sandbox in list(_ACTIVE):
        sandbox.abort()


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


class Sandbox:
    """Runs engine commands from confined worker threads. One per workspace; close() it."""

    def __init__(
        self,
        workspace_root: Path,
        binary: Path,
        *,
        home: Path,
        tmp: Path,
        allow_remote: bool = False,
        landlock_enabled: bool = True,
        workers: int = 2,
        on_start: Callable[[], None] | None = None,
    ) -> None:
        self.root = workspace_root
        self.binary = Path(os.path.realpath(binary))
        #: called after each engine process started
        self.on_start = on_start
        self.allow_remote = allow_remote
        self.env = engine_env(home, tmp, allow_remote=allow_remote)
        self.tmp = tmp
        self.memory = memory_limit()
        self.abi = landlock.abi_version() if landlock_enabled else 0
        self._want_landlock = landlock_enabled
        self._local = threading.local()
        self._lock = threading.Lock()
        self._live: set[subprocess.Popen[bytes]] = set()
        self._failure: str | None = None
        self._closed = False
        self._fds: list[int] = []
        #: Engine processes started (bench/ reports it).
        self.runs = 0
        self._pool = EnginePool(max(1, workers), "fluxops-engine", self._confine_thread)
        _ACTIVE.add(self)

    # -- confinement ---------------------------------------------------------------------

    def rules(self) -> list[landlock.Rule]:
        rules = [
            landlock.Rule(str(self.root), landlock.READ),
            landlock.Rule(str(self.binary), landlock.EXECUTE | landlock.READ_FILE),
        ]
        if self.allow_remote:
            exec_read = landlock.READ | landlock.EXECUTE
            rules += [landlock.Rule(p, exec_read) for p in SYSTEM_READ]
            rules += [landlock.Rule(p, landlock.READ) for p in SYSTEM_FILES]
            rules.append(landlock.Rule("/dev/null", landlock.READ_FILE | landlock.WRITE_FILE))
            rules.append(landlock.Rule(str(self.tmp), landlock.READ | landlock.WRITE))
        return rules

    def _confine_thread(self) -> None:
        # Opened before the thread gives up its access: the child's stdin.
        self._local.devnull = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        with self._lock:
            self._fds.append(self._local.devnull)
        self._local.confined = False
        if not self._want_landlock:
            return
        try:
            landlock.restrict_thread(self.rules(), network=self.allow_remote, abi=self.abi)
            self._local.confined = True
        except OSError as exc:
            with self._lock:
                self._failure = self._failure or str(exc)

    @property
    def confined(self) -> bool:
        """Whether engine processes run under Landlock (False before the first run only when
        the system lacks it)."""
        return self._want_landlock and self.abi >= 1 and self._failure is None

    def note(self) -> str | None:
        """A sentence for the user when the OS-level confinement is not in effect."""
        if not self._want_landlock:
            return None
        if self.abi < 1:
            return landlock.NO_LANDLOCK
        if self._failure is not None:
            return f"the kustomize engine runs without OS-level confinement: {self._failure}"
        return None

    # -- running -------------------------------------------------------------------------

    def run(self, args: list[str], timeout: float) -> Completed:
        """Run the engine binary with `args`; blocks until it ends or times out."""
        if self._closed:
            return Completed(-1, "", "stopped: fluxops is shutting down")
        with self._lock:
            self.runs += 1
        try:
            return self._pool.call(self._run, args, timeout)
        except PoolClosed:
            return Completed(-1, "", "stopped: fluxops is shutting down")

    def _run(self, args: list[str], timeout: float) -> Completed:
        proc = subprocess.Popen(
            [str(self.binary), *args],
            stdin=self._local.devnull,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
            cwd=str(self.root),
            close_fds=True,
        )
        if self.on_start is not None:
            self.on_start()
        try:
            if hasattr(resource, "prlimit"):
                # Already gone (nothing to limit) or not allowed: the timeout still applies.
                with contextlib.suppress(ValueError, OSError):
                    resource.prlimit(proc.pid, resource.RLIMIT_AS, (self.memory, self.memory))
            with self._lock:
                self._live.add(proc)
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, err = proc.communicate()
                return Completed(proc.returncode, "", err.decode("utf-8", "replace"), True)
            return Completed(
                proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
            )
        finally:
            with self._lock:
                self._live.discard(proc)
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def kill_all(self) -> None:
        """Stop every engine process still running (on SIGTERM, SIGHUP, Ctrl-C)."""
        with self._lock:
            live = list(self._live)
        for proc in live:
            with contextlib.suppress(OSError):
                proc.kill()

    def abort(self) -> None:
        self._closed = True
        self.kill_all()

    def close(self) -> None:
        _ACTIVE.discard(self)
        self._closed = True
        self.kill_all()
        self._pool.shutdown()
        for fd in self._fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()
