"""Renderers for `fluxops values-diff`: a table, JSON, YAML and Markdown."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fluxops.diff.values_diff import MISSING
from fluxops.goyaml import dump

if TYPE_CHECKING:
    from fluxops.diff.release_diff import ValuesDiffResult

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
    return {
        "environments": [
            {"name": env, "resolvedAs": result.env_descriptions.get(env, "")} for env in result.envs
        ],
        "releases": releases,
        "onlyIn": result.only_in,
        "findings": [f.to_dict() for f in result.findings],
        "differs": result.differs,
    }


def to_json(result: ValuesDiffResult) -> str:
    return json.dumps(to_data(result), indent=2) + "\n"


def to_yaml(result: ValuesDiffResult) -> str:
    return dump(to_data(result))


def to_markdown(result: ValuesDiffResult) -> str:
    lines = []
    for diff in result.diffs:
        lines.append(f"### HelmRelease `{diff.release}`\n")
        if diff.missing_in:
            lines.append(f"Not present in: {', '.join(diff.missing_in)}\n")
        for env, error in diff.errors.items():
            lines.append(f"**{env}**: {error}\n")
        if diff.rows:
            header = "| | path | " + " | ".join(result.envs) + " |"
            lines.append(header)
            lines.append("|" + "---|" * (len(result.envs) + 2))
            for row in diff.rows:
                cells = " | ".join(
                    "`" + cell(row.values.get(env, MISSING)).replace("|", "\\|") + "`"
                    for env in result.envs
                )
                lines.append(f"| {row.section} | `{row.path}` | {cells} |")
            lines.append("")
        elif not diff.missing_in and not diff.errors:
            lines.append("No differences.\n")
        for note in diff.notes:
            lines.append(f"> {note}\n")
    for release, envs in sorted(result.only_in.items()):
        lines.append(f"- `{release}` only in {', '.join(envs)}")
    return "\n".join(lines).rstrip() + "\n"


def print_table(result: ValuesDiffResult, console: Any) -> None:
    """A rich table per release; differing cells highlighted."""
    from rich.table import Table

    for diff in result.diffs:
        title = f"HelmRelease {diff.release}"
        if diff.missing_in:
            title += f"  (not in {', '.join(diff.missing_in)})"
        table = Table(title=title, title_justify="left", show_lines=False)
        table.add_column("", style="dim")
        table.add_column("path", overflow="fold")
        for env in result.envs:
            table.add_column(env, overflow="fold")
        for row in diff.rows:
            style = "yellow" if row.differs else None
            table.add_row(
                row.section,
                row.path,
                *[cell(row.values.get(env, MISSING)) for env in result.envs],
                style=style,
            )
        if diff.rows:
            console.print(table)
        elif not diff.errors and not diff.missing_in:
            console.print(f"HelmRelease {diff.release}: no differences")
        for env, error in diff.errors.items():
            console.print(f"[red]{env}[/red]: {error}")
        for note in diff.notes:
            console.print(f"[dim]note: {note}[/dim]")
    for release, envs in sorted(result.only_in.items()):
        console.print(f"HelmRelease {release} only in {', '.join(envs)}")
