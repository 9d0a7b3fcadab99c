"""The recommended Flux repository layout (as in fluxcd/flux2-kustomize-helm-example): per
cluster, two Flux Kustomizations (`infrastructure`, then `apps` which dependsOn it) reading the
flux-system GitRepository that `flux bootstrap` creates; per environment, kustomize overlays
over a shared base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fluxops.goyaml import dump

KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
FLUX_KUSTOMIZE_API = "kustomize.toolkit.fluxcd.io/v1"


@dataclass(frozen=True)
class Layout:
    """`cluster`: the cluster's folder name under clusters/; `env`: the environment it runs
    (its overlays); `envs`: every environment to create overlays for; intervals as Go
    durations."""

    cluster: str
    env: str
    envs: tuple[str, ...]
    infrastructure_interval: str = "1h"
    apps_interval: str = "10m"
    retry_interval: str = "2m"
    timeout: str = "5m"


def _flux_kustomization(
    name: str, path: str, interval: str, layout: Layout, **extra: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "interval": interval,
        "retryInterval": layout.retry_interval,
        "timeout": layout.timeout,
        "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        "path": path,
        "prune": True,
        "wait": True,
    }
    spec.update(extra)
    return {
        "apiVersion": FLUX_KUSTOMIZE_API,
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": spec,
    }


def _overlay(resources: list[str]) -> dict[str, Any]:
    return {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", "resources": resources}


def _base() -> dict[str, Any]:
    # an empty base builds (kustomize accepts `resources: []`); add folders as you go
    return _overlay([])


def files(layout: Layout) -> dict[str, str]:
    """Path (inside the repository) -> text, in a stable order."""
    cluster_dir = f"clusters/{layout.cluster}"
    head = "# Scaffolded by `fluxops init`; edit freely (init never overwrites a file).\n"
    out: dict[str, str] = {
        f"{cluster_dir}/infrastructure.yaml": head
        + dump(
            _flux_kustomization(
                "infrastructure",
                f"./infrastructure/{layout.env}",
                layout.infrastructure_interval,
                layout,
            )
        ),
        f"{cluster_dir}/apps.yaml": head
        + dump(
            _flux_kustomization(
                "apps",
                f"./apps/{layout.env}",
                layout.apps_interval,
                layout,
                dependsOn=[{"name": "infrastructure"}],
            )
        ),
        "infrastructure/base/kustomization.yaml": head + dump(_base()),
        "apps/base/kustomization.yaml": head + dump(_base()),
    }
    for env in layout.envs:
        out[f"infrastructure/{env}/kustomization.yaml"] = head + dump(_overlay(["../base"]))
        out[f"apps/{env}/kustomization.yaml"] = head + dump(_overlay(["../base"]))
    return out


def bootstrap_command(layout: Layout) -> str:
    """The `flux bootstrap` command that makes the cluster reconcile this layout."""
    return (
        "flux bootstrap git --url=ssh://git@github.com/OWNER/REPOSITORY --branch=main "
        f"--path=clusters/{layout.cluster}"
    )
