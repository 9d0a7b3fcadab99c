"""One exception tree for fluxops.

Exceptions are for "cannot continue at all". A failure that concerns one Flux Kustomization
becomes a failed outcome for that Kustomization and the run goes on. Every exception carries the
exit code the CLI uses and, where known, the file or object it concerns, so messages can say
what went wrong where and what to do.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class FluxopsError(Exception):
    """Base class. `exit_code` is what the CLI returns; `hint` says what to do next."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        obj: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.obj = obj
        self.hint = hint

    def __str__(self) -> str:
        where = ", ".join(p for p in (self.obj, self.file) if p)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(FluxopsError):
    """The command line or configuration asks for something that cannot be done."""


class RepoError(FluxopsError):
    """The repository (or a path in it) cannot be read."""


class OutputError(FluxopsError):
    """The output (a file, --output-dir) cannot be written."""


class NotFoundError(FluxopsError):
    """A named object (a Flux Kustomization, a HelmRelease, an environment) does not exist."""


class EngineError(FluxopsError):
    """The kustomize engine is missing or cannot run."""


class BuildError(FluxopsError):
    """Rendering one Flux Kustomization failed. Usually caught and turned into an outcome."""

    exit_code = EXIT_FINDINGS


class SubstitutionError(BuildError):
    """postBuild variable substitution failed (bad variable name, strict mode, invalid YAML)."""


class ClusterError(FluxopsError):
    """The Kubernetes API cannot be reached, refuses us, or does not serve what we need."""


class ValuesError(FluxopsError):
    """A HelmRelease's values cannot be composed: a `valuesFrom` reference is missing, its key
    is absent, its data is not a YAML map, or its `targetPath` value does not parse.

    `reason` mirrors fluxcd/pkg chartutil's ErrValuesRefReason: `resource-not-found`,
    `key-not-found`, `unsupported-kind`, `values-read`, `value-merge`, `invalid-reference`.
    Usually caught and reported against the one HelmRelease.
    """

    exit_code = EXIT_FINDINGS

    def __init__(
        self,
        message: str,
        *,
        reason: str = "",
        file: str | None = None,
        obj: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, file=file, obj=obj, hint=hint)
        self.reason = reason


class ForbiddenError(ClusterError):
    """The API server knows who we are but RBAC forbids the request (HTTP 403).

    `verb`, `resource` (plural, with its API group as `resource.group` when not core) and
    `namespace` (None for cluster-scoped requests) say what was refused, so callers can skip
    what they may not read and report it instead of giving up.
    """

    def __init__(
        self,
        message: str,
        *,
        verb: str,
        resource: str,
        namespace: str | None = None,
        file: str | None = None,
        obj: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, file=file, obj=obj, hint=hint)
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
