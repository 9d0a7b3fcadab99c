"""Fields of the desired objects that came from substituteFrom Secrets (and ConfigMaps that
could not be read): the render carries per-run tokens there (`fluxops.render.live_variables`).

`resolve` swaps each token for the value it stands for, as kustomize-controller substitutes
(the text, then YAML decoding: a field that is one token alone takes the value's YAML type),
and says which fields hold a Secret value (masked in every difference and diff) and which
depend on a value fluxops could not read (not compared: removed from both sides and from the
dry run, and said so). `scrub` is the last guard: any Secret value left in a finished verdict
is replaced by the mask.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from fluxops.drift.verdicts import (
    SECRET_MASK,
    SECRET_MASK_DESIRED,
    SECRET_MASK_LIVE,
    Difference,
    ObjectDrift,
)
from fluxops.goyaml import load as go_load
from fluxops.model.kube.scalars import ABSENT
from fluxops.render.live_variables import VariableSource

Obj = dict[str, Any]
#: Values shorter than this are masked only where a token put them (they are too common to
#: be replaced anywhere else without garbling the output).
_SCRUB_MIN = 4


@dataclass
class Resolved:
    raw: Obj
    #: RFC 6901 pointers of fields that hold (part of) a Secret value
    secret: list[str] = field(default_factory=list)
    #: pointer -> why the field is not compared (its value could not be read)
    not_compared: dict[str, str] = field(default_factory=dict)


def _escape(step: str | int) -> str:
    return str(step).replace("~", "~0").replace("/", "~1")


def _decode(value: str) -> Any:
    try:
        decoded = go_load(value) if value else ""
    except yaml.YAMLError:
        return value
    return decoded if isinstance(decoded, (str, int, float, bool)) else value


def resolve(raw: Obj, source: VariableSource | None) -> Resolved:
    """`raw` with the tokens swapped for their values (a copy when there are tokens)."""
    if source is None or source.prefix not in str(raw):
        return Resolved(raw)
    pattern = re.compile(re.escape(source.prefix) + r"-\d+")
    out = Resolved(copy.deepcopy(raw))

    def walk(node: Any, pointer: str) -> Any:
        if isinstance(node, dict):
            for key in list(node):
                node[key] = walk(node[key], f"{pointer}/{_escape(key)}")
            return node
        if isinstance(node, list):
            return [walk(item, f"{pointer}/{i}") for i, item in enumerate(node)]
        if not isinstance(node, str) or source.prefix not in node:
            return node
        tokens = pattern.findall(node)
        unknown = [t for t in tokens if source.values.get(t) is None]
        if unknown:
            reasons = sorted({source.reasons.get(t, "unknown") for t in unknown})
            out.not_compared[pointer] = "; ".join(reasons)
            return node
        out.secret.append(pointer)
        if len(tokens) == 1 and node == tokens[0]:
            return _decode(source.values[tokens[0]] or "")
        return pattern.sub(lambda m: source.values[m.group(0)] or "", node)

    out.raw = walk(out.raw, "")
    return out


def _under(pointer: str, roots: list[str]) -> bool:
    return any(pointer == r or pointer.startswith(r + "/") for r in roots)


def _set_mask(view: Obj | None, pointer: str, mask: str) -> None:
    if view is None:
        return
    steps = [s.replace("~1", "/").replace("~0", "~") for s in pointer.split("/")[1:]]
    node: Any = view
    for step in steps[:-1]:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return
    last = steps[-1] if steps else ""
    if isinstance(node, dict) and last in node:
        node[last] = mask
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = mask


def mask_fields(drift: ObjectDrift, resolved: Resolved) -> None:
    """Mask the fields that hold Secret values, on both sides (the live object holds the
    same value when in sync)."""
    if not resolved.secret:
        return
    masked = []
    for diff in drift.differences:
        if _under(diff.pointer, resolved.secret):
            diff = Difference(
                diff.path,
                diff.pointer,
                diff.op,
                ABSENT if diff.desired is ABSENT else SECRET_MASK_DESIRED,
                ABSENT if diff.live is ABSENT else SECRET_MASK_LIVE,
                secret=True,
            )
        masked.append(diff)
    drift.differences = masked
    changed = [d.pointer for d in masked if d.secret]
    for pointer in resolved.secret:
        differs = any(_under(c, [pointer]) or _under(pointer, [c]) for c in changed)
        _set_mask(drift.desired_view, pointer, SECRET_MASK_DESIRED if differs else SECRET_MASK)
        _set_mask(drift.live_view, pointer, SECRET_MASK_LIVE if differs else SECRET_MASK)


def scrub(drift: ObjectDrift, values: list[str]) -> None:
    """Replace any Secret value (long enough to be told apart) left anywhere in a verdict."""
    long = sorted({v for v in values if len(v) >= _SCRUB_MIN}, key=len, reverse=True)
    if not long:
        return

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            for secret in long:
                if secret in value:
                    value = value.replace(secret, SECRET_MASK)
            return value
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    drift.reason = clean(drift.reason)
    drift.notes = [clean(n) for n in drift.notes]
    for diff in drift.differences:
        diff.desired, diff.live, diff.path = clean(diff.desired), clean(diff.live), clean(diff.path)
    drift.desired_view = clean(drift.desired_view)
    drift.live_view = clean(drift.live_view)


def dotted(pointer: str) -> str:
    """An RFC 6901 pointer as a path like `spec.containers[0].image`."""
    steps = [s.replace("~1", "/").replace("~0", "~") for s in pointer.split("/")[1:]]
    return ".".join(f"[{s}]" if s.isdigit() else s for s in steps).replace(".[", "[")
