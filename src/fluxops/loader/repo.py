"""Load a repository: every YAML file under the root, read once.

A file that cannot be parsed becomes a finding (file and line), never a crash. Documents that are
not Kubernetes objects (app config fed to generators, top-level lists, Helm values files) are
kept out of `resources` but do not count as errors.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.errors import RepoError
from fluxops.loader import confine
from fluxops.loader.confine import Skipped, Tree
from fluxops.loader.treecontent import KEEP_BYTES, TreeDigests, file_digests
from fluxops.loader.yamlio import YamlParseError, load_documents
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import FluxObject, view
from fluxops.model.resource import Origin, Resource

if TYPE_CHECKING:
    from fluxops.loader.parsecache import ParseCache

YAML_SUFFIXES = (".yaml", ".yml")
SKIP_DIRS = confine.SKIP_DIRS
#: Finding codes for what reading the repository left out (as Flux's artifact does).
SKIPPED_CODES = {
    "symlink": "FO013",
    "too-large": "FO015",
    "too-deep": "FO016",
    "unreadable": "FO016",
}
SPECIAL_CODE = "FO014"


def yaml_files(tree: Tree) -> list[str]:
    """The YAML files of a scanned tree, in walk order, skipping Helm chart templates (Go
    templates, not manifests): a `templates` folder next to a Chart.yaml."""
    charts = {
        posixpath.dirname(rel) for rel in tree.files if posixpath.basename(rel) == "Chart.yaml"
    }
    out = []
    for rel in tree.files:
        if not rel.endswith(YAML_SUFFIXES):
            continue
        parts = rel.split("/")
        if any(
            parts[i] == "templates" and "/".join(parts[:i]) in charts for i in range(len(parts) - 1)
        ):
            continue
        out.append(rel)
    return out


def iter_yaml_files(root: Path) -> Iterator[Path]:
    """YAML files under `root`, in walk order (symlinks and special files left out)."""
    tree = confine.scan(root)
    for rel in yaml_files(tree):
        yield root / rel


def skipped_finding(entry: Skipped) -> Finding:
    """The finding for an entry that reading (and staging) left out."""
    code = SKIPPED_CODES.get(entry.kind, SPECIAL_CODE)
    if entry.kind == "symlink":
        return Finding(
            code,
            Severity.WARNING,
            f"{entry.describe()}: Flux leaves symlinks out of the source artifact, so fluxops "
            "does not follow it either",
            file=entry.rel,
            hint="replace the symlink with a real file or folder (it works with a local "
            "kustomize build, and breaks in the cluster)",
        )
    if entry.kind == "too-large":
        return Finding(
            code,
            Severity.WARNING,
            f"{entry.describe()}: left out, not read or built",
            file=entry.rel,
            hint="FLUXOPS_MAX_FILE_BYTES raises the cap",
        )
    return Finding(
        code,
        Severity.WARNING,
        f"{entry.describe()}: left out, not read or built",
        file=entry.rel,
    )


#: Kinds lookups read whatever their group (the checks that use them test the kind alone).
_LOOKUP_KINDS = frozenset({"FluxInstance"})
#: Core kinds lookups read: the ConfigMaps and Secrets of `substituteFrom`.
_LOOKUP_CORE_KINDS = frozenset({"ConfigMap", "Secret"})


def looked_up(resource: Resource) -> bool:
    """Whether lookups over the whole repository may read `resource` (`Repo.lookups`): a
    Flux object (a HelmRelease only when it installs Flux: flux-instance values, the flux2
    chart), a FluxInstance, a core ConfigMap or Secret. Everything else reaches a render only
    through the files its builds read, which is what lets a cached `--ks` result outlive an
    edit elsewhere (render/ksreads.py)."""
    rid = resource.id
    if rid.kind in _LOOKUP_KINDS:
        return True
    if rid.group == "":
        return rid.kind in _LOOKUP_CORE_KINDS
    if rid.kind == "HelmRelease":
        return installs_flux(resource)
    return rid.group.endswith(".fluxcd.io") or rid.group == "fluxcd.controlplane.io"


def installs_flux(resource: Resource) -> bool:
    """A HelmRelease of the flux-instance chart (values with an `instance`) or of the
    community flux2 chart: the HelmReleases a repository-wide lookup reads."""
    spec = resource.spec
    values = spec.get("values")
    if isinstance(values, dict) and isinstance(values.get("instance"), dict):
        return True
    chart = spec.get("chart")
    chart_spec = chart.get("spec") if isinstance(chart, dict) else None
    return isinstance(chart_spec, dict) and chart_spec.get("chart") == "flux2"


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
    #: What reading the root saw (regular files and folders) and left out.
    tree: Tree | None = None
    #: The YAML files read, repo-relative.
    yaml_files: list[str] = field(default_factory=list)
    #: The bytes of the files read, as read (staging writes them instead of reading again),
    #: up to KEEP_BYTES in all.
    contents: dict[str, bytes] = field(default_factory=dict, repr=False)

    #: `digests()`, once made (or handed over with what `read_tree` read).
    made_digests: TreeDigests | None = field(default=None, repr=False)
    _lookups: tuple[list[Resource], list[Resource]] | None = field(default=None, repr=False)

    def lookups(self) -> list[Resource]:
        """The objects a repository-wide lookup may read (`looked_up`) but the ConfigMaps
        and Secrets (`variable_objects`), in file order. The render path (cluster entries,
        sources, Flux versions) searches only these; `tests/unit/loader/test_lookups.py`
        keeps it so."""
        return self._split()[0]

    def variable_objects(self) -> list[Resource]:
        """The core ConfigMaps and Secrets, which only a `substituteFrom` lookup reads."""
        return self._split()[1]

    def _split(self) -> tuple[list[Resource], list[Resource]]:
        if self._lookups is None:
            found = [r for r in self.resources if looked_up(r)]
            self._lookups = (
                [r for r in found if r.id.group != ""],
                [r for r in found if r.id.group == ""],
            )
        return self._lookups

    def lookup_flux(self, kind: str | None = None) -> Iterator[FluxObject]:
        """`flux(kind)` over `lookups()`."""
        return _views(self.lookups(), kind)

    def content_digest(self) -> str | None:
        """A digest of everything a build of this repository can read (`file_digests`)."""
        digests = self.digests()
        return digests.tree if digests is not None else None

    def digests(self) -> TreeDigests | None:
        """The digest of each file and of the whole tree (`file_digests`); None when the tree
        is too large to digest."""
        if self.made_digests is None and self.tree is not None:
            self.made_digests = file_digests(self.tree, self.contents)
        return self.made_digests

    def relpath(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def flux(self, kind: str | None = None) -> Iterator[FluxObject]:
        return _views(self.resources, kind)

    def find(self, group: str, kind: str, namespace: str, name: str) -> Iterable[Resource]:
        for resource in self.resources:
            rid = resource.id
            if (rid.group, rid.kind, rid.name) == (group, kind, name) and (
                rid.namespace or namespace
            ) == namespace:
                yield resource


def _views(resources: Iterable[Resource], kind: str | None) -> Iterator[FluxObject]:
    """The Flux objects among `resources` (of `kind` when given), as typed views."""
    for resource in resources:
        obj = view(resource)
        if obj is not None and (kind is None or obj.kind == kind):
            yield obj


def parse_file(
    root: Path,
    rel: str,
    cache: ParseCache | None = None,
    reader: confine.TreeReader | None = None,
    keep: Callable[[str, bytes], None] | None = None,
) -> tuple[list[Resource], list[Finding]]:
    """The Kubernetes objects of one YAML file `rel` under `root` (read confined, through
    `reader` when given: one for the files of a tree); `cache`: parsed files by content
    (loader/parsecache.py); `keep(rel, data)` is handed the bytes read."""
    try:
        data = reader.read(rel) if reader is not None else confine.read_bytes(root, rel)
        if keep is not None:
            keep(rel, data)
        stored = cache.get(data) if cache is not None else None
        if stored is not None:
            return [
                Resource(raw=v, origin=Origin(rel, index, line)) for v, index, line in stored
            ], []
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return [], [
            Finding("FO001", Severity.ERROR, "cannot read file: not UTF-8 text", file=rel, line=1)
        ]
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return [], [
            Finding("FO001", Severity.ERROR, f"cannot read file: {reason}", file=rel, line=1)
        ]
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
    manifests = [doc for doc in documents if is_manifest(doc.value)]
    if cache is not None:
        cache.put(data, [(doc.value, doc.index, doc.line) for doc in manifests])
    resources = [
        Resource(raw=doc.value, origin=Origin(rel, doc.index, doc.line)) for doc in manifests
    ]
    return resources, []


#: A file's parse from elsewhere (another revision of the same file), or None to parse it.
Parsed = Callable[[Path, str], tuple[list[Resource], list[Finding]] | None]


def load_repo(
    root: str | Path,
    reuse: Parsed | None = None,
    cache: ParseCache | None = None,
    preread: tuple[Tree, dict[str, bytes]] | None = None,
) -> Repo:
    """Read every YAML file under `root` once (regular files only: see loader/confine.py).
    `reuse(root, rel)`: the objects of a file already parsed (`diff` passes the other
    revision's, for the files that are byte for byte the same); `cache`: files parsed by
    earlier runs (loader/parsecache.py); `preread`: what `read_tree` read of `root`."""
    base = Path(root)
    if not base.exists():
        raise RepoError(f"repository path does not exist: {base}", hint="check the path")
    if not base.is_dir():
        raise RepoError(f"not a directory: {base}", hint="pass the repository root folder")
    repo = Repo(root=base.resolve())
    repo.tree = preread[0] if preread is not None else confine.scan(repo.root)
    known = preread[1] if preread is not None else None
    repo.findings.extend(skipped_finding(s) for s in repo.tree.skipped)
    repo.yaml_files = yaml_files(repo.tree)
    kept = 0

    def keep(rel: str, data: bytes) -> None:
        nonlocal kept
        if kept + len(data) <= KEEP_BYTES:
            repo.contents[rel] = data
            kept += len(data)

    if known is not None:
        repo.contents = dict(known)  # every file, within KEEP_BYTES (read_tree's bound)
    keeping = keep if known is None else None
    with confine.TreeReader(repo.root, known) as reader:
        for rel in repo.yaml_files:
            parsed = reuse(repo.root, rel) if reuse is not None else None
            resources, findings = (
                parsed if parsed is not None else parse_file(repo.root, rel, cache, reader, keeping)
            )
            repo.resources.extend(resources)
            repo.findings.extend(findings)
            repo.files += 1
    return repo


def text_reader(root: Path) -> Callable[[str], str | None]:
    """Repository files as text, read confined (no symlink followed, regular files only);
    None for a file that cannot be read."""

    def read(rel: str) -> str | None:
        try:
            return confine.read_text(root, rel)
        except (OSError, UnicodeDecodeError):
            return None

    return read


def enclosing_repository(directory: Path) -> Path | None:
    """The nearest folder at or above `directory` that holds `.git`, if any."""
    resolved = directory.resolve()
    for candidate in (resolved, *resolved.parents):
        if (candidate / ".git").exists():
            return candidate
    return None
