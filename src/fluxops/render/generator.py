"""Flux's kustomization generator (fluxcd/pkg kustomize, kustomize_generator.go), reimplemented.

For a Flux Kustomization at `spec.path`:
1. use the first of kustomization.yaml, kustomization.yml, Kustomization found there, or
   generate one listing every manifest below the folder (a subfolder holding a kustomization
   file is listed as a folder and not entered; a YAML file that does not parse is an error;
   an empty result gets `namespace: _placeholder` so kustomize does not call it empty);
2. merge the Flux spec into that same kustomization, in the controller's order: targetNamespace,
   namePrefix/nameSuffix, patches, components, patchesStrategicMerge, patchesJson6902, images
   (merged by name), buildMetadata.
The result is a dict; render/workspace.py writes it where kustomize will read it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxops.errors import BuildError
from fluxops.loader.yamlio import YamlParseError, load_documents

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
REMOTE_PREFIXES = (
    "git::",
    "gh:",
    "ssh://",
    "https://",
    "http://",
    "git@",
    "github.com:",
    "github.com/",
)


class GeneratorError(BuildError):
    """The kustomization cannot be generated or merged; the message is Flux-like."""


@dataclass
class Generated:
    kustomization: dict[str, Any]
    file_name: str
    created: bool
    notes: list[str] = field(default_factory=list)


def find_kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def scan_manifests(directory: Path, ignored: Callable[[Path, bool], bool]) -> list[str]:
    """The resources of a generated kustomization, as `./relative` paths, in walk order."""
    resources: list[str] = []

    def walk(folder: Path) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            raise GeneratorError(f"cannot read {folder}: {exc.strerror}") from None
        for entry in entries:
            path = Path(entry.path)
            is_dir = entry.is_dir()
            if ignored(path, is_dir):
                continue
            rel = "./" + path.relative_to(directory).as_posix()
            if is_dir:
                if find_kustomization_file(path) is not None:
                    resources.append(rel)
                else:
                    walk(path)
                continue
            if path.suffix not in (".yaml", ".yml"):
                continue
            try:
                docs = load_documents(path.read_text(encoding="utf-8"))
            except (YamlParseError, UnicodeDecodeError, OSError) as exc:
                raise GeneratorError(
                    f"failed to decode Kubernetes YAML from {rel}: {exc}"
                ) from None
            for doc in docs:
                if doc.value is not None and not isinstance(doc.value, dict):
                    raise GeneratorError(
                        f"failed to decode Kubernetes YAML from {rel}: document {doc.index + 1} "
                        f"is not a Kubernetes object"
                    )
            resources.append(rel)

    walk(directory)
    return resources


def is_local_relative(path: str) -> bool:
    return not (path.startswith("/") or path.startswith(REMOTE_PREFIXES))


def _nonempty(selector: Any) -> dict[str, Any] | None:
    if not isinstance(selector, dict):
        return None
    out = {k: v for k, v in selector.items() if v not in (None, "")}
    return out or None


def merge_images(existing: list[Any], images: list[Any]) -> list[Any]:
    """spec.images merged by name (kustomize-controller v1.9.4 semantics): newName overrides
    only when set; newTag and digest are replaced as a unit when either is set."""
    result = [dict(e) if isinstance(e, dict) else e for e in existing]
    for image in images:
        if not isinstance(image, dict):
            continue
        name = image.get("name")
        match = next((e for e in result if isinstance(e, dict) and e.get("name") == name), None)
        if match is None:
            result.append({k: v for k, v in image.items() if v not in (None, "")})
            continue
        if image.get("newName"):
            match["newName"] = image["newName"]
        if image.get("newTag") or image.get("digest"):
            match.pop("newTag", None)
            match.pop("digest", None)
            if image.get("newTag"):
                match["newTag"] = image["newTag"]
            if image.get("digest"):
                match["digest"] = image["digest"]
    return result


def merge_spec(kus: dict[str, Any], spec: dict[str, Any], directory: Path) -> list[str]:
    """Apply the Flux spec fields to a kustomization dict in place. Returns notes."""
    notes: list[str] = []
    target_ns = spec.get("targetNamespace")
    if isinstance(target_ns, str) and target_ns:
        kus["namespace"] = target_ns
    for key in ("namePrefix", "nameSuffix"):
        value = spec.get(key)
        if isinstance(value, str) and value:
            kus[key] = value

    patches = spec.get("patches")
    if isinstance(patches, list) and patches:
        out = list(kus.get("patches") or [])
        for patch in patches:
            if not isinstance(patch, dict):
                raise GeneratorError("unable to convert patch to a kustomize patch")
            entry: dict[str, Any] = {"patch": patch.get("patch", "")}
            target = _nonempty(patch.get("target"))
            if target:
                entry["target"] = target
            out.append(entry)
        kus["patches"] = out

    components = spec.get("components")
    if isinstance(components, list) and components:
        ignore_missing = spec.get("ignoreMissingComponents") is True
        out = list(kus.get("components") or [])
        for component in components:
            if not isinstance(component, str) or not is_local_relative(component):
                raise GeneratorError(
                    f"component {component!r} must be a local relative path "
                    f"(remote and absolute components are not allowed)"
                )
            if not (directory / component).exists():
                if ignore_missing:
                    notes.append(f"component {component} does not exist: skipped")
                    continue
                raise GeneratorError(
                    f"component path '{component}' not found",
                )
            out.append(component)
        kus["components"] = out

    sm = spec.get("patchesStrategicMerge")
    if isinstance(sm, list) and sm:
        kus["patchesStrategicMerge"] = list(kus.get("patchesStrategicMerge") or []) + [
            json.dumps(p, separators=(",", ":")) for p in sm
        ]
    j6902 = spec.get("patchesJson6902")
    if isinstance(j6902, list) and j6902:
        out = list(kus.get("patchesJson6902") or [])
        for p in j6902:
            if not isinstance(p, dict):
                continue
            json_entry: dict[str, Any] = {
                "patch": json.dumps(p.get("patch") or [], separators=(",", ":"))
            }
            target = _nonempty(p.get("target"))
            if target:
                json_entry["target"] = target
            out.append(json_entry)
        kus["patchesJson6902"] = out

    images = spec.get("images")
    if isinstance(images, list) and images:
        kus["images"] = merge_images(list(kus.get("images") or []), images)

    build_metadata = spec.get("buildMetadata")
    if isinstance(build_metadata, list) and build_metadata:
        kus["buildMetadata"] = list(build_metadata)
    return notes


def generate(
    directory: Path, spec: dict[str, Any], ignored: Callable[[Path, bool], bool]
) -> Generated:
    """The kustomization Flux would build at `directory` for a Kustomization with `spec`."""
    existing = find_kustomization_file(directory)
    if existing is not None:
        try:
            docs = load_documents(existing.read_text(encoding="utf-8"))
        except (YamlParseError, OSError, UnicodeDecodeError) as exc:
            raise GeneratorError(f"invalid kustomization file {existing.name}: {exc}") from None
        values = [d.value for d in docs if d.value is not None]
        if len(values) != 1 or not isinstance(values[0], dict):
            raise GeneratorError(f"{existing.name} must hold exactly one kustomization object")
        kus: dict[str, Any] = dict(values[0])
        file_name = existing.name
        created = False
        if not kus.get("resources"):
            # Flux marks a resource-less kustomization with originAnnotations so that kustomize
            # does not reject it as empty.
            metadata = list(kus.get("buildMetadata") or [])
            if "originAnnotations" not in metadata:
                metadata.append("originAnnotations")
            kus["buildMetadata"] = metadata
    else:
        resources = scan_manifests(directory, ignored)
        kus = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
        if resources:
            kus["resources"] = resources
        else:
            kus["namespace"] = "_placeholder"
        file_name = "kustomization.yaml"
        created = True
    kus.setdefault("apiVersion", "kustomize.config.k8s.io/v1beta1")
    kus.setdefault("kind", "Kustomization")
    notes = merge_spec(kus, spec, directory)
    return Generated(kustomization=kus, file_name=file_name, created=created, notes=notes)
