"""Flux postBuild variable substitution, reimplemented to give Flux's output byte for byte.

The reference is the code Flux itself runs: `github.com/fluxcd/pkg/envsubst` v1.7.1 (a fork of
drone/envsubst) and `SubstituteVariables`/`varSubstitution` in `github.com/fluxcd/pkg/kustomize`
v1.35.6, the versions that flux2 v2.9.5 and kustomize-controller v1.9.5 are built with.

This is not bash, and it is not what the envsubst README says. These behaviours come from the
code, and this module keeps them:

* Only `${` opens an expression. A plain `$var` is text. `$$` becomes `$` anywhere in plain text,
  so `$${x}` gives the literal `${x}`. A NUL character ends the input, as end of file does in
  the Go scanner, and everything after it is dropped.
* A name inside `${}` is one or more Unicode letters, digits or `_` (a leading digit is allowed).
  The names of the supplied variables must still match the stricter ASCII rule in `VAR_NAME`.
* Operators are recognised only right after the name: `:` (substring, or `:=` `:-` `:?` `:+`),
  `=`, `,` `^` (case), `/` (replace), `#` and `%` (trim). `${v-d}`, `${v+d}` and `${v?d}` do not
  parse; they fail with "missing closing brace".
* Every default-style operator applies its default when the value is EMPTY, set or not. None of
  them assigns, and `:+` gives the value, not the alternative.
* `/pat/rep` and its variants take `pat` as a literal string, not a glob. `#`, `##`, `%` and `%%`
  use Flux's copy of Go's `path.Match`, in which `*` and `?` also match `/`. For `%` and `%%`,
  Flux reverses both the value and the pattern, by runes, before matching.
* `\\/` and `\\\\` are escapes only inside the pattern and replacement of `/`. `$$` is an escape
  there too, but not in default values, and not in `#`/`%` patterns.
* Lengths and offsets (`${#v}`, `${v:n:len}`) count UTF-8 bytes, as Go's `len` does.
  Upper- and lower-casing map one rune to one rune (Go's `unicode.ToUpper`/`ToLower`).
* Strict mode: a missing variable is an error unless its operator is one of the default
  operators. A variable that is set but empty is never an error. In non-strict mode a missing
  variable is the empty string.

The module works on UTF-8 bytes throughout, as the Go code does. Strings that are not valid
UTF-8 (only reachable through surrogate-escaped `str`) go through as Go would pass them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import yaml

from fluxops.errors import SubstitutionError
from fluxops.loader.yamlio import load_single

__all__ = [
    "DISABLED_VALUE",
    "SUBSTITUTE_KEY",
    "VAR_NAME",
    "VAR_NAME_PATTERN",
    "check_variable_names",
    "clean_value",
    "envsubst",
    "is_substitution_disabled",
    "substitute_resource_text",
]

SUBSTITUTE_KEY: Final = "kustomize.toolkit.fluxcd.io/substitute"
DISABLED_VALUE: Final = "disabled"

# The Go source text of the name rule, as Flux prints it in its error message.
VAR_NAME_PATTERN: Final = "^[_[:alpha:]][_[:alpha:][:digit:]]*$"
# The same rule in Python. RE2's [:alpha:] and [:digit:] are ASCII only, and RE2's `$` (without
# the m flag) matches only at the very end, so `\Z` is needed: Python's `$` would accept "a\n".
VAR_NAME: Final = re.compile(r"\A[_A-Za-z][_A-Za-z0-9]*\Z")

_STRICT_HINT = (
    "define the variable, give it a default (${name:=value}), write a literal as $${name}, "
    f"or label or annotate the resource {SUBSTITUTE_KEY}: {DISABLED_VALUE}"
)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def envsubst(text: str, variables: Mapping[str, str], *, strict: bool) -> str:
    """Evaluate `text` as Flux's `envsubst.Eval` does and return the result.

    With `strict=False` a missing variable is the empty string, as in Flux's non-strict mapping
    (`vars[name], true`). With `strict=True` it is an error unless a default operator is used.
    Raises SubstitutionError with Flux's own message: "bad substitution", "missing closing
    brace", "unable to parse variable name", "unable to parse substitution within function",
    "unable to parse default function" or `variable not set (strict mode): "NAME"`.
    The whole text is parsed before anything is evaluated, so a syntax error anywhere is
    reported before any strict-mode error.
    """
    buf = text.encode("utf-8", "surrogateescape")
    try:
        nodes = _Parser(buf).parse()
        out = bytearray()
        lookup = _make_lookup(variables, strict)
        for node in nodes:
            out += _eval(node, lookup)
    except _ParseError as exc:
        raise SubstitutionError(str(exc)) from None
    except RecursionError:
        # Go has no practical limit here; Python's stack does. Hundreds of nested ${...} only.
        raise SubstitutionError("expression nested too deeply to evaluate") from None
    return out.decode("utf-8", "surrogateescape")


def check_variable_names(variables: Mapping[str, str]) -> None:
    """Raise SubstitutionError if a variable name does not match `VAR_NAME_PATTERN`.

    Flux checks every key, whether it is referenced or not and whether it is inline or comes
    from a ConfigMap or Secret. It ranges over a Go map, so when several keys are bad it names
    one at random. Here the first bad key in sorted order is named, so the result does not
    change from run to run.
    """
    for name in sorted(variables):
        if not VAR_NAME.match(name):
            raise SubstitutionError(
                f"'{name}' var name is invalid, must match '{VAR_NAME_PATTERN}'",
                hint="variable names may use only ASCII letters, digits and '_', "
                "and may not start with a digit",
            )


def clean_value(value: str) -> str:
    """Strip newlines from a variable value, as LoadVariables and the inline `substitute` do.

    Flux calls `strings.ReplaceAll(v, "\\n", "")`, so only LF is removed. A CR stays:
    "a\\r\\nb" becomes "a\\rb".
    """
    return value.replace("\n", "")


def is_substitution_disabled(labels: Mapping[str, str], annotations: Mapping[str, str]) -> bool:
    """True when the label or the annotation `kustomize.toolkit.fluxcd.io/substitute` is
    exactly `disabled`. Flux compares with Go `==`: case-sensitive, no trimming."""
    return labels.get(SUBSTITUTE_KEY) == DISABLED_VALUE or (
        annotations.get(SUBSTITUTE_KEY) == DISABLED_VALUE
    )


def substitute_resource_text(
    text: str, variables: Mapping[str, str], *, strict: bool, validate: bool = True
) -> str:
    """What Flux's SubstituteVariables does to the YAML text of one resource.

    `text` is one resource rendered as YAML (Flux uses `res.AsYAML()`). `variables` are the
    merged variables, with their values already passed through `clean_value`.

    The caller must run the gate checks first. This function does not repeat them:
      * skip the resource if `is_substitution_disabled(labels, annotations)` is true;
      * skip substitution unless `len(variables) > 0` or `substituteStrategy` is `Always`.
        With the default strategy and no variables, `${x:=default}` stays as it is.

    Then, as Flux's `varSubstitution` does, this function:
      1. validates every variable name (`check_variable_names`);
      2. evaluates the text (`envsubst`);
      3. checks that the result is valid YAML. Flux runs `yaml.YAMLToJSON`; this function uses
         `yaml.safe_load`, and the caller parses the returned text again.
    Returns the substituted text. Errors use Flux's wording: "envsubst error: ..." followed by
    "'<k>' var name is invalid, ...", "variable substitution failed: ..." or "YAMLToJSON: ...".
    """
    try:
        check_variable_names(variables)
    except SubstitutionError as exc:
        raise SubstitutionError(f"envsubst error: {exc.message}", hint=exc.hint) from None
    try:
        output = envsubst(text, variables, strict=strict)
    except SubstitutionError as exc:
        hint = _STRICT_HINT if exc.message.startswith(_ERR_NOT_SET) else None
        raise SubstitutionError(
            f"envsubst error: variable substitution failed: {exc.message}", hint=hint
        ) from None
    if output == text or not validate:
        return output
    try:
        load_single(output)
    except yaml.YAMLError as exc:
        raise SubstitutionError(
            f"envsubst error: YAMLToJSON: {exc}",
            hint="a substituted value made the YAML invalid; quote the ${...} expression "
            "or the value",
        ) from None
    return output


# --------------------------------------------------------------------------------------------
# Scanner: a byte-level rewrite of envsubst/parse/scan.go, down to its unread/skip behaviour
# --------------------------------------------------------------------------------------------

_ERR_BAD_SUBSTITUTION: Final = "bad substitution"
_ERR_MISSING_BRACE: Final = "missing closing brace"
_ERR_VARIABLE_NAME: Final = "unable to parse variable name"
_ERR_FUNC_SUBSTITUTION: Final = "unable to parse substitution within function"
_ERR_DEFAULT_FUNCTION: Final = "unable to parse default function"
_ERR_NOT_SET: Final = "variable not set (strict mode)"

_EOF: Final = 0  # the Go scanner's end marker: rune 0, so a NUL byte also reads as the end
_RUNE_ERROR: Final = 0xFFFD

# tokens
_T_ILLEGAL: Final = 0
_T_EOF: Final = 1
_T_IDENT: Final = 2
_T_LBRACK: Final = 3
_T_RBRACK: Final = 4

# scanner modes
_M_IDENT: Final = 1
_M_LBRACK: Final = 2
_M_RBRACK: Final = 4
_M_ESCAPE: Final = 8

# escapable characters
_E_DOLLAR: Final = 1
_E_BACKSLASH: Final = 2
_E_ALL: Final = _E_DOLLAR | _E_BACKSLASH

_DOLLAR: Final = 0x24
_LBRACE: Final = 0x7B
_RBRACE: Final = 0x7D
_BACKSLASH: Final = 0x5C
_SLASH: Final = 0x2F
_COLON: Final = 0x3A
_HASH: Final = 0x23
_PERCENT: Final = 0x25
_EQUAL: Final = 0x3D
_MINUS: Final = 0x2D
_PLUS: Final = 0x2B
_QUESTION: Final = 0x3F
_COMMA: Final = 0x2C
_CARET: Final = 0x5E
_UNDERSCORE: Final = 0x5F


class _ParseError(Exception):
    """A parse error, with the message Flux's parser returns."""


def _decode_rune(buf: bytes | bytearray, pos: int) -> tuple[int, int]:
    """Go's utf8.DecodeRune: (rune, width). An invalid byte is (U+FFFD, 1); the end is width 0."""
    if pos >= len(buf):
        return _RUNE_ERROR, 0
    b0 = buf[pos]
    if b0 < 0x80:
        return b0, 1
    if 0xC2 <= b0 <= 0xDF:
        n = 2
    elif 0xE0 <= b0 <= 0xEF:
        n = 3
    elif 0xF0 <= b0 <= 0xF4:
        n = 4
    else:
        return _RUNE_ERROR, 1
    try:
        # Python's strict decoder rejects the same sequences Go does: overlong forms,
        # surrogates, code points above U+10FFFF and truncated sequences.
        char = bytes(buf[pos : pos + n]).decode("utf-8")
    except UnicodeDecodeError:
        return _RUNE_ERROR, 1
    return ord(char), n


def _runes(data: bytes) -> list[int]:
    """Go's []rune(s): each invalid byte becomes U+FFFD."""
    out: list[int] = []
    pos = 0
    while pos < len(data):
        r, width = _decode_rune(data, pos)
        out.append(r)
        pos += width
    return out


def _encode_runes(runes: list[int]) -> bytes:
    return "".join(map(chr, runes)).encode("utf-8")


_Accept = Callable[[int, int], bool]


# Letters and digits in Go's unicode tables (Unicode 15.0.0, Go 1.26) that Python 3.11's
# unicodedata (Unicode 14.0.0) does not have yet. Consulted only for code points Python calls
# unassigned, so on Python 3.12 (Unicode 15.0.0) it changes nothing.
_GO_IDENT_NEW_IN_UNICODE_15: Final = (
    (0x1123F, 0x11240),
    (0x11F02, 0x11F02),
    (0x11F04, 0x11F10),
    (0x11F12, 0x11F33),
    (0x11F50, 0x11F59),
    (0x1342F, 0x1342F),
    (0x13441, 0x13446),
    (0x1B132, 0x1B132),
    (0x1B155, 0x1B155),
    (0x1DF25, 0x1DF2A),
    (0x1E030, 0x1E06D),
    (0x1E4D0, 0x1E4EB),
    (0x1E4F0, 0x1E4F9),
    (0x2B739, 0x2B739),
    (0x31350, 0x323AF),
)


def _accept_rune(r: int, i: int) -> bool:
    return True


def _accept_ident(r: int, i: int) -> bool:
    """unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'."""
    if r < 0x80:
        return 0x30 <= r <= 0x39 or 0x41 <= r <= 0x5A or 0x61 <= r <= 0x7A or r == _UNDERSCORE
    char = chr(r)
    if char.isalpha() or char.isdecimal():  # general categories L* and Nd, as in Go
        return True
    if unicodedata.category(char) == "Cn":
        return any(lo <= r <= hi for lo, hi in _GO_IDENT_NEW_IN_UNICODE_15)
    return False


def _accept_colon(r: int, i: int) -> bool:
    return r == _COLON


def _accept_one_hash(r: int, i: int) -> bool:
    return r == _HASH and i == 1


def _accept_not_closing(r: int, i: int) -> bool:
    return r != _RBRACE


def _accept_hash_func(r: int, i: int) -> bool:
    return r == _HASH and i < 3


def _accept_percent_func(r: int, i: int) -> bool:
    return r == _PERCENT and i < 3


def _accept_default_func(r: int, i: int) -> bool:
    if i == 1:
        return r == _COLON
    return i == 2 and r in (_EQUAL, _MINUS, _QUESTION, _PLUS)


def _accept_replace_func(r: int, i: int) -> bool:
    if i == 1:
        return r == _SLASH
    return i == 2 and r in (_SLASH, _HASH, _PERCENT)


def _accept_one_equal(r: int, i: int) -> bool:
    return i == 1 and r == _EQUAL


def _accept_one_colon(r: int, i: int) -> bool:
    return i == 1 and r == _COLON


def _reject_colon_close(r: int, i: int) -> bool:
    return r not in (_COLON, _RBRACE)


def _accept_slash(r: int, i: int) -> bool:
    return r == _SLASH


def _accept_not_slash(r: int, i: int) -> bool:
    return r != _SLASH


def _accept_casing_func(r: int, i: int) -> bool:
    return r in (_COMMA, _CARET) and i < 3


class _Scanner:
    """Reads runes from a byte buffer. Like the Go scanner, `unread` steps back by the width of
    the LAST rune read, whatever was read before it, and `skip` deletes the byte just before
    `pos` (an escape character) from the buffer."""

    __slots__ = ("accept", "buf", "escape_chars", "mode", "pos", "start", "width")

    def __init__(self, buf: bytes) -> None:
        self.buf = bytearray(buf)
        self.pos = 0
        self.start = 0
        self.width = 0
        self.mode = 0
        self.escape_chars = 0
        self.accept: _Accept = _accept_rune

    def read(self) -> int:
        if self.pos >= len(self.buf):
            self.width = 0
            return _EOF
        r, self.width = _decode_rune(self.buf, self.pos)
        self.pos += self.width
        return r

    def unread(self) -> None:
        self.pos -= self.width

    def skip(self) -> None:
        del self.buf[self.pos - 1]

    def peek(self) -> int:
        r = self.read()
        self.unread()
        return r

    def string(self) -> bytes:
        return bytes(self.buf[self.start : self.pos])

    def scan(self) -> int:
        self.start = self.pos
        r = self.read()
        if r == _EOF:
            return _T_EOF
        if self._scan_lbrack(r):
            return _T_LBRACK
        if self._scan_rbrack(r):
            return _T_RBRACK
        if self._scan_ident(r):
            return _T_IDENT
        return _T_ILLEGAL

    def _scan_ident(self, r: int) -> bool:
        if not self.mode & _M_IDENT:
            return False
        if self._scan_escaped(r):
            self.skip()
        elif not self.accept(r, self.pos - self.start):
            return False
        while True:
            r = self.read()
            if r == _EOF:
                self.unread()
                break
            if self._scan_lbrack(r):
                self.unread()
                self.unread()
                break
            if self._scan_escaped(r):
                self.skip()
                continue
            if not self.accept(r, self.pos - self.start):
                self.unread()
                break
        return True

    def _scan_lbrack(self, r: int) -> bool:
        if not self.mode & _M_LBRACK:
            return False
        if r == _DOLLAR:
            if self.read() == _LBRACE:
                return True
            self.unread()
        return False

    def _scan_rbrack(self, r: int) -> bool:
        return bool(self.mode & _M_RBRACK) and r == _RBRACE

    def _scan_escaped(self, r: int) -> bool:
        if not self.mode & _M_ESCAPE:
            return False
        if r == _DOLLAR and self.escape_chars & _E_DOLLAR and self.peek() == _DOLLAR:
            return True
        if r == _BACKSLASH and self.escape_chars & _E_BACKSLASH:
            return self.peek() in (_SLASH, _BACKSLASH)
        return False

    def scan_text(self) -> bytes | None:
        """The plain-text token of the top level, without a call per rune.

        Equivalent to `scan()` in the top-level mode (accept everything, `$$` escapes, stop
        before `${`) when the next rune is neither the end, a NUL byte, nor the start of `${`.
        Returns None, consuming nothing, in those cases. '$' and NUL are ASCII, so they never
        occur inside a multi-byte rune and a byte search finds exactly what the rune scanner
        would find; the buffer is not edited, which only shifts positions that are never
        revisited.
        """
        buf = self.buf
        pos = self.pos
        size = len(buf)
        if pos >= size or buf[pos] == 0:
            return None
        if buf[pos] == _DOLLAR and pos + 1 < size and buf[pos + 1] == _LBRACE:
            return None
        out = bytearray()
        while True:
            dollar = buf.find(b"$", pos)
            nul = buf.find(b"\x00", pos)
            stop = size if dollar < 0 else dollar
            if 0 <= nul < stop:
                out += buf[pos:nul]
                pos = nul
                break
            out += buf[pos:stop]
            pos = stop
            if pos >= size:
                break
            # buf[pos] is '$'
            nxt = buf[pos + 1] if pos + 1 < size else -1
            if nxt == _LBRACE:
                break
            out.append(_DOLLAR)
            pos += 2 if nxt == _DOLLAR else 1
        self.start = self.pos
        self.pos = pos
        return bytes(out)


# --------------------------------------------------------------------------------------------
# Parser: envsubst/parse/parse.go
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Text:
    value: bytes


@dataclass(frozen=True, slots=True)
class _Func:
    param: bytes
    name: bytes = b""
    args: tuple[_Node, ...] = ()


_Node = _Text | _Func


class _Parser:
    def __init__(self, buf: bytes) -> None:
        self.sc = _Scanner(buf)

    def parse(self) -> list[_Node]:
        """parseAny, as a loop rather than one recursion per token."""
        sc = self.sc
        nodes: list[_Node] = []
        while True:
            sc.accept = _accept_rune
            sc.mode = _M_IDENT | _M_LBRACK | _M_ESCAPE
            sc.escape_chars = _E_DOLLAR
            text = sc.scan_text()
            if text is not None:
                nodes.append(_Text(text))
                continue
            token = sc.scan()
            if token == _T_IDENT:
                nodes.append(_Text(sc.string()))
            elif token == _T_EOF:
                return nodes
            elif token == _T_LBRACK:
                nodes.append(self._func())
            else:
                raise _ParseError(_ERR_BAD_SUBSTITUTION)

    def _func(self) -> _Func:
        sc = self.sc
        sc.escape_chars = _E_ALL
        if sc.peek() == _HASH:
            return self._len_func()
        sc.accept = _accept_ident
        sc.mode = _M_IDENT
        if sc.scan() != _T_IDENT:
            raise _ParseError(_ERR_VARIABLE_NAME)
        name = sc.string()
        nxt = sc.peek()
        if nxt == _COLON:
            return self._default_or_substr(name)
        if nxt == _EQUAL:
            return self._default_func(name)
        if nxt in (_COMMA, _CARET):
            return self._casing_func(name)
        if nxt == _SLASH:
            return self._replace_func(name)
        if nxt == _HASH:
            return self._remove_func(name, _accept_hash_func)
        if nxt == _PERCENT:
            return self._remove_func(name, _accept_percent_func)
        sc.accept = _accept_ident
        sc.mode = _M_RBRACK
        if sc.scan() != _T_RBRACK:
            raise _ParseError(_ERR_MISSING_BRACE)
        return _Func(name)

    def _param(self, accept: _Accept, mode: int) -> _Node:
        sc = self.sc
        sc.accept = accept
        sc.mode = mode | _M_LBRACK
        token = sc.scan()
        if token == _T_LBRACK:
            return self._func()
        if token in (_T_IDENT, _T_RBRACK):
            return _Text(sc.string())
        raise _ParseError(_ERR_FUNC_SUBSTITUTION)

    def _operator(self, accept: _Accept, error: str) -> bytes:
        sc = self.sc
        sc.accept = accept
        sc.mode = _M_IDENT
        if sc.scan() != _T_IDENT:
            raise _ParseError(error)
        return sc.string()

    def _close(self) -> None:
        """consumeRbrack."""
        sc = self.sc
        sc.mode = _M_RBRACK
        if sc.scan() != _T_RBRACK:
            raise _ParseError(_ERR_BAD_SUBSTITUTION)

    def _default_or_substr(self, name: bytes) -> _Func:
        sc = self.sc
        sc.read()
        r = sc.peek()
        # Steps back by the width of the rune AFTER the colon (Go does the same): a multi-byte
        # rune there puts the scanner before the colon and the parse then fails.
        sc.unread()
        if r in (_EQUAL, _MINUS, _QUESTION, _PLUS):
            return self._default_func(name)
        return self._substr_func(name)

    def _substr_func(self, name: bytes) -> _Func:
        sc = self.sc
        op = self._operator(_accept_one_colon, _ERR_BAD_SUBSTITUTION)
        args = [self._param(_reject_colon_close, _M_IDENT)]
        sc.accept = _accept_colon
        sc.mode = _M_IDENT | _M_RBRACK
        token = sc.scan()
        if token == _T_RBRACK:
            return _Func(name, op, tuple(args))
        if token != _T_IDENT:
            raise _ParseError(_ERR_BAD_SUBSTITUTION)
        args.append(self._param(_accept_not_closing, _M_IDENT))
        self._close()
        return _Func(name, op, tuple(args))

    def _remove_func(self, name: bytes, accept: _Accept) -> _Func:
        op = self._operator(accept, _ERR_BAD_SUBSTITUTION)
        arg = self._param(_accept_not_closing, _M_IDENT)
        self._close()
        return _Func(name, op, (arg,))

    def _replace_func(self, name: bytes) -> _Func:
        sc = self.sc
        op = self._operator(_accept_replace_func, _ERR_BAD_SUBSTITUTION)
        # v1.7.1 has no empty-pattern case: `${v/#/x}` fails here (fixed in later versions).
        args = [self._param(_accept_not_slash, _M_IDENT | _M_ESCAPE)]
        self._operator(_accept_slash, _ERR_BAD_SUBSTITUTION)  # one or more '/'
        if sc.peek() == _RBRACE:
            self._close()
            return _Func(name, op, tuple(args))
        args.append(self._param(_accept_not_closing, _M_IDENT | _M_ESCAPE))
        self._close()
        return _Func(name, op, tuple(args))

    def _default_func(self, name: bytes) -> _Func:
        sc = self.sc
        accept = _accept_one_equal if sc.peek() == _EQUAL else _accept_default_func
        op = self._operator(accept, _ERR_DEFAULT_FUNCTION)
        args: list[_Node] = []
        while True:
            if sc.peek() == _RBRACE:
                self._close()
                return _Func(name, op, tuple(args))
            args.append(self._param(_accept_not_closing, _M_IDENT))

    def _casing_func(self, name: bytes) -> _Func:
        op = self._operator(_accept_casing_func, _ERR_BAD_SUBSTITUTION)
        self._close()
        return _Func(name, op)

    def _len_func(self) -> _Func:
        op = self._operator(_accept_one_hash, _ERR_BAD_SUBSTITUTION)
        param = self._operator(_accept_ident, _ERR_BAD_SUBSTITUTION)
        self._close()
        return _Func(param, op)


# --------------------------------------------------------------------------------------------
# Evaluation: envsubst/template.go and envsubst/funcs.go
# --------------------------------------------------------------------------------------------

_Lookup = Callable[[bytes], tuple[bytes, bool]]

# Operators that may see a missing variable in strict mode (template.go isDefaultOp).
_DEFAULT_OPS: Final = frozenset({b"-", b"+", b"=", b"?", b":-", b":+", b":=", b":?"})


def _make_lookup(variables: Mapping[str, str], strict: bool) -> _Lookup:
    def lookup(param: bytes) -> tuple[bytes, bool]:
        name = param.decode("utf-8", "surrogateescape")
        value = variables.get(name)
        if value is None:
            return b"", not strict
        return value.encode("utf-8", "surrogateescape"), True

    return lookup


def _eval(node: _Node, lookup: _Lookup) -> bytes:
    if isinstance(node, _Text):
        return node.value
    # Arguments first (so an error in a nested expression comes first), then the variable.
    args = [_eval(arg, lookup) for arg in node.args]
    value, exists = lookup(node.param)
    if not exists and node.name not in _DEFAULT_OPS:
        name = node.param.decode("utf-8", "surrogateescape")
        raise _ParseError(f'{_ERR_NOT_SET}: "{name}"')
    return _apply(node.name, value, args)


def _apply(op: bytes, s: bytes, args: list[bytes]) -> bytes:
    """lookupFunc plus the function it returns. Unknown operators (`,^`, `^,`, `:=` ...) give
    toDefault."""
    if op == b",":
        return _map_first(s, _go_lower)
    if op == b",,":
        return _map_all(s, _go_lower)
    if op == b"^":
        return _map_first(s, _go_upper)
    if op == b"^^":
        return _map_all(s, _go_upper)
    if op == b"#":
        return str(len(s)).encode() if not args else _trim_shortest(s, args[0])
    if op in (b"##", b"%", b"%%"):
        if not args:
            return s
        if op == b"##":
            return _trim_longest(s, args[0])
        trim = _trim_shortest if op == b"%" else _trim_longest
        return _reversed_runes(trim(_reversed_runes(s), _reversed_runes(args[0])))
    if op == b":":
        return _substr(s, args)
    if op == b"/#":
        if len(args) == 2 and s.startswith(args[0]):
            return _go_replace(s, args[0], args[1], 1)
        return s
    if op == b"/%":
        if len(args) == 2 and s.endswith(args[0]):
            return s[: len(s) - len(args[0])] + args[1]
        return s
    if op in (b"/", b"//"):
        if not args:
            return s
        return _go_replace(s, args[0], args[1] if len(args) > 1 else b"", 1 if op == b"/" else -1)
    # toDefault, for every default operator and anything else
    if not s and args:
        return b"".join(args)
    return s


def _go_upper(r: int) -> int:
    """unicode.ToUpper: the simple (one-rune) mapping. Python's str.upper uses full mappings
    ("ß" -> "SS"); when that gives several characters, the titlecase form is the simple
    uppercase where one exists (iota-subscript letters), else the rune is unchanged."""
    if r < 0x80:
        return r - 32 if 0x61 <= r <= 0x7A else r
    char = chr(r)
    for mapped in (char.upper(), char.title()):
        if len(mapped) == 1:
            return ord(mapped)
    return r


def _go_lower(r: int) -> int:
    """unicode.ToLower: the simple mapping. U+0130 is the only character whose full lowercase
    has several characters; its simple lowercase is 'i'."""
    if r < 0x80:
        return r + 32 if 0x41 <= r <= 0x5A else r
    mapped = chr(r).lower()
    if len(mapped) == 1:
        return ord(mapped)
    return 0x69 if r == 0x130 else r


def _map_all(s: bytes, fn: Callable[[int], int]) -> bytes:
    """strings.ToUpper/ToLower: per rune; an invalid byte becomes U+FFFD."""
    if s.isascii():
        return s.upper() if fn is _go_upper else s.lower()
    return _encode_runes([fn(r) for r in _runes(s)])


def _map_first(s: bytes, fn: Callable[[int], int]) -> bytes:
    if not s:
        return s
    r, width = _decode_rune(s, 0)
    return chr(fn(r)).encode("utf-8") + s[width:]


def _reversed_runes(s: bytes) -> bytes:
    return _encode_runes(_runes(s)[::-1])


_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_ATOI: Final = re.compile(rb"[+-]?[0-9]+\Z")


def _atoi(text: bytes) -> int | None:
    """strconv.Atoi: optional sign, ASCII digits, no spaces or underscores, int64 range."""
    if not _ATOI.match(text):
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def _substr(s: bytes, args: list[bytes]) -> bytes:
    """toSubstr; offsets are byte offsets."""
    if not args:
        return s
    pos = _atoi(args[0])
    if pos is None:
        return s
    if pos < 0:
        pos = max(len(s) + pos, 0)
    if len(args) == 1:
        return s[pos:] if pos < len(s) else b""
    length = _atoi(args[1])
    if length is None:
        return s
    if length < 0:
        end = len(s) + length
        return b"" if end < pos else s[pos:end]
    if pos + length > _INT64_MAX:
        # Go's int64 addition wraps and the slice expression then panics.
        raise _ParseError("substring offset plus length overflows int64 (Flux panics here)")
    if pos + length >= len(s):
        return s[pos:] if pos < len(s) else b""
    return s[pos : pos + length]


def _go_replace(s: bytes, old: bytes, new: bytes, n: int) -> bytes:
    """strings.Replace. An empty `old` matches before every rune and at the end."""
    if old == new or n == 0:
        return s
    if old:
        return s.replace(old, new, n)
    runes = len(_runes(s))
    count = runes + 1
    if n < 0 or count < n:
        n = count
    out = bytearray()
    start = 0
    for i in range(n):
        end = start
        if i > 0:
            end += _decode_rune(s, start)[1]
        out += s[start:end]
        out += new
        start = end
    out += s[start:]
    return bytes(out)


def _trim_shortest(s: bytes, pattern: bytes) -> bytes:
    """trimShortest: the shortest non-empty prefix that matches is removed. A malformed pattern
    leaves the value unchanged, even if a longer prefix matched before the error showed."""
    shortest = 0
    for end in range(len(s), 0, -1):
        try:
            matched = _match(pattern, s[:end])
        except _BadPattern:
            return s
        if matched:
            shortest = end
    return s[shortest:]


def _trim_longest(s: bytes, pattern: bytes) -> bytes:
    for end in range(len(s), 0, -1):
        try:
            matched = _match(pattern, s[:end])
        except _BadPattern:
            return s
        if matched:
            return s[end:]
    return s


# --------------------------------------------------------------------------------------------
# envsubst/path/match.go: Go's path.Match with the '/' special cases removed
# --------------------------------------------------------------------------------------------


class _BadPattern(Exception):
    """path.ErrBadPattern."""


def _match(pattern: bytes, name: bytes) -> bool:
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return True  # a trailing '*' matches the rest, '/' included
        rest, ok, bad = _match_chunk(chunk, name)
        if ok and (not rest or pattern):
            name = rest
            continue
        if bad:
            raise _BadPattern
        if star:
            for i in range(len(name)):
                rest, ok, bad = _match_chunk(chunk, name[i + 1 :])
                if ok:
                    if not pattern and rest:
                        continue
                    name = rest
                    break
                if bad:
                    raise _BadPattern
            else:
                return False
            continue
        return False
    return not name


def _scan_chunk(pattern: bytes) -> tuple[bool, bytes, bytes]:
    star = False
    while pattern and pattern[0] == 0x2A:  # '*'
        pattern = pattern[1:]
        star = True
    in_range = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == _BACKSLASH:
            if i + 1 < len(pattern):
                i += 1
        elif c == 0x5B:  # '['
            in_range = True
        elif c == 0x5D:  # ']'
            in_range = False
        elif c == 0x2A and not in_range:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _match_chunk(chunk: bytes, s: bytes) -> tuple[bytes, bool, bool]:
    """(rest, ok, bad_pattern). Like Go, it stops at the end of `s` without looking at the
    rest of the chunk, so some malformed patterns are never reported."""
    while chunk:
        if not s:
            return b"", False, False
        c = chunk[0]
        if c == 0x5B:  # '[': character class
            r, width = _decode_rune(s, 0)
            s = s[width:]
            chunk = chunk[1:]
            negated = bool(chunk) and chunk[0] == _CARET
            if negated:
                chunk = chunk[1:]
            matched = False
            ranges = 0
            while True:
                if chunk and chunk[0] == 0x5D and ranges > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk, bad = _get_esc(chunk)
                if bad:
                    return b"", False, True
                hi = lo
                if chunk[0] == _MINUS:
                    hi, chunk, bad = _get_esc(chunk[1:])
                    if bad:
                        return b"", False, True
                if lo <= r <= hi:
                    matched = True
                ranges += 1
            if matched == negated:
                return b"", False, False
        elif c == _QUESTION:  # any one rune, '/' included
            s = s[_decode_rune(s, 0)[1] :]
            chunk = chunk[1:]
        else:
            if c == _BACKSLASH:
                chunk = chunk[1:]
                if not chunk:
                    return b"", False, True
            if chunk[0] != s[0]:
                return b"", False, False
            s = s[1:]
            chunk = chunk[1:]
    return s, True, False


def _get_esc(chunk: bytes) -> tuple[int, bytes, bool]:
    """A possibly escaped rune of a character class: (rune, rest, bad_pattern)."""
    if not chunk or chunk[0] in (_MINUS, 0x5D):
        return 0, b"", True
    if chunk[0] == _BACKSLASH:
        chunk = chunk[1:]
        if not chunk:
            return 0, b"", True
    r, width = _decode_rune(chunk, 0)
    rest = chunk[width:]
    bad = (r == _RUNE_ERROR and width == 1) or not rest
    return r, rest, bad
