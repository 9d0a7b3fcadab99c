"""`envsubst()`: parse the whole text, then evaluate it node by node as `envsubst/template.go`
does, with the operator functions of `envsubst/funcs.go`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from fluxops.errors import SubstitutionError
from fluxops.render.envsubst.funcs import (
    go_replace,
    map_all,
    map_first,
    reversed_runes,
    substr,
    trim_longest,
    trim_shortest,
)
from fluxops.render.envsubst.parse import Node, ParseError, Parser, Text
from fluxops.render.envsubst.unicode import go_lower, go_upper

ERR_NOT_SET: Final = "variable not set (strict mode)"

_Lookup = Callable[[bytes], tuple[bytes, bool]]

# Operators that may see a missing variable in strict mode (template.go isDefaultOp).
_DEFAULT_OPS: Final = frozenset({b"-", b"+", b"=", b"?", b":-", b":+", b":=", b":?"})


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
        nodes = Parser(buf).parse()
        out = bytearray()
        lookup = _make_lookup(variables, strict)
        for node in nodes:
            out += _eval(node, lookup)
    except ParseError as exc:
        raise SubstitutionError(str(exc)) from None
    except RecursionError:
        # Go has no practical limit here; Python's stack does. Hundreds of nested ${...} only.
        raise SubstitutionError("expression nested too deeply to evaluate") from None
    return out.decode("utf-8", "surrogateescape")


def _make_lookup(variables: Mapping[str, str], strict: bool) -> _Lookup:
    def lookup(param: bytes) -> tuple[bytes, bool]:
        name = param.decode("utf-8", "surrogateescape")
        value = variables.get(name)
        if value is None:
            return b"", not strict
        return value.encode("utf-8", "surrogateescape"), True

    return lookup


def _eval(node: Node, lookup: _Lookup) -> bytes:
    if isinstance(node, Text):
        return node.value
    # Arguments first (so an error in a nested expression comes first), then the variable.
    args = [_eval(arg, lookup) for arg in node.args]
    value, exists = lookup(node.param)
    if not exists and node.name not in _DEFAULT_OPS:
        name = node.param.decode("utf-8", "surrogateescape")
        raise ParseError(f'{ERR_NOT_SET}: "{name}"')
    return _apply(node.name, value, args)


def _apply(op: bytes, s: bytes, args: list[bytes]) -> bytes:
    """lookupFunc plus the function it returns. Unknown operators (`,^`, `^,`, `:=` ...) give
    toDefault."""
    if op == b",":
        return map_first(s, go_lower)
    if op == b",,":
        return map_all(s, go_lower)
    if op == b"^":
        return map_first(s, go_upper)
    if op == b"^^":
        return map_all(s, go_upper)
    if op == b"#":
        return str(len(s)).encode() if not args else trim_shortest(s, args[0])
    if op in (b"##", b"%", b"%%"):
        if not args:
            return s
        if op == b"##":
            return trim_longest(s, args[0])
        trim = trim_shortest if op == b"%" else trim_longest
        return reversed_runes(trim(reversed_runes(s), reversed_runes(args[0])))
    if op == b":":
        return substr(s, args)
    if op == b"/#":
        if len(args) == 2 and s.startswith(args[0]):
            return go_replace(s, args[0], args[1], 1)
        return s
    if op == b"/%":
        if len(args) == 2 and s.endswith(args[0]):
            return s[: len(s) - len(args[0])] + args[1]
        return s
    if op in (b"/", b"//"):
        if not args:
            return s
        return go_replace(s, args[0], args[1] if len(args) > 1 else b"", 1 if op == b"/" else -1)
    # toDefault, for every default operator and anything else
    if not s and args:
        return b"".join(args)
    return s
