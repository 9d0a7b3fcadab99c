"""Renderers for `fluxops values-diff`: a table, JSON, YAML and Markdown."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fluxops.helmvalues.valuediff import MISSING
from fluxops.output.envelope import envelope
from fluxops.output.envelope import to_json as envelope_json
from fluxops.output.envelope import to_yaml as envelope_yaml
from fluxops.output.escape import escape_text, markdown_code, markdown_text
from fluxops.output.registry import Rendered, View, formatter, rich_console

if TYPE_CHECKING:
    from fluxops.helmvalues.releases import ValuesDiffResult

ABSENT = "(absent)"


def cell(value: Any) -> str:
    """A value as one table cell: scalars as YAML would write them, structures as JSON."""
    if value is MISSING:
        return ABSENT
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(", ", ": "))
    return str(value)


def _json_value(value: Any) -> Any:
    return None if value is MISSING else value


def to_data(result: ValuesDiffResult) -> dict[str, Any]:
    """The stable document behind -o json and -o yaml. A path absent in an environment is
    listed under `absent`, never as a value."""
    releases = []
    for diff in result.diffs:
        rows = []
        for row in diff.rows:
            rows.append(
                {
                    "section": row.section,
                    "path": row.path,
                    "differs": row.differs,
                    "secret": row.secret,
                    "values": {
                        env: _json_value(v) for env, v in row.values.items() if v is not MISSING
                    },
                    "absent": [env for env, v in row.values.items() if v is MISSING],
                }
            )
        releases.append(
            {
                "release": diff.release,
                "differs": diff.differs,
                "missingIn": diff.missing_in,
                "errors": diff.errors,
                "notes": diff.notes,
                "rows": rows,
            }
        )
    return envelope(
        result,
        summary={
            "environments": len(result.envs),
            "releases": len(result.diffs),
            "differing": sum(1 for d in result.diffs if d.differs),
            "onlyIn": len(result.only_in),
            "differs": result.differs,
        },
        data={
            "environments": [
                {"name": env, "resolvedAs": result.env_descriptions.get(env, "")}
                for env in result.envs
            ],
            "releases": releases,
            "onlyIn": result.only_in,
            "differs": result.differs,
        },
    )


def to_json(result: ValuesDiffResult, *, compact: bool = False) -> str:
    return envelope_json(to_data(result), compact=compact)


def to_yaml(result: ValuesDiffResult, *, compact: bool = False) -> str:
    return envelope_yaml(to_data(result), compact=compact)


def to_markdown(result: ValuesDiffResult) -> str:
    """A PR comment: one table per release. Every name and value is escaped: nothing in the
    repository can end a table cell, a code span or a line early."""
    lines = []
    for diff in result.diffs:
        lines.append(f"### HelmRelease {markdown_code(diff.release, table=False)}\n")
        if diff.missing_in:
            lines.append(
                f"Not present in: {', '.join(markdown_text(e) for e in diff.missing_in)}\n"
            )
        for env, error in diff.errors.items():
            lines.append(f"**{markdown_text(env)}**: {markdown_text(error)}\n")
        if diff.rows:
            header = "| | path | " + " | ".join(markdown_text(e) for e in result.envs) + " |"
            lines.append(header)
            lines.append("|" + "---|" * (len(result.envs) + 2))
            for row in diff.rows:
                cells = " | ".join(
                    markdown_code(cell(row.values.get(env, MISSING))) for env in result.envs
                )
                lines.append(
                    f"| {markdown_text(row.section)} | {markdown_code(row.path)} | {cells} |"
                )
            lines.append("")
        elif not diff.missing_in and not diff.errors:
            lines.append("No differences.\n")
        for note in diff.notes:
            lines.append(f"> {markdown_text(note)}\n")
    for release, envs in sorted(result.only_in.items()):
        lines.append(
            f"- {markdown_code(release, table=False)} only in "
            + ", ".join(markdown_text(e) for e in envs)
        )
    return "\n".join(lines).rstrip() + "\n"


def print_table(result: ValuesDiffResult, console: Any) -> None:
    """A rich table per release; differing cells highlighted. Cells are Text objects (no
    console markup is interpreted) holding escaped text."""
    from rich.table import Table
    from rich.text import Text

    def plain(value: object) -> Text:
        return Text(escape_text(value))

    for diff in result.diffs:
        title = f"HelmRelease {diff.release}"
        if diff.missing_in:
            title += f"  (not in {', '.join(diff.missing_in)})"
        table = Table(title=plain(title), title_justify="left", show_lines=False)
        table.add_column("", style="dim")
        table.add_column("path", overflow="fold")
        for env in result.envs:
            table.add_column(plain(env), overflow="fold")
        for row in diff.rows:
            style = "yellow" if row.differs else None
            table.add_row(
                plain(row.section),
                plain(row.path),
                *[plain(cell(row.values.get(env, MISSING))) for env in result.envs],
                style=style,
            )
        if diff.rows:
            console.print(table)
        elif not diff.errors and not diff.missing_in:
            console.print(plain(f"HelmRelease {diff.release}: no differences"))
        for env, error in diff.errors.items():
            console.print(Text.assemble((escape_text(env), "red"), ": ", escape_text(error)))
        for note in diff.notes:
            console.print(Text(f"note: {escape_text(note)}", style="dim"))
    for release, envs in sorted(result.only_in.items()):
        console.print(plain(f"HelmRelease {release} only in {', '.join(envs)}"))


@formatter("ValuesDiffResult", "table")
def table_format(result: ValuesDiffResult, view: View) -> Rendered:
    """A table per release on stdout; warnings (failed renders) on stderr."""
    console = rich_console(view)
    print_table(result, console)
    notes = "".join(
        f"{finding.severity}: {escape_text(finding.message)}\n"
        for finding in result.findings
        if str(finding.severity) != "info"
    )
    return Rendered(console.file.getvalue(), notes)


@formatter("ValuesDiffResult", "json")
def json_format(result: ValuesDiffResult, view: View) -> Rendered:
    return Rendered(to_json(result, compact=view.compact))


@formatter("ValuesDiffResult", "yaml")
def yaml_format(result: ValuesDiffResult, view: View) -> Rendered:
    return Rendered(to_yaml(result, compact=view.compact))


@formatter("ValuesDiffResult", "markdown")
def markdown_format(result: ValuesDiffResult, view: View) -> Rendered:
    return Rendered(to_markdown(result))
