"""Reading kustomization files for the overlay rules: their patches and what their bases hold."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from fluxops.lint.context import KustomizeFile, LintContext, is_remote, join
from fluxops.loader.yamlio import YamlParseError, load_documents
from fluxops.model.resource import Resource


@dataclass
class Patch:
    """One patch of a kustomization file, inline or from a file."""

    style: str  # "strategic-merge" | "json6902"
    listed_in: str  # the kustomization field it is listed under
    text: str
    file: str  # where the patch text is (the patch file, or the kustomization file)
    line: int
    target: dict[str, Any] = field(default_factory=dict)
    docs: list[Any] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return len(
            [
                line
                for line in self.text.splitlines()
                if line.strip() and not line.strip().startswith("#")
            ]
        )


def _target(entry: dict[str, Any]) -> dict[str, Any]:
    target = entry.get("target")
    return target if isinstance(target, dict) else {}


def _parse(text: str) -> list[Any]:
    try:
        return [d.value for d in load_documents(text) if d.value is not None]
    except YamlParseError:
        return []


def _style(docs: list[Any]) -> str:
    return "json6902" if docs and isinstance(docs[0], list) else "strategic-merge"


def patches(ctx: LintContext, kfile: KustomizeFile) -> list[Patch]:
    out: list[Patch] = []
    data = kfile.data
    for entry in data.get("patches") or []:
        if not isinstance(entry, dict):
            continue
        target = _target(entry)
        out.extend(_one(ctx, kfile, "patches", entry.get("path"), entry.get("patch"), target))
    for entry in data.get("patchesStrategicMerge") or []:
        if isinstance(entry, str):
            inline = "\n" in entry or not entry.strip().endswith((".yaml", ".yml", ".json"))
            path, text = (None, entry) if inline else (entry, None)
            out.extend(_one(ctx, kfile, "patchesStrategicMerge", path, text, {}))
    for entry in data.get("patchesJson6902") or []:
        if isinstance(entry, dict):
            target = _target(entry)
            out.extend(
                _one(ctx, kfile, "patchesJson6902", entry.get("path"), entry.get("patch"), target)
            )
    return out


def _one(
    ctx: LintContext,
    kfile: KustomizeFile,
    field_name: str,
    path: Any,
    inline: Any,
    target: dict[str, Any],
) -> list[Patch]:
    if isinstance(path, str) and not is_remote(path):
        rel = join(kfile.directory, path)
        text = ctx.files.read(rel)
        if text is None:
            return []
        docs = _parse(text)
        return [Patch(_style(docs), field_name, text, rel, 1, target, docs)]
    if isinstance(inline, str):
        docs = _parse(inline)
        first = inline.strip().splitlines()[0] if inline.strip() else ""
        line = kfile.line_containing(first, kfile.line_of(field_name)) if first else 1
        return [Patch(_style(docs), field_name, inline, kfile.file, line, target, docs)]
    return []


def entries(kfile: KustomizeFile, *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        for entry in kfile.data.get(key) or []:
            if isinstance(entry, str):
                out.append(entry)
    return out


def objects_of(ctx: LintContext, directory: str, seen: set[str] | None = None) -> list[Resource]:
    """Every object a kustomization folder declares (through resources and components,
    recursively), as documents of the repository."""
    seen = seen if seen is not None else set()
    if directory in seen:
        return []
    seen.add(directory)
    kfile = ctx.kustomize_file_in(directory)
    if kfile is None:
        return []
    out: list[Resource] = []
    for entry in entries(kfile, "resources", "bases", "components"):
        if is_remote(entry):
            continue
        rel = join(kfile.directory, entry)
        if ctx.kustomize_file_in(rel) is not None:
            out.extend(objects_of(ctx, rel, seen))
        else:
            out.extend(ctx.resources_in_file(rel))
    return out


def base_dirs(ctx: LintContext, kfile: KustomizeFile) -> list[str]:
    """The folders (with a kustomization file) an overlay builds on."""
    out = []
    for entry in entries(kfile, "resources", "bases"):
        if is_remote(entry):
            continue
        rel = join(kfile.directory, entry)
        if rel != kfile.directory and ctx.kustomize_file_in(rel) is not None:
            out.append(rel)
    return out


def own_files(ctx: LintContext, kfile: KustomizeFile) -> list[str]:
    out = []
    for entry in entries(kfile, "resources"):
        if is_remote(entry):
            continue
        rel = join(kfile.directory, entry)
        if ctx.kustomize_file_in(rel) is None and posixpath.splitext(rel)[1] in (
            ".yaml",
            ".yml",
            ".json",
        ):
            out.append(rel)
    return out
