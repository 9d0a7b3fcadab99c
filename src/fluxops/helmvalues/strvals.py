"""Helm's `--set` syntax (`helm.sh/helm/v4/pkg/strvals`), reimplemented rune for rune.

helm-controller feeds `valuesFrom[].targetPath` through this parser (`path=value`), so the
effective values of a HelmRelease depend on its quirks. The behaviour below follows
`pkg/strvals/parser.go` and `literal_parser.go`; error messages are Helm's, byte for byte
where Go's own formatting allows.

`--set` / `--set-string` (`parse_into`, `as_string` selects the second):

- `a.b=1` nests maps; `\\` escapes the next character anywhere (`a\\.b=1` sets key `a.b`).
- `,` separates pairs; a trailing `,` is fine, an empty pair (`a=1,,b=2`) is an error.
- `a[0]=x`, `a[0].b=x`, `a[0][1]=x`: list indexes; gaps fill with `None`; index limit 65536;
  a list is only extended by copying it (an index inside the list assigns in place).
- `a={x,y}` is a list; `a={}` is `[""]` (one empty string), not an empty list.
- Type coercion (`--set` only): `true`/`false`/`null` in any letter case, `0`, and base-10
  integers within int64 that do not start with `0` (`-05` is -5, `05` stays a string). Floats,
  big numbers and everything else stay strings. `a=` is the empty string, never null.
  Integers it makes are `Int64` (an `int`): Go holds them as int64, while numbers read from
  YAML or JSON are float64 there, and Helm's error messages name the type.
- A key map or list met on the way that holds a value of another type is an error
  ("interface conversion"), including a `None`: `a.b=1` fails when `a` is null.
- An unterminated index (`a[1`) ends the parse silently: Go wraps io.EOF and the parser treats
  any EOF as "done".

`--set-literal` (`parse_literal_into`): the first `=` after the key ends the key and the whole
rest of the line is the value, verbatim: no escapes, no `,`, no lists, no coercion.
"""

from __future__ import annotations

from typing import Any

from fluxops.helmvalues.strvals_parser import (
    MAX_INDEX,
    MAX_NESTED_NAME_LEVEL,
    Int64,
    Parser,
    Scanner,
    StrvalsError,
    go_atoi,
    go_quote_runes,
    run_parser,
    runes_until,
)

__all__ = [
    "MAX_INDEX",
    "MAX_NESTED_NAME_LEVEL",
    "Int64",
    "StrvalsError",
    "parse",
    "parse_into",
    "parse_literal",
    "parse_literal_into",
    "parse_path",
]


def parse(expr: str, *, as_string: bool = False) -> dict[str, Any]:
    """`strvals.Parse` / `strvals.ParseString`: parse into a new dict."""
    dest: dict[str, Any] = {}
    parse_into(expr, dest, as_string=as_string)
    return dest


def parse_into(expr: str, dest: dict[str, Any], *, as_string: bool = False) -> None:
    """`strvals.ParseInto` (`--set`) or, with `as_string`, `ParseIntoString` (`--set-string`).

    Mutates `dest` in place, exactly as Helm does: nested maps and lists already in `dest` are
    modified, not copied (a list is copied only when it must grow). On error, `dest` keeps
    whatever Helm would have written before failing, and `StrvalsError` is raised.
    """
    run_parser(Parser(expr, dest, as_string=as_string, literal=False))


def parse_literal(expr: str) -> dict[str, Any]:
    """`strvals.ParseLiteral`: parse a `--set-literal` line into a new dict."""
    dest: dict[str, Any] = {}
    parse_literal_into(expr, dest)
    return dest


def parse_literal_into(expr: str, dest: dict[str, Any]) -> None:
    """`strvals.ParseLiteralInto` (`--set-literal`): the value is everything after the `=`."""
    run_parser(Parser(expr, dest, as_string=True, literal=True))


def parse_path(path: str) -> tuple[str | int, ...]:
    """Split a `--set` key (a HelmRelease `targetPath`) into keys and list indexes.

    Uses the key rules of `parse_into` (`\\` escapes, `.` nests, `[n]` indexes):
    `a.b\\.c[0].d` is `("a", "b.c", 0, "d")`.
    """
    scanner = Scanner(path)
    parts: list[str | int] = []
    while True:
        key, last, eof = runes_until(scanner, frozenset(".["), escapes=True)
        if eof:
            parts.append(key)
            return tuple(parts)
        parts.append(key)
        if last == ".":
            continue
        # One or more indexes, then "." or the end.
        while True:
            digits, _, eof = runes_until(scanner, frozenset("]"), escapes=True)
            if eof:
                raise StrvalsError("error parsing index: EOF")
            index, err = go_atoi(digits)
            if err is not None:
                raise StrvalsError("error parsing index: " + err.msg)
            if index < 0:
                raise StrvalsError(f"negative {index} index not allowed")
            parts.append(index)
            nxt = scanner.read()
            if nxt is None:
                return tuple(parts)
            if nxt == "[":
                continue
            if nxt == ".":
                break
            raise StrvalsError(f"unexpected data at end of array index: {go_quote_runes(nxt)}")
