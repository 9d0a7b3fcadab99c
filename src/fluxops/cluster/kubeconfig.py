"""Kubeconfig files as kubectl reads them: `--kubeconfig`, or every file of `$KUBECONFIG`
merged, or `~/.kube/config`; and the context names they define (for `--all-contexts`).

Merging follows kubectl (client-go `ClientConfigLoadingRules.Load`): files are read in order,
the first file to define a cluster, user or context name wins, `current-context` comes from
the first file that sets one, missing files in `$KUBECONFIG` are skipped, and relative paths
in a file (certificate-authority, client-certificate, client-key, tokenFile, an exec command
with a slash) are resolved against the folder of the file that holds them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxops.errors import ClusterError

if TYPE_CHECKING:
    from lightkube.config.kubeconfig import SingleConfig

_CLUSTER_PATHS = ("certificate-authority",)
_USER_PATHS = ("client-certificate", "client-key", "tokenFile")


def kubeconfig_files(kubeconfig: str | None) -> list[Path]:
    """The files to read, in kubectl's precedence order; [] means the in-cluster config.

    An explicit `kubeconfig` is the only file. Otherwise every existing file of
    `$KUBECONFIG` (when none exists, its first entry, so that the error names it), then
    `~/.kube/config` when it exists."""
    if kubeconfig:
        return [Path(kubeconfig).expanduser()]
    env = os.environ.get("KUBECONFIG", "")
    entries = [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    existing = [p for p in entries if p.is_file()]
    if existing:
        return list(dict.fromkeys(existing))
    if entries:
        return entries[:1]
    home = Path("~/.kube/config").expanduser()
    return [home] if home.is_file() else []


def _resolve(base: Path, value: Any) -> Any:
    if not isinstance(value, str) or not value or Path(value).is_absolute():
        return value
    return str((base / value).resolve())


def _absolutize(doc: dict[str, Any], base: Path) -> None:
    for entry in doc.get("clusters") or []:
        cluster = entry.get("cluster") if isinstance(entry, dict) else None
        if isinstance(cluster, dict):
            for key in _CLUSTER_PATHS:
                if key in cluster:
                    cluster[key] = _resolve(base, cluster[key])
    for entry in doc.get("users") or []:
        user = entry.get("user") if isinstance(entry, dict) else None
        if not isinstance(user, dict):
            continue
        for key in _USER_PATHS:
            if key in user:
                user[key] = _resolve(base, user[key])
        exec_ = user.get("exec")
        if isinstance(exec_, dict):
            command = exec_.get("command")
            if isinstance(command, str) and "/" in command:
                exec_["command"] = _resolve(base, command)


def read_file(path: Path) -> dict[str, Any]:
    """One kubeconfig file as a dict, relative paths made absolute. Errors name the file and
    the line, never its content (a kubeconfig holds credentials)."""
    from fluxops.loader.yamlio import YamlParseError, load_documents

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ClusterError(
            f"kubeconfig {path} does not exist",
            file=str(path),
            hint="pass --kubeconfig, or set KUBECONFIG to an existing file",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ClusterError(
            f"cannot read kubeconfig: {reason}",
            file=str(path),
            hint="check the file (kubectl config view)",
        ) from None
    try:
        docs = load_documents(text)
    except YamlParseError as exc:
        where = f" at line {exc.line}" if exc.line else ""
        raise ClusterError(
            f"kubeconfig is not valid YAML{where} ({_problem(exc.message)})",
            file=str(path),
            hint="fix the file; kubectl config view shows what kubectl makes of it",
        ) from None
    values = [d.value for d in docs if d.value is not None]
    doc = values[0] if values else {}
    if not isinstance(doc, dict) or len(values) > 1:
        what = "several YAML documents" if len(values) > 1 else f"a {_type_name(doc)}"
        raise ClusterError(
            f"kubeconfig is {what}, not one YAML mapping (apiVersion: v1, kind: Config)",
            file=str(path),
            hint="kubectl config view",
        )
    for section, inner in (("clusters", "cluster"), ("contexts", "context"), ("users", "user")):
        entries = doc.get(section)
        if entries is None:
            continue
        if not isinstance(entries, list) or not all(
            isinstance(e, dict)
            and isinstance(e.get("name"), str)
            and isinstance(e.get(inner, {}), dict)
            for e in entries
        ):
            raise ClusterError(
                f"kubeconfig `{section}` must be a list of entries with a `name` and a "
                f"`{inner}` mapping",
                file=str(path),
                hint="kubectl config view",
            )
    if "current-context" in doc and not isinstance(doc["current-context"], str | None):
        raise ClusterError("kubeconfig `current-context` must be a string", file=str(path))
    _absolutize(doc, path.parent)
    return doc


def _type_name(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _problem(message: str) -> str:
    """A YAML error message without anything quoted from the file."""
    import re

    return re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", message)[:120]


def merge(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """kubectl's merge of several kubeconfig documents: the first definition of a name wins."""
    out: dict[str, Any] = {"clusters": [], "contexts": [], "users": []}
    for doc in docs:
        for section in ("clusters", "contexts", "users"):
            seen = {e.get("name") for e in out[section]}
            for entry in doc.get(section) or []:
                if isinstance(entry, dict) and entry.get("name") not in seen:
                    out[section].append(entry)
                    seen.add(entry.get("name"))
        if not out.get("current-context") and doc.get("current-context"):
            out["current-context"] = doc["current-context"]
    return out


def load_merged(kubeconfig: str | None) -> tuple[dict[str, Any], list[Path]]:
    """The merged kubeconfig document and the files it came from ([] : in-cluster)."""
    files = kubeconfig_files(kubeconfig)
    return merge([read_file(p) for p in files]), files


def context_names(kubeconfig: str | None) -> list[str]:
    """Every context name the kubeconfig defines, in file order."""
    doc, files = load_merged(kubeconfig)
    if not files:
        raise ClusterError(
            "no kubeconfig found ($KUBECONFIG is unset, ~/.kube/config does not exist)",
            hint="--all-contexts needs a kubeconfig: pass --kubeconfig or set KUBECONFIG",
        )
    names = [str(c.get("name")) for c in doc["contexts"] if c.get("name")]
    if not names:
        raise ClusterError(
            "kubeconfig defines no context",
            file=os.pathsep.join(str(f) for f in files),
            hint="kubectl config get-contexts",
        )
    return names


def load_config(kubeconfig: str | None, context: str | None) -> SingleConfig:
    """Pick the kubeconfig file and the context, as kubectl would."""
    return select_context(kubeconfig, context)[0]


def select_context(
    kubeconfig: str | None, context: str | None
) -> tuple[SingleConfig, dict[str, Any] | None]:
    """The chosen context, and the raw `exec` section of its user (None: no plugin). The
    files are read by fluxops (bounded YAML, errors without content), never by lightkube."""
    from lightkube import ConfigError, KubeConfig
    from lightkube.config.models import User

    files = kubeconfig_files(kubeconfig)  # several with KUBECONFIG=a:b, merged as kubectl does
    source = os.pathsep.join(map(str, files)) if files else "the in-cluster service account"
    doc: dict[str, Any] | None = None
    try:
        if files:
            doc = merge([read_file(f) for f in files])
            kc = KubeConfig.from_dict(doc, fname=files[0])
        else:
            kc = KubeConfig.from_service_account()
    except ClusterError:
        raise
    except Exception as exc:  # lightkube/msgspec refuse the structure: say where, not what
        if not files:
            raise ClusterError(
                "no kubeconfig found ($KUBECONFIG is unset, ~/.kube/config does not exist) "
                "and not running in a cluster",
                hint="pass --kubeconfig, or set KUBECONFIG",
            ) from exc
        detail = str(exc).splitlines()[0][:200] if isinstance(exc, ConfigError) else ""
        raise ClusterError(
            f"cannot use kubeconfig: {type(exc).__name__}" + (f": {detail}" if detail else ""),
            file=source,
            hint="check the file (kubectl config view)",
        ) from exc
    if context is not None and context not in kc.contexts:
        known = ", ".join(sorted(kc.contexts)) or "none"
        raise ClusterError(
            f"kubeconfig has no context {context!r} (it has: {known})",
            file=source,
            hint="pick one of those contexts (kubectl config get-contexts)",
        )
    try:
        single = kc.get(context_name=context)
    except (ConfigError, KeyError) as exc:
        raise ClusterError(
            f"kubeconfig context cannot be used: {exc}",
            file=source,
            hint="set a current context (kubectl config use-context) or pass --context",
        ) from exc
    if single is None:  # pragma: no cover - get() without a default never returns None
        raise ClusterError("kubeconfig has no current context", file=source)
    if single.user is None:
        single = single._replace(user=User())
    exec_spec = _exec_spec(doc, single.context.user) if doc is not None else None
    if exec_spec is not None:
        # fluxops runs the plugin itself (v1 support, --timeout, clear errors).
        single = single._replace(user=User())
    return single, exec_spec


def _exec_spec(doc: dict[str, Any], user_name: str | None) -> dict[str, Any] | None:
    for entry in doc.get("users") or []:
        if isinstance(entry, dict) and entry.get("name") == user_name:
            user = entry.get("user")
            spec = user.get("exec") if isinstance(user, dict) else None
            return spec if isinstance(spec, dict) else None
    return None
