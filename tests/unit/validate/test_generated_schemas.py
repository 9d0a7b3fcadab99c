"""The packaged Flux schemas are what scripts/generate_schemas.py makes from the CRDs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fluxops.validate.crds import packaged_flux

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]


def test_generated_schemas_are_up_to_date() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_schemas.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_flux_kind_is_packaged() -> None:
    release, versions = packaged_flux()
    assert release.startswith("v2.")
    kinds = {(v.group, v.kind) for v in versions}
    for kind in (
        "Kustomization",
        "HelmRelease",
        "GitRepository",
        "OCIRepository",
        "ImagePolicy",
        "Alert",
        "ArtifactGenerator",
    ):
        assert any(k == kind for _, k in kinds), kind
    assert all(v.schema and "description" not in v.schema for v in versions)
