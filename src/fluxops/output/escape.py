"""Text from repositories and clusters, made safe to print.

Names, messages and values come from files and API servers that fluxops does not control. In
text output a control character could clear the screen, change the terminal title (ANSI/OSC
escapes), or start a new line that looks like fluxops's own; in Markdown a `|`, a newline or a
backtick could break out of a table cell or a code span into a pull request comment. Every
renderer passes foreign text through here:

- `escape_text`: C0 and C1 control characters, DEL, and the Unicode line separators and
  bidirectional overrides (which reorder what a reader sees) are written as `\\n`, `\\t`,
  `\\x1b`, `\\u202e`; with `indent`, newlines are kept but every continuation line is
  indented, so it cannot pass for a line of fluxops's own;
- `markdown_text`: `escape_text`, then Markdown and HTML punctuation backslash-escaped;
- `markdown_code`: a code span that holds the text verbatim (backtick fence longer than any
  run inside, `|` escaped for tables, control characters escaped).
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_UNSAFE_KEEP_NL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def _code(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def escape_text(text: object, *, indent: str | None = None) -> str:
    """`text` with control and invisible-formatting characters escaped. With `indent`, line
    breaks stay and each following line starts with `indent`."""
    value = str(text)
    if indent is None:
        return _UNSAFE.sub(_code, value)
    lines = _UNSAFE_KEEP_NL.sub(_code, value).split("\n")
    return ("\n" + indent).join(lines)


def markdown_text(text: object) -> str:
    """Text for Markdown prose or a table cell: nothing in it formats, links or breaks out."""
    escaped = _MD_SPECIAL.sub(r"\\\1", escape_text(text))
    return escaped.replace("<", "&lt;").replace(">", "&gt;")


def markdown_code(text: object, *, table: bool = True) -> str:
    """`text` as an inline code span (verbatim), safe inside a table cell when `table`."""
    value = escape_text(text)
    if table:
        value = value.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip() else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def markdown_fence(body: str, info: str = "") -> str:
    """A fenced code block holding `body` (control characters escaped line by line): the
    fence is longer than any backtick run inside, so the body cannot close it."""
    lines = [escape_text(line) for line in body.split("\n")]
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n" + "\n".join(lines) + f"\n{fence}"
