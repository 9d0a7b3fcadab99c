"""The `fluxops` command group. Keep imports here cheap: `fluxops --help` must start fast, and
a verb imports only its own command module (`LazyGroup`)."""

from __future__ import annotations

import atexit
import contextlib
import importlib
import sys
from typing import NoReturn

import click

from fluxops import __version__
from fluxops.cli.common import install_signal_handlers, usage_envelope

#: verb -> "module:attribute" of its click command, imported when the verb runs (or for --help)
VERBS: dict[str, str] = {
    "build": "fluxops.cli.build:build_command",
    "validate": "fluxops.cli.validate:validate_command",
    "lint": "fluxops.cli.lint:lint_command",
    "values-diff": "fluxops.cli.values_diff:values_diff_command",
    "diff": "fluxops.cli.diff:diff_command",
    "status": "fluxops.cli.status:status_command",
    "snapshot": "fluxops.cli.status:snapshot_command",
    "drift": "fluxops.cli.drift:drift_command",
    "explain": "fluxops.cli.explain:explain_command",
    "check": "fluxops.cli.check:check_command",
    "list": "fluxops.cli.listing:list_command",
    "mcp": "fluxops.cli.mcp:mcp_command",
    "init": "fluxops.cli.scaffold:init_command",
    "skill": "fluxops.cli.scaffold:skill_group",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use: `fluxops drift` does not pay
    for the other verbs' modules. `commands` still maps every verb (it loads them all)."""

    def __init__(self, *args: object, lazy: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self._lazy, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self._lazy.pop(cmd_name, None)
        if target is not None:
            module, _, attr = target.partition(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)

    def load_all(self) -> dict[str, click.Command]:
        """Every verb's command, imported."""
        ctx = click.Context(self)
        for name in list(self._lazy):
            self.get_command(ctx, name)
        return dict(self.commands)


@click.group(
    cls=LazyGroup,
    lazy=VERBS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="fluxops")
def cli() -> None:
    """fluxops: what Flux will apply from this repo, whether it is valid, and why it is not
    reconciling. Every command has JSON output (one envelope, docs/json.md) and stable exit
    codes (0 ok, 1 findings or failures, 2 usage or environment error, 3 internal error).

    \b
    Examples:
      fluxops build examples/podinfo-platform --all
      fluxops lint examples/podinfo-platform -o json
      fluxops status --problems
      fluxops build --help
    """


#: seconds a command runs before Python's cyclic garbage collector does (see `main`)
COLLECT_AFTER = 1.0


def _collect_later() -> None:
    """A short command (one `drift --ks`) ends before the cyclic garbage collector pays off:
    its collections, set off by the objects imports create (none of them garbage), cost it
    about 10 ms of CPU. The collector is off for the first second; a command that runs longer
    (a large build, `status --watch`, the MCP server) collects as usual from then on."""
    import gc
    import threading

    if not gc.isenabled():
        return
    gc.disable()
    timer = threading.Timer(COLLECT_AFTER, gc.enable)
    timer.name = "fluxops-gc"
    timer.daemon = True
    timer.start()


def main() -> None:
    _collect_later()
    install_signal_handlers()
    status: object
    try:
        status = _run()
    except SystemExit as exc:
        status = exc.code
    _leave(status)


def _run() -> int:
    try:
        status = cli.main(prog_name="fluxops", standalone_mode=False)
    except click.ClickException as exc:  # a flag click refuses: exit 2, and with -o json|yaml
        usage_envelope(sys.argv[1:], exc)  # an ErrorResult on stdout too
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return 1
    return status if isinstance(status, int) else 0


def _leave(status: object) -> NoReturn:
    """Exit with `status` (as `sys.exit` reads it) without Python's teardown of every module
    and of the heap the command built, none of which needs doing: 10-15 ms of a 0.2 s
    `drift --ks`, more after a large build. The output is flushed and the `atexit` handlers
    run (temporary folders, logging) as on a normal exit. While a thread that is not a
    daemon still runs, the normal exit waits for it."""
    import os
    import threading

    code = _exit_code(status)
    main_thread = threading.main_thread()
    if any(t is not main_thread and not t.daemon for t in threading.enumerate()):
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (`fluxops build | head`): nothing to say
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def _exit_code(status: object) -> int:
    """`sys.exit`'s reading of its argument: None is 0, an integer itself, anything else is
    printed on stderr and is 1."""
    if status is None:
        return 0
    if isinstance(status, int):
        return status
    print(status, file=sys.stderr)
    return 1
