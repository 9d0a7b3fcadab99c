"""A commit's files, read from git objects into a private folder: the user's checkout, index,
worktrees and refs are never touched (no checkout, no `git status`, no lock taken).

Git runs with a clean environment: no system or global configuration, optional locks off (so
no index refresh is ever written), no hooks, no fsmonitor, no protocol allowed (a partial clone
cannot fetch a missing blob), no pager, no prompt. The tree is listed with
`git ls-tree -r -z -l` and the blobs read with one `git cat-file --batch`.

What a commit may hold is untrusted: every path is checked (no empty, `.` or `..` component,
no `.git` component, bounded depth and length) and written with `O_EXCL | O_NOFOLLOW` under a
fresh 0700 folder (`loader.treewriter`), so a crafted tree cannot write outside it. As source-controller's artifact
does, only regular files are kept: symlinks and submodules are left out (and listed), and
blobs over the loader's file bound are skipped. The number of files and the total size are
bounded too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fluxops.errors import RepoError, UsageError
from fluxops.loader import confine
from fluxops.loader.scratch import temp_base
from fluxops.loader.treewriter import TreeWriter

#: Bounds on one commit's tree.
MAX_ENTRIES = confine.MAX_TREE_FILES
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255
GIT_TIMEOUT = 300

#: `-c` settings every git command runs with (on top of the clean environment).
_GIT_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.untrackedCache=false",
    "core.pager=cat",
    "protocol.allow=never",
    "credential.helper=",
    "gc.auto=0",
    "maintenance.auto=false",
)


@dataclass(frozen=True)
class TreeEntry:
    """One `git ls-tree -r -l` row: `size` is None for submodules."""

    mode: str
    type: str
    oid: str
    size: int | None
    path: str


@dataclass
class Checkout:
    """A commit's files in a private folder; `root` is the repository folder the user named
    (the git top level, or the sub-folder they passed). Remove it with `close()`."""

    ref: str
    commit: str
    root: Path
    folder: Path
    files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: The blob id of every file written, by its path relative to `root`: two files with
    #: the same id hold the same bytes.
    blobs: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Checkout:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def git_environment(home: Path) -> dict[str, str]:
    """The environment git runs with: nothing from the user's configuration or shell."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_NO_LAZY_FETCH": "1",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_PAGER": "cat",
    }


def _users_safe_directories() -> list[str]:
    """The `safe.directory` entries of the user's own git configuration: the one setting read
    from it (CI containers set it so that git reads a clone another user owns)."""
    try:
        proc = subprocess.run(
            ["git", "config", "--global", "--get-all", "safe.directory"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line for line in proc.stdout.decode(errors="replace").splitlines() if line]


def unsafe_path(path: str) -> str | None:
    """Why a path from a git tree must not be written (None when it is safe)."""
    raw = os.fsencode(path)
    if not path or path.startswith("/") or b"\0" in raw or b"\\" in raw:
        return "not a relative path"
    if len(raw) > MAX_PATH_BYTES:
        return "path too long"
    parts = path.split("/")
    if len(parts) > confine.MAX_TREE_DEPTH:
        return "too deep"
    for part in parts:
        if part in ("", ".", ".."):
            return "a '.', '..' or empty path component"
        if part.lower() in (".git", ".git."):
            return "a .git path component"
        if len(os.fsencode(part)) > MAX_NAME_BYTES:
            return "name too long"
    return None


class GitRepo:
    """The git repository holding `path` (a folder of its working tree)."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self._home = Path(tempfile.mkdtemp(prefix="fluxops-git-home-"))
        self.env = git_environment(self._home)
        self.safe: list[str] = []
        try:
            out = self._run("rev-parse", "--show-toplevel", "--show-prefix", cwd=self.path)
        except RepoError as exc:
            self.safe = _users_safe_directories() if "safe.directory" in exc.message else []
            try:
                if not self.safe:
                    raise
                out = self._run("rev-parse", "--show-toplevel", "--show-prefix", cwd=self.path)
            except RepoError as again:
                self.close()
                raise UsageError(
                    f"{path} is not in a git repository git can read ({again.message})",
                    hint="fluxops diff compares git revisions: run it in a clone (a clone owned "
                    "by another user needs `git config --global --add safe.directory PATH`)",
                ) from None
        lines = out.decode("utf-8", "surrogateescape").split("\n")
        self.toplevel = Path(lines[0])
        self.prefix = lines[1].strip("/") if len(lines) > 1 else ""

    def close(self) -> None:
        shutil.rmtree(self._home, ignore_errors=True)

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _command(self, *args: str) -> list[str]:
        command = ["git", "--no-pager", "--no-replace-objects"]
        for setting in _GIT_CONFIG:
            command += ["-c", setting]
        for folder in self.safe:
            command += ["-c", f"safe.directory={folder}"]
        return [*command, *args]

    def _run(self, *args: str, cwd: Path | None = None) -> bytes:
        try:
            proc = subprocess.run(
                self._command(*args),
                cwd=cwd or self.toplevel,
                env=self.env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=GIT_TIMEOUT,
                check=False,
            )
        except FileNotFoundError:
            raise UsageError("git is not installed", hint="install git") from None
        except subprocess.TimeoutExpired:
            raise RepoError(f"git {args[0]} took longer than {GIT_TIMEOUT}s") from None
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise RepoError(f"git {args[0]} failed: {message[-1] if message else proc.returncode}")
        return proc.stdout

    def commit(self, ref: str) -> str:
        """The commit `ref` names (a branch, a tag, a hash, `HEAD~1`, `origin/main`...)."""
        if not ref or ref.startswith("-") or "\0" in ref:
            raise UsageError(f"{ref!r} is not a git revision")
        try:
            out = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except RepoError:
            raise UsageError(
                f"{ref!r} names no commit in {self.toplevel}",
                hint="fetch it first (actions/checkout: fetch-depth: 0), or name a branch, "
                "tag or commit",
            ) from None
        return out.decode().strip()

    def entries(self, commit: str) -> list[TreeEntry]:
        """Every entry of `commit`'s tree (recursively) under the repository folder."""
        out = self._run("ls-tree", "-r", "-z", "-l", "--full-tree", commit)
        prefix = self.prefix + "/" if self.prefix else ""
        entries: list[TreeEntry] = []
        for record in out.split(b"\0"):
            if not record:
                continue
            head, _, raw_path = record.partition(b"\t")
            fields = head.split()
            if len(fields) != 4:
                raise RepoError(f"git ls-tree printed an unexpected line: {head[:80]!r}")
            path = os.fsdecode(raw_path)
            if prefix and not path.startswith(prefix):
                continue
            size = int(fields[3]) if fields[3].isdigit() else None
            entries.append(
                TreeEntry(fields[0].decode(), fields[1].decode(), fields[2].decode(), size, path)
            )
            if len(entries) > MAX_ENTRIES:
                raise RepoError(f"{commit[:12]} holds more than {MAX_ENTRIES} files")
        return entries

    def checkout(self, ref: str, *, near: Path | None = None) -> Checkout:
        """`ref`'s files under the repository folder, written into a new private folder
        (in `near`, else where `loader.scratch` puts a tree of that size)."""
        commit = self.commit(ref)
        skipped: list[tuple[str, str]] = []
        blobs = self._wanted(commit, skipped)
        size = sum(entry.size or 0 for entry in blobs)
        base = near or temp_base(self.toplevel, size)
        folder = Path(tempfile.mkdtemp(prefix="fluxops-diff-", dir=base))
        out = Checkout(ref, commit, folder / self.prefix, folder, skipped=skipped)
        try:
            out.root.mkdir(parents=True, exist_ok=True)
            self._write(blobs, out)
        except BaseException:
            out.close()
            raise
        return out

    def _wanted(self, commit: str, skipped: list[tuple[str, str]]) -> list[TreeEntry]:
        """The entries of `commit` to write; what is left out goes to `skipped`."""
        limit = confine.max_file_bytes()
        blobs: list[TreeEntry] = []
        total = 0
        for entry in self.entries(commit):
            reason = unsafe_path(entry.path)
            if reason is None and entry.type != "blob":
                reason = "a submodule (not part of the artifact)"
            elif reason is None and entry.mode == "120000":
                reason = "a symlink (not part of the artifact)"
            elif reason is None and entry.mode not in ("100644", "100755"):
                reason = f"mode {entry.mode}"
            elif reason is None and (entry.size is None or entry.size > limit):
                reason = f"larger than {limit} bytes"
            if reason is not None:
                skipped.append((entry.path, reason))
                continue
            total += entry.size or 0
            if total > MAX_TOTAL_BYTES:
                raise RepoError(
                    f"{commit[:12]} holds more than {MAX_TOTAL_BYTES // (1 << 20)} MiB of files"
                )
            blobs.append(entry)
        return blobs

    def _write(self, blobs: list[TreeEntry], out: Checkout) -> None:
        cut = len(self.prefix) + 1 if self.prefix else 0
        with TreeWriter(out.folder) as writer:
            for entry, data in self._blobs(blobs):
                reason = writer.write(entry.path, data)
                if reason is None:
                    out.files += 1
                    out.blobs[entry.path[cut:]] = entry.oid
                else:
                    out.skipped.append((entry.path, reason))

    def _blobs(self, entries: list[TreeEntry]) -> Iterable[tuple[TreeEntry, bytes]]:
        """The contents of `entries`' blobs, in order, from one `git cat-file --batch`."""
        if not entries:
            return
        proc = subprocess.Popen(
            self._command("cat-file", "--batch"),
            cwd=self.toplevel,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdin is not None and proc.stdout is not None
        request = b"".join(e.oid.encode() + b"\n" for e in entries)

        def feed() -> None:
            assert proc.stdin is not None
            try:
                proc.stdin.write(request)
                proc.stdin.close()
            except OSError:
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for entry in entries:
                header = proc.stdout.readline().split()
                if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
                    raise RepoError(f"git cat-file cannot read {entry.path} ({entry.oid[:12]})")
                size = int(header[2])
                if size != entry.size:
                    raise RepoError(f"git cat-file: {entry.path} changed size while read")
                data = proc.stdout.read(size)
                proc.stdout.read(1)
                if len(data) != size:
                    raise RepoError(f"git cat-file stopped while reading {entry.path}")
                yield entry, data
        finally:
            proc.kill()
            proc.wait()
            writer.join(timeout=5)
