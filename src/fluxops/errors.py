"""One exception tree for fluxops (httpx-style: a root, then classes by cause).

    FluxopsError                     every error a caller of the library can see
    ├── InputError                   the user's input: the command line, configuration, files
    │   ├── UsageError               flags and arguments that cannot be done
    │   ├── NotFoundError            a named object (Kustomization, HelmRelease, environment)
    │   ├── RepoError                the repository, or a path in it, cannot be read
    │   ├── YamlError                a YAML document that cannot be read, or is over a bound
    │   └── OutputError              the output (a file, --output-dir) cannot be written
    ├── SourceError                  a Flux source cannot be mapped to a folder or read
    ├── EngineError                  the kustomize engine is missing, refused or cannot run
    ├── BuildError                   rendering one Flux Kustomization failed (exit 1)
    │   └── SubstitutionError        postBuild variable substitution failed
    ├── ValuesError                  a HelmRelease's values cannot be composed (exit 1)
    ├── ClusterError                 the Kubernetes API cannot be reached or refuses us
    │   └── ForbiddenError           RBAC forbids a request (HTTP 403)
    └── InternalError                a bug in fluxops (exit 3)

Exceptions are for "cannot continue at all". A failure that concerns one Flux Kustomization
becomes a failed outcome for that Kustomization and the run goes on. Every exception carries
the exit code the CLI uses and, where known, the file or object it concerns, so messages can
say what went wrong where and what to do. Modules define their own narrower classes under
these (a YAML bound under YamlError, kustomize's refusal under EngineError, ...); some also
derive from ValueError or OSError so that code handling bad values or unreadable files keeps
handling them.
"""

from __future__ import annotations

#: Exit codes of every command: 0 clean; 1 findings, failures, differences or drift; 2 usage
#: or environment errors (could not look); 3 an internal error (a bug: please report it).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class FluxopsError(Exception):
    """Base class. `exit_code` is what the CLI returns; `hint` says what to do next."""

    exit_code = EXIT_USAGE
    #: the finding code of the error in machine-readable output (an `ErrorResult` envelope)
    code = "error"
    message: str = ""
    file: str | None = None
    obj: str | None = None
    hint: str | None = None

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
        message = self.message or super().__str__()
        text = f"{where}: {message}" if where else message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputError(FluxopsError):
    """The user's input (the command line, a configuration file, the repository's files)
    cannot be used as it is."""


class UsageError(InputError):
    """The command line or configuration asks for something that cannot be done."""

    code = "usage"


class NotFoundError(InputError):
    """A named object (a Flux Kustomization, a HelmRelease, an environment) does not exist."""

    code = "not-found"


class RepoError(InputError):
    """The repository (or a path in it) cannot be read."""

    code = "repo"


class YamlError(InputError):
    """A YAML document cannot be read, or is over one of the bounds Go's decoders set."""

    code = "yaml"


class OutputError(InputError):
    """The output (a file, --output-dir) cannot be written."""

    code = "output"


class SourceError(FluxopsError):
    """A Flux source (GitRepository, OCIRepository, ExternalArtifact, ...) cannot be mapped to
    a local folder or read."""

    code = "source"


class EngineError(FluxopsError):
    """The kustomize engine is missing, refused a build, or cannot run."""

    code = "engine"


class ExtraNotInstalledError(FluxopsError):
    """A part of fluxops that needs an optional extra (`pip install 'fluxops[EXTRA]'`) was
    used where the extra is not installed."""

    code = "extra-not-installed"


class BuildError(FluxopsError):
    """Rendering one Flux Kustomization failed. Usually caught and turned into an outcome."""

    code = "build"

    exit_code = EXIT_FINDINGS


class SubstitutionError(BuildError):
    """postBuild variable substitution failed (bad variable name, strict mode, invalid YAML)."""


class ClusterError(FluxopsError):
    """The Kubernetes API cannot be reached, refuses us, or does not serve what we need."""

    code = "cluster-unreachable"


class ValuesError(FluxopsError):
    """A HelmRelease's values cannot be composed: a `valuesFrom` reference is missing, its key
    is absent, its data is not a YAML map, or its `targetPath` value does not parse.

    `reason` mirrors fluxcd/pkg chartutil's ErrValuesRefReason: `resource-not-found`,
    `key-not-found`, `unsupported-kind`, `values-read`, `value-merge`, `invalid-reference`.
    Usually caught and reported against the one HelmRelease.
    """

    code = "values"

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


class NotServedError(ClusterError):
    """The API server answered, and does not serve this kind in this apiVersion (a CRD not
    installed yet, an API version removed). Unlike other `ClusterError`s it is a fact about
    the cluster, not a failure to reach it."""


class ForbiddenError(ClusterError):
    """The API server knows who we are but RBAC forbids the request (HTTP 403).

    `verb`, `resource` (plural, with its API group as `resource.group` when not core) and
    `namespace` (None for cluster-scoped requests) say what was refused, so callers can skip
    what they may not read and report it instead of giving up.
    """

    code = "cluster-forbidden"

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


class CancelledByClient(FluxopsError):
    """The caller (an MCP client's cancel notification) asked to stop; the render stopped
    between Kustomizations and removed its workspaces."""

    exit_code = EXIT_USAGE


class InternalError(FluxopsError):
    """A bug in fluxops: an invariant that did not hold. The CLI also reports any unexpected
    exception as one (exit 3), never as a user mistake."""

    code = "internal"

    exit_code = EXIT_INTERNAL
