"""The built-in matcher of source-controller's default ignore patterns agrees with the same
patterns compiled by pathspec (gitignore semantics), so most sources need no pathspec."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxops.loader.sourceignore import (
    DEFAULT_PATTERNS,
    SourceFilter,
    default_ignored,
    gitignore_spec,
)

PATHS = [
    "apps/a.yaml",
    ".git",
    ".git/config",
    "sub/.git",
    "sub/.git/HEAD",
    ".gitignore",
    "deep/er/.gitignore",
    ".gitignore/x.yaml",
    "img/logo.png",
    "logo.PNG",
    ".png",
    "a.png.yaml",
    "charts/c.tar.gz",
    "c.tar.gzip",
    "x.zip/inner.yaml",
    ".github/workflows/ci.yaml",
    "apps/.github",
    ".github",
    ".circleci/config.yml",
    ".travis.yml",
    "apps/.travis.yml",
    "codeship-steps.yml",
    "ci/codeship-services.yml",
    "codeship.yml",
    ".goreleaser.yml",
    "tools/.goreleaser.yml",
    ".sops.yaml",
    "clusters/prod/.sops.yaml",
    ".flux.yaml",
    "appveyor.yml",
    "cloudbuild.yaml",
    "cloudbuild.yml",
    "apps/gitignore",
    "apps/.gitattributes",
    "apps/.gitmodules",
    "a.jpeg",
    "b.gif",
    "m.wmv",
    "m.flv",
    "kustomization.yaml",
]


@pytest.mark.parametrize("rel", PATHS)
@pytest.mark.parametrize("is_dir", [False, True])
def test_default_patterns_match_as_pathspec_does(rel: str, is_dir: bool) -> None:
    spec = gitignore_spec(list(DEFAULT_PATTERNS))
    expected = bool(spec.match_file(rel + "/" if is_dir else rel))
    assert default_ignored(rel, is_dir) == expected


def test_the_list_has_both_answers() -> None:
    answers = {default_ignored(rel) for rel in PATHS}
    assert answers == {True, False}


def test_spec_ignore_patterns_can_reinclude_a_default(tmp_path: Path) -> None:
    plain = SourceFilter(tmp_path)
    assert plain.ignored("img/logo.png")
    extra = SourceFilter(tmp_path, "!*.png\n/drafts/\n")
    assert not extra.ignored("img/logo.png")
    assert extra.ignored("drafts/a.yaml")
    assert extra.ignored(".git/config")
