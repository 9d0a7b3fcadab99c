"""The parser of Helm's `--set` syntax, a rune-for-rune port of `pkg/strvals/parser.go` and
`literal_parser.go` with the Go plumbing it needs (errors as values, recovered panics). The
rules are described in `fluxops.helmvalues.strvals`, which holds the public functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fluxops.errors import InternalError, ValuesError
from fluxops.goyaml.strconv import NumError, atoi, go_quote, parse_int

#: Helm's `strvals.MaxIndex`: the largest list index `setIndex` accepts.
MAX_INDEX = 65536
#: Helm's `strvals.MaxNestedNameLevel`: the most `.` separators in one key.
MAX_NESTED_NAME_LEVEL = 30


class Int64(int):
    """An integer set by the `--set` parser (a Go int64). Behaves as an `int` everywhere; only
    the type names in Helm's messages tell it from a number read from YAML (a float64)."""

    __slots__ = ()


class StrvalsError(ValuesError, ValueError):
    """A `--set` expression Helm would reject. `message` is Helm's own error text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Go plumbing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Err:
    """A Go `error` value; `eof` is `errors.Is(err, io.EOF)`."""

    msg: str
    eof: bool = False


_EOF = _Err("EOF", eof=True)
_NOT_LIST = _Err("not a list")


def _wrap(prefix: str, err: _Err) -> _Err:
    return _Err(prefix + err.msg, err.eof)


class _Panic(InternalError):
    """A Go runtime panic (a failed type assertion), recovered by the nearest `key()`."""


class Scanner:
    """`bytes.Buffer` as a rune reader: read, unread the last rune, read the rest."""

    __slots__ = ("i", "s")

    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0

    def read(self) -> str | None:
        if self.i >= len(self.s):
            return None
        c = self.s[self.i]
        self.i += 1
        return c

    def unread(self) -> None:
        self.i -= 1

    def rest(self) -> str:
        out = self.s[self.i :]
        self.i = len(self.s)
        return out


def runes_until(sc: Scanner, stop: frozenset[str], *, escapes: bool) -> tuple[str, str, bool]:
    """`runesUntil` (escapes) / `runesUntilLiteral`: (runes read, stop rune, hit EOF)."""
    buf: list[str] = []
    while True:
        r = sc.read()
        if r is None:
            return "".join(buf), "", True
        if r in stop:
            return "".join(buf), r, False
        if escapes and r == "\\":
            nxt = sc.read()
            if nxt is None:
                return "".join(buf), "", True
            buf.append(nxt)
            continue
        buf.append(r)


def go_atoi(text: str) -> tuple[int, _Err | None]:
    """`strconv.Atoi` on a 64-bit platform, with its error messages."""
    try:
        return atoi(text), None
    except NumError as exc:
        return 0, _Err(str(exc))


def _equal_fold(text: str, ascii_word: str) -> bool:
    """`strings.EqualFold` against a lower-case ASCII word (Unicode simple folding)."""
    if len(text) != len(ascii_word):
        return False
    return all(c == w or c.casefold() == w for c, w in zip(text, ascii_word, strict=True))


def _typed_val(text: str, as_string: bool) -> Any:
    """`typedVal`: Helm's scalar coercion for `--set` (none for `--set-string`)."""
    if as_string:
        return text
    if _equal_fold(text, "true"):
        return True
    if _equal_fold(text, "false"):
        return False
    if _equal_fold(text, "null"):
        return None
    if text == "0":
        return Int64(0)
    if text and text[0] != "0":
        try:
            return Int64(parse_int(text, 10, 64))
        except NumError:
            pass
    return text


def go_quote_runes(text: str) -> str:
    """Go's `%q` of a `[]rune`: each rune single-quoted, space-separated, in brackets."""
    return "[" + " ".join(go_quote(c, "'") for c in text) + "]"


def _go_type(value: Any) -> str:
    """The Go dynamic type helm-controller would hold for a value: int64 for an integer this
    parser made, float64 for any other number (read from YAML or JSON)."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "int64"
    if isinstance(value, int | float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return type(value).__name__


def _as_map(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise _Panic(
        f"interface conversion: interface {{}} is {_go_type(value)}, not map[string]interface {{}}"
    )


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    raise _Panic(f"interface conversion: interface {{}} is {_go_type(value)}, not []interface {{}}")


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    if key:
        data[key] = value


def _set_index(lst: list[Any], index: int, value: Any) -> tuple[list[Any], _Err | None]:
    if index < 0:
        return lst, _Err(f"negative {index} index not allowed")
    if index > MAX_INDEX:
        return lst, _Err(f"index of {index} is greater than maximum supported index of {MAX_INDEX}")
    if len(lst) <= index:
        # Go: make a new slice and copy; the old one (maybe shared) is left untouched.
        lst = [*lst, *([None] * (index + 1 - len(lst)))]
    lst[index] = value
    return lst, None


# --- the parser --------------------------------------------------------------------------------

_KEY_STOP = frozenset("=[,.")
_LITERAL_KEY_STOP = frozenset("=[.")
_ITEM_STOP = frozenset("[.=")
_INDEX_STOP = frozenset("]")
_VALUE_STOP = frozenset(",")
_LIST_STOP = frozenset(",}")


def run_parser(parser: Parser) -> None:
    try:
        err = parser.parse()
    except RecursionError:
        raise StrvalsError("value name is nested too deeply") from None
    if err is not None:
        raise StrvalsError(err.msg)


class Parser:
    """`parser` (and `literalParser` when `literal`) from Helm's strvals."""

    def __init__(self, text: str, data: dict[str, Any], *, as_string: bool, literal: bool) -> None:
        self.sc = Scanner(text)
        self.data = data
        self.as_string = as_string
        self.literal = literal

    def parse(self) -> _Err | None:
        while True:
            err = self.key(self.data, 0)
            if err is None:
                continue
            if err.eof:
                return None
            return err

    def key(self, data: dict[str, Any], level: int) -> _Err | None:
        try:
            return self._key(data, level)
        except _Panic as panic:  # Go: defer recover() in key()
            return _Err(f"unable to parse key: {panic}")

    def _until(self, stop: frozenset[str]) -> tuple[str, str, bool]:
        return runes_until(self.sc, stop, escapes=not self.literal)

    def _key(self, data: dict[str, Any], level: int) -> _Err | None:
        k, last, eof = self._until(_LITERAL_KEY_STOP if self.literal else _KEY_STOP)
        if eof:
            if not k:
                return _EOF
            return _Err(f"key {go_quote(k)} has no value")
        if last == "[":
            index, err = self._key_index()
            if err is not None:
                return _wrap("error parsing index: ", err)
            lst: list[Any] = []
            if k in data:
                lst = _as_list(data[k])
            lst, err = self._list_item(lst, index, level)
            _set(data, k, lst)
            return err
        if last == "=":
            if self.literal:
                _set(data, k, self.sc.rest())
                return None
            return self._assign(data, k)
        if last == ",":
            _set(data, k, "")
            return _Err(f"key {go_quote(k)} has no value (cannot end with ,)")
        # last == "."
        level += 1
        if level > MAX_NESTED_NAME_LEVEL:
            return _Err(
                "value name nested level is greater than maximum supported nested level of "
                f"{MAX_NESTED_NAME_LEVEL}"
            )
        inner: dict[str, Any] = {}
        if k in data:
            inner = _as_map(data[k])
        err = self.key(inner, level)
        if err is None and not inner:
            return _Err(f"key map {go_quote(k)} has no value")
        if inner:
            _set(data, k, inner)
        return err

    def _assign(self, data: dict[str, Any], k: str) -> _Err | None:
        values, err = self._val_list()
        if err is None:
            _set(data, k, values)
            return None
        if err.eof:
            _set(data, k, "")
            return err
        if err is _NOT_LIST:
            _set(data, k, _typed_val(self._val(), self.as_string))
            return None
        return err

    def _key_index(self) -> tuple[int, _Err | None]:
        digits, _, eof = self._until(_INDEX_STOP)
        if eof:
            return 0, _EOF
        return go_atoi(digits)

    def _list_item(self, lst: list[Any], i: int, level: int) -> tuple[list[Any], _Err | None]:
        if i < 0:
            return lst, _Err(f"negative {i} index not allowed")
        k, last, eof = self._until(_ITEM_STOP)
        if k:
            return lst, _Err(f"unexpected data at end of array index: {go_quote_runes(k)}")
        if eof:
            return lst, _EOF
        if last == "=":
            if self.literal:
                return _set_index(lst, i, self.sc.rest())
            values, err = self._val_list()
            if err is None:
                return _set_index(lst, i, values)
            if err.eof:
                return _set_index(lst, i, "")
            if err is _NOT_LIST:
                return _set_index(lst, i, _typed_val(self._val(), self.as_string))
            return lst, err
        if last == "[":
            next_i, err = self._key_index()
            if err is not None:
                return lst, _wrap("error parsing index: ", err)
            current: list[Any] = []
            if len(lst) > i and lst[i] is not None:
                current = _as_list(lst[i])
            inner_list, err = self._list_item(current, next_i, level)
            if err is not None:
                return lst, err
            return _set_index(lst, i, inner_list)
        # last == "."
        inner: dict[str, Any] = {}
        if len(lst) > i:
            existing = lst[i]
            if isinstance(existing, dict):
                inner = existing
            else:
                # "We have indices out of order. Initialize empty value." (in place)
                lst[i] = inner
        err = self.key(inner, level)
        if err is not None:
            return lst, err
        return _set_index(lst, i, inner)

    def _val(self) -> str:
        value, _, _ = self._until(_VALUE_STOP)
        return value

    def _val_list(self) -> tuple[list[Any], _Err | None]:
        r = self.sc.read()
        if r is None:
            return [], _EOF
        if r != "{":
            self.sc.unread()
            return [], _NOT_LIST
        items: list[Any] = []
        while True:
            text, last, eof = self._until(_LIST_STOP)
            if eof:
                return items, _Err("list must terminate with '}'")
            items.append(_typed_val(text, self.as_string))
            if last == "}":
                nxt = self.sc.read()
                if nxt is not None and nxt != ",":
                    self.sc.unread()
                return items, None
