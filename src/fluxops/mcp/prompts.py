"""The debug prompts: the order in which an agent should call the tools to find out why a Flux
Kustomization or HelmRelease is not reconciling, with the arguments each call needs. A step
starts with `explain`, the tool that says why one object is not Ready."""

from __future__ import annotations


def _steps(steps: list[tuple[str, str]]) -> str:
    return "\n".join(f"{i}. {text}" for i, (_tool, text) in enumerate(steps, 1))


def debug_kustomization(name: str, path: str, context: str | None) -> str:
    ctx = f', "context": "{context}"' if context else ""
    steps = [
        (
            "explain",
            f'Call `explain` with {{"object": "Kustomization/{name}"{ctx}}}: the chain that '
            "blocks it (dependsOn, its source and the source's own state), conditions, events, "
            "controller log lines, unhealthy inventory objects and the next command.",
        ),
        (
            "status",
            f'Call `status` with {{"namespace": "{name.split("/")[0]}"{ctx}}} and find '
            f"Kustomization {name}: its state, the reason and what it blocks. When it waits "
            "on a dependency or a source, repeat for that object first (root causes first).",
        ),
        (
            "build",
            f'Call `build` with {{"path": "{path}", "ks": "{name}"}}: does the repository '
            "render? A failed build here is the same failure kustomize-controller reports "
            "(missing file, bad patch, unresolved ${VAR}). Add `objects: true` to see the "
            "objects.",
        ),
        (
            "validate",
            f'Call `validate` with {{"path": "{path}", "ks": "{name}"}} when it builds but '
            "the apply fails (a schema or CEL error the API server would refuse).",
        ),
        (
            "drift",
            f'Call `drift` with {{"path": "{path}", "ks": "{name}"{ctx}}} when it is Ready '
            "but the cluster does not look like the repository (someone edited it by hand, or "
            "the revision Flux applied is not the one in the working tree).",
        ),
    ]
    return (
        f"Debug the Flux Kustomization {name} (repository: {path}). Use the fluxops tools; "
        "they only read, never change the cluster or the repository.\n\n"
        + _steps(steps)
        + "\n\nConclude with the cause, the evidence (tool output), and the change to make in "
        "the repository. Never suggest `kubectl edit` on an object Flux manages: fix the repo."
    )


def debug_helmrelease(name: str, path: str, context: str | None) -> str:
    ctx = f', "context": "{context}"' if context else ""
    namespace = name.split("/")[0]
    steps = [
        (
            "explain",
            f'Call `explain` with {{"object": "HelmRelease/{name}"{ctx}}}: its chart source and '
            "the source's state, conditions, history (failed installs and upgrades, with the "
            "Helm error), events and the controller's log lines.",
        ),
        (
            "status",
            f'Call `status` with {{"namespace": "{namespace}"{ctx}}} and find HelmRelease '
            f"{name}: the reason (InstallFailed, UpgradeFailed, ArtifactFailed, "
            "DependencyNotReady) and what it blocks.",
        ),
        (
            "list",
            f'Call `list` with {{"path": "{path}", "kind": "HelmRelease", "namespace": '
            f'"{namespace}"}}: which Flux Kustomization defines it, its chart, version and '
            "source.",
        ),
        (
            "build",
            f'Call `build` with {{"path": "{path}", "ks": "<the Kustomization from list>", '
            f'"objects": true, "kind": "HelmRelease", "namespace": "{namespace}"}}: the '
            "HelmRelease as Flux applies it (after substitution and patches).",
        ),
        (
            "values_diff",
            f'Call `values_diff` with {{"path": "{path}", "release": "{name}", "envs": '
            '["staging", "production"]} (your environments) when it works in one '
            "environment and not another.",
        ),
        (
            "drift",
            f'Call `drift` with {{"path": "{path}", "ks": "<the Kustomization>"{ctx}}} to see '
            "whether the live HelmRelease is the one in the repository.",
        ),
    ]
    return (
        f"Debug the Flux HelmRelease {name} (repository: {path}). Use the fluxops tools; they "
        "only read, never change the cluster or the repository.\n\n"
        + _steps(steps)
        + "\n\nConclude with the cause (chart source, values, dependency, or the Helm error), "
        "the evidence, and the change to make in the repository."
    )
