"""An overlay should patch what its base declares, not declare it again.

Two forms of the same mistake: an overlay lists a file under `resources:` that declares an object
its base already declares (kustomize refuses the build with `may not add resource with an already
registered id`, or, when the namespace differs, applies two copies), and a strategic-merge patch
that repeats most of the base object unchanged (a copy, so later changes to the base are silently
overridden). The copy threshold is an option:
`lint.options.kustomize-duplicate-resource: {copy_ratio: 0.8, min_fields: 8}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from fluxops.lint.context import LintContext
from fluxops.lint.kustomize import base_dirs, objects_of, own_files, patches
from fluxops.lint.rule import Rule
from fluxops.model.findings import Finding, Severity

_DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
          resources:
            requests: {{cpu: 10m, memory: 64Mi}}
            limits: {{memory: 128Mi}}
"""
_BASE = {
    "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "base/deployment.yaml": _DEPLOY.format(replicas=1),
}


def leaves(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    if isinstance(value, dict):
        out: dict[tuple[Any, ...], Any] = {}
        for key, sub in value.items():
            out.update(leaves(sub, (*path, key)))
        return out
    if isinstance(value, list):
        out = {}
        for index, sub in enumerate(value):
            out.update(leaves(sub, (*path, index)))
        return out
    return {path: value}


class KustomizeDuplicateResource(Rule):
    id = "kustomize-duplicate-resource"
    severity = Severity.WARNING
    summary = "Overlay re-declares a resource of its base (a copy instead of a patch)"
    defaults: ClassVar[dict[str, Any]] = {"copy_ratio": 0.8, "min_fields": 8}
    passing: ClassVar[dict[str, str]] = {
        **_BASE,
        "prod/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - path: replicas.yaml\n",
        "prod/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
    }
    failing: ClassVar[dict[str, str]] = {
        **_BASE,
        "prod/kustomization.yaml": "resources:\n  - ../base\npatches:\n  - path: deployment.yaml\n",
        "prod/deployment.yaml": _DEPLOY.format(replicas=3),
    }

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        ratio = float(self.option(ctx, "copy_ratio"))
        minimum = int(self.option(ctx, "min_fields"))
        for kfile in ctx.kustomize_files.values():
            bases = base_dirs(ctx, kfile)
            if not bases:
                continue
            in_base: dict[tuple[str, str], Any] = {}
            for base in bases:
                for obj in objects_of(ctx, base):
                    in_base.setdefault((obj.kind, obj.name), obj)
            if not in_base:
                continue
            for rel in own_files(ctx, kfile):
                for obj in ctx.resources_in_file(rel):
                    base_obj = in_base.get((obj.kind, obj.name))
                    if base_obj is None:
                        continue
                    where = base_obj.origin.file if base_obj.origin else "the base"
                    yield self.finding(
                        f"{obj.id.short()} is declared again by this overlay; its base already "
                        f"declares it in {where}",
                        resource=obj,
                        hint="remove this copy and patch the fields that differ (`patches:`)",
                    )
            for patch in patches(ctx, kfile):
                if patch.style != "strategic-merge":
                    continue
                for doc in patch.docs:
                    if not isinstance(doc, dict):
                        continue
                    meta = doc.get("metadata")
                    meta = meta if isinstance(meta, dict) else {}
                    base_obj = in_base.get((str(doc.get("kind")), str(meta.get("name"))))
                    if base_obj is None:
                        continue
                    mine = {
                        k: v
                        for k, v in leaves(doc).items()
                        if k[:1] not in (("apiVersion",), ("kind",), ("metadata",))
                    }
                    theirs = leaves(base_obj.raw)
                    same = sum(1 for k, v in mine.items() if k in theirs and theirs[k] == v)
                    if len(mine) >= minimum and same >= ratio * len(mine):
                        yield self.finding(
                            f"patch of {base_obj.id.short()} repeats {same} of its {len(mine)} "
                            "fields unchanged from the base: it is a copy, and it will silently "
                            "undo later changes to the base",
                            file=patch.file,
                            line=patch.line,
                            hint="keep only the fields this overlay changes",
                        )
