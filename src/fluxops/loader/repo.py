"""Load a repository: every YAML file under the root, read once.

A file that cannot be parsed becomes a finding (file and line), never a crash. Documents that are
not Kubernetes objects (app config fed to generators, top-level lists, Helm values files) are
kept out of `resources` but do not count as errors.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fluxops.errors import RepoError
from fluxops.loader.yamlio import YamlParseError, load_documents
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import FluxObject, view
from fluxops.model.resource import Origin, Resource

YAML_SUFFIXES = (".yaml", ".yml")
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "__pycache__"})


def iter_yaml_files(root: Path) -> Iterator[Path]:
    """YAML files under `root`, sorted, skipping VCS folders and Helm chart templates (Go
    templates, not manifests)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        here = Path(dirpath)
        if "Chart.yaml" in filenames and "templates" in dirnames:
            dirnames.remove("templates")
        for name in sorted(filenames):
            if name.endswith(YAML_SUFFIXES):
                yield here / name


def is_manifest(value: object) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("apiVersion"), str)
        and isinstance(value.get("kind"), str)
    )


@dataclass
class Repo:
    """Everything the loader read from one repository root."""

    root: Path
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: int = 0

    def relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def flux(self, kind: str | None = None) -> Iterator[FluxObject]:
        for resource in self.resources:
            obj = view(resource)
            if obj is not None and (kind is None or obj.kind == kind):
                yield obj

    def find(self, group: str, kind: str, namespace: str, name: str) -> Iterable[Resource]:
        for resource in self.resources:
            rid = resource.id
            if (rid.group, rid.kind, rid.name) == (group, kind, name) and (
                rid.namespace or namespace
            ) == namespace:
                yield resource


def parse_file(path: Path, rel: str) -> tuple[list[Resource], list[Finding]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Finding("FO001", Severity.ERROR, f"cannot read file: {exc}", file=rel, line=1)]
    try:
        documents = load_documents(text)
    except YamlParseError as exc:
        return [], [
            Finding(
                "FO001",
                Severity.ERROR,
                f"invalid YAML: {exc.message}",
                file=rel,
                line=exc.line,
                hint="fix the YAML syntax; Flux fails to build any Kustomization that includes it",
            )
        ]
    resources = [
        Resource(raw=doc.value, origin=Origin(rel, doc.index, doc.line))
        for doc in documents
        if is_manifest(doc.value)
    ]
    return resources, []


def load_repo(root: str | Path) -> Repo:
    """Read every YAML file under `root` once."""
    base = Path(root)
    if not base.exists():
        raise RepoError(f"repository path does not exist: {base}", hint="check the path")
    if not base.is_dir():
        raise RepoError(f"not a directory: {base}", hint="pass the repository root folder")
    repo = Repo(root=base.resolve())
    for path in iter_yaml_files(repo.root):
        rel = path.relative_to(repo.root).as_posix()
        resources, findings = parse_file(path, rel)
        repo.resources.extend(resources)
        repo.findings.extend(findings)
        repo.files += 1
    return repo
