"""Where a rendered object came from: kustomize's origin annotation (`config.kubernetes.io/
origin`: the file, or the generator's `configuredIn`) mapped back to the repository file and
line of the object it was rendered from, for findings that point at the source."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from fluxops.model.resource import Origin, Resource


def origin_finder(
    by_file: Mapping[str, Sequence[Resource]],
    build_dir: str,
    repo_root: Path,
    layout: Mapping[str, Path] | None = None,
) -> Callable[[dict[str, Any], str | None], Origin | None]:
    """`origin_of(raw, annotation)` for the objects of one build whose folder (relative to
    the repository) is `build_dir`; `by_file`: the repository's objects by file; `layout`: an
    ExternalArtifact's files (artifact path -> repository file), so that its objects point at
    the repository's files."""
    root = repo_root.resolve()

    def repo_file(file: str) -> str:
        source = (layout or {}).get(file)
        if source is None:
            return file
        try:
            return source.resolve().relative_to(root).as_posix()
        except (ValueError, OSError):
            return file

    def origin_of(raw: dict[str, Any], annotation: str | None) -> Origin | None:
        if not annotation:
            return None
        try:
            data = yaml.load(annotation, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            return None
        if not isinstance(data, dict):
            return None
        path = data.get("path")
        if not isinstance(path, str):
            configured = data.get("configuredIn")
            if isinstance(configured, str):
                path = configured
            else:
                return None
        file = repo_file(os.path.normpath(os.path.join(build_dir, path)).replace(os.sep, "/"))
        name = str((raw.get("metadata") or {}).get("name"))
        same = [r for r in by_file.get(file, ()) if r.kind == raw.get("kind")]
        named = [r for r in same if r.name == name] or [
            r for r in same if r.name and r.name in name
        ]
        chosen = named or (same if len(same) == 1 else [])
        if chosen:
            return chosen[0].origin
        return Origin(file, 0, 1)

    return origin_of
