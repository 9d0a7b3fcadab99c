"""One hint rule (a failure reason, what it means, what to run next) and the kind groups
the tables use; the tables are `hint_rules_apps` and `hint_rules_sources`."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class HintRule:
    key: str  # stable id: the reason, or reason/variant
    reasons: tuple[str, ...]
    text: str
    commands: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # () = any kind
    message: str | None = None  # a case-insensitive regex the message must match

    def matches(self, reason: str, kind: str, message: str) -> bool:
        if reason not in self.reasons and "*" not in self.reasons:
            return False
        if self.kinds and kind not in self.kinds:
            return False
        return self.message is None or re.search(self.message, message, re.IGNORECASE) is not None


KS = ("Kustomization",)
HR = ("HelmRelease",)
SOURCES = ("GitRepository", "OCIRepository", "Bucket", "HelmRepository", "HelmChart")
IMAGE = ("ImageRepository", "ImagePolicy", "ImageUpdateAutomation")
STORAGE_REASONS = (
    "StorageOperationFailed",
    "StatOperationFailed",
    "ReadOperationFailed",
    "AcquireLockFailed",
    "ArchiveOperationFailed",
    "SymlinkUpdateFailed",
    "CacheOperationFailed",
    "PatchOperationFailed",
    "DirectoryCreationFailed",
)
HELM_ACTIONS = ("InstallFailed", "UpgradeFailed", "RollbackFailed", "ReconciliationFailed")
