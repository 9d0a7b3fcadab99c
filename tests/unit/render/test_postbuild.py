import base64
from typing import Any

import pytest

from fluxops.model.flux import Kustomization
from fluxops.model.resource import Resource
from fluxops.render.postbuild import (
    SECRET_MASK,
    PostBuildError,
    post_build,
    split_documents,
)

pytestmark = pytest.mark.unit

STREAM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: app-${ENV:=dev}
  namespace: apps
data:
  replicas: "${N}"
  script: echo $${HOME} ${HOME}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kustomize.toolkit.fluxcd.io/substitute: disabled
spec:
  replicas: ${N}
"""


def flux_ks(spec: dict[str, Any]) -> Kustomization:
    return Kustomization(
        Resource(
            raw={
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                "kind": "Kustomization",
                "metadata": {"name": "apps", "namespace": "flux-system"},
                "spec": spec,
            }
        )
    )


def no_lookup(kind: str, namespace: str, name: str) -> dict[str, Any] | None:
    return None


def run(
    spec: dict[str, Any],
    stream: str = STREAM,
    lookup: Any = no_lookup,
    strict: bool = True,
    owner_labels: bool = True,
) -> list[dict[str, Any]]:
    outcome = post_build(
        flux_ks(spec),
        stream,
        lookup,
        strict=strict,
        owner_labels=owner_labels,
        origin_of=lambda raw, text: None,
        strip_origin=True,
    )
    return [o.raw for o in outcome.objects]


def test_split_documents() -> None:
    assert len(split_documents(STREAM)) == 2
    assert split_documents("") == []


def test_substitution_defaults_escapes_and_disabled_annotation() -> None:
    cm, deploy = run({"postBuild": {"substitute": {"N": "3", "HOME": "/root"}}})
    assert cm["metadata"]["name"] == "app-dev"
    assert cm["data"] == {"replicas": "3", "script": "echo ${HOME} /root"}
    assert deploy["spec"]["replicas"] == "${N}"  # opted out: left as is


def test_int_position_becomes_an_int_after_substitution() -> None:
    stream = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  replicas: ${N:=1}\n"
    )
    (deploy,) = run({"postBuild": {"substitute": {"X": "y"}}}, stream)
    assert deploy["spec"]["replicas"] == 1


def test_no_variables_means_no_substitution_unless_always() -> None:
    # Flux substitutes only when len(vars) > 0 or substituteStrategy is Always.
    stream = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${X:=d}\n"
    (cm,) = run({"postBuild": {"substitute": {}}}, stream)
    assert cm["data"]["a"] == "${X:=d}"
    (cm,) = run({"postBuild": {"substituteStrategy": "Always"}}, stream)
    assert cm["data"]["a"] == "d"


def test_strict_mode_fails_on_a_missing_variable_and_names_the_object() -> None:
    with pytest.raises(
        PostBuildError, match=r'ConfigMap/app-\$\{ENV:=dev\}.*variable not set.*"N"'
    ):
        run({"postBuild": {"substitute": {"HOME": "/"}}})
    cm, _ = run({"postBuild": {"substitute": {"HOME": "/"}}}, strict=False)
    assert cm["data"]["replicas"] == ""


def test_bad_variable_name_fails() -> None:
    with pytest.raises(PostBuildError, match="'my-var' var name is invalid"):
        run({"postBuild": {"substitute": {"my-var": "x"}}})


def test_substitute_from_order_optional_and_inline_wins() -> None:
    objects = {
        ("ConfigMap", "flux-system", "one"): {"data": {"N": "1", "HOME": "/one"}},
        ("ConfigMap", "flux-system", "two"): {"data": {"N": "2\n"}},
    }

    def lookup(kind: str, ns: str, name: str) -> dict[str, Any] | None:
        return objects.get((kind, ns, name))

    spec = {
        "postBuild": {
            "substitute": {"HOME": "/inline"},
            "substituteFrom": [
                {"kind": "ConfigMap", "name": "one"},
                {"kind": "ConfigMap", "name": "two"},
                {"kind": "ConfigMap", "name": "absent", "optional": True},
            ],
        }
    }
    cm, _ = run(spec, lookup=lookup)
    assert cm["data"] == {"replicas": "2", "script": "echo ${HOME} /inline"}


def test_missing_required_reference_fails_with_flux_wording() -> None:
    spec = {"postBuild": {"substituteFrom": [{"kind": "Secret", "name": "creds"}]}}
    with pytest.raises(
        PostBuildError, match="substitute from 'Secret/creds' error: secrets \"creds\" not found"
    ):
        run(spec)


def test_secret_values_never_reach_the_output() -> None:
    secret = {
        "data": {
            "N": base64.b64encode(b"42").decode(),
            "HOME": base64.b64encode(b"s3cr3t").decode(),
        }
    }

    def lookup(kind: str, ns: str, name: str) -> dict[str, Any] | None:
        return secret if kind == "Secret" else None

    spec = {"postBuild": {"substituteFrom": [{"kind": "Secret", "name": "creds"}]}}
    outcome = post_build(
        flux_ks(spec),
        STREAM,
        lookup,
        strict=True,
        owner_labels=True,
        origin_of=lambda raw, text: None,
        strip_origin=True,
    )
    text = repr([o.raw for o in outcome.objects])
    assert "s3cr3t" not in text and "42" not in text
    assert SECRET_MASK in text
    assert any(f.code == "FO007" for f in outcome.findings)


def test_owner_labels_then_common_metadata_after_substitution() -> None:
    spec = {
        "postBuild": {"substitute": {"N": "1", "HOME": "/"}},
        "commonMetadata": {"labels": {"team": "${ENV}"}, "annotations": {"a": "b"}},
    }
    cm, deploy = run(spec)
    assert cm["metadata"]["labels"] == {
        "kustomize.toolkit.fluxcd.io/name": "apps",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
        "team": "${ENV}",  # commonMetadata is applied after substitution: never substituted
    }
    assert deploy["metadata"]["annotations"]["a"] == "b"
    cm, _ = run(spec, owner_labels=False)
    assert cm["metadata"]["labels"] == {"team": "${ENV}"}


def test_objects_without_name_kind_or_api_version_fail() -> None:
    with pytest.raises(PostBuildError, match="apiVersion, kind and name"):
        run({}, "kind: ConfigMap\nmetadata:\n  name: x\n")


def test_unresolved_variables_are_reported_without_post_build() -> None:
    stream = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${DOMAIN}\n  s: |\n    echo ${HOME}\n"
    outcome = post_build(
        flux_ks({}),
        stream,
        no_lookup,
        strict=True,
        owner_labels=True,
        origin_of=lambda raw, text: None,
        strip_origin=True,
    )
    (finding,) = outcome.findings
    assert finding.code == "FO006" and "${DOMAIN}" in finding.message and finding.path == "data.a"


def test_secret_variables_that_merge_two_objects_fail_without_showing_values() -> None:
    stream = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${A}-x\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${B}-x\n"
    )

    def lookup_with(a: str, b: str) -> Any:
        data = {
            "A": base64.b64encode(a.encode()).decode(),
            "B": base64.b64encode(b.encode()).decode(),
        }
        return lambda kind, ns, name: {"data": data} if kind == "Secret" else None

    spec = {"postBuild": {"substituteFrom": [{"kind": "Secret", "name": "names"}]}}
    with pytest.raises(PostBuildError, match="id matched 2 resources") as info:
        run(spec, stream, lookup=lookup_with("samesecret", "samesecret"))
    assert "samesecret" not in str(info.value)
    # different real values: Flux builds both; fluxops shows them masked (and alike)
    cms = run(spec, stream, lookup=lookup_with("one", "two"))
    assert [c["metadata"]["name"] for c in cms] == [f"{SECRET_MASK}-x", f"{SECRET_MASK}-x"]
