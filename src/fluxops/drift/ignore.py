"""Which objects and fields Flux leaves alone: exclusion annotations and drift-ignore rules.

- Exclusions (fluxcd/pkg ssa `AnyInMetadata`): a label **or** annotation on the desired **or**
  the live object, its value compared case-insensitively; `kustomize.toolkit.fluxcd.io/
  reconcile: disabled` and `.../ssa: ignore` skip the object, `.../ssa: IfNotPresent` skips it
  once it exists, `.../prune: disabled` keeps it from being pruned.
- Drift-ignore rules (Kustomization `spec.ignore`, HelmRelease `spec.driftDetection.ignore`,
  fluxcd/pkg ssa/jsondiff): RFC 6901 JSON pointers, optionally scoped by a target whose
  group/version/kind/name/namespace are anchored regular expressions and whose label and
  annotation selectors are Kubernetes selector expressions. Matched paths are removed from both
  sides before comparing; removing a path that does not exist is not an error.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fluxops.loader.linear_regex import PatternError, compile_linear
from fluxops.model.kube.selector import Selector, SelectorError, parse_selector

FLUX_GROUP = "kustomize.toolkit.fluxcd.io"
RECONCILE = f"{FLUX_GROUP}/reconcile"
SSA = f"{FLUX_GROUP}/ssa"
PRUNE = f"{FLUX_GROUP}/prune"
FORCE = f"{FLUX_GROUP}/force"
OWNER_NAME = f"{FLUX_GROUP}/name"
OWNER_NAMESPACE = f"{FLUX_GROUP}/namespace"
HELM_DRIFT = "helm.toolkit.fluxcd.io/driftDetection"

EXCLUSIONS = {RECONCILE: "disabled", SSA: "ignore"}
IF_NOT_PRESENT = {SSA: "ifnotpresent"}
#: objects kustomize-controller's managedFields cleanup leaves alone (ApplyCleanupOptions.Exclusions)
CLEANUP_EXCLUSIONS = {SSA: "merge"}
FORCE_SELECTOR = {FORCE: "enabled"}
PRUNE_EXCLUSIONS = {PRUNE: "disabled", RECONCILE: "disabled", SSA: "ignore"}
HELM_EXCLUSIONS = {HELM_DRIFT: "disabled"}


def _meta(obj: Mapping[str, Any] | None, field: str) -> dict[str, Any]:
    if not obj:
        return {}
    meta = obj.get("metadata")
    value = meta.get(field) if isinstance(meta, dict) else None
    return value if isinstance(value, dict) else {}


def labels_of(obj: Mapping[str, Any] | None) -> dict[str, Any]:
    return _meta(obj, "labels")


def annotations_of(obj: Mapping[str, Any] | None) -> dict[str, Any]:
    return _meta(obj, "annotations")


def matching_marker(obj: Mapping[str, Any] | None, markers: Mapping[str, str]) -> str | None:
    """The first `key: value` of `markers` found in the labels or annotations of `obj`
    (value compared case-insensitively, an empty value never matches), as `key: value`."""
    labels, annotations = labels_of(obj), annotations_of(obj)
    for key, wanted in markers.items():
        for found in (labels.get(key), annotations.get(key)):
            if isinstance(found, str) and found and found.lower() == wanted.lower():
                return f"{key}: {found}"
    return None


# -- JSON pointers ----------------------------------------------------------------------------


def split_pointer(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer {pointer!r} must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def remove_pointer(obj: Any, pointer: str) -> None:
    """Remove the value at `pointer` from `obj` in place; a missing path is not an error
    (json-patch `AllowMissingPathOnRemove`). Negative list indexes count from the end."""
    tokens = split_pointer(pointer)
    if not tokens:
        return
    parent = obj
    for token in tokens[:-1]:
        parent = _step(parent, token)
        if parent is None:
            return
    last = tokens[-1]
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list):
        index = _index(parent, last)
        if index is not None:
            del parent[index]


def get_pointer(obj: Any, pointer: str) -> tuple[bool, Any]:
    current = obj
    for token in split_pointer(pointer):
        current = _step(current, token)
        if current is None:
            return False, None
    return True, current


def _index(items: list[Any], token: str) -> int | None:
    if not re.fullmatch(r"-?\d+", token):
        return None
    index = int(token)
    if index < 0:
        index += len(items)
    return index if 0 <= index < len(items) else None


def _step(value: Any, token: str) -> Any:
    if isinstance(value, dict):
        return value.get(token)
    if isinstance(value, list):
        index = _index(value, token)
        return value[index] if index is not None else None
    return None


# -- ignore rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    label_selector: Selector | None = None
    annotation_selector: Selector | None = None

    def matches(self, obj: Mapping[str, Any]) -> bool:
        api_version = str(obj.get("apiVersion") or "")
        group, _, version = api_version.rpartition("/")
        meta_value = obj.get("metadata")
        meta: dict[str, Any] = meta_value if isinstance(meta_value, dict) else {}
        checks = (
            (self.namespace, str(meta.get("namespace") or "")),
            (self.name, str(meta.get("name") or "")),
            (self.group, group),
            (self.version, version),
            (self.kind, str(obj.get("kind") or "")),
        )
        for pattern, value in checks:
            if pattern:
                try:
                    if not compile_linear(f"(?:{pattern})").fullmatch(value):
                        return False
                except PatternError:
                    return False
        if self.label_selector and not self.label_selector.matches(labels_of(obj)):
            return False
        return not (
            self.annotation_selector and not self.annotation_selector.matches(annotations_of(obj))
        )


@dataclass(frozen=True)
class IgnoreRule:
    paths: tuple[str, ...]
    target: Target | None = None

    def applies_to(self, obj: Mapping[str, Any]) -> bool:
        return self.target is None or self.target.matches(obj)


def parse_ignore_rules(rules: Any, where: str = "spec.ignore") -> list[IgnoreRule]:
    """`spec.ignore` (or `spec.driftDetection.ignore`) as rules; ValueError names the bad
    entry (an invalid regular expression or selector, a path that is not a JSON pointer)."""
    out: list[IgnoreRule] = []
    if not isinstance(rules, list):
        return out
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        paths = tuple(str(p) for p in rule.get("paths") or [] if isinstance(p, str))
        for path in paths:
            if path and not path.startswith("/"):
                raise ValueError(f"{where}[{i}].paths: {path!r} is not a JSON pointer")
        target = rule.get("target")
        parsed: Target | None = None
        if isinstance(target, dict):
            fields: dict[str, str] = {}
            for name in ("group", "version", "kind", "name", "namespace"):
                value = target.get(name)
                value = value if isinstance(value, str) else ""
                if value:
                    try:
                        compile_linear(value)
                    except PatternError as exc:
                        raise ValueError(
                            f"{where}[{i}].target.{name}: invalid regular expression "
                            f"{value!r}: {exc}"
                        ) from None
                fields[name] = value
            selectors: dict[str, Selector | None] = {}
            for key, name in (
                ("labelSelector", "label_selector"),
                ("annotationSelector", "annotation_selector"),
            ):
                value = target.get(key)
                try:
                    selectors[name] = parse_selector(value) if isinstance(value, str) else None
                except SelectorError as exc:
                    raise ValueError(f"{where}[{i}].target.{key}: {exc}") from None
            parsed = Target(**fields, **selectors)  # type: ignore[arg-type]
        out.append(IgnoreRule(paths=paths, target=parsed))
    return out


def ignored_paths(rules: list[IgnoreRule], match_obj: Mapping[str, Any]) -> list[str]:
    paths: list[str] = []
    for rule in rules:
        if rule.applies_to(match_obj):
            paths.extend(rule.paths)
    return paths


def without_paths(obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """A copy of `obj` without the values at `paths` (`obj` itself when there are none)."""
    if not paths:
        return obj
    out = copy.deepcopy(obj)
    for path in paths:
        remove_pointer(out, path)
    return out
