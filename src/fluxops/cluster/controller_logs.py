"""The Flux controllers' log lines about one object, read as `flux logs` (flux v2.9) reads them.

`flux logs --kind K --name N -n NS` does, and so does `read_controller_logs` + `filter_entries`:

1. List the Deployments in the Flux namespace (`flux-system`) labelled
   `app.kubernetes.io/part-of=flux`; for each, list the Pods matching its pod template's labels
   and take the first in kubectl's `ByLogging` order (assigned to a node, Running, Ready,
   ready the longest, most restarts, oldest).
2. Read that Pod's log through the API server (`pods/log`; container `manager` when the Pod has
   more than one).
3. Read the log as Go's `bufio.Scanner` does (lines split at `\\n`, a trailing `\\r` dropped; a
   line of 64 KiB or more ends the stream), skip lines that do not start with `{`, decode each
   as JSON into the fields `ts`, `level`, `msg`, `error`, `logger`, `reconciler kind`,
   `controllerKind`, `name`, `namespace` (keys matched as Go does: exactly, else ignoring
   case; a field of the wrong type or a line that is not JSON ends that controller's stream).
4. Keep an entry when the kind equals (ignoring case) `reconciler kind` or `controllerKind`,
   the name equals `name` and the namespace equals `namespace`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fluxops.errors import ClusterError

if TYPE_CHECKING:
    from fluxops.cluster.client import ClusterClient

Obj = dict[str, Any]

FLUX_NAMESPACE = "flux-system"
PART_OF_SELECTOR = "app.kubernetes.io/part-of=flux"
CONTROLLER_CONTAINER = "manager"
#: bufio.MaxScanTokenSize: a line this long (or longer) stops Go's scanner
MAX_SCAN_TOKEN = 64 * 1024
#: what one controller's log may weigh when read for explain (limitBytes)
DEFAULT_LIMIT_BYTES = 8 * 1024 * 1024

#: JSON key -> LogEntry attribute, as in flux's ControllerLogEntry
_FIELDS = {
    "ts": "ts",
    "level": "level",
    "msg": "msg",
    "error": "error",
    "logger": "logger",
    "reconciler kind": "kind",
    "controllerKind": "controller_kind",
    "name": "name",
    "namespace": "namespace",
}


@dataclass(frozen=True)
class LogEntry:
    """One JSON log line of a Flux controller, the fields `flux logs` reads."""

    ts: str = ""
    level: str = ""
    msg: str = ""
    error: str = ""
    logger: str = ""
    kind: str = ""
    controller_kind: str = ""
    name: str = ""
    namespace: str = ""

    def format(self) -> str:
        """The line as `flux logs` prints it (its text/template, byte for byte)."""
        subject = self.kind or self.controller_kind
        if self.name:
            subject += f"/{self.name}.{self.namespace}"
        return f"{self.ts} {self.level} {subject} - {self.msg} {self.error}"


@dataclass
class ControllerLog:
    """One Flux controller's log as read: the pod chosen and its raw text, or why not."""

    deployment: str
    pod: str = ""
    container: str = ""
    text: str = ""
    error: str = ""
    #: the log was cut at limitBytes
    truncated: bool = False
    entries: list[LogEntry] = field(default_factory=list)


class _StopStream(ClusterError):
    """A line flux's decoder refuses: the rest of this controller's log is not read (caught
    here, never raised to callers)."""


def scan_lines(text: str) -> Iterator[str]:
    """Lines as bufio.Scanner with ScanLines yields them (a line >= 64 KiB ends the scan)."""
    start = 0
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        if end < 0:
            line, start = text[start:], length
            if len(line.encode()) >= MAX_SCAN_TOKEN:
                return
        else:
            line, start = text[start:end], end + 1
            if len(line.encode()) + 1 > MAX_SCAN_TOKEN:
                return
        yield line[:-1] if line.endswith("\r") else line


def _no_constants(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def _decode(line: str) -> LogEntry:
    """Decode as Go's encoding/json into ControllerLogEntry; _StopStream when Go would fail."""
    try:
        pairs = json.loads(line, object_pairs_hook=list, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise _StopStream(str(exc)) from None
    if not isinstance(pairs, list):
        raise _StopStream("not an object")
    values: dict[str, str] = {}
    for key, value in pairs:
        attr = _FIELDS.get(key)
        if attr is None:  # Go: an exact match first, else a case-insensitive one
            attr = next((a for k, a in _FIELDS.items() if k.lower() == key.lower()), None)
        if attr is None:
            continue
        if value is None:  # null leaves a Go string unchanged
            continue
        if not isinstance(value, str):
            raise _StopStream(f"{key}: not a string")
        values[attr] = value
    return LogEntry(**values)


def parse_entries(text: str) -> list[LogEntry]:
    """Every entry flux's logRequest would decode from one controller's log."""
    out: list[LogEntry] = []
    for line in scan_lines(text):
        if not line.startswith("{"):
            continue
        try:
            out.append(_decode(line))
        except _StopStream:
            break
    return out


def _fold(value: str) -> str:
    return value.lower()  # strings.EqualFold: simple case folding, not casefold()'s ß -> ss


def matches(entry: LogEntry, kind: str, name: str, namespace: str) -> bool:
    """flux logs' filterPrintLog for --kind, --name and -n (no --level, no -A)."""
    return (
        (not kind or _fold(kind) in (_fold(entry.kind), _fold(entry.controller_kind)))
        and (not name or _fold(name) == _fold(entry.name))
        and _fold(namespace) == _fold(entry.namespace)
    )


def filter_entries(entries: list[LogEntry], kind: str, name: str, namespace: str) -> list[LogEntry]:
    return [e for e in entries if matches(e, kind, name, namespace)]


# ---------------------------------------------------------------------------------------------
# which pod: kubectl's podutils.ByLogging


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _ready_time(pod: Mapping[str, Any]) -> datetime | None:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == "Ready" and cond.get("status") == "True":
            return _time(cond.get("lastTransitionTime"))
    return None


def _is_ready(pod: Mapping[str, Any]) -> bool:
    return any(
        isinstance(c, dict) and c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _restarts(pod: Mapping[str, Any]) -> tuple[int, int]:
    status = pod.get("status") or {}
    regular = max(
        [int(c.get("restartCount") or 0) for c in status.get("containerStatuses") or []] or [0]
    )
    sidecars = {
        c.get("name")
        for c in (pod.get("spec") or {}).get("initContainers") or []
        if c.get("restartPolicy") == "Always"
    }
    sidecar = max(
        [
            int(c.get("restartCount") or 0)
            for c in status.get("initContainerStatuses") or []
            if c.get("name") in sidecars
        ]
        or [0]
    )
    return regular, sidecar


def _after_or_zero(t1: datetime | None, t2: datetime | None) -> bool:
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


_PHASE_RANK = {"Running": 0, "Unknown": 1, "Pending": 2}  # others rank 0, as a Go map miss


def _by_logging(a: Obj, b: Obj) -> int:
    """-1 when `a` sorts before `b` in ByLogging (a negative Less), 1 after, 0 a tie."""

    def less(i: Obj, j: Obj) -> bool:
        ni = str((i.get("spec") or {}).get("nodeName") or "")
        nj = str((j.get("spec") or {}).get("nodeName") or "")
        if ni != nj and (not ni or not nj):
            return bool(ni)
        pi = _PHASE_RANK.get(str((i.get("status") or {}).get("phase") or ""), 0)
        pj = _PHASE_RANK.get(str((j.get("status") or {}).get("phase") or ""), 0)
        if pi != pj:
            return pi < pj
        if _is_ready(i) != _is_ready(j):
            return _is_ready(i)
        if _is_ready(i) and _is_ready(j) and _ready_time(i) != _ready_time(j):
            return _after_or_zero(_ready_time(j), _ready_time(i))
        ri, rj = _restarts(i), _restarts(j)
        if ri[0] != rj[0]:
            return ri[0] > rj[0]
        if ri[1] != rj[1]:
            return ri[1] > rj[1]
        ci = _time((i.get("metadata") or {}).get("creationTimestamp"))
        cj = _time((j.get("metadata") or {}).get("creationTimestamp"))
        if ci != cj:
            return _after_or_zero(cj, ci)
        return False

    if less(a, b):
        return -1
    return 1 if less(b, a) else 0


def pick_pod(pods: list[Obj]) -> Obj | None:
    """The pod `flux logs` reads for one Deployment (the first in ByLogging order)."""
    if not pods:
        return None
    return sorted(pods, key=functools.cmp_to_key(_by_logging))[0]


# ---------------------------------------------------------------------------------------------
# reading


def read_controller_logs(
    client: ClusterClient,
    namespace: str = FLUX_NAMESPACE,
    *,
    tail_lines: int | None = None,
    since_seconds: int | None = None,
    limit_bytes: int | None = DEFAULT_LIMIT_BYTES,
) -> list[ControllerLog]:
    """One `ControllerLog` per Flux controller Deployment in `namespace` (pods chosen and read
    as `flux logs` does). A pod that cannot be listed or read is a `ControllerLog` with
    `error`; Deployments the user may not list raise (ForbiddenError)."""
    deployments = list(
        client.list("apps/v1", "Deployment", namespace, label_selector=PART_OF_SELECTOR)
    )

    def one(deploy: Obj) -> ControllerLog:
        name = str((deploy.get("metadata") or {}).get("name") or "")
        labels = ((deploy.get("spec") or {}).get("template") or {}).get("metadata") or {}
        selector = ",".join(f"{k}={v}" for k, v in (labels.get("labels") or {}).items())
        log = ControllerLog(deployment=name)
        try:
            pods = list(client.list("v1", "Pod", namespace, label_selector=selector or None))
        except ClusterError as exc:
            log.error = exc.message
            return log
        pod = pick_pod(pods)
        if pod is None:
            log.error = "no pod"
            return log
        log.pod = str((pod.get("metadata") or {}).get("name") or "")
        containers = (pod.get("spec") or {}).get("containers") or []
        params: dict[str, str] = {}
        if len(containers) > 1:
            params["container"] = log.container = CONTROLLER_CONTAINER
        if tail_lines is not None:
            params["tailLines"] = str(tail_lines)
        if since_seconds is not None:
            params["sinceSeconds"] = str(since_seconds)
        if limit_bytes is not None:
            params["limitBytes"] = str(limit_bytes)
        try:
            log.text = client.pod_log(namespace, log.pod, params)
        except ClusterError as exc:
            log.error = exc.message
            return log
        log.truncated = limit_bytes is not None and len(log.text.encode()) >= limit_bytes
        return log

    if not deployments:
        return []
    # in the order flux logs prints them (the Deployments' list order), read in parallel
    with ThreadPoolExecutor(max_workers=min(8, len(deployments))) as pool:
        return list(pool.map(one, deployments))


def object_log_lines(
    logs: list[ControllerLog], kind: str, name: str, namespace: str
) -> list[ControllerLog]:
    """Each controller's entries about one object (`flux logs --kind --name -n`)."""
    for log in logs:
        log.entries = filter_entries(parse_entries(log.text), kind, name, namespace)
    return logs
