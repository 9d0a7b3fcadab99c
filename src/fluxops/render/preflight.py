"""What a build may read, checked before kustomize runs: every kustomization file it reaches.

kustomize-controller builds on a filesystem confined to the artifact root, so a path that is
absolute or climbs out of it fails in Flux. kustomize run locally would follow it (and fetch
URLs: remote bases with git, `files: [k=https://...]` with HTTP). Starting from the generated
kustomization, this walks every kustomization file a build reaches, as the build cache's
input closure walk does, and checks each path-like field:

- resources, bases, components, crds, configurations, generators, transformers, validators;
- patches[].path, patchesStrategicMerge (entries that are not inline patches),
  patchesJson6902[].path, replacements[].path, openapi.path;
- configMapGenerator / secretGenerator: files (`[key=]path`), envs, env;
- helmGlobals.chartHome / configHome, helmCharts[].valuesFile / additionalValuesFiles.

A path must be relative and resolve under the staged root (resolution is lexical: the staged
tree holds no symlinks). A URL or remote base is refused unless remote fetching was asked for
(`--allow-remote`). Each refusal names the file, the field and the value.

The same walk gives the build cache its input closure: every file the build may read (each
string value that names a file or folder of the staged tree, folders with all their files).
The folder of a kustomization the walk enters counts with all its files except those under a
sub-folder that holds a kustomization file of its own: kustomize reads such a folder only
where something names it (and the walk follows the name), so a change inside one does not
change the key of a build that never names it (`diff` renders the Kustomization above a
changed app once for both sides). Where a kustomization can read files no field names (helm
charts under `chartHome`, generator and transformer configs with paths of their own), every
folder the walk entered counts whole.
Limits: at most `MAX_FILES` kustomization files, `MAX_DEPTH` levels of nesting.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxops.loader.yamlio import YamlParseError, load_documents
from fluxops.render.generator import KUSTOMIZATION_FILES

MAX_FILES = 10_000
MAX_DEPTH = 100

_REMOTE_PREFIXES = (
    "git::",
    "gh:",
    "git@",
    "github.com/",
    "github.com:",
    "gitlab.com/",
    "bitbucket.org/",
)
_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?$")
#: Fields whose entries may be folders holding a kustomization of their own.
_NESTED = ("resources", "bases", "components", "generators", "transformers", "validators")
_PATH_LISTS = (*_NESTED, "crds", "configurations")


def remote_form(value: str, exists: bool = False) -> bool:
    """Whether kustomize would fetch `value` (a URL, a git remote, a `host/org/repo` base)."""
    text = value.strip()
    lower = text.lower()
    if "://" in text or lower.startswith(_REMOTE_PREFIXES) or "_git/" in text:
        return True
    if exists:
        return False
    parts = text.split("/")
    return len(parts) >= 3 and bool(_HOST.match(parts[0]))


@dataclass
class Preflight:
    """The outcome: `problems` (empty when the build may run), `closure` (staged-root-relative
    files the build may read, sorted), `remote` (it names something remote) and
    `kustomizations` (every kustomization file it reaches, parsed; batching reads them)."""

    problems: list[str] = field(default_factory=list)
    closure: list[str] = field(default_factory=list)
    remote: bool = False
    kustomizations: list[dict[str, Any]] = field(default_factory=list)


#: Fields with which kustomize may read files that no field of the kustomization names.
_READS_UNNAMED = (
    "generators",
    "transformers",
    "validators",
    "helmCharts",
    "helmGlobals",
    "helmChartInflationGenerator",
)


def _holds_kustomization(folder: str) -> bool:
    for name in KUSTOMIZATION_FILES:
        try:
            if stat.S_ISREG(os.lstat(os.path.join(folder, name)).st_mode):
                return True
        except OSError:
            continue
    return False


def _is_inline(entry: str) -> bool:
    return "\n" in entry or entry.lstrip().startswith(("{", "[", "apiVersion:", "kind:"))


def path_fields(kus: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """(field, value, may-be-a-kustomization-folder) for every path-like value of one
    kustomization (or Component) document."""
    for name in _PATH_LISTS:
        entries = kus.get(name)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, str) and not (name in _NESTED[3:] and _is_inline(entry)):
                    yield f"{name}[{i}]", entry, name in _NESTED
    psm = kus.get("patchesStrategicMerge")
    if isinstance(psm, list):
        for i, entry in enumerate(psm):
            if isinstance(entry, str) and not _is_inline(entry):
                yield f"patchesStrategicMerge[{i}]", entry, False
    for name in ("patches", "patchesJson6902", "replacements"):
        entries = kus.get(name)
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                    yield f"{name}[{i}].path", entry["path"], False
    openapi = kus.get("openapi")
    if isinstance(openapi, dict) and isinstance(openapi.get("path"), str):
        yield "openapi.path", openapi["path"], False
    for name in ("configMapGenerator", "secretGenerator"):
        generators = kus.get(name)
        if not isinstance(generators, list):
            continue
        for i, gen in enumerate(generators):
            if not isinstance(gen, dict):
                continue
            for j, item in enumerate(gen.get("files") or []):
                if isinstance(item, str):
                    key, sep, path = item.partition("=")
                    yield f"{name}[{i}].files[{j}]", (path if sep else key).strip(), False
            for j, item in enumerate(gen.get("envs") or []):
                if isinstance(item, str):
                    yield f"{name}[{i}].envs[{j}]", item, False
            if isinstance(gen.get("env"), str):
                yield f"{name}[{i}].env", gen["env"], False
    helm = kus.get("helmGlobals")
    if isinstance(helm, dict):
        for key in ("chartHome", "configHome"):
            if isinstance(helm.get(key), str):
                yield f"helmGlobals.{key}", helm[key], False
    charts = kus.get("helmCharts")
    if isinstance(charts, list):
        for i, chart in enumerate(charts):
            if not isinstance(chart, dict):
                continue
            if isinstance(chart.get("valuesFile"), str):
                yield f"helmCharts[{i}].valuesFile", chart["valuesFile"], False
            for j, item in enumerate(chart.get("additionalValuesFiles") or []):
                if isinstance(item, str):
                    yield f"helmCharts[{i}].additionalValuesFiles[{j}]", item, False


def _strings(value: Any) -> Iterator[str]:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _show(value: str) -> str:
    text = value if len(value) <= 200 else value[:200] + "..."
    return repr(text)


class _Walk:
    def __init__(self, root: Path, allow_remote: bool, hidden: frozenset[str]) -> None:
        self.root = root
        self.allow_remote = allow_remote
        self.hidden = hidden
        self.out = Preflight()
        self.files: set[str] = set()
        self.seen: set[str] = set()
        #: Folders walked with all their files, and without sub-folders holding a
        #: kustomization file of their own.
        self.walked: set[str] = set()
        self.pruned: set[str] = set()
        #: A kustomization reached may read files no field names: count folders whole.
        self.whole = False
        self.count = 0

    def _is_hidden(self, rel: str) -> bool:
        if not self.hidden or not rel:
            return False
        parts = rel.split("/")
        return any("/".join(parts[: i + 1]) in self.hidden for i in range(len(parts)))

    def kind(self, rel: str) -> str | None:
        if self._is_hidden(rel):
            return None
        path = self.root / rel if rel else self.root
        try:
            if path.is_dir():
                return "dir"
            if path.is_file():
                return "file"
        except (OSError, ValueError):
            return None
        return None

    def add_tree(self, rel: str, *, whole: bool = True) -> None:
        """The files under the folder `rel`; not `whole`: leave out sub-folders that hold a
        kustomization file of their own."""
        if rel in self.walked or (not whole and rel in self.pruned):
            return
        (self.walked if whole else self.pruned).add(rel)
        base = self.root / rel if rel else self.root
        for dirpath, dirnames, filenames in os.walk(base):
            sub = Path(dirpath).relative_to(self.root).as_posix()
            prefix = "" if sub == "." else sub + "/"
            if self.hidden:
                dirnames[:] = [d for d in dirnames if prefix + d not in self.hidden]
            if not whole:
                dirnames[:] = [
                    d for d in dirnames if not _holds_kustomization(os.path.join(dirpath, d))
                ]
            self.files.update(prefix + name for name in filenames)

    def visit(self, kus: dict[str, Any], rel_dir: str, label: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.out.problems.append(
                f"{label}: kustomizations nest more than {MAX_DEPTH} levels deep"
            )
            return
        if any(kus.get(name) for name in _READS_UNNAMED):
            self.whole = True
        self.add_tree(rel_dir, whole=False)
        nested: list[str] = []
        for name, value, may_nest in path_fields(kus):
            text = value.strip()
            if not text:
                continue
            where = f"{label} field {name}"
            if os.path.isabs(text):
                self.out.problems.append(
                    f"{where}: {_show(text)} is an absolute path; Flux builds on a filesystem "
                    "confined to the source, so it must be relative and inside the source"
                )
                continue
            joined = posixpath.normpath(posixpath.join(rel_dir, text))
            inside = joined != ".." and not joined.startswith("../")
            exists = inside and self.kind("" if joined == "." else joined) is not None
            if remote_form(text, exists):
                self._remote(where, text)
                continue
            if not inside:
                self.out.problems.append(
                    f"{where}: {_show(text)} leads outside the source root; Flux cannot read "
                    "it (kustomize-controller confines the build to the source artifact)"
                )
                continue
            target = "" if joined == "." else joined
            if may_nest and self.kind(target) == "dir":
                nested.append(target)
        # The cache closure: every string value that names a file or folder here.
        for text in _strings(kus):
            if "\n" in text or len(text) > 4096 or not text.strip():
                continue
            candidate = text.split("=", 1)[-1].strip() if "=" in text else text.strip()
            if os.path.isabs(candidate) or remote_form(candidate, True):
                continue
            joined = posixpath.normpath(posixpath.join(rel_dir, candidate))
            if joined == ".." or joined.startswith("../"):
                continue
            target = "" if joined == "." else joined
            kind = self.kind(target)
            if kind == "file":
                self.files.add(target)
            elif kind == "dir" and target not in nested:
                self.add_tree(target)
        for target in nested:
            self.enter(target, depth + 1)

    def enter(self, rel_dir: str, depth: int) -> None:
        if rel_dir in self.seen:
            return  # kustomize reports real cycles itself
        self.seen.add(rel_dir)
        for name in KUSTOMIZATION_FILES:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if self.kind(rel) != "file":
                continue
            self.count += 1
            if self.count > MAX_FILES:
                if self.count == MAX_FILES + 1:
                    self.out.problems.append(
                        f"the build reaches more than {MAX_FILES} kustomization files"
                    )
                break
            try:
                docs = load_documents((self.root / rel).read_text(encoding="utf-8"))
            except (YamlParseError, OSError, UnicodeDecodeError):
                break  # kustomize reports it, with its own words
            self.add_tree(rel_dir, whole=False)
            for doc in docs:
                if isinstance(doc.value, dict):
                    self.out.kustomizations.append(doc.value)
                    self.visit(doc.value, rel_dir, rel, depth)
            return
        self.add_tree(rel_dir)  # no kustomization read: every file counts

    def _remote(self, where: str, text: str) -> None:
        self.out.remote = True
        if not self.allow_remote:
            self.out.problems.append(
                f"{where}: {_show(text)} is remote; fluxops builds offline and fetches "
                "nothing (pass --allow-remote to fetch it, with a clean environment)"
            )


def preflight(
    kustomization: dict[str, Any],
    root: Path,
    rel_dir: str,
    label: str,
    *,
    allow_remote: bool = False,
    hidden: frozenset[str] = frozenset(),
) -> Preflight:
    """Check the kustomization `kustomization` (not on disk: the one generated for the build)
    as if it sat in `rel_dir` of the staged tree `root`. `label` names it in problems;
    `hidden` are folders of the tree that are not the source's (other builds' folders)."""
    walk = _Walk(root, allow_remote, hidden)
    walk.seen.add(rel_dir)
    walk.visit(kustomization, rel_dir, label, 0)
    if walk.whole:
        for rel in sorted(walk.pruned):
            walk.add_tree(rel)
    walk.out.closure = sorted(walk.files)
    return walk.out
