"""What kustomize-controller does to kustomize's output before applying it (build step 3-6):
check every object's apiVersion, kind and name; postBuild variable substitution per object
(on the object's YAML text, before parsing, as Flux does); owner labels; commonMetadata.

Each object's text is decoded as the controller decodes it (sigs.k8s.io/yaml, go-yaml v2
scalars: `fluxops.goyaml.load`), so `enabled: ${FLAG}` with `FLAG=y` is `true` and
`replicas: ${N}` with `N=1e1` is 10, as Flux applies them."""

from __future__ import annotations

import contextlib
import marshal
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from fluxops.errors import SubstitutionError
from fluxops.goyaml import load as go_load
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import Kustomization
from fluxops.model.resource import Origin, Resource
from fluxops.render import varsub
from fluxops.render.live_variables import VariableSource
from fluxops.render.variables import (
    SECRET_MASK,
    SOPS_MASK,
    Lookup,
    PostBuildError,
    Variables,
    load_variables,
    scalar_text,
)

if TYPE_CHECKING:
    from fluxops.loader.parsecache import ParseCache

OWNER_NAME = "kustomize.toolkit.fluxcd.io/name"
OWNER_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace"
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
#: Stand-ins for variables read from Secrets: valid in names, plain YAML scalars, obvious.

__all__ = [
    "SECRET_MASK",
    "SOPS_MASK",
    "Lookup",
    "PostBuildError",
    "PostBuildOutcome",
    "Variables",
    "load_variables",
    "post_build",
    "split_documents",
]

_DOC_SPLIT = re.compile(r"^---[ \t]*\n", re.MULTILINE)
_UNRESOLVED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:=\-+?#%/^,][^}]*)?\}")


@dataclass
class PostBuildOutcome:
    objects: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def split_documents(stream: str) -> list[str]:
    """kustomize's output stream, one YAML text per object (as the controller sees them)."""
    parts = _DOC_SPLIT.split(stream)
    return [p for p in parts if p.strip()]


def _merge_meta(raw: dict[str, Any], field_name: str, values: dict[str, Any]) -> None:
    meta = raw.setdefault("metadata", {})
    current = meta.get(field_name)
    if not isinstance(current, dict):
        current = {}
    current.update({str(k): scalar_text(v) for k, v in values.items()})
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


class _Documents:
    """Parses the documents of one kustomize output; through `cache`, a document whose text is
    the output's own (no variable changed it) is parsed once per output content, whatever the
    run. A stored value is handed out once (the caller changes it); a Secret is never stored."""

    def __init__(self, stream: str, cache: ParseCache | None) -> None:
        self.cache = cache
        self.data = stream.encode("utf-8") if cache is not None else b""
        stored = cache.get(self.data) if cache is not None else None
        self.hit = stored is not None
        self.stored: dict[int, dict[str, Any]] = {i: value for value, i, _ in stored or ()}
        self.fresh: dict[int, dict[str, Any]] = {}

    def parse(self, index: int, text: str, original: str) -> Any:
        if text != original:
            return _parse(text)
        value = self.stored.pop(index, None)
        if value is not None:
            return value
        raw = _parse(text)
        if self._storable(index, raw):
            with contextlib.suppress(ValueError):  # a value marshal cannot hold
                self.fresh[index] = marshal.loads(marshal.dumps(raw))
        return raw

    def _storable(self, index: int, raw: Any) -> bool:
        """A document parsed from the output's own text, on a miss, and not a Secret."""
        if self.cache is None or self.hit or index in self.fresh:
            return False
        return isinstance(raw, dict) and raw.get("kind") != "Secret"

    def store(self) -> None:
        """Store what this output parsed to (once every document parsed)."""
        if self.cache is not None and not self.hit and self.fresh:
            self.cache.put(self.data, [(value, i, 0) for i, value in self.fresh.items()])


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
    parsed: ParseCache | None = None,
) -> PostBuildOutcome:
    """`parsed`: a cache of parsed kustomize outputs (`loader.parsecache`)."""
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
    documents = _Documents(stream, parsed)
    for index, original in enumerate(split_documents(stream)):
        text = original
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
            raw = documents.parse(index, text, original)
            if not varsub.is_substitution_disabled(*_labels_annotations(raw)):
                try:
                    text = varsub.substitute_resource_text(
                        text, variables, strict=strict, validate=False
                    )
                except SubstitutionError as exc:
                    raise PostBuildError(f"{_identity_hint(text)}: {exc.message}") from None
                raw = None
        if raw is None:
            raw = documents.parse(index, text, original)
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
    documents.store()
    return outcome
