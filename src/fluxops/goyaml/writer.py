"""The one YAML writer: every YAML that fluxops prints or writes goes through `dump`.

It writes what kustomize writes, and Go reads back the same values: block style, keys in the
order given, lists indented under their key, multi-line strings as literal blocks, and every
other string plain unless a reader could take it for something else. A string (a mapping key
as well as a value) that go-yaml v2 (sigs.k8s.io/yaml: kubectl, the Flux controllers), go-yaml
v3 (kustomize's kyaml) or PyYAML would resolve to a number, a boolean, null, a timestamp or a
merge key is double-quoted (`"y"`, `"0380"`, `"3e91"`, `"4416e21"`, `"0o17"`, `"~"`); see
`fluxops.goyaml.resolve`. PyYAML itself quotes what YAML syntax requires (leading spaces, `: `,
indicators, control characters).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from fluxops.errors import InternalError
from fluxops.goyaml.resolve import is_ambiguous

_STR = "tag:yaml.org,2002:str"
#: Line breaks other than `\n` (YAML 1.1 breaks, and CR): in a block or plain scalar a parser
#: would turn them into `\n` or fold them, so a string holding one is double-quoted (escaped).
_OTHER_BREAKS = frozenset("\r\x85\u2028\u2029")


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key, as kustomize and kubectl do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    data = str(data)  # a subclass of str (an enum, say) is written as its text
    if not _OTHER_BREAKS.isdisjoint(data):
        return dumper.represent_scalar(_STR, data, style='"')
    if "\n" in data:
        return dumper.represent_scalar(_STR, data, style="|")
    if is_ambiguous(data):
        return dumper.represent_scalar(_STR, data, style='"')
    return dumper.represent_scalar(_STR, data)


def _represent_int(dumper: yaml.SafeDumper, data: int) -> yaml.Node:
    """Subclasses of int (not bool, which has its own representer) as plain integers."""
    return dumper.represent_int(int(data))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_multi_representer(str, _represent_str)
_Dumper.add_multi_representer(int, _represent_int)


class _Slow(InternalError):
    """The value holds something the direct writer leaves to PyYAML's (caught in this module,
    never raised to callers)."""

    def __init__(self) -> None:
        super().__init__("left to PyYAML's emitter")


_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))
_LITERAL_OK = _PRINTABLE | {"\n"}


def _plain(text: str) -> bool:
    """Whether PyYAML's emitter writes `text` (not ambiguous) as a plain scalar in block
    context: printable ASCII, no indicator first, no `...` first (a document end marker at the
    start of a line), no `: `, ` #`, leading or trailing space or colon (the conditions of its
    analyze_scalar, narrowed)."""
    return (
        0 < len(text) < 4096
        and text[0] not in _INDICATORS
        and not text.startswith("...")
        and text[-1] not in " :"
        and _PRINTABLE.issuperset(text)
        and ": " not in text
        and " #" not in text
    )


def _scalar(value: Any, indent: int) -> str:
    """A scalar as PyYAML writes it after `key:` or `-` (leading space included), or _Slow."""
    if value is None:
        return " null\n"
    if value is True:
        return " true\n"
    if value is False:
        return " false\n"
    if isinstance(value, int):
        return f" {int(value)}\n"
    if not isinstance(value, str):
        raise _Slow
    if "\n" in value:
        return _literal(str(value), indent)
    text = str(value)
    if is_ambiguous(text):
        if _PRINTABLE.issuperset(text) and '"' not in text and "\\" not in text:
            return f' "{text}"\n'
        raise _Slow
    if _plain(text):
        return f" {text}\n"
    if 0 < len(text) < 4096 and text[0] not in "-?:" and _PRINTABLE.issuperset(text):
        # what PyYAML does with a one-line string that cannot be plain: single quotes (a
        # leading `-`, `?` or `:` is plain or not by what follows: PyYAML decides)
        return " '" + text.replace("'", "''") + "'\n"
    raise _Slow


def _literal(text: str, indent: int) -> str:
    """A multi-line string as a literal block (`|` or `|-`) at `indent`, or _Slow where
    PyYAML would add an indentation or keep hint, or not use a block at all."""
    if text[0] in " \n" or text.endswith("\n\n") or not _LITERAL_OK.issuperset(text):
        raise _Slow
    body, hint = (text[:-1], "") if text.endswith("\n") else (text, "-")
    lines = body.split("\n")
    if any(line.endswith((" ", "\t")) for line in lines):
        raise _Slow
    pad = " " * indent
    return f" |{hint}\n" + "".join(f"{pad}{line}\n" if line else "\n" for line in lines)


def _key(key: Any) -> str:
    if not isinstance(key, str) or len(key) >= 128 or is_ambiguous(key) or not _plain(key):
        raise _Slow
    return key


def _once(value: Any, seen: set[int]) -> None:
    """A container met twice is written by PyYAML as an anchor and aliases."""
    if id(value) in seen:
        raise _Slow
    seen.add(id(value))


def _value(value: Any, indent: int, out: list[str], seen: set[int]) -> None:
    """What follows `key:` (value of a mapping at `indent`)."""
    if isinstance(value, dict):
        _once(value, seen)
        if not value:
            out.append(" {}\n")
            return
        out.append("\n")
        _mapping(value, indent + 2, out, seen, first_pad=True)
    elif isinstance(value, list):
        _once(value, seen)
        if not value:
            out.append(" []\n")
            return
        out.append("\n")
        _sequence(value, indent + 2, out, seen)
    else:
        out.append(_scalar(value, indent + 2))


def _mapping(
    value: dict[Any, Any], indent: int, out: list[str], seen: set[int], *, first_pad: bool
) -> None:
    pad = " " * indent
    for index, (key, item) in enumerate(value.items()):
        out.append((pad if index or first_pad else "") + _key(key) + ":")
        _value(item, indent, out, seen)


def _sequence(value: list[Any], indent: int, out: list[str], seen: set[int]) -> None:
    pad = " " * indent
    for item in value:
        out.append(pad + "-")
        if isinstance(item, dict | list):
            _once(item, seen)
        if isinstance(item, dict) and item:
            out.append(" ")
            _mapping(item, indent + 2, out, seen, first_pad=False)
        elif isinstance(item, list):
            if item:
                raise _Slow
            out.append(" []\n")
        elif isinstance(item, dict):
            out.append(" {}\n")
        else:
            out.append(_scalar(item, indent + 2))


def dump(value: Any) -> str:
    """One YAML document (no `---`), ending with a newline."""
    if isinstance(value, dict) and value:
        # The common case written directly: the same bytes as PyYAML's emitter (checked
        # against it in tests/unit/goyaml), several times faster.
        out: list[str] = []
        try:
            _mapping(value, 0, out, {id(value)}, first_pad=True)
            return "".join(out)
        except _Slow:
            pass
    return yaml.dump(
        value,
        Dumper=_Dumper,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 16,
    )


def dump_all(values: Iterable[Any]) -> str:
    """A stream of documents separated by `---` lines."""
    return "---\n".join(dump(v) for v in values)
