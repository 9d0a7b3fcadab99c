"""Interval checks for lint rules (durations parsed as Go does: fluxops.model.durations)."""

from __future__ import annotations

from fluxops.model.durations import format_duration, parse_duration


def interval_problem(value: object, minimum: str, maximum: str) -> tuple[str, str] | None:
    """(message, hint) when an interval is missing, unparsable, or out of [minimum, maximum]."""
    if value is None:
        return (
            "interval is not set: Flux never reconciles it again after a failure or drift",
            f"set `interval:` between {minimum} and {maximum}, e.g. 10m",
        )
    if not isinstance(value, str):
        return ("interval must be a duration string such as 10m", "quote it: `interval: 10m`")
    if "${" in value:
        return None
    seconds = parse_duration(value)
    low, high = parse_duration(minimum), parse_duration(maximum)
    if seconds is None:
        return (f"interval {value!r} is not a duration", "use Go durations: 30s, 10m, 1h")
    if low is not None and seconds < low:
        return (
            f"interval {value} is below {minimum}: every reconciliation loads the source and "
            "the API server",
            f"use at least {minimum}; trigger reconciliations with a Receiver (webhook) instead",
        )
    if high is not None and seconds > high:
        return (
            f"interval {value} is above {maximum}: drift and failed releases stay unrepaired "
            "that long",
            f"use at most {maximum}",
        )
    return None


__all__ = ["format_duration", "interval_problem", "parse_duration"]
