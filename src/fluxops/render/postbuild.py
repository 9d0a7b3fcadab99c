"""What kustomize-controller does to kustomize's output before applying it (build step 3-6):
check every object's apiVersion, kind and name; postBuild variable substitution per object
(on the object's YAML text, before parsing, as Flux does); owner labels; commonMetadata.

Each object's text is decoded as the controller decodes it (sigs.k8s.io/yaml, go-yaml v2
scalars: `fluxops.goyaml.load`), so `enabled: ${FLAG}` with `FLAG=y` is `true` and
`replicas: ${N}` with `N=1e1` is 10, as Flux applies them."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from fluxops.errors import BuildError, SubstitutionError
from fluxops.goyaml import load as go_load
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import Kustomization
from fluxops.model.resource import Origin, Resource
from fluxops.render import varsub
from fluxops.render.live_variables import VariableSource

OWNER_NAME = "kustomize.toolkit.fluxcd.io/name"
OWNER_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace"
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
#: Stand-ins for variables read from Secrets: valid in names, plain YAML scalars, obvious.
SECRET_MASK = "masked-secret"
SOPS_MASK = "masked-sops"

_DOC_SPLIT = re.compile(r"^---[ \t]*\n", re.MULTILINE)
_UNRESOLVED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:=\-+?#%/^,][^}]*)?\}")

#: (kind, namespace, name) -> the object, or None when it is not known.
Lookup = Callable[[str, str, str], dict[str, Any] | None]


class PostBuildError(BuildError):
    """The build fails at this step; the message is what Flux reports (BuildFailed)."""


@dataclass
class PostBuildOutcome:
    objects: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def split_documents(stream: str) -> list[str]:
    """kustomize's output stream, one YAML text per object (as the controller sees them)."""
    parts = _DOC_SPLIT.split(stream)
    return [p for p in parts if p.strip()]


def _decode_secret(obj: dict[str, Any]) -> tuple[dict[str, str], bool]:
    """A Secret's values as the API server would present them, and whether any is SOPS."""
    out: dict[str, str] = {}
    sops = "sops" in obj
    for key, value in (obj.get("data") or {}).items():
        try:
            out[str(key)] = base64.b64decode(str(value), validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            out[str(key)] = ""
    for key, value in (obj.get("stringData") or {}).items():
        out[str(key)] = str(value)
    if any("ENC[" in v for v in out.values()):
        sops = True
    return out, sops


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


@dataclass
class Variables:
    """The postBuild variables: `shown` has Secret values masked (what fluxops substitutes
    into its output); `real` has them as Flux sees them, used only to decide what Flux would
    decide (whether two objects become one) and never printed."""

    shown: dict[str, str]
    real: dict[str, str]
    findings: list[Finding]

    @property
    def has_secrets(self) -> bool:
        return self.shown != self.real


def load_variables(
    ks: Kustomization, lookup: Lookup, source: VariableSource | None = None
) -> Variables:
    """LoadVariables: substituteFrom in order (later wins), then inline substitute on top.
    `source` (drift): read them where the controller reads them, Secret values as tokens."""
    variables: dict[str, str] = {}
    real: dict[str, str] = {}
    findings: list[Finding] = []
    for ref in ks.substitute_from:
        kind = str(ref.get("kind", ""))
        name = str(ref.get("name", ""))
        optional = ref.get("optional") is True
        if source is not None:
            loaded = _load_for_drift(ks, kind, name, optional, lookup, source)
            if loaded is not None:
                variables.update(loaded)
                real.update(loaded)
            continue
        obj = lookup(kind, ks.namespace, name)
        if obj is None:
            if optional:
                continue
            raise _not_found(
                kind,
                name,
                "not defined in this repository nor rendered by "
                "another Kustomization; mark it optional or define it",
            )
        if kind == "Secret":
            values, sops = _decode_secret(obj)
            mask = SOPS_MASK if sops else SECRET_MASK
            for key, value in values.items():
                variables[key] = mask
                real[key] = mask if sops else value
            findings.append(
                Finding(
                    "FO007",
                    Severity.WARNING if sops else Severity.INFO,
                    (
                        f"variables from SOPS-encrypted Secret {ks.namespace}/{name} are "
                        f"substituted as {mask}: fluxops does not decrypt"
                        if sops
                        else f"variables from Secret {ks.namespace}/{name} are substituted as "
                        f"{mask}: fluxops never prints Secret values"
                    ),
                    object=f"Kustomization/{ks.namespace}/{ks.name}",
                )
            )
        else:
            for key, value in (obj.get("data") or {}).items():
                variables[str(key)] = real[str(key)] = _scalar(value)
    for key, value in ks.substitute.items():
        variables[str(key)] = real[str(key)] = _scalar(value)
    return Variables(
        shown={k: varsub.clean_value(v) for k, v in variables.items()},
        real={k: varsub.clean_value(v) for k, v in real.items()},
        findings=findings,
    )


def _not_found(kind: str, name: str, why: str) -> PostBuildError:
    plural = "configmaps" if kind == "ConfigMap" else "secrets"
    return PostBuildError(
        f"substitute from '{kind}/{name}' error: {plural} \"{name}\" not found ({why})"
    )


def _load_for_drift(
    ks: Kustomization,
    kind: str,
    name: str,
    optional: bool,
    lookup: Lookup,
    source: VariableSource,
) -> dict[str, str] | None:
    """One substituteFrom entry for drift. Cluster mode: the live object (a Secret's values
    as tokens that stand for them); when it cannot be read, the repo's copy gives the keys and
    every value is unknown. Snapshot mode: the repo's ConfigMap, the repo's Secret's keys with
    unknown values. None: an optional entry that does not exist."""
    where = f"{kind} {ks.namespace}/{name}"
    problem = "the snapshot holds no Secret values" if kind == "Secret" else ""
    if source.read is not None:
        live, problem = source.read(kind, ks.namespace, name)
        if live is not None:
            if kind == "Secret":
                values, _ = _decode_secret(dict(live))
                return {k: source.token(varsub.clean_value(v)) for k, v in values.items()}
            return {str(k): _scalar(v) for k, v in (live.get("data") or {}).items()}
        if not problem:
            if optional:
                return None
            raise _not_found(kind, name, "in the cluster: Flux fails this build")
    repo = lookup(kind, ks.namespace, name)
    if repo is None:
        if optional:
            return None
        raise _not_found(
            kind,
            name,
            f"cannot read it from the cluster ({problem}) and the repo does not define it"
            if problem
            else "not defined in this repository",
        )
    if kind == "Secret" or problem:
        keys = _decode_secret(repo)[0] if kind == "Secret" else (repo.get("data") or {})
        reason = f"{where}: {problem}" if problem else where
        return {str(k): source.token(None, reason) for k in keys}
    return {str(k): _scalar(v) for k, v in (repo.get("data") or {}).items()}


def _merge_meta(raw: dict[str, Any], field_name: str, values: dict[str, Any]) -> None:
    meta = raw.setdefault("metadata", {})
    current = meta.get(field_name)
    if not isinstance(current, dict):
        current = {}
    current.update({str(k): _scalar(v) for k, v in values.items()})
    meta[field_name] = current


def _check_real_identities(stream: str, real: dict[str, str], *, strict: bool) -> None:
    """With Secret variables masked, two objects can look alike (or different) where Flux,
    which substitutes the real values, sees otherwise. Substitute the real values (never kept,
    never printed) just to find objects that Flux would see as one: the controller then fails
    the build ("id matched 2 resources")."""
    seen: dict[tuple[str, str, str, str], str] = {}
    for text in split_documents(stream):
        if "$" not in text or _disabled_in_text(text):
            continue
        try:
            raw = go_load(
                varsub.substitute_resource_text(text, real, strict=strict, validate=False)
            )
        except (SubstitutionError, yaml.YAMLError):
            return  # the masked pass reports substitution errors, without Secret values
        if not isinstance(raw, dict):
            continue
        meta_value = raw.get("metadata")
        meta: dict[str, Any] = meta_value if isinstance(meta_value, dict) else {}
        key = (
            str(raw.get("apiVersion", "")).rpartition("/")[0],
            str(raw.get("kind")),
            str(meta.get("namespace") or ""),
            str(meta.get("name")),
        )
        hint = _identity_hint(text)
        if key in seen:
            raise PostBuildError(
                f"in Replace: id matched 2 resources: {seen[key]} and {hint} become the same "
                f"object once the Secret variables in their names are substituted (values not shown)"
            )
        seen[key] = hint


def _labels_annotations(raw: Any) -> tuple[dict[str, str], dict[str, str]]:
    meta = raw.get("metadata") if isinstance(raw, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    labels = meta.get("labels")
    annotations = meta.get("annotations")
    return (
        labels if isinstance(labels, dict) else {},
        annotations if isinstance(annotations, dict) else {},
    )


def _disabled_in_text(text: str) -> bool:
    return "kustomize.toolkit.fluxcd.io/substitute" in text


def _identity_hint(text: str) -> str:
    kind = re.search(r"^kind:\s*(\S+)", text, re.MULTILINE)
    name = re.search(r"^  name:\s*(\S+)", text, re.MULTILINE)
    return f"{kind.group(1) if kind else '?'}/{name.group(1) if name else '?'}"


def _parse(text: str) -> Any:
    try:
        return go_load(text)
    except yaml.YAMLError as exc:
        raise PostBuildError(
            f"{_identity_hint(text)}: envsubst error: YAMLToJSON: {exc} (a substituted value "
            f"made the YAML invalid; quote the ${{...}} expression or the value)"
        ) from None


def _check_identity(raw: Any, text: str) -> None:
    if not isinstance(raw, dict):
        raise PostBuildError("failed to decode Kubernetes apiVersion, kind and name: not an object")
    meta = raw.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    if not raw.get("apiVersion") or not raw.get("kind") or not meta.get("name"):
        first = text.strip().splitlines()[:3]
        raise PostBuildError(
            "failed to decode Kubernetes apiVersion, kind and name: "
            f"object starting {' / '.join(first)!r} lacks one of them"
        )


#: Keys whose values are schemas, not data: `${var:=default}` in a CRD's schema description
#: is text about substitution, not a variable left unresolved (CRDs, Crossplane XRDs).
_NOT_DATA = ("openAPIV3Schema",)


def _unresolved(raw: Any, path: str = "") -> list[tuple[str, str]]:
    """`${VAR}` forms left in one-line string values of data fields (multi-line text is
    scripts/config; schemas are documentation)."""
    out: list[tuple[str, str]] = []
    if isinstance(raw, dict):
        for k, v in raw.items():
            if k in _NOT_DATA:
                continue
            out.extend(_unresolved(v, f"{path}.{k}"))
    elif isinstance(raw, list):
        for i, v in enumerate(raw):
            out.extend(_unresolved(v, f"{path}[{i}]"))
    elif isinstance(raw, str) and "\n" not in raw:
        match = _UNRESOLVED.search(raw)
        if match:
            out.append((path.lstrip("."), match.group(0)))
    return out


def post_build(
    ks: Kustomization,
    stream: str,
    lookup: Lookup,
    *,
    strict: bool,
    owner_labels: bool,
    origin_of: Callable[[dict[str, Any], str | None], Origin | None],
    strip_origin: bool,
    variable_source: VariableSource | None = None,
) -> PostBuildOutcome:
    outcome = PostBuildOutcome()
    post = ks.post_build
    variables: dict[str, str] = {}
    substitute = False
    if post is not None:
        loaded = load_variables(ks, lookup, variable_source)
        variables = loaded.shown
        outcome.findings.extend(loaded.findings)
        if loaded.has_secrets:
            _check_real_identities(stream, loaded.real, strict=strict)
        try:
            varsub.check_variable_names(variables)
        except SubstitutionError as exc:
            raise PostBuildError(str(exc.message)) from None
        substitute = bool(variables) or ks.substitute_strategy == "Always"
    ks_ref = f"Kustomization/{ks.namespace}/{ks.name}"
    for text in split_documents(stream):
        raw: Any = None
        if substitute and not _disabled_in_text(text):
            try:
                text = varsub.substitute_resource_text(
                    text, variables, strict=strict, validate=False
                )
            except SubstitutionError as exc:
                head = _identity_hint(text)
                raise PostBuildError(f"{head}: {exc.message}") from None
        elif substitute:
            # The opt-out label/annotation may be present: parse to check it exactly.
            raw = _parse(text)
            if not varsub.is_substitution_disabled(*_labels_annotations(raw)):
                try:
                    text = varsub.substitute_resource_text(
                        text, variables, strict=strict, validate=False
                    )
                except SubstitutionError as exc:
                    raise PostBuildError(f"{_identity_hint(text)}: {exc.message}") from None
                raw = None
        if raw is None:
            raw = _parse(text)
        _check_identity(raw, text)
        assert isinstance(raw, dict)
        origin_text: str | None = None
        annotations = raw.get("metadata", {}).get("annotations")
        if isinstance(annotations, dict) and ORIGIN_ANNOTATION in annotations:
            origin_text = str(annotations[ORIGIN_ANNOTATION])
            if strip_origin:
                del annotations[ORIGIN_ANNOTATION]
                if not annotations:
                    del raw["metadata"]["annotations"]
        if owner_labels:
            _merge_meta(raw, "labels", {OWNER_NAME: ks.name, OWNER_NAMESPACE: ks.namespace})
        common = ks.common_metadata
        if common:
            if isinstance(common.get("labels"), dict) and common["labels"]:
                _merge_meta(raw, "labels", common["labels"])
            if isinstance(common.get("annotations"), dict) and common["annotations"]:
                _merge_meta(raw, "annotations", common["annotations"])
        resource = Resource(raw=raw, origin=origin_of(raw, origin_text))
        for path, expr in _unresolved(raw):
            outcome.findings.append(
                Finding(
                    "FO006",
                    Severity.WARNING,
                    f"{expr} is left unresolved in {resource.id.short()} at {path}"
                    + (
                        ""
                        if post is not None
                        else " (this Kustomization has no postBuild, so Flux applies it as is)"
                    ),
                    object=ks_ref,
                    file=resource.origin.file if resource.origin else None,
                    line=resource.origin.line if resource.origin else None,
                    path=path,
                )
            )
        outcome.objects.append(resource)
    return outcome
