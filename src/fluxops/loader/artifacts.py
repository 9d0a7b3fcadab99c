"""ExternalArtifacts made by an ArtifactGenerator (source.extensions.fluxcd.io, Flux 2.7+).

The generator copies parts of its sources into an artifact. We compute the artifact's file
layout from the copy rules, as source-watcher's builder does (cp-like semantics: a plain path
copies a file or a folder, a glob copies each match, `dir/**` strips the `dir/` prefix, later
operations overwrite earlier ones, excludes use doublestar patterns), without copying anything.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxops.errors import SourceError
from fluxops.loader import confine
from fluxops.loader.globs import doublestar_match, go_glob, has_glob


class ArtifactError(SourceError):
    pass


@dataclass
class ArtifactLayout:
    """Destination (artifact-relative posix path) -> source file. Folders are implied, plus
    `dirs` for folders that were created empty."""

    files: dict[str, Path] = field(default_factory=dict)
    dirs: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    #: destination -> (source root, path under it): how to stage each file confined.
    origins: dict[str, tuple[Path, str]] = field(default_factory=dict)

    def add(self, dest: str, root: Path, rel: str) -> None:
        self.files[dest] = root / rel
        self.origins[dest] = (root, rel)

    def sources(self) -> dict[str, tuple[Path, str]]:
        return dict(self.origins)


def _excluded(path: str, base: str, patterns: list[str]) -> bool:
    def match(p: str) -> bool:
        name = posixpath.basename(p)
        for pattern in patterns:
            if doublestar_match(pattern, p):
                return True
            if "/" not in pattern and doublestar_match(pattern, name):
                return True
        return False

    if match(path):
        return True
    if base in ("", "."):
        return False
    rel = posixpath.relpath(path, base)
    if rel == "." or rel.startswith("..") or rel == path:
        return False
    return match(rel)


def _selection_root(pattern: str) -> str:
    parts = []
    for part in posixpath.normpath(pattern).split("/"):
        if has_glob(part):
            break
        parts.append(part)
    return "/".join(parts) or "."


def _copy_tree(
    layout: ArtifactLayout, root: Path, src: str, dest: str, excludes: list[str], base: str
) -> None:
    """Copy a file or a folder (recursively). Like source-watcher's copy, symlinks and
    special files are never followed or copied (fluxops.loader.confine)."""
    kind = confine.kind_of(root, src)
    if kind == "dir":
        layout.dirs.add(dest)
        tree = confine.scan(root / src)
        prefix = src.rstrip("/")
        for rel_dir in tree.dirs:
            sub = f"{prefix}/{rel_dir}"
            if _excluded(sub, base, excludes) or any(
                _excluded(f"{prefix}/{p}", base, excludes) for p in _parents(rel_dir)
            ):
                continue
            layout.dirs.add(posixpath.join(dest, rel_dir))
        for rel in tree.files:
            path = f"{prefix}/{rel}"
            if _excluded(path, base, excludes) or any(
                _excluded(f"{prefix}/{p}", base, excludes) for p in _parents(rel)
            ):
                continue
            layout.add(posixpath.normpath(posixpath.join(dest, rel)), root, path)
    elif kind == "file":
        layout.add(posixpath.normpath(dest), root, src)


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _is_dir_in_layout(layout: ArtifactLayout, dest: str) -> bool:
    prefix = dest.rstrip("/") + "/"
    return dest in layout.dirs or any(k.startswith(prefix) for k in layout.files)


def _apply(layout: ArtifactLayout, op: dict[str, Any], sources: dict[str, Path]) -> None:
    src_spec = str(op.get("from", ""))
    dst_spec = str(op.get("to", ""))
    excludes = [str(e) for e in op.get("exclude") or []]
    optional = op.get("optional") is True
    strategy = op.get("strategy") or "Overwrite"
    if not src_spec.startswith("@") or "/" not in src_spec:
        raise ArtifactError(f"invalid copy source {src_spec!r}: must be '@alias/pattern'")
    alias, _, pattern = src_spec[1:].partition("/")
    if not dst_spec.startswith("@artifact/"):
        raise ArtifactError(f"invalid copy destination {dst_spec!r}: must start with '@artifact/'")
    dest = dst_spec[len("@artifact/") :] or "."
    if dest.startswith("/") or ".." in dest.split("/"):
        raise ArtifactError(f"invalid copy destination {dst_spec!r}: must stay in the artifact")
    if alias not in sources:
        raise ArtifactError(f"source alias {alias!r} not found")
    if strategy == "Extract":
        layout.warnings.append(
            f"copy {src_spec} -> {dst_spec}: the Extract strategy (tarballs) is not rendered offline"
        )
        return
    if strategy == "Merge":
        layout.warnings.append(
            f"copy {src_spec} -> {dst_spec}: the Merge strategy is treated as Overwrite offline"
        )
    root = sources[alias]
    dest_is_dir = dst_spec.endswith("/")

    if not has_glob(pattern):
        src = posixpath.normpath(pattern)
        kind = confine.kind_of(root, src)
        if kind is None:
            if optional:
                return
            raise ArtifactError(
                f"source '{src}' does not exist in @{alias} (or is a symlink or special file, "
                "which Flux does not copy)"
            )
        if kind == "dir":
            _copy_tree(
                layout, root, src, posixpath.join(dest, posixpath.basename(src)), excludes, src
            )
            return
        if _excluded(src, ".", excludes):
            return
        if dest_is_dir or _is_dir_in_layout(layout, dest):
            target = posixpath.join(dest, posixpath.basename(src))
        else:
            target = dest
        layout.add(posixpath.normpath(target), root, src)
        return

    matches = [m for m in go_glob(root, pattern) if m not in (".", "..")]
    if not matches:
        if optional:
            return
        raise ArtifactError(f"no files match pattern '{pattern}' in source '{alias}'")
    base = _selection_root(pattern)
    kept = [m for m in matches if not _excluded(m, base, excludes)]
    if not kept:
        if optional:
            return
        raise ArtifactError(
            f"all files matching pattern '{pattern}' in source '{alias}' were excluded"
        )
    for match in kept:
        if pattern.endswith("/**") and match.startswith(pattern[:-3] + "/"):
            target = posixpath.join(dest, match[len(pattern) - 2 :])
        else:
            target = posixpath.join(dest, match)
        _copy_tree(layout, root, match, target, excludes, base)


def artifact_layout(
    artifact: dict[str, Any], resolve_alias: Callable[[str], Path | None], aliases: dict[str, Any]
) -> ArtifactLayout:
    """Compute one `spec.artifacts[]` entry's layout. `aliases` maps alias -> source spec;
    `resolve_alias` gives the local root of a source alias (None when it is not local)."""
    sources: dict[str, Path] = {}
    for alias in aliases:
        root = resolve_alias(alias)
        if root is not None:
            sources[alias] = root
    layout = ArtifactLayout()
    for op in artifact.get("copy") or []:
        if isinstance(op, dict):
            _apply(layout, op, sources)
    return layout
