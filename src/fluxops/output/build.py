"""Renderers for `fluxops build` results."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxops.errors import OutputError
from fluxops.goyaml import dump
from fluxops.model.flux import Kustomization
from fluxops.model.names import name_problem
from fluxops.model.results import BuildResult, KustomizationBuild
from fluxops.output.envelope import envelope, to_json
from fluxops.output.masking import mask_secret
from fluxops.output.registry import Rendered, View, formatter
from fluxops.output.text import findings_text


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
        **(
            {"sourceUrl": build.source_url, "sourceFlag": build.source_flag}
            if build.status == "skipped"
            else {}
        ),
        **(
            {"file": build.kustomization.origin.file if build.kustomization.origin else None}
            if build.status == "unreached"
            else {}
        ),
    }


def to_data(result: BuildResult) -> dict[str, Any]:
    """The envelope of a build (docs/json.md): a summary per Kustomization; the findings of
    every Kustomization are in the envelope's `findings` (each names its object); `notes`:
    what the run assumed (source roots, each cluster's Flux release)."""
    counts = result.summary()
    return envelope(
        result,
        summary={
            "kustomizations": len(result.builds),
            **counts,
            "objects": sum(len(b.objects) for b in result.builds),
        },
        data={
            "kustomizations": [build_summary(b) for b in result.builds],
            "notes": list(result.notes),
        },
    )


def result_json(result: BuildResult, *, compact: bool = False) -> str:
    return to_json(to_data(result), compact=compact)


def _cluster_dir(cluster: str) -> str:
    """A cluster folder path as one safe folder name (`clusters/prod` -> `clusters_prod`)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in cluster.replace("/", "_"))
    safe = safe.strip(".")[:200]
    return safe or "_"


def output_file(build: KustomizationBuild) -> str | None:
    """`<cluster>/<namespace>_<name>.yaml`, or None when the namespace or the name is not a
    valid Kubernetes name (such a name never becomes a path part)."""
    if name_problem(build.namespace, build.name) is not None:
        return None
    return f"{_cluster_dir(build.cluster)}/{build.namespace}_{build.name}.yaml"


@dataclass
class WriteReport:
    written: list[Path] = field(default_factory=list)
    #: Kustomizations not written, and why.
    refused: list[str] = field(default_factory=list)


def write_output_dir(result: BuildResult, directory: Path) -> WriteReport:
    """One file per Flux Kustomization: DIR/<cluster>/<namespace>_<name>.yaml. Every path is
    checked to resolve inside DIR; names that are not valid Kubernetes names are refused.
    Raises OutputError (exit 2) when DIR cannot be written."""
    report = WriteReport()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        base = directory.resolve(strict=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create --output-dir {directory}: {exc.strerror or exc}",
            hint="pass a folder you can write to",
        ) from None
    if not os.access(base, os.W_OK | os.X_OK):
        raise OutputError(
            f"--output-dir {directory} is not writable", hint="pass a folder you can write to"
        )
    for build in result.builds:
        if build.status != "ok":
            continue
        rel = output_file(build)
        if rel is None:
            report.refused.append(
                f"Kustomization {build.ref!r}: not written, "
                f"{name_problem(build.namespace, build.name)}"
            )
            continue
        path = base / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            resolved = path.parent.resolve(strict=True) / path.name
        except OSError as exc:
            raise OutputError(
                f"cannot write into --output-dir {directory}: {exc.strerror or exc}",
                hint="pass a folder you can write to",
            ) from None
        if resolved.parent != base and base not in resolved.parent.parents:
            report.refused.append(f"Kustomization {build.ref!r}: {rel} would leave --output-dir")
            continue
        if resolved.is_symlink():
            report.refused.append(f"Kustomization {build.ref!r}: {rel} is a symlink; not replaced")
            continue
        text = "---\n".join(dump(mask_secret(o.raw)) for o in build.objects)
        try:
            resolved.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OutputError(
                f"cannot write {resolved}: {exc.strerror or exc}",
                hint="pass a folder you can write to",
            ) from None
        report.written.append(resolved)
    return report


@formatter("BuildResult", "yaml")
def yaml_format(result: BuildResult, view: View) -> Rendered:
    """The objects on stdout, failures and findings for people on stderr."""
    return Rendered(objects_yaml(result), findings_text(result))


@formatter("BuildResult", "json")
def json_format(result: BuildResult, view: View) -> Rendered:
    """The envelope on stdout; failures and findings for people on stderr too."""
    return Rendered(result_json(result, compact=view.compact), findings_text(result))
