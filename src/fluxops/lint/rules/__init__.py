"""The lint rules, one module each. Adding a rule: a module with a `Rule` subclass (id,
severity, summary, docstring, passing and failing examples, check) listed in RULES."""

from __future__ import annotations

from fluxops.lint.rule import Rule
from fluxops.lint.rules.flux_deprecated_api import FluxDeprecatedApi
from fluxops.lint.rules.gotk_components_edited import GotkComponentsEdited
from fluxops.lint.rules.hr_chart_version import HrChartVersion
from fluxops.lint.rules.hr_deprecated_chart_fields import HrDeprecatedChartFields
from fluxops.lint.rules.hr_inline_secret import HrInlineSecret
from fluxops.lint.rules.hr_interval import HrInterval
from fluxops.lint.rules.hr_remediation import HrRemediation
from fluxops.lint.rules.hr_values_from import HrValuesFrom
from fluxops.lint.rules.image_marker import ImageMarker
from fluxops.lint.rules.image_policy import ImagePolicyRule
from fluxops.lint.rules.ks_depends_on import KsDependsOn
from fluxops.lint.rules.ks_interval import KsInterval
from fluxops.lint.rules.ks_path import KsPath
from fluxops.lint.rules.ks_prune import KsPrune
from fluxops.lint.rules.ks_source_ref import KsSourceRef
from fluxops.lint.rules.ks_wait_crds import KsWaitCrds
from fluxops.lint.rules.kustomize_deprecated_field import KustomizeDeprecatedField
from fluxops.lint.rules.kustomize_duplicate_resource import KustomizeDuplicateResource
from fluxops.lint.rules.kustomize_image_patch import KustomizeImagePatch
from fluxops.lint.rules.kustomize_large_patch import KustomizeLargePatch
from fluxops.lint.rules.kustomize_remote_unpinned import KustomizeRemoteUnpinned
from fluxops.lint.rules.repo_symlink import RepoSymlink

RULES: list[type[Rule]] = [
    KsPrune,
    KsInterval,
    KsSourceRef,
    KsDependsOn,
    KsWaitCrds,
    KsPath,
    HrChartVersion,
    HrInterval,
    HrInlineSecret,
    HrValuesFrom,
    HrRemediation,
    HrDeprecatedChartFields,
    KustomizeDuplicateResource,
    KustomizeLargePatch,
    KustomizeImagePatch,
    KustomizeDeprecatedField,
    KustomizeRemoteUnpinned,
    RepoSymlink,
    ImageMarker,
    ImagePolicyRule,
    FluxDeprecatedApi,
    GotkComponentsEdited,
]

__all__ = ["RULES"]
