"""Renderers of findings, shared by every verb that reports them (validate, lint, ...):
text grouped by file (ANSI colours on a terminal), SARIF 2.1.0 and GitHub workflow
annotations. Messages come from the analyses, which never put a Secret value in them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxops import __version__
from fluxops.model.findings import Finding, Severity
from fluxops.output.escape import escape_text

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/fluxops/fluxops"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_COLOUR = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_DIM, _BOLD, _RESET = "\x1b[2m", "\x1b[1m", "\x1b[0m"


@dataclass(frozen=True)
class RuleMeta:
    """What a finding code means: SARIF `rules`, docs."""

    id: str
    severity: Severity
    summary: str
    help: str = ""
    help_uri: str | None = None


@dataclass
class FindingsReport:
    """One run of one verb: its findings, what their codes mean, a summary."""

    tool: str
    findings: list[Finding]
    rules: dict[str, RuleMeta] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    root: Path | None = None
    notes: list[str] = field(default_factory=list)
    #: Said first, in every format: renders that failed, the source roots and Flux versions
    #: assumed (text: before the findings; JSON: `notes`; SARIF: run properties; GitHub:
    #: notices).
    headlines: list[str] = field(default_factory=list)
    #: what was checked, for the last line (`31 objects checked`)
    checked: str = ""


def sort_key(f: Finding) -> tuple[Any, ...]:
    return (f.file is None, f.file or "", f.line or 0, -int(f.severity), f.code, f.message)


def counts(findings: list[Finding]) -> Counter[Severity]:
    return Counter(f.severity for f in findings)


# -- text ------------------------------------------------------------------------------------------


def collapse(findings: list[Finding]) -> list[Finding]:
    """Identical findings once, in first-seen order, the message ending with the count (xN)."""
    from dataclasses import replace

    counts: dict[Finding, int] = {}
    for f in findings:
        counts[f] = counts.get(f, 0) + 1
    return [f if n == 1 else replace(f, message=f"{f.message} (x{n})") for f, n in counts.items()]


def render_text(report: FindingsReport, *, colour: bool = False, verbose: bool = False) -> str:
    """Findings grouped by file, one line each (`line  severity  code  message`), then a
    summary line. Info findings are shown only with `verbose`."""

    def paint(text: str, code: str) -> str:
        text = escape_text(text)
        return f"{code}{text}{_RESET}" if colour else text

    shown = collapse([f for f in report.findings if verbose or f.severity > Severity.INFO])
    lines: list[str] = [f"note: {escape_text(h)}" for h in report.headlines]
    current: object = object()
    for f in sorted(shown, key=sort_key):
        if f.file != current:
            current = f.file
            if lines:
                lines.append("")
            lines.append(paint(f.file or "(no file)", _BOLD))
        where = str(f.line) if f.line else "-"
        label = paint(f"{f.severity!s:<7}", _COLOUR[f.severity])
        text = f.message
        if f.object and f.object not in text:
            text = f"{f.object}: {text}"
        lines.append(f"  {where:>5}  {label}  {paint(f.code, _DIM)}  {escape_text(text)}")
        if f.hint:
            lines.append(f"{'':>9}{paint('hint: ' + f.hint, _DIM)}")
    for note in report.notes if verbose else []:
        lines.append(escape_text(note))
    tally = counts(report.findings)
    files = len({f.file for f in shown if f.file})
    parts = [
        f"{tally[Severity.ERROR]} error{'s' if tally[Severity.ERROR] != 1 else ''}",
        f"{tally[Severity.WARNING]} warning{'s' if tally[Severity.WARNING] != 1 else ''}",
    ]
    info = f"{tally[Severity.INFO]} info"
    if tally[Severity.INFO] and not verbose:
        info += " (shown with --verbose)"
    parts.append(info)
    if lines:
        lines.append("")
    if not report.findings and report.checked:
        lines.append(f"{report.tool}: {report.checked}, 0 findings")
    else:
        where = f" in {files} file{'s' if files != 1 else ''}"
        checked = f" ({report.checked})" if report.checked else ""
        lines.append(f"{report.tool}: " + ", ".join(parts) + where + checked)
    return "\n".join(lines) + "\n"


# -- SARIF 2.1.0 -----------------------------------------------------------------------------------


def _rule(meta: RuleMeta) -> dict[str, Any]:
    help_text = meta.help or meta.summary
    rule: dict[str, Any] = {
        "id": meta.id,
        "name": "".join(part.capitalize() for part in meta.id.replace("/", "-").split("-")),
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": help_text},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": _SARIF_LEVEL[meta.severity]},
    }
    if meta.help_uri:
        rule["helpUri"] = meta.help_uri
    return rule


def render_sarif(report: FindingsReport) -> str:
    rules = dict(report.rules)
    for f in report.findings:
        if f.code not in rules:
            rules[f.code] = RuleMeta(f.code, f.severity, f"fluxops {report.tool} finding {f.code}")
    ordered = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(ordered)}
    results = []
    for f in sorted(report.findings, key=sort_key):
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message + (f"\nhint: {f.hint}" if f.hint else "")},
        }
        if f.file:
            physical: dict[str, Any] = {
                "artifactLocation": {"uri": f.file, "uriBaseId": "SRCROOT"},
            }
            if f.line:
                physical["region"] = {"startLine": f.line}
            location: dict[str, Any] = {"physicalLocation": physical}
            if f.object:
                location["logicalLocations"] = [{"fullyQualifiedName": f.object, "kind": "object"}]
            result["locations"] = [location]
        elif f.object:
            result["locations"] = [
                {"logicalLocations": [{"fullyQualifiedName": f.object, "kind": "object"}]}
            ]
        props: dict[str, Any] = {}
        if f.path:
            props["jsonPath"] = f.path
        if f.extra.get("objects"):
            props["objects"] = list(f.extra["objects"])
        if f.extra.get("unrendered"):
            props["unrendered"] = True
        if props:
            result["properties"] = props
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "fluxops",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rules[r]) for r in ordered],
            }
        },
        "results": results,
        "columnKind": "utf16CodeUnits",
    }
    if report.headlines or report.notes:
        run["properties"] = {"notes": [*report.headlines, *report.notes]}
    if report.root is not None:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": report.root.resolve().as_uri() + "/"}}
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2) + "\n"


# -- GitHub workflow annotations -------------------------------------------------------------------


def _escape_data(text: str) -> str:
    """Workflow command data: `%`, CR and LF encoded as GitHub documents; other control
    characters (terminal escapes in the log view) written as `\\x..`."""
    encoded = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape_text(encoded)


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: FindingsReport, *, prefix: str = "") -> str:
    """`::error file=F,line=N,title=CODE::message` lines; `prefix` is prepended to file paths
    (the repo's folder relative to the workspace root)."""
    lines = [
        f"::notice title={_escape_property(f'fluxops {report.tool}')}::{_escape_data(h)}"
        for h in report.headlines
    ]
    for f in sorted(report.findings, key=sort_key):
        props = []
        if f.file:
            props.append(f"file={_escape_property(prefix + f.file)}")
            if f.line:
                props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f'fluxops {report.tool}: {f.code}')}")
        text = f.message
        if f.object and f.object not in text:
            text = f"{f.object}: {text}"
        if f.hint:
            text += f"\nhint: {f.hint}"
        lines.append(f"::{_GITHUB_COMMAND[f.severity]} {','.join(props)}::{_escape_data(text)}")
    return "\n".join(lines) + ("\n" if lines else "")
