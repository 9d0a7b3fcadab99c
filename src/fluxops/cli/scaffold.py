"""`fluxops init` and `fluxops skill`."""

from __future__ import annotations

import sys

import click

from fluxops.cli.common import emit, handle_errors
from fluxops.cli.options import colour_option, output_options


@click.command("init")
@click.argument("path", type=click.Path(file_okay=False), default=".")
@click.option("--cluster", required=True, metavar="NAME", help="The cluster: clusters/NAME.")
@click.option(
    "--envs",
    default="staging,production",
    show_default=True,
    metavar="A,B",
    help="Environments to create overlays for (apps/ENV, infrastructure/ENV).",
)
@click.option(
    "--env",
    metavar="ENV",
    help="The environment this cluster runs (default: the cluster's name when it is one of "
    "--envs, else the first).",
)
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@output_options(
    ["text", "json", "yaml"],
    "text",
    "json and yaml: the envelope of docs/json.md, kind InitResult.",
)
@colour_option
@handle_errors
def init_command(
    path: str,
    cluster: str,
    envs: str,
    env: str | None,
    dry_run: bool,
    fmt: str,
    compact: bool,
    colour: bool,
) -> None:
    """Scaffold the recommended Flux layout in PATH: clusters/NAME/ with the Flux
    Kustomizations `infrastructure` and `apps` (prune, intervals, apps dependsOn
    infrastructure, the flux-system GitRepository of `flux bootstrap`), and kustomize overlays
    apps/base, apps/ENV, infrastructure/base, infrastructure/ENV. Never overwrites a file:
    existing files are kept. Prints the `flux bootstrap` command to run next.

    \b
    Examples:
      fluxops init --cluster staging --envs staging,production --dry-run
      fluxops init fleet --cluster production --envs staging,production

    Exit status: 0, 2 for usage errors (nothing is written then).
    """
    from fluxops import api

    result = api.init(
        api.InitRequest(path=path, cluster=cluster, envs=envs.split(","), env=env, dry_run=dry_run)
    )
    from fluxops.output.registry import View

    sys.exit(emit(result, fmt, View(colour=fmt == "text" and colour, compact=compact)))


@click.group("skill")
def skill_group() -> None:
    """The gitops skill for AI agents (SKILL.md, Agent Skills format): the decision tree of a
    Flux repository's work with the fluxops command for each step."""


@skill_group.command("show")
def skill_show() -> None:
    """Print SKILL.md."""
    from fluxops import api

    click.echo(api.skill_text(), nl=False)


@skill_group.command("install")
@click.argument("directory", type=click.Path(file_okay=False))
@handle_errors
def skill_install(directory: str) -> None:
    """Write DIRECTORY/fluxops-gitops/SKILL.md (e.g. DIRECTORY = .claude/skills or
    ~/.claude/skills). Never overwrites: an existing SKILL.md is an error (exit 2) naming it.
    """
    from fluxops import api

    written = api.install_skill(directory)
    click.echo(f"wrote {written}")
