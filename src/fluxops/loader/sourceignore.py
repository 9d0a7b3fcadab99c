"""What source-controller leaves out of an artifact: default patterns, `.sourceignore` files
(gitignore syntax, each applying below its own folder) and a source's `spec.ignore`."""

from __future__ import annotations

import fnmatch
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.loader import confine

if TYPE_CHECKING:
    import pathspec

#: Patterns are compiled with RE2 (linear time, as Go's matcher; see loader/linear_regex.py).
BACKEND = "re2"


def gitignore_spec(lines: list[str]) -> pathspec.GitIgnoreSpec:
    """A gitignore-style matcher over `lines`, compiled with RE2. A line that does not compile
    is left out (the others still apply)."""
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines, backend=BACKEND)
    except Exception:
        kept = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line], backend=BACKEND)
            except Exception:
                continue
            kept.append(line)
        return pathspec.GitIgnoreSpec.from_lines(kept, backend=BACKEND)


#: source-controller's defaults (fluxcd/pkg sourceignore): VCS files, binaries, CI config.
DEFAULT_PATTERNS = (
    ".git/",
    ".gitignore",
    ".gitmodules",
    ".gitattributes",
    "*.jpg",
    "*.jpeg",
    "*.gif",
    "*.png",
    "*.wmv",
    "*.flv",
    "*.tar.gz",
    "*.zip",
    ".github/",
    ".circleci/",
    ".travis.yml",
    ".gitlab-ci.yml",
    "appveyor.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    "codeship-*.yml",
    "**/.goreleaser.yml",
    "**/.sops.yaml",
    "**/.flux.yaml",
)


#: DEFAULT_PATTERNS as a folder name (".git/") or a name glob, each matching at any depth
_DEFAULT_DIRS = frozenset(p[:-1] for p in DEFAULT_PATTERNS if p.endswith("/"))
_DEFAULT_GLOBS = tuple(p.removeprefix("**/") for p in DEFAULT_PATTERNS if not p.endswith("/"))


def default_ignored(rel: str, is_dir: bool = False) -> bool:
    """Whether source-controller's DEFAULT_PATTERNS leave `rel` out, as gitignore matching
    reads them: none has a slash inside, so each matches a single name at any depth (a
    trailing slash: folders only), and an ignored folder hides everything below it. The same
    answers as a compiled `gitignore_spec(DEFAULT_PATTERNS)` without importing pathspec
    (tests/unit/loader/test_sourceignore.py checks that they agree)."""
    parts = rel.split("/")
    last = len(parts) - 1
    for i, name in enumerate(parts):
        if (i < last or is_dir) and name in _DEFAULT_DIRS:
            return True
        if any(fnmatch.fnmatchcase(name, glob) for glob in _DEFAULT_GLOBS):
            return True
    return False


class SourceFilter:
    """Answers "would this path be in the artifact?" for one source root."""

    def __init__(self, root: Path, extra_patterns: str = "") -> None:
        self.root = root
        # the defaults alone (most sources) need no pathspec; patterns of the source's own
        # spec.ignore are compiled with them (a negation there may re-include a default)
        self._root_spec: pathspec.GitIgnoreSpec | None = None
        if extra_patterns.strip():
            self._root_spec = gitignore_spec([*DEFAULT_PATTERNS, *extra_patterns.splitlines()])

    @functools.cache  # noqa: B019 - one filter per source, lives as long as the run
    def _spec_for(self, directory: str) -> pathspec.GitIgnoreSpec | None:
        rel = f"{directory}/.sourceignore" if directory else ".sourceignore"
        try:
            text = confine.read_text(self.root, rel)
        except (OSError, UnicodeDecodeError):
            return None
        return gitignore_spec(text.splitlines())

    def ignored(self, rel: str, is_dir: bool = False) -> bool:
        """`rel` is a posix path relative to the source root."""
        if self._root_spec is None:
            if default_ignored(rel, is_dir):
                return True
        elif self._root_spec.match_file(rel + "/" if is_dir else rel):
            return True
        parts = rel.split("/")
        # Every .sourceignore from the root down to the file's folder applies, relative to
        # its own folder; a parent folder that is ignored hides everything below it.
        for depth in range(len(parts)):
            directory = "/".join(parts[:depth])
            spec = self._spec_for(directory)
            if spec is not None:
                sub = "/".join(parts[depth:])
                if spec.match_file(sub + "/" if is_dir else sub):
                    return True
            if depth and self._ignored_dir("/".join(parts[:depth])):
                return True
        return False

    @functools.cache  # noqa: B019
    def _ignored_dir(self, rel_dir: str) -> bool:
        return self.ignored(rel_dir, is_dir=True)
