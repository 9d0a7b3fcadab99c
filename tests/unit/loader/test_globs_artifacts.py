from pathlib import Path

import pytest

from fluxops.loader.artifacts import ArtifactError, artifact_layout
from fluxops.loader.globs import doublestar_match, go_glob

pytestmark = pytest.mark.unit


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel in [
        "apps/base/podinfo/kustomization.yaml",
        "apps/base/podinfo/release.yaml",
        "apps/staging/kustomization.yaml",
        "apps/staging/values.yaml",
        "apps/staging/README.md",
        "infra/a.yaml",
        "infra/sub/b.yaml",
    ]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel)
    return tmp_path


def test_go_glob_double_star_is_one_segment(tree: Path) -> None:
    # Go's fs.Glob has no recursive "**": it matches exactly one path segment.
    assert go_glob(tree, "apps/**") == ["apps/base", "apps/staging"]
    assert go_glob(tree, "infra/*.yaml") == ["infra/a.yaml"]
    assert go_glob(tree, "apps/*/kustomization.yaml") == ["apps/staging/kustomization.yaml"]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**/*.md", "apps/staging/README.md", True),
        ("**/*.md", "README.md", True),
        ("*.md", "apps/README.md", False),
        ("apps/**", "apps/x/y.yaml", True),
        ("{a,b}/*.yaml", "b/x.yaml", True),
        ("{a,b}/*.yaml", "c/x.yaml", False),
        ("[!x]*.yaml", "y.yaml", False),  # doublestar negates with ^ or !; we only honour ^
        ("[^x]*.yaml", "y.yaml", True),
    ],
)
def test_doublestar(pattern: str, path: str, expected: bool) -> None:
    assert doublestar_match(pattern, path) is expected


def layout(tree: Path, copy: list[dict[str, object]]) -> dict[str, str]:
    result = artifact_layout({"copy": copy}, lambda alias: tree, {"repo": {}})
    return {k: v.relative_to(tree).as_posix() for k, v in result.files.items()}


def test_dir_double_star_strips_the_prefix(tree: Path) -> None:
    files = layout(
        tree,
        [
            {"from": "@repo/apps/base/**", "to": "@artifact/base/"},
            {"from": "@repo/apps/staging/**", "to": "@artifact/staging/"},
        ],
    )
    assert files == {
        "base/podinfo/kustomization.yaml": "apps/base/podinfo/kustomization.yaml",
        "base/podinfo/release.yaml": "apps/base/podinfo/release.yaml",
        "staging/kustomization.yaml": "apps/staging/kustomization.yaml",
        "staging/values.yaml": "apps/staging/values.yaml",
        "staging/README.md": "apps/staging/README.md",
    }


def test_plain_directory_copies_as_a_subfolder_and_excludes_apply(tree: Path) -> None:
    files = layout(tree, [{"from": "@repo/infra", "to": "@artifact/", "exclude": ["sub/**"]}])
    assert files == {"infra/a.yaml": "infra/a.yaml"}


def test_other_globs_keep_the_full_match_path(tree: Path) -> None:
    files = layout(tree, [{"from": "@repo/infra/*.yaml", "to": "@artifact/out/"}])
    assert files == {"out/infra/a.yaml": "infra/a.yaml"}


def test_single_file_to_a_file_name_and_later_ops_overwrite(tree: Path) -> None:
    files = layout(
        tree,
        [
            {"from": "@repo/infra/a.yaml", "to": "@artifact/x.yaml"},
            {"from": "@repo/infra/sub/b.yaml", "to": "@artifact/x.yaml"},
        ],
    )
    assert files == {"x.yaml": "infra/sub/b.yaml"}


def test_missing_source_fails_unless_optional(tree: Path) -> None:
    with pytest.raises(ArtifactError, match="does not exist"):
        layout(tree, [{"from": "@repo/nope", "to": "@artifact/"}])
    assert layout(tree, [{"from": "@repo/nope", "to": "@artifact/", "optional": True}]) == {}
    with pytest.raises(ArtifactError, match="no files match"):
        layout(tree, [{"from": "@repo/nope/*", "to": "@artifact/"}])


def test_destination_must_stay_in_the_artifact(tree: Path) -> None:
    with pytest.raises(ArtifactError, match="@artifact"):
        layout(tree, [{"from": "@repo/infra", "to": "/tmp/"}])
    with pytest.raises(ArtifactError, match="stay"):
        layout(tree, [{"from": "@repo/infra", "to": "@artifact/../x"}])


def test_unknown_alias(tree: Path) -> None:
    with pytest.raises(ArtifactError, match="alias 'other' not found"):
        layout(tree, [{"from": "@other/infra", "to": "@artifact/"}])
