"""The one machine-readable shape of every verb (`-o json`, and `-o yaml` where a verb offers
it), documented in docs/json.md:

    {"apiVersion": "fluxops.io/v1", "kind": "<Verb>Result", "fluxops": {"version": ...},
     "summary": {<the verb's counts>, "errors": N, "warnings": N, "info": N, "exitCode": N},
     "findings": [{code, severity, message, file, line, object, path, hint}, ...],
     <the verb's data, camelCase keys>}

A verb's formatter builds its summary and data and calls `envelope`; a verb without a JSON
formatter of its own gets one from the result's hooks (`Result.envelope_summary`,
`Result.envelope_data`; by default its dataclass fields, camelCased). `summary.exitCode` is
the exit status of the process. JSON Schemas of every kind are shipped in
`fluxops/data/schemas/results/` (`schema_errors` checks a document against them).
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import cache
from pathlib import PurePath
from typing import Any

from fluxops.model.findings import Finding, Severity
from fluxops.model.results import Result

API_VERSION = "fluxops.io/v1"
#: dataclass fields the generic data leaves out (the envelope carries them, or they are large)
_SKIPPED_FIELDS = frozenset({"findings", "kind", "text"})


def camel(name: str) -> str:
    """`kube_version` -> `kubeVersion`; `failed-documents` -> `failedDocuments`."""
    head, *rest = name.replace("-", "_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(value: Any) -> Any:
    """`value` with every mapping key camelCased (for dictionaries whose keys are field
    names, never for data keyed by user names such as environments or paths)."""
    if isinstance(value, Mapping):
        return {camel(str(k)): camel_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [camel_keys(v) for v in value]
    return value


def jsonable(value: Any) -> Any:
    """A JSON value for `value`: dataclasses as objects with camelCase keys, enums and paths
    as strings, datetimes in RFC 3339, sets sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            camel(f.name): jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, enum.Enum):
        return str(value)
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def finding_dict(f: Finding) -> dict[str, Any]:
    """The one finding shape: every key present (null when unknown); lint's findings about
    several objects add `objects`."""
    out: dict[str, Any] = {
        "code": f.code,
        "severity": str(f.severity),
        "message": f.message,
        "file": f.file,
        "line": f.line,
        "object": f.object,
        "path": f.path,
        "hint": f.hint,
    }
    objects = f.extra.get("objects")
    if objects:
        out["objects"] = [str(o) for o in objects]
    if f.extra.get("unrendered"):
        out["unrendered"] = True
    return out


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    out = {"errors": 0, "warnings": 0, "info": 0}
    key = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}
    for f in findings:
        out[key[f.severity]] += 1
    return out


def generic_data(result: Result) -> dict[str, Any]:
    """The data of a result without an `envelope_data` hook: its dataclass fields."""
    if not dataclasses.is_dataclass(result):
        return {}
    return {
        camel(f.name): jsonable(getattr(result, f.name))
        for f in dataclasses.fields(result)
        if f.name not in _SKIPPED_FIELDS and not f.name.startswith("_")
    }


def envelope(
    result: Result,
    *,
    summary: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    findings: Iterable[Finding] | None = None,
) -> dict[str, Any]:
    """The envelope of `result`. `summary` and `data` default to the result's hooks;
    `findings` to `result.all_findings()`."""
    from fluxops import __version__

    found = list(result.all_findings() if findings is None else findings)
    if summary is None:
        summary = result.envelope_summary()
    if data is None:
        hooked = result.envelope_data()
        data = generic_data(result) if hooked is None else hooked
    clash = {"apiVersion", "kind", "fluxops", "summary", "findings"} & set(data)
    if clash:
        raise ValueError(f"{result.kind} data may not use the envelope's keys {sorted(clash)}")
    return {
        "apiVersion": API_VERSION,
        "kind": result.kind,
        "fluxops": {"version": __version__},
        "summary": {
            **summary,
            **severity_counts(found),
            "exitCode": result.exit_code,
        },
        "findings": [finding_dict(f) for f in found],
        **data,
    }


def to_json(doc: Mapping[str, Any], *, compact: bool = False) -> str:
    """Indented (or one line when `compact`), always ending in a newline."""
    if compact:
        return json.dumps(doc, separators=(",", ":"), default=str) + "\n"
    return json.dumps(doc, indent=2, default=str) + "\n"


def to_yaml(doc: Mapping[str, Any], *, compact: bool = False) -> str:
    """Through the goyaml writer; with a `---` marker when `compact` (streams)."""
    from fluxops.goyaml import dump

    return ("---\n" if compact else "") + dump(jsonable(dict(doc)))


def generic_formatter(fmt: str) -> Any:
    """The JSON or YAML formatter of a kind that registers none: the hooks' envelope."""
    return _document_formatter(fmt, envelope)


def register_documents(
    kind: str,
    document: Callable[[Any], Mapping[str, Any]],
    notes: Callable[[Any], str] | None = None,
) -> None:
    """Register the `json` and `yaml` formatters of `kind`: `document(result)` (its
    envelope) on stdout, and `notes(result)` for people on stderr."""
    from fluxops.output.registry import formatter

    for fmt in ("json", "yaml"):
        formatter(kind, fmt)(_document_formatter(fmt, document, notes))


def _document_formatter(
    fmt: str,
    document: Callable[[Any], Mapping[str, Any]],
    notes: Callable[[Any], str] | None = None,
) -> Any:
    from fluxops.output.registry import Rendered, View

    def render(result: Any, view: View) -> Rendered:
        doc = document(result)
        text = (
            to_yaml(doc, compact=view.compact)
            if fmt == "yaml"
            else to_json(doc, compact=view.compact)
        )
        return Rendered(text, notes(result) if notes is not None else "")

    return render


# -- schemas ----------------------------------------------------------------------------------


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    """file name -> schema, of every schema shipped in fluxops/data/schemas/results."""
    out: dict[str, dict[str, Any]] = {}
    from importlib import resources

    folder = resources.files("fluxops").joinpath("data", "schemas", "results")
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            out[entry.name] = json.loads(entry.read_text(encoding="utf-8"))
    return out


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind of result (`BuildResult`, ...); the shared envelope schema
    for a kind that ships none."""
    schemas = _schemas()
    return schemas.get(f"{kind}.json") or schemas["envelope.json"]


def schema_errors(doc: Mapping[str, Any]) -> list[str]:
    """What is wrong with `doc` as an envelope of its kind: one line per error (JSON path and
    message), none when it is valid."""
    import jsonschema
    from referencing import Registry, Resource

    schemas = _schemas()
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    schema = schema_for(str(doc.get("kind", "")))
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    return [
        f"{error.json_path}: {error.message}"
        for error in sorted(validator.iter_errors(doc), key=lambda e: e.json_path)
    ]
