import base64
from typing import Any

import pytest

from fluxops.helmvalues.releases import MASK, EnvRelease, compare
from fluxops.helmvalues.valuediff import MISSING
from fluxops.model.resource import Resource

pytestmark = pytest.mark.unit


def release(spec: dict[str, Any], namespace: str = "apps") -> Resource:
    return Resource(
        raw={
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "web", "namespace": namespace},
            "spec": spec,
        }
    )


def secret(value: str) -> dict[str, Any]:
    return {"kind": "Secret", "data": {"token": base64.b64encode(value.encode()).decode()}}


SPEC = {
    "chart": {"spec": {"chart": "web", "version": "1.x"}},
    "valuesFrom": [
        {"kind": "Secret", "name": "creds", "valuesKey": "token", "targetPath": "auth.token"}
    ],
    "values": {"replicas": 1},
}


def env(name: str, spec: dict[str, Any], token: str) -> EnvRelease:
    objs = {("Secret", "creds"): secret(token)}
    return EnvRelease(name, release(spec), lambda kind, n: objs.get((kind, n)))


def test_secret_rows_are_masked_equal_or_not() -> None:
    same = compare("apps/web", [env("a", SPEC, "t0k3n"), env("b", SPEC, "t0k3n")], all_values=True)
    row = next(r for r in same.rows if r.path == "auth.token")
    assert row.secret and row.values == {"a": MASK, "b": MASK} and not row.differs
    diff = compare("apps/web", [env("a", SPEC, "one"), env("b", SPEC, "two")])
    row = next(r for r in diff.rows if r.path == "auth.token")
    assert row.values == {"a": MASK + " (differs)", "b": MASK + " (differs)"}
    assert "one" not in repr(diff) and "two" not in repr(diff)


def test_chart_and_settings_rows() -> None:
    other = {
        **SPEC,
        "chart": {"spec": {"chart": "web", "version": "2.x"}},
        "timeout": "10m",
        "upgrade": {"remediation": {"retries": 3}},
    }
    result = compare("apps/web", [env("a", SPEC, "x"), env("b", other, "x")])
    by = {(r.section, r.path): r for r in result.rows}
    assert by[("chart", "version")].values == {"a": "1.x", "b": "2.x"}
    assert by[("settings", "timeout")].values == {"a": MISSING, "b": "10m"}
    assert by[("settings", "upgrade.remediation")].differs
    assert ("values", "replicas") not in by
    assert result.differs


def test_missing_release_and_errors() -> None:
    broken = {**SPEC, "valuesFrom": [{"kind": "ConfigMap", "name": "absent"}]}
    result = compare(
        "apps/web",
        [env("a", SPEC, "x"), EnvRelease("b", None, lambda k, n: None), env("c", broken, "x")],
    )
    assert result.missing_in == ["b"]
    assert "absent" in result.errors["c"]
    assert result.differs
