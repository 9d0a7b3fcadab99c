"""What was already safe and must stay so: kustomize's exec and KRM function plugins and
`helmCharts` are refused (Flux runs kustomize without plugins and without Helm), and nothing
they name is run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.conftest import CONFIGMAP, Run, flux_repo

pytestmark = [pytest.mark.security]

EXEC_FUNCTION = """\
apiVersion: example.com/v1
kind: Generator
metadata:
  name: run-me
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: {marker}
"""

CONTAINER_FUNCTION = """\
apiVersion: example.com/v1
kind: Generator
metadata:
  name: run-me
  annotations:
    config.kubernetes.io/function: |
      container:
        image: example.com/evil:latest
"""


@pytest.mark.parametrize(
    "files",
    [
        {"kustomization.yaml": "generators: [fn.yaml]\n", "fn.yaml": EXEC_FUNCTION},
        {
            "kustomization.yaml": "transformers: [fn.yaml]\nresources: [cm.yaml]\n",
            "fn.yaml": EXEC_FUNCTION,
        },
        {"kustomization.yaml": "generators: [fn.yaml]\n", "fn.yaml": CONTAINER_FUNCTION},
        {
            "kustomization.yaml": "helmCharts:\n- name: web\n  repo: https://charts.example.com\n  version: 1.0.0\n",
        },
    ],
    ids=["exec-generator", "exec-transformer", "container-function", "helm-charts"],
)
def test_plugins_and_helm_are_refused(run: Run, tmp_path: Path, files: dict[str, str]) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "plugin.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    content = {k: v.replace("{marker}", str(script)) for k, v in files.items()}
    repo = flux_repo(tmp_path / "repo", {**content, "cm.yaml": CONFIGMAP})
    result = run(
        "build",
        str(repo),
        "--all",
        "-o",
        "json",
        expect=1,
        env={"PATH": f"{tmp_path}:/usr/bin:/bin"},
    )
    result.assert_clean()
    data = json.loads(result.stdout)
    (apps,) = [k for k in data["kustomizations"] if k["name"] == "apps"]
    assert apps["status"] == "failed" and apps["error"]
    assert not marker.exists()
