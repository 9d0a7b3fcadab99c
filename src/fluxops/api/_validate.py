"""fluxops validate: render, then check every object against its schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.api._build import BuildRequest, build
from fluxops.errors import UsageError
from fluxops.model.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Callable

    from fluxops.validate.validator import ValidateResult


@dataclass
class ValidateRequest:
    """What to validate: the same selection as `build` (`path`, `ks`, `all_`, `cluster`). A
    PATH without a kustomization file and no --ks means every Flux Kustomization (--all)."""

    path: str
    ks: str | None = None
    all_: bool = False
    cluster: str | None = None
    sources: list[str] = field(default_factory=list)
    kube_version: str | None = None
    strict: bool = False
    require_schemas: bool = False
    build_strict: bool = True
    kustomize_bin: str | None = None
    jobs: int = 0
    cache: bool = True
    allow_remote: bool = False
    progress: object = None


def text_reader(root: Path) -> Callable[[str], str | None]:
    """Repository files as text, read confined (no symlink followed, regular files only)."""
    from fluxops.loader import confine

    def read(rel: str) -> str | None:
        try:
            return confine.read_text(root, rel)
        except (OSError, UnicodeDecodeError):
            return None

    return read


def _enclosing_repo_root(directory: Path) -> Path:
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


def validate(request: ValidateRequest) -> ValidateResult:
    """Render like `build`, then validate every object against its schema (built-in kinds,
    the Flux CRDs, CRDs found in the repo or the output), CEL rules included."""
    from fluxops.loader.repo import load_repo
    from fluxops.render.generator import find_kustomization_file
    from fluxops.validate.builtin import BuiltinSchemas, UnknownKubeVersion, resolve_kube_version
    from fluxops.validate.catalog import SchemaCatalog
    from fluxops.validate.compiled import default_cache_dir
    from fluxops.validate.validator import ValidateOptions, attach_origins, validate_build

    try:
        kube_version = resolve_kube_version(request.kube_version)
        builtin = BuiltinSchemas(kube_version, strict=request.strict)
    except UnknownKubeVersion as exc:
        raise UsageError(f"--kube-version: {exc}") from None
    root = Path(request.path)
    if not root.is_dir():
        raise UsageError(f"{request.path} is not a folder")
    all_ = request.all_
    overlay = not request.ks and not all_ and find_kustomization_file(root) is not None
    if not request.ks and not all_ and not overlay:
        all_ = True
    repo_root = _enclosing_repo_root(root.resolve()) if overlay else root.resolve()
    repo = load_repo(repo_root)
    result = build(
        BuildRequest(
            path=request.path,
            ks=request.ks,
            all_=all_,
            cluster=request.cluster,
            strict=request.build_strict,
            sources=list(request.sources),
            kustomize_bin=request.kustomize_bin,
            jobs=request.jobs,
            cache=request.cache,
            allow_remote=request.allow_remote,
            progress=request.progress,
        ),
        repo=None if overlay else repo,
    )
    if overlay:
        attach_origins(result, repo.resources)
    catalog = SchemaCatalog(builtin, strict=request.strict)
    options = ValidateOptions(
        kube_version=kube_version,
        strict=request.strict,
        require_schemas=request.require_schemas,
        cache_dir=default_cache_dir() if request.cache else None,
    )
    outcome = validate_build(result, repo.resources, catalog, options, text_reader(repo_root))
    outcome.findings[:0] = [f for f in repo.findings if f.severity >= Severity.WARNING]
    outcome.root = repo_root
    return outcome
