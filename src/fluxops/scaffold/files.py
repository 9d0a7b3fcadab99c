"""Writing new files only: a plan of (path, text), checked before anything is written, then
each file created exclusively (O_EXCL | O_NOFOLLOW), its folders inside the target only."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fluxops.errors import OutputError


@dataclass
class Planned:
    """One file of a plan: `rel` (inside the target), its text, and whether it exists
    already (then it is kept, never overwritten)."""

    rel: str
    text: str
    exists: bool = False


@dataclass
class Plan:
    root: Path
    files: list[Planned] = field(default_factory=list)

    @property
    def new(self) -> list[Planned]:
        return [f for f in self.files if not f.exists]

    @property
    def kept(self) -> list[Planned]:
        return [f for f in self.files if f.exists]


def _inside(root: Path, path: Path) -> bool:
    return path == root or root in path.parents


def plan(root: Path, files: dict[str, str]) -> Plan:
    """What writing `files` under `root` would do. A path whose folder leaves `root` through a
    symlink, or that exists as something other than a regular file, is an error."""
    resolved_root = root.resolve()
    out = Plan(root=root)
    for rel, text in files.items():
        target = root / rel
        if not _inside(resolved_root, target.parent.resolve()):
            raise OutputError(
                f"{target}: its folder leaves {root} through a symlink; nothing written"
            )
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise OutputError(f"{target} exists and is not a regular file; nothing written")
        out.files.append(Planned(rel=rel, text=text, exists=target.exists()))
    return out


def write_new(root: Path, rel: str, text: str) -> Path:
    """Create `root/rel` with `text`; an existing file is an OutputError naming it."""
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if not _inside(root.resolve(), target.parent.resolve()):
        raise OutputError(f"{target}: its folder leaves {root} through a symlink; not written")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o644)
    except FileExistsError:
        raise OutputError(
            f"{target} exists; fluxops never overwrites a file",
            hint="remove or rename it first, or choose another folder",
        ) from None
    except OSError as exc:
        raise OutputError(f"{target}: cannot create it: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return target


def apply(plan: Plan) -> list[Path]:
    """Write the new files of `plan` (existing ones are kept)."""
    return [write_new(plan.root, f.rel, f.text) for f in plan.new]
