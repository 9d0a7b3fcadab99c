"""How a plain (unquoted, untagged) YAML scalar resolves, in each library that reads what
fluxops writes:

- **go-yaml v2** (`resolve.go`; sigs.k8s.io/yaml, so kubectl, the API machinery and every Flux
  controller: YAML 1.1): `y/Y/yes/Yes/YES/on/On/ON` and their negations are booleans;
  `~`, `null`, `Null`, `NULL` and the empty scalar are null; `.inf`, `.nan` (three spellings,
  signed infinities) are floats (all looked up only when the first character is one of
  `+-.0-9yYnNtTfFoO~`); a scalar that starts with a sign or a digit is an integer when
  `strconv.ParseInt(s, 0, 64)` or `ParseUint` accepts it after removing every `_` (so `0x1F`,
  `0o17`, `0b101`, `017` octal, `1_000`), else a float when it matches
  `[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?` (so `1e3`, `0.5e3`, `3e91`, `0380`
  and a short git SHA such as `4416e21`); one that starts with `.` is a float when
  `strconv.ParseFloat` accepts it as written. A `<<` key is a merge key (a `<<` value is a
  string).
- **go-yaml v3** (kustomize's kyaml: YAML 1.2 core schema, with the same number rules): the same
  without the YAML 1.1 booleans (`y`, `yes`, `on` ... are strings).
- **PyYAML** (YAML 1.1 as PyYAML implements it): its own regular expressions (`yes/no/on/off`
  but not `y/n`, octal `0[0-7]+`, floats need a `.`, sexagesimal `1:30`, timestamps, `=`).

Timestamps (`fluxops.goyaml.timestamp`): go-yaml v2 decodes one into an untyped value as its
text (which is how sigs.k8s.io/yaml, and so the controllers, see it), go-yaml v3 as a
`time.Time` (so kustomize rewrites a plain `2001-1-2` as `2001-01-02T00:00:00Z`). `resolve_go`
gives `TIMESTAMP` with the text; the writer quotes them.

Go's encoders also quote sexagesimal-looking strings (`isBase60Float`) "for compatibility with
other parsers"; `is_ambiguous` does too.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any, Final

import yaml

from fluxops.goyaml.strconv import NumError, parse_float, parse_int, parse_uint
from fluxops.goyaml.timestamp import is_timestamp

STR: Final = "!!str"
INT: Final = "!!int"
FLOAT: Final = "!!float"
BOOL: Final = "!!bool"
NULL: Final = "!!null"
TIMESTAMP: Final = "!!timestamp"

#: go-yaml v2's YAML 1.1 booleans (v3 resolves these as strings).
YAML11_BOOLS: Final[dict[str, bool]] = dict.fromkeys(
    ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True
) | dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False)
#: Booleans in both versions.
CORE_BOOLS: Final[dict[str, bool]] = dict.fromkeys(("true", "True", "TRUE"), True) | dict.fromkeys(
    ("false", "False", "FALSE"), False
)
NULLS: Final = frozenset(("", "~", "null", "Null", "NULL"))
SPECIAL_FLOATS: Final[dict[str, float]] = {
    f"{sign}.{word}": value
    for word in ("inf", "Inf", "INF")
    for sign, value in (("", math.inf), ("+", math.inf), ("-", -math.inf))
} | dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan)

#: go-yaml's `yamlStyleFloat`, applied after removing underscores.
YAML_STYLE_FLOAT: Final = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
#: go-yaml's `isBase60Float` (its encoders quote these).
BASE60_FLOAT: Final = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")

#: First characters after which a plain scalar may be something other than a string, in any of
#: the three libraries (PyYAML adds `<` for merge and `=` for its value tag).
HINT_CHARS: Final = frozenset("+-.0123456789yYnNtTfFoO~<=")


def _go_number(text: str, *, yaml12_octal: bool) -> tuple[str, Any]:
    """The sign/digit branch of go-yaml's `resolve()`."""
    if is_timestamp(text):
        return TIMESTAMP, text
    plain = text.replace("_", "")
    for parse in (parse_int, parse_uint):
        try:
            return INT, parse(plain, 0, 64)
        except NumError:
            pass
    if YAML_STYLE_FLOAT.fullmatch(plain):
        try:
            return FLOAT, parse_float(plain)
        except NumError:
            pass
    prefixes = [("0b", 2, ""), ("-0b", 2, "-")]
    if yaml12_octal:
        prefixes += [("0o", 8, ""), ("-0o", 8, "-")]
    for prefix, base, sign in prefixes:
        if plain.startswith(prefix):
            digits = sign + plain[len(prefix) :]
            try:
                return INT, parse_int(digits, base, 64)
            except NumError:
                pass
            if not sign:
                try:
                    return INT, parse_uint(digits, base, 64)
                except NumError:
                    pass
    return STR, text


def resolve_go(text: str, *, yaml11: bool = True) -> tuple[str, Any]:
    """go-yaml's `resolve("", text)`: (tag, value) of a plain scalar. `yaml11`: v2 (with the
    YAML 1.1 booleans), else v3. A timestamp is `TIMESTAMP` with its text (v2's untyped value)."""
    if yaml11 and text in YAML11_BOOLS:
        return BOOL, YAML11_BOOLS[text]
    if text in CORE_BOOLS:
        return BOOL, CORE_BOOLS[text]
    if text in NULLS:
        return NULL, None
    if text in SPECIAL_FLOATS:
        return FLOAT, SPECIAL_FLOATS[text]
    first = text[0]
    if first == ".":
        try:
            return FLOAT, parse_float(text)
        except NumError:
            return STR, text
    if first in "+-0123456789":
        return _go_number(text, yaml12_octal=not yaml11)
    return STR, text


_PY_RESOLVER: Final = yaml.resolver.Resolver()
_PY_STR: Final = "tag:yaml.org,2002:str"


def pyyaml_tag(text: str) -> str:
    """The tag PyYAML's resolver gives a plain scalar (`tag:yaml.org,2002:str` for a string)."""
    return str(_PY_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)))  # type: ignore[no-untyped-call]


@functools.lru_cache(maxsize=8192)
def is_ambiguous(text: str) -> bool:
    """Whether `text`, written as a plain scalar, would be read as anything but this string
    by go-yaml v2, go-yaml v3 or PyYAML (or is one that Go's encoders quote). Such strings
    must be quoted: keys as well as values."""
    if not text or text == "<<":
        return True
    if text[0] not in HINT_CHARS:
        return False
    return (
        resolve_go(text, yaml11=True)[0] != STR
        or resolve_go(text, yaml11=False)[0] != STR
        or pyyaml_tag(text) != _PY_STR
        or BASE60_FLOAT.fullmatch(text) is not None
    )
