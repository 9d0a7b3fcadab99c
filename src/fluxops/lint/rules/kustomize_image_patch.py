"""A workload's image should be changed with kustomize `images:`, not with a patch.

A patch that sets `containers[].image` of a Deployment (StatefulSet, DaemonSet, Job, CronJob)
copies the whole image reference into the overlay: the base's tag or registry changes no longer
reach it, image automation markers in the base stop applying, and the patch must name the
container. The `images:` transformer changes only name, tag or digest, wherever the image is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.kustomize import patches
from fluxops.lint.rule import Rule
from fluxops.model.findings import Finding, Severity

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod"}


def _images(value: Any) -> list[str]:
    """Image values set under containers/initContainers anywhere in a patch document."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, sub in value.items():
            if key in ("containers", "initContainers", "ephemeralContainers") and isinstance(
                sub, list
            ):
                for item in sub:
                    if isinstance(item, dict) and isinstance(item.get("image"), str):
                        found.append(item["image"])
            else:
                found.extend(_images(sub))
    elif isinstance(value, list):
        for item in value:
            found.extend(_images(item))
    return found


_KUSTOMIZATION = "resources:\n  - ../base\n{rest}"


class KustomizeImagePatch(Rule):
    id = "kustomize-image-patch"
    severity = Severity.WARNING
    summary = "Workload image changed by a patch instead of `images:`"
    passing: ClassVar[dict[str, str]] = {
        "prod/kustomization.yaml": _KUSTOMIZATION.format(
            rest="images:\n  - name: ghcr.io/example/web\n    newTag: 1.4.2\n"
        )
    }
    failing: ClassVar[dict[str, str]] = {
        "prod/kustomization.yaml": _KUSTOMIZATION.format(rest="patches:\n  - path: image.yaml\n"),
        "prod/image.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:1.4.2
""",
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for kfile in ctx.kustomize_files.values():
            for patch in patches(ctx, kfile):
                kind = str(patch.target.get("kind") or "")
                images: list[str] = []
                if patch.style == "json6902":
                    for doc in patch.docs:
                        for op in doc if isinstance(doc, list) else []:
                            path = op.get("path") if isinstance(op, dict) else None
                            if (
                                isinstance(path, str)
                                and path.rstrip("/").endswith("/image")
                                and "ontainers/" in path
                            ):
                                value = op.get("value")
                                images.append(value if isinstance(value, str) else "?")
                    if kind and kind not in WORKLOADS:
                        images = []
                else:
                    for doc in patch.docs:
                        if isinstance(doc, dict) and (
                            doc.get("kind") in WORKLOADS
                            or (not doc.get("kind") and kind in WORKLOADS)
                        ):
                            images.extend(_images(doc))
                if images:
                    shown = ", ".join(sorted(set(images))[:3])
                    yield self.finding(
                        f"this patch sets a container image ({shown}) in an overlay",
                        file=patch.file,
                        line=patch.line,
                        hint="use `images: [{name: <image>, newTag: <tag>}]` in the "
                        "kustomization instead",
                    )
