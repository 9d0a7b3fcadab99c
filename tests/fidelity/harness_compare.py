"""Fidelity harness: compare flux's build of one definition with fluxops's, and read the table
of documented deviations in docs/fidelity.md. D1 and D2 are normalisations applied before the
comparison (D2 in harness_cluster.py, on flux's output), never matched against a deviation.
"""

from __future__ import annotations

import base64
import copy
import fnmatch
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .harness_build import Build
from .harness_repo import FIDELITY_DOC


def identity(obj: dict[str, Any]) -> str:
    api = str(obj.get("apiVersion", ""))
    md = obj.get("metadata") or {}
    group = api.rpartition("/")[0] if "/" in api else ""
    return f"{group or 'core'}/{obj.get('kind')}/{md.get('namespace') or ''}/{md.get('name')}"


WITHHELD = "<withheld>"


def value_diff(
    a: Any, b: Any, path: str = "", secret: bool = False, withhold: bool = False
) -> Iterator[str]:
    """Paths where a (flux) and b (fluxops) differ; values are not shown under a Secret's
    data/stringData (house rule: secret values never reach output), nor any of flux's values
    with `withhold` (a build with Secret-sourced variables: a value derived from one, such as
    `${VAR:0:4}`, is not what the harness masked)."""

    def show(v: Any, flux: bool = False) -> str:
        if secret and path.split(".")[0] in ("data", "stringData"):
            return "<value>"
        return WITHHELD if flux and withhold else f"{v!r:.80}"

    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            sub = f"{path}.{k}" if path else str(k)
            if k not in a:
                yield f"{sub}: flux=<absent> fluxops={show(b[k])}"
            elif k not in b:
                hidden = f"{path}.{WITHHELD}" if path else WITHHELD
                yield f"{hidden if withhold else sub}: flux={show(a[k], True)} fluxops=<absent>"
            else:
                yield from value_diff(a[k], b[k], sub, secret, withhold)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from value_diff(x, y, f"{path}[{i}]", secret, withhold)
    elif a != b or type(a) is not type(b):
        yield f"{path}: flux={show(a, True)} fluxops={show(b)}"


#: Deviations the harness applies as normalisations (counted in the summary under these
#: names), never matched against a deviation: a difference they do not remove still fails.
D1 = "D1 Secret values masked by fluxops"
D2 = "D2 Secret-sourced variables masked by fluxops"
NORMALISATIONS = frozenset(n.split()[0] for n in (D1, D2))

SECRET_MASK = "**SECRET**"
SECRET_MASK_B64 = base64.b64encode(SECRET_MASK.encode()).decode()
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def is_secret(obj: dict[str, Any]) -> bool:
    return obj.get("apiVersion") == "v1" and obj.get("kind") == "Secret"


def unmask(flux_obj: dict[str, Any], ours: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Deviation D1 (docs/fidelity.md): fluxops prints every v1 Secret value masked, flux prints
    them. Where fluxops has the mask for a key that flux also has, take flux's value, so that
    the comparison still checks the keys and everything else. Returns (object, values unmasked)."""
    if not (is_secret(flux_obj) and is_secret(ours)):
        return ours, 0
    out = copy.deepcopy(ours)
    n = 0
    for field_, mask in (("data", SECRET_MASK_B64), ("stringData", SECRET_MASK)):
        mine, theirs = out.get(field_), flux_obj.get(field_)
        if isinstance(mine, dict) and isinstance(theirs, dict):
            for k, v in mine.items():
                if v == mask and k in theirs:
                    mine[k] = theirs[k]
                    n += 1
    mine_ann = (out.get("metadata") or {}).get("annotations") or {}
    theirs_ann = (flux_obj.get("metadata") or {}).get("annotations") or {}
    if mine_ann.get(LAST_APPLIED) == SECRET_MASK and LAST_APPLIED in theirs_ann:
        mine_ann[LAST_APPLIED] = theirs_ann[LAST_APPLIED]
        n += 1
    return out, n


@dataclass(frozen=True)
class Deviation:
    ks: str
    obj: str  # object identity, or "-" for the build as a whole
    text: str


def compare(
    flux: Build, ours: Build, ks: str, stats: Counter[str], withhold: bool = False
) -> list[Deviation]:
    """Deviations of fluxops's build from flux's. `withhold`: flux substituted variables from
    Secrets; its values, keys and the names of objects only it has are not shown."""
    if not flux.ok and not ours.ok:
        return []
    if not flux.ok:
        return [
            Deviation(ks, "-", f"flux fails, fluxops builds: {flux.error.splitlines()[-1][:300]}")
        ]
    if not ours.ok:
        return [Deviation(ks, "-", f"fluxops fails, flux builds: {ours.error[:300]}")]
    theirs: dict[str, list[dict[str, Any]]] = {}
    mine: dict[str, list[dict[str, Any]]] = {}
    for obj in flux.objects:
        theirs.setdefault(identity(obj), []).append(obj)
    for obj in ours.objects:
        mine.setdefault(identity(obj), []).append(obj)
    out = []
    for ident in sorted(set(theirs) | set(mine)):
        a, b = theirs.get(ident, []), mine.get(ident, [])
        if not b:
            group, kind = ident.split("/")[:2]
            shown = f"{group}/{kind}/{WITHHELD}/{WITHHELD}" if withhold else ident
            out.append(Deviation(ks, shown, "missing from fluxops's output"))
        elif not a:
            out.append(Deviation(ks, ident, "only in fluxops's output"))
        elif len(a) != len(b):
            out.append(Deviation(ks, ident, f"flux has {len(a)} copies, fluxops {len(b)}"))
        else:
            diffs = []
            for x, y in zip(a, b, strict=True):
                y, unmasked = unmask(x, y)
                stats[D1] += unmasked
                diffs += value_diff(x, y, secret=is_secret(x), withhold=withhold)
            if diffs:
                more = f"; ... (+{len(diffs) - 6})" if len(diffs) > 6 else ""
                out.append(Deviation(ks, ident, "differs: " + "; ".join(diffs[:6]) + more))
    return out


@dataclass(frozen=True)
class Entry:
    id: str
    status: str  # deliberate | bug
    repo: str
    ks: str
    obj: str
    what: str

    def matches(self, repo: str, dev: Deviation) -> bool:
        return (
            fnmatch.fnmatchcase(repo, self.repo)
            and fnmatch.fnmatchcase(dev.ks, self.ks)
            and fnmatch.fnmatchcase(dev.obj, self.obj)
        )


def documented_deviations() -> list[Entry]:
    """The table between the deviations markers in docs/fidelity.md."""
    text = FIDELITY_DOC.read_text() if FIDELITY_DOC.exists() else ""
    m = re.search(r"<!-- deviations:start -->(.*?)<!-- deviations:end -->", text, re.DOTALL)
    entries = []
    for line in (m.group(1) if m else "").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) < 6 or cells[0] in ("id", "") or set(cells[0]) <= set("-: "):
            continue
        entries.append(Entry(*cells[:5], what=" | ".join(cells[5:])))
        assert entries[-1].status in ("deliberate", "bug"), (
            f"docs/fidelity.md: bad status in {line}"
        )
    return entries
