"""The envsubst parser (`envsubst/parse/parse.go`): the text as a list of nodes, plain text and
`${...}` expressions, with the error messages Flux's parser returns."""

from __future__ import annotations

from typing import Final, NamedTuple

from fluxops.errors import SubstitutionError
from fluxops.render.envsubst.scan import (
    CARET,
    COLON,
    COMMA,
    E_ALL,
    E_DOLLAR,
    EQUAL,
    HASH,
    M_ESCAPE,
    M_IDENT,
    M_LBRACK,
    M_RBRACK,
    MINUS,
    PERCENT,
    PLUS,
    QUESTION,
    RBRACE,
    SLASH,
    T_EOF,
    T_IDENT,
    T_LBRACK,
    T_RBRACK,
    Accept,
    Scanner,
    accept_casing_func,
    accept_colon,
    accept_default_func,
    accept_hash_func,
    accept_ident,
    accept_not_closing,
    accept_not_slash,
    accept_one_colon,
    accept_one_equal,
    accept_one_hash,
    accept_percent_func,
    accept_replace_func,
    accept_rune,
    accept_slash,
    reject_colon_close,
)

ERR_BAD_SUBSTITUTION: Final = "bad substitution"
ERR_MISSING_BRACE: Final = "missing closing brace"
ERR_VARIABLE_NAME: Final = "unable to parse variable name"
ERR_FUNC_SUBSTITUTION: Final = "unable to parse substitution within function"
ERR_DEFAULT_FUNCTION: Final = "unable to parse default function"


class ParseError(SubstitutionError):
    """An envsubst error, with the message Flux returns. The parser raises it, and so does
    evaluation (a variable not set in strict mode, a substring offset that overflows)."""


# Nodes are NamedTuples, not dataclasses: as immutable, and importing `dataclasses` (which
# imports `inspect`) would cost more than this whole package.


class Text(NamedTuple):
    """Plain text, escapes already resolved."""

    value: bytes


class Func(NamedTuple):
    """`${param<name>args...}`: the variable, the operator (empty for a plain `${v}`) and the
    operator's arguments, each a node of its own."""

    param: bytes
    name: bytes = b""
    args: tuple[Node, ...] = ()


Node = Text | Func


class Parser:
    def __init__(self, buf: bytes) -> None:
        self.sc = Scanner(buf)

    def parse(self) -> list[Node]:
        """parseAny, as a loop rather than one recursion per token."""
        sc = self.sc
        nodes: list[Node] = []
        while True:
            sc.accept = accept_rune
            sc.mode = M_IDENT | M_LBRACK | M_ESCAPE
            sc.escape_chars = E_DOLLAR
            text = sc.scan_text()
            if text is not None:
                nodes.append(Text(text))
                continue
            token = sc.scan()
            if token == T_IDENT:
                nodes.append(Text(sc.string()))
            elif token == T_EOF:
                return nodes
            elif token == T_LBRACK:
                nodes.append(self._func())
            else:
                raise ParseError(ERR_BAD_SUBSTITUTION)

    def _func(self) -> Func:
        sc = self.sc
        sc.escape_chars = E_ALL
        if sc.peek() == HASH:
            return self._len_func()
        sc.accept = accept_ident
        sc.mode = M_IDENT
        if sc.scan() != T_IDENT:
            raise ParseError(ERR_VARIABLE_NAME)
        name = sc.string()
        nxt = sc.peek()
        if nxt == COLON:
            return self._default_or_substr(name)
        if nxt == EQUAL:
            return self._default_func(name)
        if nxt in (COMMA, CARET):
            return self._casing_func(name)
        if nxt == SLASH:
            return self._replace_func(name)
        if nxt == HASH:
            return self._remove_func(name, accept_hash_func)
        if nxt == PERCENT:
            return self._remove_func(name, accept_percent_func)
        sc.accept = accept_ident
        sc.mode = M_RBRACK
        if sc.scan() != T_RBRACK:
            raise ParseError(ERR_MISSING_BRACE)
        return Func(name)

    def _param(self, accept: Accept, mode: int) -> Node:
        sc = self.sc
        sc.accept = accept
        sc.mode = mode | M_LBRACK
        token = sc.scan()
        if token == T_LBRACK:
            return self._func()
        if token in (T_IDENT, T_RBRACK):
            return Text(sc.string())
        raise ParseError(ERR_FUNC_SUBSTITUTION)

    def _operator(self, accept: Accept, error: str) -> bytes:
        sc = self.sc
        sc.accept = accept
        sc.mode = M_IDENT
        if sc.scan() != T_IDENT:
            raise ParseError(error)
        return sc.string()

    def _close(self) -> None:
        """consumeRbrack."""
        sc = self.sc
        sc.mode = M_RBRACK
        if sc.scan() != T_RBRACK:
            raise ParseError(ERR_BAD_SUBSTITUTION)

    def _default_or_substr(self, name: bytes) -> Func:
        sc = self.sc
        sc.read()
        r = sc.peek()
        # Steps back by the width of the rune AFTER the colon (Go does the same): a multi-byte
        # rune there puts the scanner before the colon and the parse then fails.
        sc.unread()
        if r in (EQUAL, MINUS, QUESTION, PLUS):
            return self._default_func(name)
        return self._substr_func(name)

    def _substr_func(self, name: bytes) -> Func:
        sc = self.sc
        op = self._operator(accept_one_colon, ERR_BAD_SUBSTITUTION)
        args = [self._param(reject_colon_close, M_IDENT)]
        sc.accept = accept_colon
        sc.mode = M_IDENT | M_RBRACK
        token = sc.scan()
        if token == T_RBRACK:
            return Func(name, op, tuple(args))
        if token != T_IDENT:
            raise ParseError(ERR_BAD_SUBSTITUTION)
        args.append(self._param(accept_not_closing, M_IDENT))
        self._close()
        return Func(name, op, tuple(args))

    def _remove_func(self, name: bytes, accept: Accept) -> Func:
        op = self._operator(accept, ERR_BAD_SUBSTITUTION)
        arg = self._param(accept_not_closing, M_IDENT)
        self._close()
        return Func(name, op, (arg,))

    def _replace_func(self, name: bytes) -> Func:
        sc = self.sc
        op = self._operator(accept_replace_func, ERR_BAD_SUBSTITUTION)
        # v1.7.1 has no empty-pattern case: `${v/#/x}` fails here (fixed in later versions).
        args = [self._param(accept_not_slash, M_IDENT | M_ESCAPE)]
        self._operator(accept_slash, ERR_BAD_SUBSTITUTION)  # one or more '/'
        if sc.peek() == RBRACE:
            self._close()
            return Func(name, op, tuple(args))
        args.append(self._param(accept_not_closing, M_IDENT | M_ESCAPE))
        self._close()
        return Func(name, op, tuple(args))

    def _default_func(self, name: bytes) -> Func:
        sc = self.sc
        accept = accept_one_equal if sc.peek() == EQUAL else accept_default_func
        op = self._operator(accept, ERR_DEFAULT_FUNCTION)
        args: list[Node] = []
        while True:
            if sc.peek() == RBRACE:
                self._close()
                return Func(name, op, tuple(args))
            args.append(self._param(accept_not_closing, M_IDENT))

    def _casing_func(self, name: bytes) -> Func:
        op = self._operator(accept_casing_func, ERR_BAD_SUBSTITUTION)
        self._close()
        return Func(name, op)

    def _len_func(self) -> Func:
        op = self._operator(accept_one_hash, ERR_BAD_SUBSTITUTION)
        param = self._operator(accept_ident, ERR_BAD_SUBSTITUTION)
        self._close()
        return Func(param, op)
