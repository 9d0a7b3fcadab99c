"""Go `time.ParseDuration` for Flux intervals (`10m`, `1h30m`, `90s`, `1.5h`)."""

from __future__ import annotations

import re

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def parse_duration(text: str) -> float | None:
    """Seconds, or None when `text` is not a Go duration."""
    value = text.strip()
    if value in ("0", "+0", "-0"):
        return 0.0
    sign = -1.0 if value.startswith("-") else 1.0
    value = value.lstrip("+-")
    if not value:
        return None
    total = 0.0
    pos = 0
    for match in _PART.finditer(value):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(value) or pos == 0:
        return None
    return sign * total


def format_duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{int(seconds // 3600)}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    return f"{seconds:g}s"


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
