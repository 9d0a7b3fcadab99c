"""Git repositories built in a temp folder for the `diff` tests: a copy of a folder, committed,
then changed commit by commit. Git runs with no user or system configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": "/nonexistent",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "fluxops tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "fluxops tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "LC_ALL": "C",
}


class GitRepo:
    """A work tree at `root` with its own `.git`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def copy_of(cls, source: Path, dest: Path) -> GitRepo:
        """A new repository holding a copy of `source` (symlinks kept as symlinks), with one
        commit tagged `base`."""
        shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        repo = cls(dest)
        repo.git("init", "-q", "-b", "main")
        repo.commit("base")
        repo.git("tag", "base")
        return repo

    def git(self, *args: str, input: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=_ENV,
            input=input,
            capture_output=True,
            check=True,
            timeout=120,
        )
        return proc.stdout.decode()

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "--no-verify", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def branch(self, name: str, start: str = "base") -> None:
        """Check out a new branch `name` at `start` (discarding work tree changes)."""
        self.git("checkout", "-q", "-f", "-B", name, start)
        self.git("clean", "-q", "-fdx")

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
