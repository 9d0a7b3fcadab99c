"""Kubernetes object names (k8s.io/apimachinery validation): what may become part of a file
name, and what a Flux Kustomization may be called."""

from __future__ import annotations

import re

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def is_dns_subdomain(name: str) -> bool:
    """A valid object name for most kinds: at most 253 characters of a-z, 0-9, '-' and '.'."""
    return 0 < len(name) <= 253 and _DNS_SUBDOMAIN.fullmatch(name) is not None


def is_dns_label(name: str) -> bool:
    """A valid namespace name: at most 63 characters of a-z, 0-9 and '-'."""
    return 0 < len(name) <= 63 and _DNS_LABEL.fullmatch(name) is not None


def name_problem(namespace: str, name: str) -> str | None:
    """Why NAMESPACE/NAME cannot name an object, or None."""
    if not is_dns_subdomain(name):
        shown = name if len(name) <= 80 else name[:80] + "..."
        return (
            f"metadata.name {shown!r} ({len(name)} characters) is not a valid Kubernetes name "
            "(at most 253 characters of a-z, 0-9, '-' and '.')"
        )
    if namespace and not is_dns_label(namespace):
        shown = namespace if len(namespace) <= 80 else namespace[:80] + "..."
        return (
            f"metadata.namespace {shown!r} is not a valid namespace name "
            "(at most 63 characters of a-z, 0-9 and '-')"
        )
    return None
