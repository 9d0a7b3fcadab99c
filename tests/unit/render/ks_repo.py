"""A repository with a parent that renders Kustomizations (patched, with variables), for the
tests of the `--ks` caches (test_walk_cache.py, test_ks_result_cache.py); and how they build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fluxops import api
from fluxops.render.verb import BuildRequest

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, url: https://example.com/repo.git, ref: {branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec:
  interval: 10m
  path: ./clusters/prod
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""

#: The parent: substitutes a variable into its children and patches every child Kustomization.
APPS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
%(post_build)s
  patches:
    - target: {group: kustomize.toolkit.fluxcd.io, kind: Kustomization}
      patch: |
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: _}
        spec:
          targetNamespace: web
          commonMetadata:
            labels: {tier: "${TIER}"}
"""

CHILD = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: %(name)s, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps/%(name)s
  prune: true
  sourceRef: {kind: GitRepository, name: %(source)s}
%(extra)s"""

#: A source only the parent's render names (its name comes from the parent's variable).
MIRROR = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: "mirror-${TIER}", namespace: flux-system}
spec: {interval: 1m, url: https://example.com/repo.git, ref: {branch: main}}
"""


FS = "flux-system"


def write_repo(
    root: Path,
    *,
    tier: str = "gold",
    post_build: str = "",
    child_extra: str = "",
    prefix: str = "",
    mirror: bool = False,
) -> Path:
    """The repository at `root`; `prefix`: everything in that folder (the source root is not
    the repository root: resolving the source notes it); `mirror`: `web` syncs from a
    GitRepository only its parent's render names."""
    files = {
        "clusters/prod/flux-system/gotk-sync.yaml": SYNC,
        "clusters/prod/apps.yaml": APPS
        % {"post_build": post_build or f"    substitute: {{TIER: {tier}}}"},
        "apps/kustomization.yaml": (
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"resources: [web.yaml, db.yaml{', mirror.yaml' if mirror else ''}]\n"
            "generatorOptions: {disableNameSuffixHash: true}\n"
            "configMapGenerator:\n  - name: notes\n    namespace: flux-system\n"
            "    envs: [notes.env]\n"
        ),
        "apps/notes.env": "NOTE=not YAML, read by the parent's build\n",
        "apps/mirror.yaml": MIRROR,
        "apps/web.yaml": CHILD
        % {"name": "web", "extra": child_extra, "source": f"mirror-{tier}" if mirror else FS},
        "apps/db.yaml": CHILD % {"name": "db", "extra": "", "source": FS},
        "apps/web/cm.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {colour: blue}\n"
        ),
        "apps/db/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: db}\ndata: {a: b}\n",
    }
    for rel, text in files.items():
        path = root / prefix / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def use_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every cache of the run in a folder of the test's own (returned)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("FLUXOPS_CACHE_DIR", str(folder))
    return folder


class Names:
    """The progress display's record of each Kustomization built."""

    def __init__(self) -> None:
        self.built: list[str] = []

    def current(self, ref: str) -> None:
        self.built.append(ref)

    def __call__(self, done: int, total: int) -> None:
        pass


def build(root: Path, ref: str = "flux-system/web", **kwargs: Any) -> tuple[list[Any], list[str]]:
    names = Names()
    result = api.build(BuildRequest(path=str(root), ks=ref, progress=names, **kwargs))
    return outcome(result), names.built


def outcome(result: api.BuildResult) -> list[Any]:
    """Everything a `--ks` run says, but whether each output came from the build cache."""
    return [
        [
            (b.ref, b.cluster, b.parent, b.status, b.error, b.source, b.source_dir)
            for b in result.builds
        ],
        [[(o.raw, o.origin) for o in b.objects] for b in result.builds],
        [[(f.code, f.message, f.object) for f in b.findings] for b in result.builds],
        [(f.code, f.message) for f in result.findings],
        result.notes,
    ]


WALK = ["flux-system/flux-system", "flux-system/apps", "flux-system/web"]
