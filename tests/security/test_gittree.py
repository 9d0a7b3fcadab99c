"""Hostile commits read by `fluxops diff` (loader.gittree): trees crafted with git's plumbing
(`hash-object --literally` writes what `git add` never would) holding `..` and `.git`
components, symlinks, submodules and blobs over the size cap. Nothing may be written outside
the private folder, and none of them may be written at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fluxops.loader.gittree import GitRepo as TreeReader
from fluxops.loader.gittree import unsafe_path
from tests.gitrepos import GitRepo

pytestmark = pytest.mark.security

CM = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: default\n"


def _blob(repo: GitRepo, data: bytes) -> str:
    return repo.git("hash-object", "-w", "--stdin", input=data).strip()


def _tree(repo: GitRepo, entries: list[tuple[str, str, str]]) -> str:
    """A tree object written byte by byte: (mode, name, oid) entries, in the given order."""
    body = b"".join(
        mode.encode() + b" " + os.fsencode(name) + b"\0" + bytes.fromhex(oid)
        for mode, name, oid in entries
    )
    return repo.git("hash-object", "-w", "-t", "tree", "--literally", "--stdin", input=body).strip()


def _commit(repo: GitRepo, tree: str) -> str:
    return repo.git("commit-tree", tree, "-m", "hostile").strip()


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    root = tmp_path / "work" / "repo"
    root.mkdir(parents=True)
    out = GitRepo(root)
    out.git("init", "-q", "-b", "main")
    out.write("kustomization.yaml", "resources: []\n")
    out.commit("first")
    return out


def _files_under(folder: Path) -> set[str]:
    return {
        (Path(d) / f).relative_to(folder).as_posix()
        for d, _dirs, files in os.walk(folder)
        for f in files
    }


def test_dot_dot_and_dot_git_components_are_never_written(repo: GitRepo, tmp_path: Path) -> None:
    blob = _blob(repo, CM)
    inner = _tree(repo, [("100644", "evil.yaml", blob)])
    hooks = _tree(repo, [("100755", "post-checkout", _blob(repo, b"#!/bin/sh\ntouch /tmp/x\n"))])
    dot_git = _tree(repo, [("40000", "hooks", hooks)])
    top = _tree(
        repo,
        [
            ("40000", "..", inner),
            ("40000", ".git", dot_git),
            ("40000", ".GIT", dot_git),
            ("100644", "ok.yaml", blob),
        ],
    )
    commit = _commit(repo, top)
    outside = tmp_path / "work"
    before = _files_under(outside)
    with TreeReader(repo.root) as reader, reader.checkout(commit, near=tmp_path) as checkout:
        assert _files_under(checkout.folder) == {"ok.yaml"}
        reasons = dict(checkout.skipped)
        assert reasons["../evil.yaml"] == "a '.', '..' or empty path component"
        assert reasons[".git/hooks/post-checkout"] == "a .git path component"
        assert reasons[".GIT/hooks/post-checkout"] == "a .git path component"
    assert _files_under(outside) == before
    assert not (tmp_path / "evil.yaml").exists()


def test_symlinks_and_submodules_are_left_out(repo: GitRepo, tmp_path: Path) -> None:
    blob = _blob(repo, CM)
    link = _blob(repo, b"/etc/passwd")
    top = _tree(
        repo,
        [
            ("100644", "a.yaml", blob),
            ("120000", "passwd.yaml", link),
            ("160000", "vendor", "0" * 39 + "1"),
        ],
    )
    commit = _commit(repo, top)
    with TreeReader(repo.root) as reader, reader.checkout(commit, near=tmp_path) as checkout:
        assert _files_under(checkout.folder) == {"a.yaml"}
        assert not (checkout.root / "passwd.yaml").is_symlink()
        assert dict(checkout.skipped) == {
            "passwd.yaml": "a symlink (not part of the artifact)",
            "vendor": "a submodule (not part of the artifact)",
        }


def test_blobs_over_the_cap_are_skipped(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUXOPS_MAX_FILE_BYTES", "4096")
    big = _blob(repo, b"# " + b"x" * 100_000 + b"\n")
    small = _blob(repo, CM)
    commit = _commit(repo, _tree(repo, [("100644", "big.yaml", big), ("100644", "cm.yaml", small)]))
    with TreeReader(repo.root) as reader, reader.checkout(commit, near=tmp_path) as checkout:
        assert _files_under(checkout.folder) == {"cm.yaml"}
        assert dict(checkout.skipped) == {"big.yaml": "larger than 4096 bytes"}
        assert (checkout.root / "cm.yaml").read_bytes() == CM


def test_a_name_that_is_a_file_and_a_folder_is_written_once(repo: GitRepo, tmp_path: Path) -> None:
    """A crafted tree may list one name twice (as a file and as a folder) and in any order:
    what comes second is not written, and the folders opened for one file are never reused
    for another that does not share them."""
    cm, other = _blob(repo, CM), _blob(repo, b"kind: Other\n")
    sub = _tree(repo, [("100644", "inner.yaml", cm)])
    deeper = _tree(repo, [("40000", "sub", sub)])
    top = _tree(
        repo,
        [
            ("100644", "x", other),
            ("40000", "x", sub),
            ("40000", "y", sub),
            ("100644", "y", other),
            ("40000", "a", deeper),
            ("100644", "b.yaml", cm),
            ("40000", "a", sub),
        ],
    )
    commit = _commit(repo, top)
    with TreeReader(repo.root) as reader, reader.checkout(commit, near=tmp_path) as checkout:
        assert _files_under(checkout.folder) == {
            "x",
            "y/inner.yaml",
            "a/sub/inner.yaml",
            "a/inner.yaml",
            "b.yaml",
        }
        reasons = dict(checkout.skipped)
        assert reasons["x/inner.yaml"].startswith("cannot write: ")
        assert reasons["y"].startswith("cannot write: ")
        assert (checkout.root / "a" / "inner.yaml").read_bytes() == CM
        assert checkout.blobs == {
            "x": other,
            "y/inner.yaml": cm,
            "a/sub/inner.yaml": cm,
            "a/inner.yaml": cm,
            "b.yaml": cm,
        }


def test_the_private_folder_is_removed(repo: GitRepo, tmp_path: Path) -> None:
    with TreeReader(repo.root) as reader:
        checkout = reader.checkout("HEAD", near=tmp_path)
        assert (checkout.root / "kustomization.yaml").is_file()
        assert oct(checkout.folder.stat().st_mode & 0o777) == "0o700"
        checkout.close()
        assert not checkout.folder.exists()


def test_a_revision_that_looks_like_an_option_is_refused(repo: GitRepo) -> None:
    from fluxops.errors import UsageError

    with TreeReader(repo.root) as reader, pytest.raises(UsageError, match="not a git revision"):
        reader.checkout("--output=/tmp/x")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("a/../b", "a '.', '..' or empty path component"),
        ("./a", "a '.', '..' or empty path component"),
        ("a//b", "a '.', '..' or empty path component"),
        ("/etc/passwd", "not a relative path"),
        ("a\\..\\b", "not a relative path"),
        ("x/.Git/config", "a .git path component"),
        ("a/" * 70 + "b", "too deep"),
        ("n" * 300, "name too long"),
        ("apps/base/release.yaml", None),
    ],
)
def test_unsafe_paths(path: str, reason: str | None) -> None:
    assert unsafe_path(path) == reason


def test_diff_of_a_hostile_commit_through_the_cli(repo: GitRepo, tmp_path: Path) -> None:
    import subprocess
    import sys

    blob = _blob(repo, CM)
    inner = _tree(repo, [("100644", "evil.yaml", blob)])
    kus = _blob(repo, b"resources:\n  - ok.yaml\n")
    top = _tree(
        repo,
        [
            ("40000", "..", inner),
            ("100644", "kustomization.yaml", kus),
            ("100644", "ok.yaml", blob),
            ("120000", "z.yaml", _blob(repo, b"/etc/shadow")),
        ],
    )
    commit = _commit(repo, top)
    env = {**os.environ, "FLUXOPS_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "fluxops", "diff", str(repo.root), "--base", "HEAD",
         "--head", commit, "-o", "json"],
        capture_output=True, text=True, env=env, timeout=240, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    import json

    messages = [f["message"] for f in json.loads(proc.stdout)["findings"]]
    assert (
        "../evil.yaml is a '.', '..' or empty path component: left out of the head revision"
        in messages
    )
    assert (
        "z.yaml is a symlink (not part of the artifact): left out of the head revision" in messages
    )
    assert not (tmp_path / "work" / "evil.yaml").exists()
    assert not (repo.root.parent / "evil.yaml").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root (chown)")
def test_a_clone_owned_by_another_user(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fluxops.errors import UsageError

    for dirpath, _dirs, files in os.walk(repo.root):
        os.chown(dirpath, 65534, 65534)
        for name in files:
            os.chown(Path(dirpath) / name, 65534, 65534)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    with pytest.raises(UsageError, match=r"safe\.directory"):
        TreeReader(repo.root)
    # The one setting read from the user's configuration: git's own opt-in.
    (home / ".gitconfig").write_text(f"[safe]\n\tdirectory = {repo.root}\n", encoding="utf-8")
    with TreeReader(repo.root) as reader, reader.checkout("HEAD", near=tmp_path) as checkout:
        assert (checkout.root / "kustomization.yaml").read_text() == "resources: []\n"
