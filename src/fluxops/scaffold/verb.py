"""The `init` verb: plan the layout, refuse nothing that exists (existing files are kept),
write the new files unless `dry_run`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from fluxops.errors import UsageError
from fluxops.model.results import Result

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(kw_only=True)
class InitRequest:
    """Scaffold `path` for cluster `cluster` running environment `env` (default: the
    cluster's name when it is one of `envs`, else the first of `envs`)."""

    path: str = "."
    cluster: str
    envs: list[str] = field(default_factory=lambda: ["staging", "production"])
    env: str | None = None
    dry_run: bool = False


@dataclass
class InitResult(Result):
    kind: ClassVar[str] = "InitResult"

    root: str
    cluster: str
    env: str
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    dry_run: bool = False
    next_command: str = ""

    @property
    def exit_code(self) -> int:
        return 0


def _check_name(value: str, what: str) -> None:
    if not _NAME.match(value) or len(value) > 63:
        raise UsageError(
            f"{what} {value!r}: use lowercase letters, digits and '-' (a folder and a "
            "Kubernetes name)"
        )


def run(request: InitRequest) -> InitResult:
    from fluxops.scaffold.files import apply, plan
    from fluxops.scaffold.layout import Layout, bootstrap_command, files

    _check_name(request.cluster, "--cluster")
    envs = [e.strip() for e in request.envs if e.strip()]
    if not envs:
        raise UsageError("--envs: name at least one environment, e.g. staging,production")
    for env in envs:
        _check_name(env, "--envs")
    env = request.env or (request.cluster if request.cluster in envs else envs[0])
    if env not in envs:
        raise UsageError(f"--env {env}: not one of --envs {','.join(envs)}")
    root = Path(request.path)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{request.path} is not a folder")
    layout = Layout(cluster=request.cluster, env=env, envs=tuple(dict.fromkeys(envs)))
    planned = plan(root, files(layout))
    result = InitResult(
        root=str(root),
        cluster=request.cluster,
        env=env,
        created=[f.rel for f in planned.new],
        kept=[f.rel for f in planned.kept],
        dry_run=request.dry_run,
        next_command=bootstrap_command(layout),
    )
    if not request.dry_run:
        root.mkdir(parents=True, exist_ok=True)
        apply(planned)
    return result
