"""The parse cache (loader/parsecache.py): a file read before is not parsed again, and the
cache never changes what a repository reads as, holds no Secret, and survives damage."""

from __future__ import annotations

import marshal
import stat
from pathlib import Path

import pytest
import yaml

from fluxops.loader import parsecache
from fluxops.loader.parsecache import ParseCache, parser_salt
from fluxops.loader.repo import Repo, load_repo

pytestmark = pytest.mark.unit

FILES = {
    "apps/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\n"
        "spec:\n  replicas: 2\n  template:\n    metadata:\n      labels: &l {app: web}\n"
        "    spec: {containers: [{name: web, image: 'nginx:1.27'}]}\n  selector:\n"
        "    matchLabels: *l\n"
    ),
    "apps/two.yaml": (
        "# two documents and an empty one\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        "  name: a\ndata: {on: yes, n: 0x1F, t: 2024-01-01, f: .5}\n---\n---\n"
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n"
    ),
    "apps/values.yaml": "replicas: 3\nimage: {tag: latest}\n",
    "apps/secret.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\n"
        "kind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2-canary}\n"
    ),
    "apps/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n",
}


def write_repo(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def snapshot(repo: Repo) -> tuple[list[object], list[tuple[str, str | None, int | None, str]]]:
    return (
        [(r.raw, r.origin) for r in repo.resources],
        [(f.code, f.file, f.line, f.message) for f in repo.findings],
    )


@pytest.fixture
def cache(tmp_path: Path) -> ParseCache:
    salt = parser_salt()
    assert salt is not None
    return ParseCache(tmp_path / "cache" / "parsed", salt)


def test_a_second_read_comes_from_the_cache_and_reads_the_same(
    tmp_path: Path, cache: ParseCache
) -> None:
    repo = write_repo(tmp_path / "repo")
    plain = snapshot(load_repo(repo))
    first = snapshot(load_repo(repo, cache=cache))
    assert cache.hits == 0
    second = snapshot(load_repo(repo, cache=cache))
    assert plain == first == second
    # deploy, two, values (no object: stored empty); not the Secret's file nor the broken one
    assert cache.hits == 3
    assert any(code == "FO001" and file == "apps/broken.yaml" for code, file, *_ in second[1])


def test_aliases_stay_shared_as_the_parser_makes_them(tmp_path: Path, cache: ParseCache) -> None:
    repo = write_repo(tmp_path / "repo")
    load_repo(repo, cache=cache)
    [deploy] = [r for r in load_repo(repo, cache=cache).resources if r.kind == "Deployment"]
    spec = deploy.raw["spec"]
    assert spec["selector"]["matchLabels"] == {"app": "web"}
    assert spec["selector"]["matchLabels"] is spec["template"]["metadata"]["labels"]


def test_a_changed_file_is_read_again(tmp_path: Path, cache: ParseCache) -> None:
    repo = write_repo(tmp_path / "repo")
    load_repo(repo, cache=cache)
    path = repo / "apps" / "deploy.yaml"
    path.write_text(path.read_text().replace("replicas: 2", "replicas: 5"))
    [deploy] = [r for r in load_repo(repo, cache=cache).resources if r.kind == "Deployment"]
    assert deploy.raw["spec"]["replicas"] == 5


def test_no_secret_is_stored_and_the_folder_is_private(tmp_path: Path, cache: ParseCache) -> None:
    repo = write_repo(tmp_path / "repo")
    load_repo(repo, cache=cache)
    files = [p for p in cache.directory.rglob("*") if p.is_file()]
    assert len(files) == 3
    for path in [cache.directory, *cache.directory.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
        if path.is_file():
            assert b"hunter2-canary" not in path.read_bytes()
            assert all(doc[0].get("kind") != "Secret" for doc in marshal.loads(path.read_bytes()))


def test_damaged_entries_are_misses(tmp_path: Path, cache: ParseCache) -> None:
    repo = write_repo(tmp_path / "repo")
    expected = snapshot(load_repo(repo, cache=cache))
    files = sorted(p for p in cache.directory.rglob("*.bin"))
    files[0].write_bytes(b"\x00garbage")
    files[1].write_bytes(marshal.dumps({"not": "a list of documents"}))
    files[2].write_bytes(marshal.dumps([({"kind": "x"}, "0", 1)]))
    assert snapshot(load_repo(repo, cache=cache)) == expected
    assert cache.hits == 0


def test_another_parser_does_not_read_these_entries(
    tmp_path: Path, cache: ParseCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = write_repo(tmp_path / "repo")
    load_repo(repo, cache=cache)
    monkeypatch.setattr(yaml, "__version__", "0.0-other")
    other_salt = parser_salt()
    assert other_salt is not None and other_salt != cache.salt
    other = ParseCache(cache.directory, other_salt)
    load_repo(repo, cache=other)
    assert other.hits == 0


def test_without_the_parsers_source_nothing_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsecache, "_PARSER_MODULES", ("fluxops.no_such_module",))
    assert parser_salt() is None
    assert ParseCache.default() is None


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    salt = parser_salt()
    assert salt is not None
    cache = ParseCache(blocker / "parsed", salt)
    assert snapshot(load_repo(repo, cache=cache)) == snapshot(load_repo(repo))
    assert snapshot(load_repo(repo, cache=cache)) == snapshot(load_repo(repo))


def test_no_cache_reads_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fluxops import api

    monkeypatch.setenv("FLUXOPS_CACHE_DIR", str(tmp_path / "cache"))
    example = Path(__file__).resolve().parents[3] / "examples" / "podinfo-platform"
    api.build(api.BuildRequest(path=str(example), all_=True, cache=False))
    assert not (tmp_path / "cache" / "parsed").exists()
    api.build(api.BuildRequest(path=str(example), all_=True))
    assert any((tmp_path / "cache" / "parsed").rglob("*.bin"))
