"""Each schema source a user controls, through the validate verb on a small overlay: --crds
(file, folder), --crds-from-cluster with a snapshot that carries CRDs, --schema-location (a
folder; a URL fetched once into the cache, then read from it without the network),
--skip-kinds; which source validated each object is in the summary."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from fluxops.validate.results import ValidateResult
from fluxops.validate.sources import SchemaLocations, expand
from fluxops.validate.verb import ValidateRequest, run

pytestmark = pytest.mark.unit

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "description": "what a widget is",
                                "properties": {"size": {"type": "integer"}},
                            }
                        },
                    }
                },
            }
        ],
    },
}
WIDGET = {
    "apiVersion": "example.com/v1",
    "kind": "Widget",
    "metadata": {"name": "w", "namespace": "apps"},
    "spec": {"size": "big"},
}
JSON_SCHEMA = {
    "type": "object",
    "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}},
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLUXOPS_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    root.mkdir()
    (root / "kustomization.yaml").write_text("resources: [widget.yaml]\n")
    (root / "widget.yaml").write_text(yaml.safe_dump(WIDGET))
    return root


def validate(repo: Path, **kwargs: Any) -> ValidateResult:
    return run(ValidateRequest(path=str(repo), **kwargs))


def size_errors(result: ValidateResult) -> list[str]:
    return [f.path or "" for f in result.findings if f.code == "schema"]


def test_without_a_source_the_kind_is_one_info_line(repo: Path) -> None:
    result = validate(repo)
    [missing] = [f for f in result.findings if f.code == "schema-missing"]
    assert str(missing.severity) == "info" and "the bundled catalog" in missing.message
    assert result.summary()["coverage"] == 0.0 and result.exit_code == 0
    assert validate(repo, require_schemas=True).exit_code == 1


def test_crds_file_and_folder(repo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "crds" / "nested"
    folder.mkdir(parents=True)
    (folder / "widget.yaml").write_text(yaml.safe_dump(CRD))
    for given in (folder / "widget.yaml", tmp_path / "crds"):
        result = validate(repo, crds=(str(given),))
        assert size_errors(result) == ["spec.size"]
        [(label, source)] = result.object_sources.items()
        assert label.startswith("Widget/apps/w") and source.startswith("--crds ")
        assert result.summary()["coverage"] == 100.0


def test_the_json_envelope_says_what_was_checked_and_by_which_source(
    repo: Path, tmp_path: Path
) -> None:
    from fluxops.output.envelope import schema_errors
    from fluxops.output.reports import validate_data

    without = validate_data(validate(repo))
    assert without["summary"]["coverage"] == 0.0 and without["summary"]["noSchema"] == 1
    assert without["objectSources"] == []
    (tmp_path / "widget.yaml").write_text(yaml.safe_dump(CRD))
    data = validate_data(validate(repo, crds=(str(tmp_path / "widget.yaml"),)))
    assert data["summary"]["coverage"] == 100.0 and data["summary"]["noSchema"] == 0
    [entry] = data["objectSources"]
    assert entry["object"].startswith("Widget/apps/w") and entry["source"].startswith("--crds ")
    assert schema_errors(json.loads(json.dumps(data))) == []


def test_crds_from_a_snapshot(repo: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.yaml"
    snapshot.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [CRD]}))
    result = validate(repo, crds_from_cluster=True, snapshot=str(snapshot))
    assert size_errors(result) == ["spec.size"]
    assert list(result.by_source) == [f"CRD from snapshot {snapshot}"]


def test_schema_location_folder(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "schemas" / "example.com" / "widget_v1.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(JSON_SCHEMA))
    template = (
        str(tmp_path / "schemas") + "/{{ .Group }}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    )
    for location in (template, str(tmp_path / "schemas")):
        result = validate(repo, schema_locations=(location,))
        assert size_errors(result) == ["spec.size"]
        assert list(result.by_source) == [f"schema location {target}"]


class _Server(ThreadingHTTPServer):
    hits: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        if self.path == "/example.com/widget_v1.json":
            body = json.dumps(JSON_SCHEMA).encode()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_schema_location_url_is_fetched_once_into_the_cache(repo: Path, server: _Server) -> None:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    location = base + "/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    first = validate(repo, schema_locations=(location,))
    second = validate(repo, schema_locations=(location,))
    for result in (first, second):
        assert size_errors(result) == ["spec.size"]
    assert server.hits == ["/example.com/widget_v1.json"]


def test_schema_location_url_from_a_prefilled_cache_needs_no_network(
    repo: Path, tmp_path: Path
) -> None:
    url = "http://127.0.0.1:9/example.com/widget_v1.json"  # nothing listens there
    cache = tmp_path / "cache" / "schema-locations"
    cache.mkdir(parents=True, mode=0o700)
    (cache / (hashlib.sha256(url.encode()).hexdigest()[:40] + ".json")).write_text(
        json.dumps(JSON_SCHEMA)
    )
    location = "http://127.0.0.1:9/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    result = validate(repo, schema_locations=(location,))
    assert size_errors(result) == ["spec.size"]
    assert not [f for f in result.findings if f.code == "schema-location"]
    offline = validate(repo, schema_locations=(location,), cache=False)
    assert [f.code for f in offline.findings if f.code == "schema-location"] == ["schema-location"]


def test_skip_kinds(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "crd.yaml").write_text(yaml.safe_dump(CRD))
    for entry in ("Widget", "example.com/Widget", "example.com/v1/Widget"):
        result = validate(repo, crds=(str(tmp_path / "crd.yaml"),), skip_kinds=(entry,))
        assert result.skipped == 1 and size_errors(result) == [] and result.exit_code == 0


def test_template_variables() -> None:
    values = {"Group": "g", "ResourceKind": "k", "ResourceAPIVersion": "v1"}
    assert expand("x/{{.Group}}/{{ .ResourceKind }}-{{.ResourceAPIVersion}}", values) == "x/g/k-v1"
    with pytest.raises(Exception, match="unknown variable"):
        expand("{{.Nope}}", values)


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        # each would resolve to tmp/outside/secret_v1.json or tmp/outside/x.json
        ("example.com/v1", "../../../../../outside/Secret"),
        ("example.com/v1/../../../../../../outside/x", "Widget"),
    ],
)
def test_repo_values_never_leave_the_schema_location(
    tmp_path: Path, api_version: str, kind: str
) -> None:
    """A repository's apiVersion or kind that is not a Kubernetes name never becomes part of a
    path (or URL): nothing outside the location is read."""
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("secret_v1.json", "x.json"):
        (outside / name).write_text(json.dumps({"type": "object"}))
    location = tmp_path / "a" / "b" / "c" / "d"
    (location / "example.com" / "widget_v1").mkdir(parents=True)
    found = SchemaLocations(
        [f"{location}/{{{{.Group}}}}/{{{{.ResourceKind}}}}_{{{{.ResourceAPIVersion}}}}.json"],
        "1.36",
        strict=False,
        cache_dir=None,
    )
    assert found.lookup(api_version, kind) is None
    (location / "example.com" / "widget_v1.json").write_text(json.dumps({"type": "object"}))
    assert found.lookup("example.com/v1", "Widget") is not None
