"""The renderer registry: one small interface, many formats (as kubeconform's outputs).

A formatter turns one kind of result into text for stdout (and, for people, a few lines for
stderr). Each format module registers its formatters with `@formatter(KIND, FORMAT, ...)`; the
CLI and the MCP server ask `render(result, format, view)` and print. Modules are imported only
when a result of their kind is rendered, so a command pays for its own renderers only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fluxops.errors import UsageError
from fluxops.model.results import Result


@dataclass(frozen=True)
class View:
    """How to present a result (never what to compute). `colour`: ANSI colours; `width`: the
    terminal's columns; `verbose`: info findings too; `compact`: JSON on one line and YAML with
    a document marker (for streams such as `--watch`); `tree`, `problems_only`: status views;
    `show_in_sync`, `diff`: drift's text view."""

    colour: bool = False
    width: int = 160
    verbose: bool = False
    compact: bool = False
    tree: bool = False
    problems_only: bool = False
    show_in_sync: bool = False
    diff: bool = True


@dataclass(frozen=True)
class Rendered:
    """What to print: `stdout` (the result) and `stderr` (notes for people, printed after the
    result unless `stderr_first`, as a headline)."""

    stdout: str
    stderr: str = ""
    stderr_first: bool = False


Formatter = Callable[[Any, View], Rendered]
F = TypeVar("F", bound=Formatter)

#: result kind -> the module that registers its formatters
MODULES: dict[str, str] = {
    "BuildResult": "fluxops.output.build",
    "ValidateResult": "fluxops.output.reports",
    "LintResult": "fluxops.output.reports",
    "ValuesDiffResult": "fluxops.output.values_diff",
    "DriftResult": "fluxops.output.drift",
    "StatusResult": "fluxops.output.status",
    "SnapshotResult": "fluxops.output.snapshot",
    "ExplainResult": "fluxops.output.explain",
    "CheckResult": "fluxops.output.check",
    "ListResult": "fluxops.output.listing",
    "InitResult": "fluxops.output.scaffold",
    "DiffResult": "fluxops.output.diff",
}

_FORMATTERS: dict[tuple[str, str], Formatter] = {}


def formatter(kind: str, *formats: str) -> Callable[[F], F]:
    """Register the decorated function as the formatter of `kind` results in `formats`."""

    def register(func: F) -> F:
        for fmt in formats:
            _FORMATTERS[(kind, fmt)] = func
        return func

    return register


def _load(kind: str) -> None:
    module = MODULES.get(kind)
    if module is not None:
        importlib.import_module(module)


def formats(kind: str) -> list[str]:
    """The formats a kind of result can be rendered in, in registration order."""
    _load(kind)
    return [fmt for (k, fmt) in _FORMATTERS if k == kind]


def render(result: Result, fmt: str, view: View | None = None) -> Rendered:
    """`result` in format `fmt`. An unknown format is a usage error naming the known ones."""
    _load(result.kind)
    found = _FORMATTERS.get((result.kind, fmt))
    if found is None and fmt in ("json", "yaml"):
        # every result has the envelope (docs/json.md), from its hooks when its module
        # registers no formatter of its own
        from fluxops.output.envelope import generic_formatter

        found = generic_formatter(fmt)
    if found is None:
        known = ", ".join(formats(result.kind)) or "none"
        raise UsageError(f"-o {fmt}: {result.kind} renders as {known}")
    return found(result, view or View())


def rich_console(view: View) -> Any:
    """A rich Console that records into a string: colours only when `view.colour`."""
    import io

    from rich.console import Console

    return Console(
        file=io.StringIO(),
        force_terminal=view.colour,
        no_color=not view.colour,
        width=view.width,
        highlight=False,
    )


class PlainConsole:
    """Lines of text without colour, written as a rich Console prints a `Text` with
    `soft_wrap` (the line as it is); a line that may wrap and is wider than `width` goes
    through rich, which wraps it. Without colour most output needs no rich at all (its import
    is a good part of a short command's start-up)."""

    def __init__(self, width: int) -> None:
        import io

        self.width = width
        self.file = io.StringIO()
        self._rich: Any = None

    def line(self, text: str, style: str = "", *, wrap: bool = False) -> None:
        """`text` (already escaped) and a line break; `style` is ignored; `wrap`: break a
        line wider than the console as rich does."""
        # rich measures cells: only ASCII (and ⚠, one cell) is measured here
        narrow = text.replace("⚠", "").isascii()
        if not text.isprintable() or (wrap and (len(text) > self.width or not narrow)):
            if self._rich is None:
                self._rich = RichLines(rich_console(View(width=self.width)), self.file)
            self._rich.line(text, style, wrap=wrap)
            return
        self.file.write(text + "\n")

    def getvalue(self) -> str:
        return self.file.getvalue()


class RichLines:
    """Lines of text through a rich Console (colours when it has them), written to `file`
    (default: the console's own)."""

    def __init__(self, console: Any, file: Any = None) -> None:
        self.console = console
        self.file = file

    def line(self, text: str, style: str = "", *, wrap: bool = False) -> None:
        from rich.text import Text

        if self.file is None:
            self.console.print(Text(text, style=style), soft_wrap=not wrap, highlight=False)
            return
        start = self.console.file.tell()
        self.console.print(Text(text, style=style), soft_wrap=not wrap, highlight=False)
        self.file.write(self.console.file.getvalue()[start:])

    def getvalue(self) -> str:
        value: str = self.console.file.getvalue()
        return value


def text_console(view: View) -> PlainConsole | RichLines:
    """Where a formatter writes lines of text: colours through rich when `view.colour`, plain
    lines otherwise (the same text)."""
    if view.colour:
        return RichLines(rich_console(view))
    return PlainConsole(view.width)
