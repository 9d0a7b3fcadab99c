"""ObjectMeta checks the API server makes and a JSON schema cannot: name, namespace, label and
annotation formats (k8s.io/apimachinery validation: DNS-1123 names, qualified names)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fluxops.validate.messages import SchemaProblem

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
#: Kinds whose names are DNS-1123 labels (63 characters, no dots).
LABEL_NAMED = frozenset({("", "Namespace"), ("", "Service")})
#: Kinds whose names only need to be valid path segments (RBAC: `system:aggregate-to-view`).
PATH_SEGMENT_NAMED = frozenset(
    {
        ("rbac.authorization.k8s.io", "Role"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "RoleBinding"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    }
)
MAX_ANNOTATIONS = 256 * 1024


def _templated(value: str) -> bool:
    """Unsubstituted postBuild variables (`${CLUSTER}`) are not checked."""
    return "${" in value


def _dns_subdomain(value: str) -> str | None:
    if len(value) > 253:
        return "must be at most 253 characters"
    if not _DNS_SUBDOMAIN.match(value):
        return "must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.', alphanumeric at both ends)"
    return None


def _dns_label(value: str) -> str | None:
    if len(value) > 63:
        return "must be at most 63 characters"
    if not _DNS_LABEL.match(value):
        return "must be a lowercase RFC 1123 label (a-z, 0-9 and '-', alphanumeric at both ends)"
    return None


def _path_segment(value: str) -> str | None:
    if value in (".", ".."):
        return f"may not be '{value}'"
    for bad in ("/", "%"):
        if bad in value:
            return f"may not contain '{bad}'"
    return None


def _qualified_key(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and not prefix:
        return "prefix part must be non-empty"
    if prefix:
        problem = _dns_subdomain(prefix)
        if problem:
            return f"prefix '{prefix}' {problem}"
    if not name or len(name) > 63:
        return "name part must be 1 to 63 characters"
    if not _QUALIFIED_NAME.match(name):
        return "name part must be alphanumeric, '-', '_' or '.', alphanumeric at both ends"
    return None


def check_metadata(group: str, kind: str, raw: dict[str, Any]) -> Iterator[SchemaProblem]:
    meta = raw.get("metadata")
    if not isinstance(meta, dict):
        yield SchemaProblem(("metadata",), "metadata", "metadata is missing")
        return
    name = meta.get("name")
    if not name and not meta.get("generateName"):
        yield SchemaProblem(("metadata", "name"), "metadata", "metadata.name is missing")
    elif isinstance(name, str) and not _templated(name):
        if (group, kind) in LABEL_NAMED:
            problem = _dns_label(name)
        elif (group, kind) in PATH_SEGMENT_NAMED:
            problem = _path_segment(name)
        else:
            problem = _dns_subdomain(name)
        if problem:
            yield SchemaProblem(("metadata", "name"), "metadata", f"name '{name}' {problem}")
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace and not _templated(namespace):
        problem = _dns_label(namespace)
        if problem:
            yield SchemaProblem(
                ("metadata", "namespace"), "metadata", f"namespace '{namespace}' {problem}"
            )
    labels = meta.get("labels")
    if isinstance(labels, dict):
        for key, value in labels.items():
            key_text = str(key)
            if _templated(key_text):
                continue
            problem = _qualified_key(key_text)
            if problem:
                yield SchemaProblem(
                    ("metadata", "labels", key_text),
                    "metadata",
                    f"label key '{key_text}': {problem}",
                )
            if (
                isinstance(value, str)
                and not _templated(value)
                and (len(value) > 63 or not _LABEL_VALUE.match(value))
            ):
                yield SchemaProblem(
                    ("metadata", "labels", key_text),
                    "metadata",
                    f"label '{key_text}' has the value '{value[:70]}': label values are at "
                    "most 63 characters, alphanumeric, '-', '_' or '.', alphanumeric at both ends",
                )
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        total = 0
        for key, value in annotations.items():
            key_text = str(key)
            total += len(key_text) + (len(value) if isinstance(value, str) else 0)
            if _templated(key_text):
                continue
            problem = _qualified_key(key_text)
            if problem:
                yield SchemaProblem(
                    ("metadata", "annotations", key_text),
                    "metadata",
                    f"annotation key '{key_text}': {problem}",
                )
        if total > MAX_ANNOTATIONS:
            yield SchemaProblem(
                ("metadata", "annotations"),
                "metadata",
                f"annotations total {total} bytes; the API server allows {MAX_ANNOTATIONS}",
            )
