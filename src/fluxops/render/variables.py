"""postBuild variables as kustomize-controller loads them (LoadVariables): `substituteFrom`
ConfigMaps and Secrets in order, later ones winning, then the inline `substitute` on top.
Secret values are masked in what fluxops substitutes into its output (`masked-secret`,
`masked-sops`) and kept apart, never printed, to decide what Flux would decide."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fluxops.errors import BuildError
from fluxops.model.findings import Finding, Severity
from fluxops.model.flux import Kustomization
from fluxops.render import varsub
from fluxops.render.live_variables import VariableSource

SECRET_MASK = "masked-secret"
SOPS_MASK = "masked-sops"

#: (kind, namespace, name) -> the object, or None when it is not known.
Lookup = Callable[[str, str, str], dict[str, Any] | None]


class PostBuildError(BuildError):
    """The build fails at this step; the message is what Flux reports (BuildFailed)."""


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


def scalar_text(value: Any) -> str:
    """A value read from YAML as the text Flux uses: booleans `true`/`false`, null empty."""
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
                variables[str(key)] = real[str(key)] = scalar_text(value)
    for key, value in ks.substitute.items():
        variables[str(key)] = real[str(key)] = scalar_text(value)
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
    source.consulted += 1
    where = f"{kind} {ks.namespace}/{name}"
    problem = "the snapshot holds no Secret values" if kind == "Secret" else ""
    if source.read is not None:
        live, problem = source.read(kind, ks.namespace, name)
        if live is not None:
            if kind == "Secret":
                values, _ = _decode_secret(dict(live))
                return {k: source.token(varsub.clean_value(v)) for k, v in values.items()}
            return {str(k): scalar_text(v) for k, v in (live.get("data") or {}).items()}
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
    return {str(k): scalar_text(v) for k, v in (repo.get("data") or {}).items()}
