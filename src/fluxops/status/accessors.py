"""Reading the status fields of Flux objects: conditions, timestamps, revisions, events.

Pure functions over raw dicts as the API server returns them; nothing here trusts a field to
have the right type.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fluxops.status.states import Condition, Event

_CREDENTIALS_IN_URL = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}")


def mask(text: str) -> str:
    """A message with credentials removed (user:password@ in URLs, bearer tokens)."""
    if "@" in text and "://" in text:
        text = _CREDENTIALS_IN_URL.sub(r"\g<scheme>***@", text)
    if "earer" in text:
        text = _BEARER.sub(r"\1***", text)
    return text


def d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def n(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (`2024-05-01T10:00:00Z`, with or without fractions)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    return d(obj.get("metadata"))


def status(obj: dict[str, Any]) -> dict[str, Any]:
    return d(obj.get("status"))


def spec(obj: dict[str, Any]) -> dict[str, Any]:
    return d(obj.get("spec"))


def conditions(obj: dict[str, Any], st: dict[str, Any] | None = None) -> list[Condition]:
    out = []
    for c in (status(obj) if st is None else st).get("conditions") or []:
        c = d(c)
        if not s(c.get("type")):
            continue
        out.append(
            Condition(
                type=s(c.get("type")),
                status=s(c.get("status")) or "Unknown",
                reason=s(c.get("reason")),
                message=mask(s(c.get("message"))),
                last_transition_time=s(c.get("lastTransitionTime")) or None,
                observed_generation=n(c.get("observedGeneration")),
            )
        )
    return out


def find(conds: list[Condition], type_: str) -> Condition | None:
    return next((c for c in conds if c.type == type_), None)


def spec_changed_at(obj: dict[str, Any]) -> datetime | None:
    """When the object's spec (or metadata) was last written, from managedFields: the latest
    entry that is not a status write. Falls back to creationTimestamp."""
    latest: datetime | None = None
    for entry in meta(obj).get("managedFields") or []:
        entry = d(entry)
        if entry.get("subresource") == "status":
            continue
        when = parse_time(entry.get("time"))
        if when and (latest is None or when > latest):
            latest = when
    return latest or parse_time(meta(obj).get("creationTimestamp"))


def short_revision(revision: str | None) -> str | None:
    """`main@sha1:4f1c0c1d9b...` -> `main@sha1:4f1c0c1d`; `main/4f1c0c1d9b...` likewise."""
    if not revision:
        return revision
    m = re.match(r"^(.*?)(sha1|sha256|blake3):([0-9a-f]{12,})$", revision)
    if m:
        return f"{m.group(1)}{m.group(2)}:{m.group(3)[:8]}"
    m = re.match(r"^(.*/)?([0-9a-f]{40}|[0-9a-f]{64})$", revision)
    if m:
        return f"{m.group(1) or ''}{m.group(2)[:8]}"
    return revision


def revision_version(revision: str) -> str:
    """The part before `@` of a revision (`6.5.4@sha256:...` -> `6.5.4`)."""
    return revision.split("@", 1)[0]


def artifact_revision(obj: dict[str, Any]) -> str | None:
    return s(d(status(obj).get("artifact")).get("revision")) or None


def event_time(event: dict[str, Any]) -> str | None:
    series = d(event.get("series"))
    for value in (
        series.get("lastObservedTime"),
        event.get("lastTimestamp"),
        event.get("eventTime"),
        event.get("deprecatedLastTimestamp"),
        event.get("firstTimestamp"),
        meta(event).get("creationTimestamp"),
    ):
        if isinstance(value, str) and value:
            return value
    return None


def event_subject(event: dict[str, Any]) -> tuple[str, str, str]:
    """(kind, namespace, name) of what a core/v1 or events.k8s.io/v1 Event is about."""
    involved = d(event.get("involvedObject")) or d(event.get("regarding"))
    namespace = s(involved.get("namespace")) or s(meta(event).get("namespace"))
    return s(involved.get("kind")), namespace, s(involved.get("name"))


def to_event(event: dict[str, Any]) -> Event:
    series = d(event.get("series"))
    count = n(series.get("count")) or n(event.get("count")) or n(event.get("deprecatedCount")) or 1
    return Event(
        type=s(event.get("type")) or "Normal",
        reason=s(event.get("reason")),
        message=mask(s(event.get("message")) or s(event.get("note"))).strip(),
        count=count,
        last_seen=event_time(event),
    )


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
