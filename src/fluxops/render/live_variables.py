"""postBuild variables as `drift` needs them: read where kustomize-controller reads them (the
live cluster), with Secret values kept out of everything fluxops prints.

`drift` hands the renderer a `VariableSource`. Each variable that comes from a Secret is
substituted as a per-run random token (`masked-secret-<random>-<n>`), never as its value: the
rendered objects, the build findings and any output made from them carry only tokens. The
source remembers, in memory only, which value each token stands for (or that it is unknown:
the Secret could not be read, or the live state is a snapshot, which holds no Secret values).
`fluxops.drift.substituted` swaps the tokens for the values just before comparing, and masks
every field they reached. Nothing here is cached or logged.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: (kind, namespace, name) -> (the live object or None when it does not exist, a problem
#: reading it: "" when the read worked)
LiveRead = Callable[[str, str, str], tuple[Mapping[str, Any] | None, str]]


@dataclass
class VariableSource:
    """Where substituteFrom variables come from during a `drift` render. `read` (cluster
    mode): the live ConfigMaps and Secrets; None (snapshot mode): the repo's, with Secret
    values unknown."""

    read: LiveRead | None = None
    #: token -> the real value (None: unknown, fields that depend on it are not compared)
    values: dict[str, str | None] = field(default_factory=dict)
    #: token -> where its value should have come from and why it is unknown
    reasons: dict[str, str] = field(default_factory=dict)
    #: substituteFrom entries read through this source so far (a render that read none
    #: depends on the repository only)
    consulted: int = 0
    #: random per run (os.urandom, what secrets.token_hex reads, without importing `secrets`)
    prefix: str = field(default_factory=lambda: f"masked-secret-{os.urandom(5).hex()}")

    def token(self, value: str | None, reason: str = "") -> str:
        """A new token standing for `value` (None: unknown, because of `reason`)."""
        token = f"{self.prefix}-{len(self.values)}"
        self.values[token] = value
        if value is None:
            self.reasons[token] = reason
        return token

    def known_values(self) -> list[str]:
        """The real values behind the tokens (for masking; never to be printed)."""
        return [v for v in self.values.values() if v]
