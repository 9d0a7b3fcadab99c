"""Write docs/cli.md from the CLI itself: every command's --help, rendered in the context the
real `fluxops` command uses (its context settings: `-h`, the width), and a table of which
flag each verb takes. CI checks the file is current:

python scripts/gen_cli_docs.py                  # rewrite docs/cli.md
python scripts/gen_cli_docs.py --check          # exit 1 when docs/cli.md is stale
python scripts/gen_cli_docs.py --check --doc F  # check another file (tests)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fluxops.cli.main import cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
WIDTH = 100


def _root_context() -> click.Context:
    """The context `fluxops` itself runs in (help_option_names, max_content_width), with a
    fixed terminal width so that the text does not depend on the terminal."""
    settings = dict(cli.context_settings)
    settings["terminal_width"] = WIDTH
    return cli.make_context("fluxops", ["--help"], resilient_parsing=True, **settings)


def _commands(ctx: click.Context) -> list[tuple[str, click.Command, click.Context]]:
    assert isinstance(cli, click.Group)
    out = []
    for name in sorted(cli.list_commands(ctx)):
        command = cli.get_command(ctx, name)
        assert command is not None
        sub = command.make_context(name, ["--help"], parent=ctx, resilient_parsing=True)
        out.append((name, command, sub))
    return out


def flag_table(ctx: click.Context) -> str:
    """Rows: every flag; columns: the verbs; a cell holds the flag's short form or a tick."""
    commands = _commands(ctx)
    rows: dict[str, dict[str, str]] = {}
    for name, command, sub in commands:
        for param in command.get_params(sub):
            if not isinstance(param, click.Option) or param.hidden:
                continue
            longs = [o for o in param.opts if o.startswith("--")]
            shorts = [o for o in param.opts if not o.startswith("--")]
            label = " / ".join(longs + [o for o in param.secondary_opts if o.startswith("--")])
            if not label:
                label = shorts[0]
            rows.setdefault(label, {})[name] = shorts[0] if shorts else "✓"
    names = [name for name, _, _ in commands]
    lines = [
        "| flag | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for label in sorted(rows, key=lambda s: s.lstrip("-").lower()):
        cells = [rows[label].get(n, "") for n in names]
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render() -> str:
    ctx = _root_context()
    parts = [
        "# CLI reference\n",
        "Generated from the CLI by `scripts/gen_cli_docs.py`; CI fails when it is stale "
        "(`--check`). JSON output: docs/json.md.\n",
        "## Flags by verb\n\nA cell shows the short form of the flag, or ✓.\n\n" + flag_table(ctx),
        "## Shell completion\n\n"
        "`--ks` and `--cluster` complete Kustomization and cluster names from the repository's "
        "files (nothing is rendered). Enable it once per shell:\n\n"
        "```sh\n"
        'eval "$(_FLUXOPS_COMPLETE=bash_source fluxops)"   # bash, in ~/.bashrc\n'
        'eval "$(_FLUXOPS_COMPLETE=zsh_source fluxops)"    # zsh, in ~/.zshrc\n'
        "_FLUXOPS_COMPLETE=fish_source fluxops | source   # fish\n"
        "```\n",
        "## fluxops\n\n```text\n" + cli.get_help(ctx) + "\n```\n",
    ]
    for name, command, sub in _commands(ctx):
        parts.append(f"## fluxops {name}\n\n```text\n" + command.get_help(sub) + "\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    doc = DOC
    if "--doc" in argv:
        doc = Path(argv[argv.index("--doc") + 1])
    text = render()
    if "--check" in argv:
        if not doc.exists() or doc.read_text(encoding="utf-8") != text:
            print(f"{doc} is stale: run python scripts/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    doc.write_text(text, encoding="utf-8")
    print(f"wrote {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
