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


def dump(value: Any) -> str:
    """One YAML document (no `---`), ending with a newline."""
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
