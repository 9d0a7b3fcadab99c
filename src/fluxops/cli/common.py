"""Shared CLI plumbing: error reporting, exit codes, output selection."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fluxops.errors import EXIT_INTERNAL, EXIT_USAGE, FluxopsError, InternalError, UsageError

_BUG = "this is a bug in fluxops (exit 3); rerun with FLUXOPS_DEBUG=1 for the traceback"

if TYPE_CHECKING:
    from fluxops.model.results import Result
    from fluxops.output.registry import View

F = TypeVar("F", bound=Callable[..., Any])


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived (a CI job was cancelled): unwind like Ctrl-C, so that every
    workspace and engine process is cleaned up, then exit 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def install_signal_handlers() -> None:
    """SIGTERM and SIGHUP stop the engine processes and unwind (SIGINT already does)."""
    import signal

    def handler(signum: int, frame: object) -> None:
        from fluxops import api

        api.abort_engines()
        raise Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            # ValueError: not the main thread (an embedding program keeps its own handlers)
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, handler)


def fail(message: str, code: int = EXIT_USAGE) -> None:
    from fluxops.output.escape import escape_text

    click.echo(f"error: {escape_text(message, indent='')}", err=True)
    sys.exit(code)


def error_envelope(fmt: object, exc: BaseException, code: int, compact: bool = False) -> None:
    """With `-o json|yaml`, a command that could not run prints an `ErrorResult` envelope on
    stdout (docs/json.md), so that a machine reading stdout always gets a document; `--compact`
    applies to it as to the command's own result."""
    ctx = click.get_current_context(silent=True)
    if fmt not in ("json", "yaml"):
        return
    if fmt == "yaml" and ctx is not None and ctx.command.name == "build":
        return  # build's YAML is the objects (a stream for kubectl apply), not an envelope
    from fluxops.model.results import ErrorResult
    from fluxops.output.registry import View, render

    if isinstance(exc, FluxopsError):
        result = ErrorResult(
            code=exc.code,
            message=exc.message or str(exc),
            hint=exc.hint,
            file=exc.file,
            object=exc.obj,
            status=code,
            command=ctx.command_path if ctx else "",
        )
    else:
        result = ErrorResult(
            code="internal",
            message=f"{type(exc).__name__}: {exc}",
            hint=_BUG,
            status=code,
            command=ctx.command_path if ctx else "",
        )
    sys.stdout.write(render(result, str(fmt), View(compact=compact)).stdout)
    sys.stdout.flush()


def requested_format(argv: list[str]) -> str | None:
    """The `-o`/`--output` value of a command line click could not parse (None if absent)."""
    for i, arg in enumerate(argv):
        if arg in ("-o", "--output") and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--output="):
            return arg.partition("=")[2]
        if arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--"):
            return arg[2:]
    return None


def usage_envelope(argv: list[str], exc: click.ClickException) -> None:
    """An `ErrorResult` (code usage) on stdout for a command line click refused, when it asks
    for `-o json` or `-o yaml` (not `build -o yaml`: objects)."""
    fmt = requested_format(argv)
    if fmt not in ("json", "yaml") or (fmt == "yaml" and argv[:1] == ["build"]):
        return
    from fluxops.model.results import ErrorResult
    from fluxops.output.registry import View, render

    verb = next((a for a in argv if not a.startswith("-")), "")
    result = ErrorResult(
        code="usage",
        message=exc.format_message(),
        hint=f"fluxops {verb} --help".replace("  ", " "),
        status=exc.exit_code,
        command=f"fluxops {verb}".strip(),
    )
    view = View(compact="--compact" in argv[: argv.index("--") if "--" in argv else len(argv)])
    sys.stdout.write(render(result, fmt, view).stdout)
    sys.stdout.flush()


def handle_errors(func: F) -> F:
    """Turn fluxops errors into a clear message and the right exit code; no tracebacks for
    user mistakes. FLUXOPS_DEBUG=1 shows tracebacks of internal errors. With `-o json|yaml`
    an `ErrorResult` envelope goes to stdout too."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fmt = kwargs.get("fmt")
        compact = bool(kwargs.get("compact"))
        try:
            return func(*args, **kwargs)
        except InternalError as exc:
            if os.environ.get("FLUXOPS_DEBUG"):
                raise
            error_envelope(fmt, exc, EXIT_INTERNAL, compact)
            fail(f"internal error: {exc}\n  {_BUG}", EXIT_INTERNAL)
        except FluxopsError as exc:
            error_envelope(fmt, exc, exc.exit_code, compact)
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Terminated as exc:
            click.echo("terminated", err=True)
            sys.exit(128 + exc.signum)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except BrokenPipeError:
            sys.exit(0)
        except Exception as exc:  # an internal error: say so, keep it short
            if os.environ.get("FLUXOPS_DEBUG"):
                raise
            error_envelope(fmt, exc, EXIT_INTERNAL, compact)
            fail(f"internal error: {type(exc).__name__}: {exc}\n  {_BUG}", EXIT_INTERNAL)
        return None

    return wrapper  # type: ignore[return-value]


def emit(result: Result, fmt: str, view: View | None = None) -> int:
    """Print `result` in format `fmt` (stdout: the result; stderr: notes for people) and
    return its exit status."""
    from fluxops.output.registry import render

    rendered = render(result, fmt, view)
    if rendered.stderr and rendered.stderr_first:
        click.echo(rendered.stderr, err=True, nl=False)
    if rendered.stdout:
        sys.stdout.write(rendered.stdout)
        sys.stdout.flush()
    if rendered.stderr and not rendered.stderr_first:
        click.echo(rendered.stderr, err=True, nl=False)
    return result.exit_code


def stdout_colour() -> bool:
    """Colours on stdout: a terminal, no NO_COLOR in the environment, TERM is not dumb."""
    return (
        sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM", "") != "dumb"
    )


def want_colour(choice: str) -> bool:
    """`--color always|never|auto` as a yes or no (auto: `stdout_colour`)."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    return stdout_colour()


def rich_width() -> int:
    """The width rich would give stdout: the terminal's, else $COLUMNS, else 80."""
    import shutil

    if sys.stdout.isatty():
        return shutil.get_terminal_size((80, 24)).columns
    try:
        return int(os.environ.get("COLUMNS", "")) or 80
    except ValueError:
        return 80


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def parse_cli_duration(text: str, option: str) -> float:
    """A duration option: plain seconds (`30`) or a Go duration (`90s`, `10m`, `1h30m`)."""
    from fluxops.model.durations import parse_duration

    value = text.strip()
    try:
        seconds: float | None = float(value)
    except ValueError:
        seconds = parse_duration(value)
    if seconds is None or seconds < 0:
        raise UsageError(f"{option} {text!r}: expected a duration such as 30s, 10m or 1h")
    return seconds


@contextlib.contextmanager
def build_progress(enabled: bool) -> Iterator[BuildProgress | None]:
    """A progress bar on stderr while Kustomizations render, when `enabled` and stderr is a
    terminal; removed when the block ends."""
    bar = BuildProgress() if enabled and stderr_is_terminal() else None
    try:
        yield bar
    finally:
        if bar is not None:
            bar.stop()


class BuildProgress:
    """A rich progress bar on stderr, for commands that render many Kustomizations: done of
    total, the elapsed time and the Kustomization built last. Callers create it only when
    stderr is a terminal; it is removed when the run ends."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.bar = Progress(
            TextColumn("building"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            transient=True,
            console=Console(stderr=True),
        )
        self.task = self.bar.add_task("", total=None)
        self.bar.start()

    def current(self, ref: str) -> None:
        """The Kustomization (NAMESPACE/NAME) that was built last."""
        from rich.markup import escape

        from fluxops.output.escape import escape_text

        self.bar.update(self.task, description=escape(escape_text(ref)))

    def __call__(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        self.bar.stop()
