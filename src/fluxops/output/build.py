"""Renderers for `fluxops build` results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fluxops.goyaml import dump
from fluxops.model.flux import Kustomization
from fluxops.model.results import BuildResult, KustomizationBuild
from fluxops.output.masking import mask_secret


def objects_yaml(result: BuildResult) -> str:
    """Every rendered object, as one YAML stream, in build order. When the builds come from
    more than one cluster, each Kustomization's first object carries a comment naming the
    cluster and the Kustomization (comments do not change the objects)."""
    several = len({b.cluster for b in result.builds}) > 1
    docs = []
    for build in result.builds:
        for i, obj in enumerate(build.objects):
            text = dump(mask_secret(obj.raw))
            if several and i == 0:
                text = f"# cluster {build.cluster}: Kustomization {build.ref}\n" + text
            docs.append(text)
    return "---\n".join(docs)


def build_summary(build: KustomizationBuild) -> dict[str, Any]:
    return {
        "cluster": build.cluster,
        "namespace": build.namespace,
        "name": build.name,
        "path": build.path,
        "source": build.source,
        "parent": build.parent,
        "dependsOn": [
            f"{d.namespace}/{d.name}" for d in Kustomization(build.kustomization).depends_on
        ],
        "status": build.status,
        "objects": len(build.objects),
        "cached": build.cached,
        "error": build.error,
        "findings": [f.to_dict() for f in build.findings],
    }


def result_json(result: BuildResult) -> str:
    data = {
        "kustomizations": [build_summary(b) for b in result.builds],
        "findings": [f.to_dict() for f in result.findings],
        "summary": {"ok": result.ok, "failed": result.failed},
    }
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


def _file_name(build: KustomizationBuild) -> str:
    cluster = build.cluster.replace("/", "_") if build.cluster else "_"
    return f"{cluster}/{build.namespace}_{build.name}.yaml"


def write_output_dir(result: BuildResult, directory: Path) -> list[Path]:
    """One file per Flux Kustomization: DIR/<cluster>/<namespace>_<name>.yaml."""
    written = []
    for build in result.builds:
        if build.status != "ok":
            continue
        path = directory / _file_name(build)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "---\n".join(dump(mask_secret(o.raw)) for o in build.objects), encoding="utf-8"
        )
        written.append(path)
    return written
