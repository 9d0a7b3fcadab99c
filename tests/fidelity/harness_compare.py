"""Fidelity harness: compare flux's build of one definition with fluxops's, and read the tables
of docs/fidelity.md (documented deviations, and the per-repo counts the tests hold as lower
bounds). D1 and D2 are normalisations applied before the comparison (D2 in harness_cluster.py,
on flux's output), never matched against a deviation.

Both builds arrive decoded by Go (JSON values): a scalar's type is part of its value.
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
        if secret and (path.split(".")[0] in ("data", "stringData") or LAST_APPLIED in path):
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


def printed_secret_values(ours: dict[str, Any]) -> list[str]:
    """Paths of a v1 Secret as fluxops printed it that hold anything but the mask."""
    out = []
    for field_, mask in (("data", SECRET_MASK_B64), ("stringData", SECRET_MASK)):
        values = ours.get(field_)
        if isinstance(values, dict):
            out += [f"{field_}.{k}" for k, v in values.items() if v != mask]
    annotations = (ours.get("metadata") or {}).get("annotations") or {}
    if annotations.get(LAST_APPLIED, SECRET_MASK) != SECRET_MASK:
        out.append(f"metadata.annotations.{LAST_APPLIED}")
    return out


def reveal(ours: dict[str, Any], real: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Deviation D1 (docs/fidelity.md): fluxops prints every v1 Secret value masked. Its library,
    called in the test process, returns the real values (only its renderers mask), so each mask
    is replaced by the in-process value of the same key: flux's values are then compared with
    what fluxops computed, and nothing unmasked ever leaves the test process (messages show
    `<value>` for them). Returns (object, masks replaced)."""
    out = copy.deepcopy(ours)
    n = 0
    for field_, mask in (("data", SECRET_MASK_B64), ("stringData", SECRET_MASK)):
        mine, values = out.get(field_), real.get(field_)
        if isinstance(mine, dict) and isinstance(values, dict):
            for k, v in mine.items():
                if v == mask and k in values:
                    mine[k] = values[k]
                    n += 1
    mine_ann = (out.get("metadata") or {}).get("annotations") or {}
    real_ann = (real.get("metadata") or {}).get("annotations") or {}
    if mine_ann.get(LAST_APPLIED) == SECRET_MASK and LAST_APPLIED in real_ann:
        mine_ann[LAST_APPLIED] = real_ann[LAST_APPLIED]
        n += 1
    return out, n


#: What a failed build failed on, from either tool's message (the first pattern that matches).
#: Two failed builds are equal only when they fail on the same kind; `unclassified` never is.
FAILURE_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("duplicate identity", r"id matched \d+ resources|already registered id"),
        ("substitution", r"substitution failed|envsubst error|variable not set|substitute from"),
        # before `missing file`: the controller says "kustomization path not found: stat ...:
        # no such file or directory", the flux CLI `invalid resource path "..."`
        (
            "source path",
            r"kustomization path not found|invalid resource path|cannot get local path",
        ),
        ("missing file", r"no such file or directory|evalsymlink failure|must resolve to a file"),
        ("object decode", r"YAMLToJSON|failed to decode|cannot unmarshal|does not decode"),
        ("kustomize", r"accumulating resources|invalid kustomization|kustomize build failed"),
        ("timeout", r"timed out|context deadline exceeded"),
    )
)
UNCLASSIFIED = "unclassified"


def failure_kind(error: str) -> str:
    for kind, pattern in FAILURE_KINDS:
        if pattern.search(error):
            return kind
    return UNCLASSIFIED


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else text


@dataclass(frozen=True)
class Deviation:
    ks: str
    obj: str  # object identity, or "-" for the build as a whole
    text: str


#: The objects of fluxops's in-process build (its library, called in the test process, not its
#: CLI): identity -> objects, for the Secret values the CLI masks. None: not available.
RawObjects = dict[str, list[dict[str, Any]]]


def compare(
    flux: Build,
    ours: Build,
    ks: str,
    stats: Counter[str],
    withhold: bool = False,
    raw: RawObjects | None = None,
) -> list[Deviation]:
    """Deviations of fluxops's build from flux's. `withhold`: flux substituted variables from
    Secrets; its values, keys and the names of objects only it has are not shown. `raw`: the
    in-process build, whose Secret values stand in for the CLI's masks (see `reveal`)."""
    if not flux.ok and not ours.ok:
        flux_kind, our_kind = failure_kind(flux.error), failure_kind(ours.error)
        if flux_kind == our_kind and flux_kind != UNCLASSIFIED:
            return []
        return [
            Deviation(
                ks,
                "-",
                f"both fail, on different kinds: flux ({flux_kind}): "
                f"{_last_line(flux.error)[:200]}; fluxops ({our_kind}): "
                f"{_last_line(ours.error)[:200]}",
            )
        ]
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
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                if is_secret(y):
                    leaked = printed_secret_values(y)
                    if leaked:  # the house rule, not a deviation to document
                        raise AssertionError(f"fluxops printed Secret values of {ident}: {leaked}")
                    real = (raw or {}).get(ident, [])
                    if len(real) != len(b):
                        diffs.append("Secret values: the in-process build has no such Secret")
                    else:
                        y, revealed = reveal(y, real[i])
                        stats[D1] += revealed
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
        # the last column may hold `|` itself: it takes every cell from the sixth on
        id_, status, repo, ks, obj = cells[:5]
        entries.append(Entry(id_, status, repo, ks, obj, what=" | ".join(cells[5:])))
        assert entries[-1].status in ("deliberate", "bug"), (
            f"docs/fidelity.md: bad status in {line}"
        )
    return entries


@dataclass(frozen=True)
class Counts:
    compared: int
    equal: int
    deviating: int
    not_compared: int


def documented_counts(level: str) -> dict[str, Counts]:
    """The per-repo results table of docs/fidelity.md for `level` (`kustomizations` or
    `whole-repo`), between its markers: the tests hold each repo to at least these counts."""
    text = FIDELITY_DOC.read_text() if FIDELITY_DOC.exists() else ""
    m = re.search(
        rf"<!-- results:{level}:start -->(.*?)<!-- results:{level}:end -->", text, re.DOTALL
    )
    out = {}
    for line in (m.group(1) if m else "").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or not cells[1].isdigit():
            continue
        out[cells[0]] = Counts(*(int(c) for c in cells[1:5]))
    return out


def check_lower_bounds(level: str, repo: str, compared: int, equal: int) -> list[str]:
    """Problems with a repo's counts against the documented table (empty: fine)."""
    row = documented_counts(level).get(repo)
    if row is None:
        return [f"docs/fidelity.md has no {level} row for {repo}: add its counts"]
    problems = []
    if row.compared <= 0:
        problems.append(f"docs/fidelity.md's {level} row for {repo} has no compared definitions")
    if compared < row.compared:
        problems.append(f"{level}: {compared} compared, docs/fidelity.md says {row.compared}")
    if equal < row.equal:
        problems.append(f"{level}: {equal} equal, docs/fidelity.md says {row.equal}")
    return problems
