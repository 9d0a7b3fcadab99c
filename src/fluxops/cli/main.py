"""The `fluxops` command group. Keep imports here cheap: `fluxops --help` must start fast."""

from __future__ import annotations

import sys

import click

from fluxops import __version__
from fluxops.cli.build import build_command
from fluxops.cli.check import check_command
from fluxops.cli.common import install_signal_handlers, usage_envelope
from fluxops.cli.diff import diff_command
from fluxops.cli.drift import drift_command
from fluxops.cli.explain import explain_command
from fluxops.cli.lint import lint_command
from fluxops.cli.listing import list_command
from fluxops.cli.mcp import mcp_command
from fluxops.cli.scaffold import init_command, skill_group
from fluxops.cli.status import snapshot_command, status_command
from fluxops.cli.validate import validate_command
from fluxops.cli.values_diff import values_diff_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="fluxops")
def cli() -> None:
    """fluxops: what Flux will apply from this repo, whether it is valid, and why it is not
    reconciling. Every command has JSON output (one envelope, docs/json.md) and stable exit
    codes (0 ok, 1 findings or failures, 2 usage or environment error, 3 internal error).

    \b
    Examples:
      fluxops build examples/podinfo-platform --all
      fluxops lint examples/podinfo-platform -o json
      fluxops status --problems
      fluxops build --help
    """


cli.add_command(build_command)
cli.add_command(validate_command)
cli.add_command(lint_command)
cli.add_command(values_diff_command)
cli.add_command(diff_command)
cli.add_command(status_command)
cli.add_command(snapshot_command)
cli.add_command(drift_command)
cli.add_command(explain_command)
cli.add_command(check_command)
cli.add_command(list_command)
cli.add_command(mcp_command)
cli.add_command(init_command)
cli.add_command(skill_group)


def main() -> None:
    install_signal_handlers()
    try:
        status = cli.main(prog_name="fluxops", standalone_mode=False)
    except click.ClickException as exc:  # a flag click refuses: exit 2, and with -o json|yaml
        usage_envelope(sys.argv[1:], exc)  # an ErrorResult on stdout too
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    sys.exit(status if isinstance(status, int) else 0)
