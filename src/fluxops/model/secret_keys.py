"""Which values look like secrets written inline (a HelmRelease's `spec.values`): one
classifier shared by lint's hr-inline-secret rule and values-diff's masking, so that every
value lint calls a secret is also one values-diff never prints."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: Normalised key endings (lowercase, no '-' '_' '.') that name a secret value.
SENSITIVE = (
    "password",
    "passwd",
    "token",
    "secret",
    "apikey",
    "secretkey",
    "accesskey",
    "privatekey",
    "clientsecret",
    "secretaccesskey",
    "webhookurl",
)
#: Endings that name *where* a secret is (a Secret name, a key in it, a file), not the secret.
NOT_SENSITIVE = (
    "name",
    "ref",
    "keyname",
    "file",
    "path",
    "enabled",
    "create",
    "existingsecret",
    "secretkeyref",
    "mountpath",
    "type",
    "length",
    "policy",
    "annotations",
    "labels",
    "secretname",
    "existingsecretpasswordkey",
    "secrettemplate",
)
_PLACEHOLDER = re.compile(
    r"^\s*(\$\{.+\}|\{\{.+\}\}|<.+>|ENC\[.+\]|ref\+\S+|\*+|x{3,}|"
    r"change[-_ ]?me|replace[-_ ]?me|place[-_ ]?holder|redacted|todo|tbd|dummy|"
    r"set[-_ ]?(me|by[-_ ]valuesfrom)|injected)\s*$",
    re.I,
)
_RESOURCE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _normal(key: str) -> str:
    return re.sub(r"[-_.]", "", key).lower()


def is_sensitive_key(key: str) -> bool:
    norm = _normal(key)
    if norm.startswith("existing") or norm.endswith(NOT_SENSITIVE):
        return False
    if norm.endswith("passwordkey") or norm.endswith("tokenkey") or norm.endswith("secretkeyname"):
        return False
    return norm.endswith(SENSITIVE)


def is_reference(key: str, value: str) -> bool:
    """`githubConfigSecret: runner-secret`: a key ending in `secret` whose value is a
    Kubernetes object name names the Secret to use; it is not the secret."""
    norm = _normal(key)
    return (
        norm.endswith("secret")
        and not norm.endswith("clientsecret")
        and bool(_RESOURCE_NAME.match(value) and "-" in value)
    )


def is_inline_secret(key: str, value: Any) -> bool:
    """Whether `key: value` holds a literal secret (not empty, not a placeholder, not a
    `${VARIABLE}`, not the name of a Secret)."""
    return (
        isinstance(value, str)
        and is_sensitive_key(key)
        and bool(value.strip())
        and not _PLACEHOLDER.match(value)
        and "${" not in value
        and not is_reference(key, value)
    )


def inline_secrets(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path, key) of every inline secret in a values tree (list items as `[i]`)."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, path)]
    found: list[tuple[tuple[str, ...], str]] = []
    while stack:
        node, here = stack.pop()
        if isinstance(node, dict):
            for key, sub in node.items():
                key_text = str(key)
                if is_inline_secret(key_text, sub):
                    found.append(((*here, key_text), key_text))
                elif isinstance(sub, dict | list):
                    stack.append((sub, (*here, key_text)))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                stack.append((item, (*here, f"[{index}]")))
    yield from sorted(found)


def holds_inline_secret(key: str | None, value: Any) -> bool:
    """Whether the value under `key` (None: no key) is, or contains, an inline secret."""
    if key is not None and is_inline_secret(key, value):
        return True
    return isinstance(value, dict | list) and next(inline_secrets(value), None) is not None
