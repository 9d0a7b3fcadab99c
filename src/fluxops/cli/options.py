"""Command-line options shared by several verbs, declared once: the selection (PATH, --ks,
--all, --cluster, --source), the rendering engine, substitution, reports and clusters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ["text", "json", "sarif", "github"]
SEVERITIES = ["error", "warning", "info"]


def engine_options(cache_help: str = "Do not read or write the build cache.") -> Callable[[F], F]:
    """The rendering engine's options, shared by every command that renders: --kustomize-bin,
    -j/--jobs, --no-cache and --allow-remote."""

    def decorate(func: F) -> F:
        func = click.option(
            "--allow-remote",
            is_flag=True,
            help="Fetch remote bases and URL file sources (git, HTTP) with a clean environment; "
            "by default fluxops builds offline and refuses them.",
        )(func)
        func = click.option("--no-cache", is_flag=True, help=cache_help)(func)
        func = click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=0),
            default=0,
            help="Parallel builds (0: one per core).",
        )(func)
        func = click.option(
            "--kustomize-bin",
            envvar="FLUXOPS_KUSTOMIZE",
            metavar="PATH",
            help="Use a standalone kustomize binary instead of the bundled kubectl.",
        )(func)
        return func

    return decorate


def source_options(func: F) -> F:
    """--source KIND/NAMESPACE/NAME=DIR (repeatable) and --strict/--no-strict: how sources map to
    folders and how postBuild substitution treats a missing variable, for every command that
    renders Flux Kustomizations."""
    func = click.option(
        "--strict/--no-strict",
        default=True,
        show_default=True,
        help="Strict postBuild substitution (a missing variable fails the build), as "
        "kustomize-controller >= 1.9.",
    )(func)
    func = click.option(
        "--source",
        "sources",
        multiple=True,
        metavar="KIND/NAMESPACE/NAME=DIR",
        help="Map a Flux source to a local folder (repeatable).",
    )(func)
    return func


def selection_options(func: click.decorators.FC) -> click.decorators.FC:
    """PATH, --ks, --all, --cluster, --source: the selection `build` uses."""
    func = click.option(
        "--source",
        "sources",
        multiple=True,
        metavar="KIND/NAMESPACE/NAME=DIR",
        help="Map a Flux source to a local folder (repeatable).",
    )(func)
    func = click.option(
        "--cluster",
        metavar="DIR",
        help="With --all: only the cluster whose entry is DIR (e.g. clusters/staging).",
    )(func)
    func = click.option(
        "--all",
        "all_",
        is_flag=True,
        help="Every Flux Kustomization reachable from the cluster entries.",
    )(func)
    func = click.option("--ks", "ks", metavar="NAMESPACE/NAME", help="One Flux Kustomization.")(
        func
    )
    return click.argument("path", type=click.Path(file_okay=False), default=".")(func)


def report_options(func: click.decorators.FC) -> click.decorators.FC:
    func = click.option("-v", "--verbose", is_flag=True, help="Also show info findings.")(func)
    func = click.option(
        "--fail-on",
        type=click.Choice(SEVERITIES),
        default="error",
        show_default=True,
        help="Exit 1 when a finding at or above this severity exists.",
    )(func)
    return click.option(
        "-o",
        "--output",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="text (grouped by file), json, sarif (SARIF 2.1.0) or github (workflow annotations).",
    )(func)


def cluster_options(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        [
            click.option(
                "--kubeconfig",
                type=click.Path(dir_okay=False),
                metavar="PATH",
                help="Kubeconfig file (default: $KUBECONFIG, several files merged as kubectl "
                "does, then ~/.kube/config, then the in-cluster service account).",
            ),
            click.option(
                "-n",
                "--namespace",
                metavar="NAMESPACE",
                help="Only this namespace (default: all namespaces).",
            ),
            click.option(
                "--timeout",
                default="10s",
                show_default=True,
                metavar="DURATION",
                help="Bound on connecting and on each API request.",
            ),
        ]
    ):
        func = option(func)
    return func
