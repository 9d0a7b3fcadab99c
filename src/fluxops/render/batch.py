"""Many prepared builds in one kustomize run, the output split back per build.

kustomize's process floor (start, load, schemas) is most of a small build's cost. A batch is a
generated parent kustomization in its own folder of the workspace:

    batch/kustomization.yaml     resources: [m0, m1, ...]; buildMetadata: [originAnnotations]
    batch/m0/kustomization.yaml  resources: [<relative path to member 0's build folder>]
                                 transformers: an AnnotationsTransformer writing the marker
                                 `fluxops.io/batch-<nonce>: m0` on metadata.annotations only

Each member's build folder keeps its own transformers, which kustomize applies to its own
resources only; the wrapper marks each object with its member. kustomize orders the whole
output with one stable total order, so each member's objects keep the order of its own build.
The split (text, line by line, on kustomize's fixed output form) removes the marker line and
rewrites the origin annotation's paths (kustomize writes them relative to the top folder) to be
relative to the member's folder, as its own build writes them: a member's stream is byte for
byte its own build's (tests/unit/render/test_batch.py and the corpus check compare them).

The nonce is random per batch, so a repository cannot forge a marker. When anything does not
fit the expected form, the split gives up and the caller builds the group one by one
(render/batchsafe.py says which builds may share a run).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fluxops.goyaml import dump, is_ambiguous
from fluxops.render.batchsafe import Traits, plan
from fluxops.render.engine import Engine, EngineTimeout, KustomizeFailure
from fluxops.render.sandbox import Sandbox
from fluxops.render.stage import Prepared, StageOutput, Stager

MARKER_PREFIX = "fluxops.io/batch-"
NAME_PREFIX = "fxb"
ORIGIN_LINE = "    config.kubernetes.io/origin: |\n"
_PATH_KEYS = ("      path: ", "      configuredIn: ")
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_./-]*")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9$](?:[A-Za-z0-9_.:/${}=+@%~-]*[A-Za-z0-9_./${}=+@%~-])?")


@dataclass(frozen=True)
class Member:
    """One build of a batch: its build folder and its traits."""

    folder: Path
    traits: Traits


def write_batch(folder: Path, members: list[Member], nonce: str) -> None:
    """Write the parent kustomization and one wrapper per member into the empty `folder`."""
    key = MARKER_PREFIX + nonce
    names = []
    for index, member in enumerate(members):
        name = f"m{index}"
        wrapper = folder / name
        wrapper.mkdir()
        transformer = dump(
            {
                "apiVersion": "builtin",
                "kind": "AnnotationsTransformer",
                "metadata": {"name": f"fluxops-batch-{name}"},
                "annotations": {key: name},
                "fieldSpecs": [{"path": "metadata/annotations", "create": True}],
            }
        )
        prefixer = dump(
            {
                "apiVersion": "builtin",
                "kind": "PrefixSuffixTransformer",
                "metadata": {"name": f"fluxops-batch-prefix-{name}"},
                "prefix": f"{NAME_PREFIX}{nonce}{name}-",
                "fieldSpecs": [{"path": "metadata/name"}],
            }
        )
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [os.path.relpath(member.folder, wrapper)],
            "transformers": [transformer, prefixer],
        }
        (wrapper / "kustomization.yaml").write_text(dump(kustomization), encoding="utf-8")
        names.append(name)
    parent = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": names,
        "buildMetadata": ["originAnnotations"],
    }
    (folder / "kustomization.yaml").write_text(dump(parent), encoding="utf-8")


def documents(stream: str) -> list[str]:
    """kustomize's output split into documents (each ends with a newline): separators are
    `---` lines at column 0, which no value can produce in its output form."""
    if not stream:
        return []
    docs: list[str] = []
    current: list[str] = []
    for line in stream.splitlines(keepends=True):
        if line == "---\n":
            docs.append("".join(current))
            current = []
        else:
            current.append(line)
    docs.append("".join(current))
    return docs


def _annotations(lines: list[str]) -> tuple[int, int, bool] | None:
    """The lines of metadata.annotations (start, end) and whether metadata has a namespace."""
    in_meta = False
    span: tuple[int, int] | None = None
    namespaced = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith(" "):
            in_meta = line == "metadata:\n"
        elif in_meta and line.startswith("  namespace: "):
            namespaced = True
        elif in_meta and line == "  annotations:\n" and span is None:
            end = index + 1
            while end < len(lines) and lines[end].startswith("   "):
                end += 1
            span = (index + 1, end)
            index = end
            continue
        index += 1
    return None if span is None else (span[0], span[1], namespaced)


def _rebase(value: str, top: Path, folder: Path) -> str | None:
    if not _PLAIN_PATH.fullmatch(value):
        return None
    rebased = os.path.relpath(os.path.normpath(top / value), folder).replace(os.sep, "/")
    if not _PLAIN_PATH.fullmatch(rebased) or is_ambiguous(rebased):
        return None
    return rebased


def split(stream: str, nonce: str, top: Path, members: list[Member]) -> list[str] | None:
    """Each member's own stream, or None when the output does not have the expected form (a
    document without exactly one marker and one origin annotation, a path that would need
    quoting) or a member that renames objects rendered a cluster-scoped one."""
    key_prefix = f"    {MARKER_PREFIX}{nonce}: m"
    prefixes = re.compile(f"{NAME_PREFIX}{nonce}m[0-9]+-")
    out: list[list[str]] = [[] for _ in members]
    for doc in documents(stream):
        lines = doc.splitlines(keepends=True)
        found = _annotations(lines)
        if found is None:
            return None
        start, end, namespaced = found
        member: int | None = None
        origin_at: int | None = None
        for index in range(start, end):
            line = lines[index]
            if line.startswith(key_prefix):
                number = line[len(key_prefix) : -1]
                if member is not None or not number.isdigit() or int(number) >= len(members):
                    return None
                member = int(number)
                lines[index] = ""
            elif line == ORIGIN_LINE:
                if origin_at is not None:
                    return None
                origin_at = index
        if member is None or origin_at is None:
            return None
        traits = members[member].traits
        if not namespaced and traits.renames_any:
            return None  # a renamed cluster-scoped object: any member could refer to it
        index = origin_at + 1
        while index < end and lines[index].startswith("      "):
            line = lines[index]
            for prefix in _PATH_KEYS:
                if line.startswith(prefix):
                    rebased = _rebase(line[len(prefix) : -1], top, members[member].folder)
                    if rebased is None:
                        return None
                    lines[index] = f"{prefix}{rebased}\n"
            index += 1
        text = _unprefix("".join(lines), prefixes)
        if text is None:
            return None
        out[member].append(text)
    return ["---\n".join(docs) for docs in out]


def _unprefix(text: str, prefixes: re.Pattern[str]) -> str | None:
    """`text` without the batch's name prefixes (on names and the references kustomize made
    follow them), or None when one is not at the start of a plain value that stays plain."""
    pieces: list[str] = []
    last = 0
    for match in prefixes.finditer(text):
        start, end = match.span()
        if text[max(0, start - 2) : start] not in (": ", "- "):
            return None
        line_end = text.find("\n", end)
        value = text[end : line_end if line_end >= 0 else len(text)]
        if not _PLAIN_NAME.fullmatch(value) or is_ambiguous(value):
            return None
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def build_batch(
    engine: Engine, sandbox: Sandbox, folder: Path, members: list[Member]
) -> list[str] | EngineTimeout | None:
    """Build `members` in one run from the empty `folder`: each member's stream; None when
    the batch failed or cannot be split (halve it); the timeout when it ran out of time (build
    each on its own, in parallel: halving would wait the timeout again at every level)."""
    import secrets

    nonce = secrets.token_hex(8)
    write_batch(folder, members, nonce)
    try:
        stream = engine.build(folder, sandbox)
    except EngineTimeout as exc:
        return exc
    except KustomizeFailure:
        return None
    return split(stream, nonce, folder, members)


def build_prepared(
    stager: Stager,
    items: list[Prepared],
    *,
    workers: int,
    batching: bool,
    on_done: Callable[[int], None] | None = None,
) -> list[StageOutput]:
    """Finish the prepared builds of a wave: final ones as they are, batchable ones in groups
    (render/batchsafe.py), the others one by one; `workers` runs at a time. `on_done(i)` is
    called as each item's output becomes final."""
    done = on_done or (lambda index: None)
    pending = [
        i for i, item in enumerate(items) if item.folder is not None and item.elsewhere is None
    ]
    # built by another renderer (diff's other side): waited for once this wave's own builds
    # are done, so that two renderers never wait on each other
    elsewhere = [
        i for i, item in enumerate(items) if item.folder is not None and item.elsewhere is not None
    ]
    for i, item in enumerate(items):
        if item.folder is None:
            done(i)
    batchable = [i for i in pending if batching and not items[i].traits.alone]
    groups = plan(batchable, {k: items[i].traits for k, i in enumerate(batchable)}, workers)
    in_groups = {i for group in groups if len(group) > 1 for i in group}
    singles = [i for i in pending if i not in in_groups]

    def run_group(group: list[int]) -> None:
        if len(group) == 1:
            run_single(group[0])
            return
        members = [Member(_folder(items[i]), items[i].traits) for i in group]
        folder = stager.workspace.new_dir("batch")
        streams = build_batch(stager.engine, stager.sandbox, folder, members)
        if isinstance(streams, EngineTimeout):
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(run_single, group))
            return
        if streams is None:
            # An error or two members claiming one object: halve the group, down to builds
            # on their own, so that every error is the member's own, exactly.
            half = len(group) // 2
            run_group(group[:half])
            run_group(group[half:])
            return
        for position, i in enumerate(group):
            stager.accept(items[i], streams[position])
            done(i)

    def run_single(i: int) -> None:
        stager.complete(items[i])
        done(i)

    work: list[Callable[[], None]] = [
        functools.partial(run_group, g) for g in sorted(groups, key=len, reverse=True) if len(g) > 1
    ]
    work += [functools.partial(run_single, i) for i in singles]
    if len(work) <= 1 or workers <= 1:
        for job in work:
            job()
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(job) for job in work]:
                future.result()
    for i in elsewhere:
        stager.await_elsewhere(items[i])
        done(i)
    return [item.out for item in items]


def _folder(item: Prepared) -> Path:
    assert item.folder is not None
    return item.folder
