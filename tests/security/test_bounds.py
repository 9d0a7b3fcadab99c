"""Hang or exhaust: every probe finishes within its time, under the CLI's memory limit, with a
clear finding or exit 2 and never an internal error."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.security.conftest import CONFIGMAP, Result, Run, flux_repo, kustomization, write

pytestmark = [pytest.mark.security]


def alias_bomb(levels: int = 9, indent: str = "") -> str:
    lines = [f'{indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"{indent}l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels + 1)
    ]
    return "\n".join(lines) + "\n"


def deep_flow(depth: int) -> str:
    return "[" * depth + "]" * depth


def timed(run: Run, *args: str, limit: float, **kw: object) -> tuple[float, Result]:
    started = time.monotonic()
    result = run(*args, **kw)
    elapsed = time.monotonic() - started
    assert elapsed < limit, f"took {elapsed:.1f}s"
    result.assert_clean()
    return elapsed, result


def test_alias_bomb_in_a_manifest(run: Run, tmp_path: Path) -> None:
    bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata: {a: b}\n" + alias_bomb()
    repo = flux_repo(
        tmp_path / "repo", {"kustomization.yaml": "resources: [bomb.yaml]\n", "bomb.yaml": bomb}
    )
    _, result = timed(run, "build", str(repo), "--all", "-o", "json", limit=150, expect=1)
    data = json.loads(result.stdout)
    (apps,) = [k for k in data["kustomizations"] if k["name"] == "apps"]
    assert apps["status"] == "failed"
    problems = [
        f for f in data["findings"] if f["code"] == "FO001" and f["file"] == "apps/bomb.yaml"
    ]
    assert problems and "excessive aliasing" in problems[0]["message"]


def test_alias_bomb_in_a_kustomization_file(run: Run, tmp_path: Path) -> None:
    repo = flux_repo(
        tmp_path / "repo",
        {"kustomization.yaml": "resources: [cm.yaml]\n" + alias_bomb(), "cm.yaml": CONFIGMAP},
    )
    _, result = timed(run, "build", str(repo), "--all", "-o", "json", limit=60, expect=1)
    data = json.loads(result.stdout)
    (apps,) = [k for k in data["kustomizations"] if k["name"] == "apps"]
    assert "excessive aliasing" in apps["error"]


def test_alias_bomb_in_helmrelease_values(run: Run, tmp_path: Path) -> None:
    release = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n"
        "  namespace: default\nspec:\n  interval: 10m\n  chartRef: {kind: OCIRepository, name: web}\n"
        "  values:\n" + alias_bomb(indent="    ")
    )
    repo = write(tmp_path / "repo", {"release.yaml": release})
    _, result = timed(run, "lint", str(repo), "--no-render", "-o", "json", limit=60, expect=1)
    data = json.loads(result.stdout)
    assert any(f["code"] == "FO001" and "aliasing" in f["message"] for f in data["findings"])


def test_alias_bomb_through_a_substituted_variable(run: Run, tmp_path: Path) -> None:
    """A postBuild variable whose value is an alias bomb: the substituted object is decoded
    with Go's bounds (fluxops.goyaml.limits), as kustomize-controller's decoder refuses it."""
    bomb = "{" + alias_bomb().replace("\n", ", ").rstrip(", ") + "}"
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub\ndata: ${BOMB}\n"
    repo = flux_repo(
        tmp_path / "repo",
        {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": manifest},
        postBuild={"substitute": {"BOMB": bomb}},
    )
    _, result = timed(run, "build", str(repo), "--all", "-o", "json", limit=60, expect=1)
    data = json.loads(result.stdout)
    (apps,) = [k for k in data["kustomizations"] if k["name"] == "apps"]
    assert apps["status"] == "failed"
    assert "excessive aliasing" in apps["error"]


@pytest.mark.parametrize("depth", [300, 999, 5000])
def test_deeply_nested_yaml_in_the_repository(run: Run, tmp_path: Path, depth: int) -> None:
    deep = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nnested: {deep_flow(depth)}\n"
    repo = flux_repo(
        tmp_path / "repo",
        {"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": CONFIGMAP, "deep.yaml": deep},
    )
    for verb in (
        ("build", "--all", "-o", "json"),
        ("validate", "--all", "-o", "json"),
        ("lint", "-o", "json"),
    ):
        _, result = timed(run, verb[0], str(repo), *verb[1:], limit=60)
        data = json.loads(result.stdout)
        deep_findings = [f for f in data["findings"] if f["file"] == "apps/deep.yaml"]
        assert deep_findings and "nest" in deep_findings[0]["message"]


def test_nesting_just_under_the_limit_goes_through_every_verb(run: Run, tmp_path: Path) -> None:
    release = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n"
        "  namespace: default\nspec:\n  interval: 10m\n  chartRef: {kind: OCIRepository, name: web}\n"
        f"  values: {{a: {deep_flow(190)}}}\n"
    )
    repo = flux_repo(
        tmp_path / "repo",
        {"kustomization.yaml": "resources: [release.yaml]\n", "release.yaml": release},
    )
    for verb in (
        ("build", "--all", "-o", "json"),
        ("validate", "--all", "-o", "json"),
        ("lint", "-o", "json"),
    ):
        timed(run, verb[0], str(repo), *verb[1:], limit=60)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_deeply_nested_snapshot(run: Run, tmp_path: Path, fmt: str) -> None:
    snapshot = tmp_path / f"snap.{fmt}"
    if fmt == "json":
        snapshot.write_text(
            '{"kind": "List", "apiVersion": "v1", "items": [' + "[" * 20000 + "]" * 20000 + "]}"
        )
    else:
        snapshot.write_text("kind: List\napiVersion: v1\nitems: " + deep_flow(3000) + "\n")
    _, result = timed(run, "status", "--snapshot", str(snapshot), limit=30, expect=2)
    assert "snapshot" in result.stderr


def test_deeply_nested_fluxops_yaml(run: Run, tmp_path: Path) -> None:
    repo = write(
        tmp_path / "repo",
        {".fluxops.yaml": "lint: " + deep_flow(3000) + "\n", "cm.yaml": CONFIGMAP},
    )
    _, result = timed(run, "lint", str(repo), limit=30, expect=2)
    assert ".fluxops.yaml" in result.stderr


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {{kind: Widget, plural: widgets}}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
{properties}
"""


def _widget_repo(tmp_path: Path, properties: str, spec: str, rule: str = "") -> Path:
    crd = CRD.format(properties=properties)
    if rule:
        crd += f"            x-kubernetes-validations:\n            - rule: {json.dumps(rule)}\n"
    widget = f"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec: {spec}\n"
    return flux_repo(
        tmp_path / "repo",
        {
            "kustomization.yaml": "resources: [crd.yaml, widget.yaml]\n",
            "crd.yaml": crd,
            "widget.yaml": widget,
        },
    )


def test_catastrophic_crd_pattern(run: Run, tmp_path: Path) -> None:
    repo = _widget_repo(
        tmp_path,
        '              name: {type: string, pattern: "^(a+)+$"}\n',
        json.dumps({"name": "a" * 60 + "b"}),
    )
    _, result = timed(run, "validate", str(repo), "--all", "-o", "json", limit=60, expect=1)
    data = json.loads(result.stdout)
    assert any("does not match the pattern" in f["message"] for f in data["findings"])


def test_nested_cel_comprehensions_stay_within_a_cost_budget(run: Run, tmp_path: Path) -> None:
    repo = _widget_repo(
        tmp_path,
        "              items: {type: array, items: {type: string}}\n",
        json.dumps({"items": [f"x{i}" for i in range(400)]}),
        rule="self.items.all(a, self.items.all(b, self.items.all(c, a == b || b != c)))",
    )
    _, result = timed(run, "validate", str(repo), "--all", "-o", "json", limit=60, expect=0)
    data = json.loads(result.stdout)
    costly = [f for f in data["findings"] if f["code"] == "schema-cel-cost"]
    assert costly and "per-rule budget" in costly[0]["message"]


@pytest.mark.parametrize(
    ("properties", "problem"),
    [
        ('              size: {type: integer, maximum: "10"}\n', "maximum"),
        ('              name: {type: string, pattern: "("}\n', "not a valid regular expression"),
        ("              name: {type: string, minLength: -1, enum: notalist}\n", "minLength"),
    ],
)
def test_invalid_crd_schemas_are_findings(
    run: Run, tmp_path: Path, properties: str, problem: str
) -> None:
    repo = _widget_repo(tmp_path, properties, json.dumps({"size": 3, "name": "x"}))
    _, result = timed(run, "validate", str(repo), "--all", "-o", "json", limit=60, expect=1)
    data = json.loads(result.stdout)
    invalid = [f for f in data["findings"] if f["code"] == "schema-crd-invalid"]
    assert invalid and problem in invalid[0]["message"] and invalid[0]["file"] == "apps/crd.yaml"


def test_catastrophic_sourceignore_pattern(run: Run, tmp_path: Path) -> None:
    files = {f"{'a' * 60}{i}.yaml": CONFIGMAP.replace("plain", f"p{i}") for i in range(20)}
    repo = flux_repo(tmp_path / "repo", files)
    write(repo, {".sourceignore": "*a" * 25 + "b\n"})
    timed(run, "build", str(repo), "--all", "-o", "json", limit=60, expect=0)


def test_a_kustomization_that_recreates_itself_ends(run: Run, tmp_path: Path) -> None:
    loop = kustomization(
        "${NAME}-x", "./apps/loop", postBuild={"substitute": {"NAME": "${NAME}-x"}}
    )
    repo = write(
        tmp_path / "repo",
        {
            "clusters/test/flux-system/gotk-sync.yaml": "# placeholder\n",
            "clusters/test/loop.yaml": kustomization(
                "loop", "./apps/loop", postBuild={"substitute": {"NAME": "loop"}}
            ),
            "apps/loop/ks.yaml": loop,
        },
    )
    _, result = timed(run, "build", str(repo), "--all", "-o", "json", limit=200)
    data = json.loads(result.stdout)
    limit = [f for f in data["findings"] if f["code"] == "FO018"]
    assert limit and "32 levels deep" in limit[0]["message"]
    assert len(data["kustomizations"]) < 60


def test_a_very_long_spec_path(run: Run, tmp_path: Path) -> None:
    repo = write(
        tmp_path / "repo",
        {
            "clusters/test/flux-system/gotk-sync.yaml": "# placeholder\n",
            "clusters/test/long.yaml": kustomization("long", "./" + "a/" * 2500),
        },
    )
    _, result = timed(run, "build", str(repo), "--all", "-o", "json", limit=60, expect=1)
    data = json.loads(result.stdout)
    (long,) = [k for k in data["kustomizations"] if k["name"] == "long"]
    assert long["status"] == "failed" and "characters long" in long["error"]
