"""Inline suppression comments.

    # fluxops:ignore ks-prune -- CRDs are never pruned here
    prune: false

    spec:  # fluxops:ignore hr-inline-secret -- a public demo token

    # fluxops:ignore-file kustomize-deprecated-field -- upstream copy, updated by a bot

A comment alone on its line covers the next line that is not a comment; when that line starts a
YAML document, the whole document. A trailing comment covers its own line. `ignore-file` covers
the file. Several ids are separated by commas. The reason after `--` is required: a suppression
without one, or naming an unknown rule, is not honoured and is itself reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fluxops.model.findings import Finding, Severity

CODE = "lint-suppression"
_COMMENT = re.compile(
    r"#\s*fluxops:(?P<what>ignore-file|ignore)\b(?P<ids>[^#\n]*?)(?:--(?P<reason>.*))?$"
)


@dataclass
class FileSuppressions:
    whole_file: set[str] = field(default_factory=set)
    lines: dict[int, set[str]] = field(default_factory=dict)
    ranges: list[tuple[int, int, set[str]]] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def covers(self, rule_id: str, line: int | None) -> bool:
        if rule_id in self.whole_file:
            return True
        if line is None:
            return False
        if rule_id in self.lines.get(line, set()):
            return True
        return any(start <= line <= end and rule_id in ids for start, end, ids in self.ranges)


def _document_starts(lines: list[str]) -> dict[int, int]:
    """First content line of each document -> last line of that document (1-based)."""
    out: dict[int, int] = {}
    start: int | None = None
    begin = True
    for number, raw in enumerate(lines, start=1):
        if raw.startswith("---"):
            if start is not None:
                out[start] = number - 1
            start = None
            begin = True
            continue
        stripped = raw.strip()
        if begin and stripped and not stripped.startswith("#"):
            start = number
            begin = False
    if start is not None:
        out[start] = len(lines)
    return out


def parse_suppressions(text: str, file: str, known: set[str]) -> FileSuppressions:
    result = FileSuppressions()
    if "fluxops:" not in text:
        return result
    lines = text.splitlines()
    docs = _document_starts(lines)
    for number, raw in enumerate(lines, start=1):
        if "fluxops:" not in raw:
            continue
        match = _COMMENT.search(raw)
        if match is None:
            continue
        ids = {i.strip() for i in match.group("ids").replace(",", " ").split() if i.strip()}
        reason = (match.group("reason") or "").strip()
        if not ids:
            result.problems.append(
                Finding(
                    CODE, Severity.WARNING, "suppression names no rule id", file=file, line=number
                )
            )
            continue
        unknown = sorted(ids - known)
        if unknown:
            result.problems.append(
                Finding(
                    CODE,
                    Severity.WARNING,
                    f"suppression names unknown rule id(s): {', '.join(unknown)}",
                    file=file,
                    line=number,
                    hint="`fluxops lint --list-rules` lists the ids",
                )
            )
            ids -= set(unknown)
        if not reason:
            result.problems.append(
                Finding(
                    CODE,
                    Severity.WARNING,
                    f"suppression of {', '.join(sorted(ids))} has no reason; it is not honoured",
                    file=file,
                    line=number,
                    hint="add the reason after `--`, e.g. `# fluxops:ignore ks-prune -- CRDs`",
                )
            )
            continue
        if not ids:
            continue
        if match.group("what") == "ignore-file":
            result.whole_file |= ids
            continue
        before = raw[: match.start()].strip()
        if before:  # a trailing comment: its own line
            result.lines.setdefault(number, set()).update(ids)
            continue
        target = next(
            (
                n
                for n in range(number + 1, len(lines) + 1)
                if lines[n - 1].strip() and not lines[n - 1].strip().startswith("#")
            ),
            None,
        )
        if target is None:
            continue
        if lines[target - 1].startswith("---"):
            target = next(
                (
                    n
                    for n in range(target + 1, len(lines) + 1)
                    if lines[n - 1].strip() and not lines[n - 1].strip().startswith("#")
                ),
                target,
            )
        if target in docs:
            result.ranges.append((target, docs[target], set(ids)))
        else:
            result.lines.setdefault(target, set()).update(ids)
    return result
