"""A property: whatever a repository holds, build, lint and validate end with a result or a
FluxopsError (a clear message and exit status), never another exception ("internal error").

Hypothesis writes small repositories: a Flux Kustomization with fuzzed spec fields, a
kustomization file with fuzzed path fields (relative, absolute, climbing out, URLs, long,
odd characters), a HelmRelease with fuzzed values and valuesFrom, and YAML documents of
fuzzed shapes (anchors and aliases, deep nesting, odd scalars)."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluxops import api
from fluxops.errors import FluxopsError
from tests.security.conftest import write

pytestmark = [pytest.mark.security]

PATHS = st.one_of(
    st.sampled_from(
        [
            "cm.yaml",
            "./base",
            "../base",
            "../../../etc",
            "/etc/passwd",
            "k=/proc/self/environ",
            "https://example.com/x.yaml",
            "github.com/org/repo//x?ref=v1",
            "git@github.com:org/repo.git",
            "base/../../..",
            "",
            ".",
            "..",
            "a" * 300,
            "${VAR}",
            "dir/\x1b[2J",
        ]
    ),
    st.text(min_size=0, max_size=40),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
NAMES = st.one_of(
    st.sampled_from(["apps", "a-b", "../../evil", "", "UPPER", "x" * 260, "${NAME}"]),
    st.text(max_size=20),
)


def yaml_shapes() -> st.SearchStrategy[str]:
    deep = st.integers(min_value=1, max_value=260).map(lambda n: "x: " + "[" * n + "]" * n + "\n")
    aliases = st.integers(min_value=1, max_value=10).map(
        lambda n: (
            "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, n))
        )
    )
    odd = st.sampled_from(
        [
            "---\n--- !!binary aGVsbG8=\n",
            "a: &x 1\nb: *x\nc: *undefined\n",
            "? [a, b]\n: c\n",
            "key: !custom {a: 1}\n",
            "- &r [*r]\n",
            "\t\tbad: indent\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [1, 2]}\n",
            "apiVersion: 1\nkind: {}\n",
            "%YAML 1.2\n---\na: b\n",
        ]
    )
    generated = VALUES.map(
        lambda v: json.dumps(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": v},
            default=str,
        )
    )
    return st.one_of(deep, aliases, odd, generated, st.text(max_size=200))


@st.composite
def repositories(draw: st.DrawFn) -> dict[str, str]:
    spec: dict[str, Any] = {
        "interval": draw(st.sampled_from(["10m", "", "bogus", 5])),
        "path": draw(st.one_of(st.just("./apps"), PATHS)),
        "prune": True,
        "sourceRef": draw(
            st.one_of(
                st.just({"kind": "GitRepository", "name": "flux-system"}),
                st.dictionaries(
                    st.sampled_from(["kind", "name", "namespace"]), st.text(max_size=10)
                ),
            )
        ),
    }
    for key in ("targetNamespace", "namePrefix", "nameSuffix"):
        if draw(st.booleans()):
            spec[key] = draw(st.one_of(st.text(max_size=20), VALUES))
    if draw(st.booleans()):
        spec["patches"] = draw(
            st.lists(
                st.one_of(VALUES, st.fixed_dictionaries({"patch": st.text(max_size=60)})),
                max_size=3,
            )
        )
    if draw(st.booleans()):
        spec["components"] = draw(st.lists(PATHS, max_size=3))
    if draw(st.booleans()):
        spec["postBuild"] = {
            "substitute": draw(
                st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3)
            )
        }
    if draw(st.booleans()):
        spec["images"] = draw(st.lists(VALUES, max_size=2))
    ks = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {
            "name": draw(NAMES),
            "namespace": draw(st.sampled_from(["flux-system", "", "Bad NS"])),
        },
        "spec": spec,
    }
    kus: dict[str, Any] = {"resources": draw(st.lists(PATHS, max_size=4))}
    if draw(st.booleans()):
        kus["configMapGenerator"] = [
            {
                "name": "c",
                "files": draw(st.lists(PATHS, max_size=2)),
                "envs": draw(st.lists(PATHS, max_size=1)),
            }
        ]
    if draw(st.booleans()):
        kus["patches"] = [{"path": draw(PATHS)}]
    release = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": draw(NAMES), "namespace": "default"},
        "spec": {
            "interval": "10m",
            "chart": {
                "spec": {
                    "chart": draw(PATHS),
                    "sourceRef": {
                        "kind": "GitRepository",
                        "name": "flux-system",
                        "namespace": "flux-system",
                    },
                }
            },
            "values": draw(VALUES),
            "valuesFrom": draw(
                st.lists(
                    st.dictionaries(
                        st.sampled_from(["kind", "name", "valuesKey", "targetPath", "optional"]),
                        VALUES,
                        max_size=4,
                    ),
                    max_size=2,
                )
            ),
        },
    }
    return {
        "clusters/test/flux-system/gotk-sync.yaml": "# placeholder\n",
        "clusters/test/apps.yaml": json.dumps(ks, default=str) + "\n",
        "apps/kustomization.yaml": json.dumps(kus, default=str) + "\n",
        "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: default}\n",
        "apps/release.yaml": json.dumps(release, default=str) + "\n",
        "apps/shape.yaml": draw(yaml_shapes()),
        ".sourceignore": draw(st.sampled_from(["", "*a" * 25 + "\n", "[\n", "!**\n"])),
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
    database=None,
)
@given(files=repositories())
def test_no_internal_error_ever(files: dict[str, str]) -> None:
    root = Path(tempfile.mkdtemp(prefix="fluxops-fuzz-"))
    try:
        repo = write(root / "repo", files)
        calls = (
            lambda: api.build(api.BuildRequest(path=str(repo), all_=True, cache=False)),
            lambda: api.lint(api.LintRequest(path=str(repo), cache=False)),
            lambda: api.lint(api.LintRequest(path=str(repo), render=False)),
            lambda: api.validate(api.ValidateRequest(path=str(repo), all_=True, cache=False)),
        )
        for call in calls:
            with contextlib.suppress(FluxopsError):  # a clear message and exit status: allowed
                call()
    finally:
        shutil.rmtree(root, ignore_errors=True)
