"""Parsed kustomize outputs are cached (render/postbuild.py through loader/parsecache.py): a
build output seen before is not parsed again, and the cache never changes what a build
renders to: a document that a postBuild variable changed is parsed from its new text, what
the post-build does to an object never reaches the cache, no Secret and no substituted value
is stored, and a damaged entry is a miss."""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

import pytest

from fluxops import api
from fluxops.loader.parsecache import ParseCache
from fluxops.render.postbuild import post_build
from tests.unit.render.test_postbuild import flux_ks

pytestmark = pytest.mark.unit

STREAM = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: apps
  annotations:
    config.kubernetes.io/origin: |
      path: apps/settings.yaml
data:
  on: yes
  hex: 0x1F
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  replicas: ${N:=1}
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: apps
stringData:
  password: hunter2-canary
"""


def variables(values: dict[str, str]) -> dict[str, Any]:
    return {"postBuild": {"substitute": values}}


def run(
    spec: dict[str, Any], cache: ParseCache | None, *, strip_origin: bool = True
) -> list[dict[str, Any]]:
    outcome = post_build(
        flux_ks(spec),
        STREAM,
        lambda kind, namespace, name: None,
        strict=True,
        owner_labels=True,
        origin_of=lambda raw, text: None,
        strip_origin=strip_origin,
        parsed=cache,
    )
    return [o.raw for o in outcome.objects]


@pytest.fixture
def cache(tmp_path: Path) -> ParseCache:
    made = ParseCache.default(tmp_path / "parsed", outputs=True)
    assert made is not None
    return made


def stored_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_second_post_build_parses_from_the_cache_and_renders_the_same(
    cache: ParseCache,
) -> None:
    plain = run({}, None)
    first = run({}, cache)
    assert (cache.hits, cache.misses) == (0, 1)
    second = run({}, cache)
    third = run({}, cache)
    assert cache.hits == 2
    assert plain == first == second == third
    settings = second[0]
    # decoded as Go decodes it; the post-build's own changes applied to the cached value
    assert settings["data"] == {"true": True, "hex": 31}  # go-yaml v2: `on` is a bool
    assert settings["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"] == "apps"
    assert "annotations" not in settings["metadata"]


def test_what_the_post_build_changes_never_reaches_the_cache(cache: ParseCache) -> None:
    run({}, cache)  # strips the origin annotation and adds owner labels to what it parsed
    kept = run({}, cache, strip_origin=False)
    assert cache.hits == 1
    assert "config.kubernetes.io/origin" in kept[0]["metadata"]["annotations"]
    assert b"kustomize.toolkit.fluxcd.io/name" not in stored_bytes(cache.directory)


def test_a_document_a_variable_changed_is_parsed_from_its_new_text(cache: ParseCache) -> None:
    # first without variables: every document is the output's own text, so it is stored
    assert run({}, cache)[1]["spec"]["replicas"] == "${N:=1}"
    # the same output with variables: the Deployment's text changes, the cache is not used
    assert run(variables({"N": "3"}), cache)[1]["spec"]["replicas"] == 3
    assert run(variables({"N": "0x10"}), cache)[1]["spec"]["replicas"] == 16
    assert run({}, cache)[1]["spec"]["replicas"] == "${N:=1}"


def test_no_secret_and_no_substituted_value_is_stored(tmp_path: Path, cache: ParseCache) -> None:
    objects = run(variables({"N": "424242"}), cache)
    assert objects[2]["stringData"]["password"] == "hunter2-canary"
    stored = stored_bytes(cache.directory)
    assert stored, "the documents no variable changed are stored"
    assert b"hunter2-canary" not in stored
    assert b"424242" not in stored
    # the entry holds the ConfigMap only (the Deployment was substituted, the Secret never is)
    [entry] = [p for p in cache.directory.rglob("*.bin")]
    assert [(value["kind"], index) for value, index, _ in marshal.loads(entry.read_bytes())] == [
        ("ConfigMap", 0)
    ]
    # and the next run still renders all three
    assert [o["kind"] for o in run(variables({"N": "1"}), cache)] == [
        "ConfigMap",
        "Deployment",
        "Secret",
    ]


@pytest.mark.parametrize("damage", [b"", b"not marshal", marshal.dumps([("x", 0, 0)])])
def test_a_damaged_entry_is_a_miss(cache: ParseCache, damage: bytes) -> None:
    expected = run({}, cache)
    [entry] = list(cache.directory.rglob("*.bin"))
    entry.write_bytes(damage)
    assert run({}, cache) == expected
    assert cache.hits == 0


def test_outputs_and_repository_files_are_separate_entries(tmp_path: Path) -> None:
    files = ParseCache.default(tmp_path / "parsed")
    outputs = ParseCache.default(tmp_path / "parsed", outputs=True)
    assert files is not None and outputs is not None
    assert files.salt != outputs.salt
    files.put(STREAM.encode(), [({"kind": "ConfigMap"}, 7, 3)])
    assert outputs.get(STREAM.encode()) is None


EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "podinfo-platform"


def test_a_build_reads_the_same_with_and_without_the_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example repository built three times: with no cache, then twice with a cold, then
    warm cache folder; the warm build takes every output from the caches."""

    def objects(cache: bool) -> list[tuple[str, list[dict[str, Any]], list[Any]]]:
        result = api.build(api.BuildRequest(path=str(EXAMPLE), all_=True, cache=cache))
        return [
            (b.ref, [o.raw for o in b.objects], [(f.code, f.message) for f in b.findings])
            for b in result.builds
        ]

    folder = tmp_path / "cache"
    monkeypatch.setenv("FLUXOPS_CACHE_DIR", str(folder))
    uncached = objects(False)
    assert not folder.exists()
    cold = objects(True)
    entries = sorted((folder / "parsed").rglob("*.bin"))
    assert entries, "the outputs' parses were stored"
    warm = objects(True)
    assert uncached == cold == warm
    assert sum(len(raws) for _, raws, _ in warm) > 10
    assert sorted((folder / "parsed").rglob("*.bin")) == entries
