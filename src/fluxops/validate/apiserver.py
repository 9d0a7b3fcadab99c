"""Checks the API server makes in Go code, outside any schema, for the built-in kinds Flux
applies most (k8s.io/kubernetes pkg/apis/*/validation): a workload selector that does not
select its own pod template, pod templates whose restartPolicy the controller cannot run, a Job
selector the server generates itself, HPA replica bounds, a PodDisruptionBudget with both
bounds; and built-in API versions that are beta or alpha (off by default since Kubernetes 1.24,
served only when the cluster enables them).

Each check reads only the object: what the server decides from other objects (an immutable
field changed since the last apply) cannot be checked offline.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fluxops.validate.messages import SchemaProblem

WORKLOADS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"})
JOB_RESTART = ("OnFailure", "Never")


def _labels(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _templated(value: Any) -> bool:
    return "${" in str(value)


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool | None:
    """metav1.LabelSelector semantics; None when it cannot be decided (a placeholder)."""
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict):
        return None
    for key, value in match_labels.items():
        if _templated(key) or _templated(value):
            return None
        if labels.get(str(key)) != str(value):
            return False
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        return None
    for expr in expressions:
        if not isinstance(expr, dict):
            return None
        key = str(expr.get("key", ""))
        op = expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        if _templated(key) or any(_templated(v) for v in values):
            return None
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def _empty_selector(selector: Mapping[str, Any]) -> bool:
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def _workload(kind: str, spec: Mapping[str, Any]) -> Iterator[SchemaProblem]:
    selector = spec.get("selector")
    template = spec.get("template")
    if not isinstance(selector, dict) or not isinstance(template, dict):
        return  # the schema reports a missing selector or template
    labels = _labels((template.get("metadata") or {}).get("labels"))
    if _empty_selector(selector):
        yield SchemaProblem(
            ("spec", "selector"),
            "apiserver",
            f"empty selector is invalid for a {kind}: it would select every pod",
        )
    elif selector_matches(selector, labels) is False:
        yield SchemaProblem(
            ("spec", "template", "metadata", "labels"),
            "apiserver",
            "`selector` does not match template `labels`: the API server rejects the "
            f"{kind} (selector {_show(selector)}, labels {labels or '{}'})",
        )
    policy = ((template.get("spec") or {}) if isinstance(template.get("spec"), dict) else {}).get(
        "restartPolicy"
    )
    if isinstance(policy, str) and policy != "Always" and not _templated(policy):
        yield SchemaProblem(
            ("spec", "template", "spec", "restartPolicy"),
            "apiserver",
            f'restartPolicy "{policy}" is not supported in a {kind} pod template: only "Always"',
        )


def _job(spec: Mapping[str, Any], prefix: tuple[str, ...]) -> Iterator[SchemaProblem]:
    template = spec.get("template")
    if not isinstance(template, dict):
        return
    found = template.get("spec")
    pod: dict[str, Any] = found if isinstance(found, dict) else {}
    policy = pod.get("restartPolicy", "Always")
    if isinstance(policy, str) and policy not in JOB_RESTART and not _templated(policy):
        yield SchemaProblem(
            (*prefix, "template", "spec", "restartPolicy"),
            "apiserver",
            f'restartPolicy "{policy}" is not supported in a Job pod template '
            + ("(the default when unset is Always)" if "restartPolicy" not in pod else "")
            + ': use "OnFailure" or "Never"',
        )
    if isinstance(spec.get("selector"), dict) and spec.get("manualSelector") is not True:
        yield SchemaProblem(
            (*prefix, "selector"),
            "apiserver",
            "`selector` will be auto-generated: the API server rejects a Job selector unless "
            "manualSelector is true",
        )


def _hpa(spec: Mapping[str, Any]) -> Iterator[SchemaProblem]:
    low = spec.get("minReplicas", 1)
    high = spec.get("maxReplicas")
    if isinstance(low, int) and not isinstance(low, bool):
        if low == 0:
            yield SchemaProblem(
                ("spec", "minReplicas"),
                "apiserver-feature-gate",
                "minReplicas 0 is accepted only when the cluster enables the HPAScaleToZero "
                "feature gate (alpha, off by default) and the HPA has an Object or External "
                "metric",
            )
        elif low < 0:
            yield SchemaProblem(
                ("spec", "minReplicas"), "apiserver", "minReplicas must be greater than 0"
            )
    if isinstance(high, int) and not isinstance(high, bool):
        if high < 1:
            yield SchemaProblem(
                ("spec", "maxReplicas"), "apiserver", "maxReplicas must be greater than 0"
            )
        elif isinstance(low, int) and not isinstance(low, bool) and high < low:
            yield SchemaProblem(
                ("spec", "maxReplicas"),
                "apiserver",
                f"maxReplicas ({high}) must be greater than or equal to minReplicas ({low})",
            )


def _pdb(spec: Mapping[str, Any]) -> Iterator[SchemaProblem]:
    if "minAvailable" in spec and "maxUnavailable" in spec:
        yield SchemaProblem(
            ("spec",),
            "apiserver",
            "minAvailable and maxUnavailable cannot both be set",
        )


def _show(selector: Mapping[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        if isinstance(expr, dict):
            parts.append(f"{expr.get('key')} {expr.get('operator')} {expr.get('values') or ''}")
    return "{" + ", ".join(parts) + "}"


def check_builtin(api_version: str, kind: str, raw: Mapping[str, Any]) -> list[SchemaProblem]:
    """The Go-coded checks of the API server for `raw` (a built-in kind)."""
    spec = raw.get("spec")
    if not isinstance(spec, dict):
        return []
    if api_version == "apps/v1" and kind in WORKLOADS:
        return list(_workload(kind, spec))
    if api_version == "batch/v1" and kind == "Job":
        return list(_job(spec, ("spec",)))
    if api_version == "batch/v1" and kind == "CronJob":
        job = (spec.get("jobTemplate") or {}).get("spec")
        return list(_job(job, ("spec", "jobTemplate", "spec"))) if isinstance(job, dict) else []
    if api_version.startswith("autoscaling/") and kind == "HorizontalPodAutoscaler":
        return list(_hpa(spec))
    if api_version == "policy/v1" and kind == "PodDisruptionBudget":
        return list(_pdb(spec))
    return []


def off_by_default(api_version: str) -> bool:
    """A built-in alpha or beta API version: since Kubernetes 1.24 new beta APIs are off by
    default, and every remaining built-in beta or alpha version is one of them."""
    version = api_version.rpartition("/")[2]
    return "alpha" in version or "beta" in version
