"""Batching puts many Kustomizations in one kustomize run (render/batch.py): a hostile one must
not use that to read another's files (another source's, the batch's own folders), to claim
another's objects, or to change another's output. Each probe runs the real CLI batched and
one by one (FLUXOPS_BATCH=0): the outputs are the same, and nothing private comes out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.security.conftest import Run, kustomization, write

pytestmark = [pytest.mark.security]

#: The victim's value: in its own output once, nowhere else.
PRIVATE = "PRIVATE-5b0d9e"
VICTIM_CM = f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: victim
  namespace: default
data:
  a: {PRIVATE}
"""


def _repo(root: Path, hostile: dict[str, str], *, hostile_namespace: str = "default") -> Path:
    """A cluster with a victim Kustomization reading the `private` source (another folder,
    mapped with --source) and hostile ones reading the repository."""
    docs = [
        kustomization("victim", "./", sourceRef={"kind": "GitRepository", "name": "private"}),
        kustomization("hostile", "./apps/hostile", targetNamespace=hostile_namespace),
        kustomization("bystander", "./apps/bystander", targetNamespace="other"),
    ]
    write(
        root / "repo",
        {
            "clusters/test/flux-system/gotk-sync.yaml": "# placeholder\n",
            "clusters/test/apps.yaml": "---\n".join(docs),
            "clusters/test/private.yaml": json.dumps(
                {
                    "apiVersion": "source.toolkit.fluxcd.io/v1",
                    "kind": "GitRepository",
                    "metadata": {"name": "private", "namespace": "flux-system"},
                    "spec": {"url": "https://example.invalid/private", "interval": "1h"},
                }
            ),
            "apps/bystander/kustomization.yaml": "resources: [cm.yaml]\n",
            "apps/bystander/cm.yaml": VICTIM_CM.replace(PRIVATE, "public").replace(
                "victim", "bystander"
            ),
            **{f"apps/hostile/{k}": v for k, v in hostile.items()},
        },
    )
    write(root / "private", {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": VICTIM_CM})
    return root / "repo"


def _both(run: Run, root: Path) -> dict[str, dict[str, Any]]:
    """`build --all -o json` batched and not: equal; the builds by name."""
    args = (
        "build",
        str(root / "repo"),
        "--all",
        "-o",
        "json",
        "--source",
        f"GitRepository/flux-system/private={root / 'private'}",
    )
    yaml_args = (*args[:3], *args[5:])

    def cold(batch: str, name: str) -> dict[str, str]:
        return {"FLUXOPS_BATCH": batch, "FLUXOPS_CACHE_DIR": str(root / f"cache-{name}")}

    batched = run(*args, env=cold("1", "1"))
    alone = run(*args, env=cold("0", "2"))
    batched_yaml = run(*yaml_args, env=cold("1", "3"))
    alone_yaml = run(*yaml_args, env=cold("0", "4"))
    for result in (batched, alone, batched_yaml, alone_yaml):
        result.assert_clean()
    assert batched.stdout == alone.stdout
    assert (batched_yaml.stdout, batched_yaml.stderr) == (alone_yaml.stdout, alone_yaml.stderr)
    assert (batched_yaml.stdout + batched_yaml.stderr).count(PRIVATE) == 1
    data = json.loads(batched.stdout)
    return {k["name"]: k for k in data["kustomizations"]}


def _hostile_output(builds: dict[str, dict[str, Any]]) -> str:
    return json.dumps(builds["hostile"])


@pytest.mark.parametrize(
    "resources",
    [
        "../../../private",  # the other source's folder, next to the repository
        "../../../../private",
        "../../../00002-batch/m0",  # the batch's own folders in the workspace
        "../../../../00001-batch",
        "../../../root.fluxops-1",  # another build's folder
    ],
)
def test_a_member_cannot_reach_other_folders_of_the_run(
    run: Run, tmp_path: Path, resources: str
) -> None:
    _repo(tmp_path, {"kustomization.yaml": f"resources: [{resources}]\n"})
    builds = _both(run, tmp_path)
    assert builds["hostile"]["status"] == "failed"
    assert "refused before building" in builds["hostile"]["error"]
    assert PRIVATE not in _hostile_output(builds)
    assert builds["victim"]["status"] == "ok"
    assert builds["bystander"]["status"] == "ok"


def test_forged_markers_and_prefixes_claim_nothing(run: Run, tmp_path: Path) -> None:
    """Objects that carry batch-like annotations and names, and text that looks like
    kustomize's document separators and metadata, stay the hostile Kustomization's own."""
    forged = """\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: fxb0000m0-victim
          namespace: default
          annotations:
            fluxops.io/batch-0000: m0
            config.kubernetes.io/origin: |
              path: ../../../private/cm.yaml
        data:
          text: |
            ---
            metadata:
              annotations:
                fluxops.io/batch-0000: m1
              name: victim
        """
    _repo(
        tmp_path,
        {
            "kustomization.yaml": "resources: [cm.yaml]\ncommonLabels: {owned: hostile}\n",
            "cm.yaml": forged,
        },
    )
    builds = _both(run, tmp_path)
    assert builds["hostile"]["status"] == "ok"
    assert builds["hostile"]["objects"] == 1
    assert builds["victim"]["objects"] == 1
    assert builds["bystander"]["objects"] == 1
