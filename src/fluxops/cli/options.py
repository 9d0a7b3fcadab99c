"""Command-line options shared by several verbs, declared once: the selection (PATH, --ks,
--all, --cluster), how to render (--source, substitution, the engine, the cache, the network),
reports (-o, --fail-on, -v) and clusters (--kubeconfig, -n, --timeout). The selection and
render decorators hand the command one `Selection` and one `RenderOptions` instead of their
flags."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from fluxops.model.selection import RenderOptions, Selection

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ["text", "json", "yaml", "sarif", "github"]
SEVERITIES = ["error", "warning", "info"]


def _apply(func: Callable[..., Any], options: list[Callable[[Any], Any]]) -> Any:
    for option in reversed(options):
        func = option(func)
    return func


def selection_options(
    *,
    ks_help: str = "One Flux Kustomization.",
    all_help: str = "Every Flux Kustomization reachable from the cluster entries.",
    cluster_help: str = "With --all: only the cluster whose entry is DIR (e.g. clusters/staging).",
) -> Callable[[F], F]:
    """PATH, --ks, --all, --cluster, handed to the command as `selection`."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            selection = Selection(
                path=kwargs.pop("path"),
                ks=kwargs.pop("ks"),
                all_=kwargs.pop("all_"),
                cluster=kwargs.pop("cluster"),
                include_unreached=kwargs.pop("include_unreached"),
                namespace=kwargs.pop("ks_namespace"),
                verbose=bool(kwargs.get("verbose")),
            )
            return func(*args, selection=selection, **kwargs)

        from fluxops.cli.completion import complete_cluster, complete_ks

        options = [
            click.argument("path", type=click.Path(file_okay=False), default="."),
            click.option(
                "--ks",
                "ks",
                metavar="[NAMESPACE/]NAME",
                help=ks_help + " NAME alone works when it is unique (or with -n).",
                shell_complete=complete_ks,
            ),
            click.option(
                "-n",
                "--namespace",
                "ks_namespace",
                metavar="NAMESPACE",
                help="The namespace of --ks NAME (as `flux build ks NAME -n NAMESPACE`).",
            ),
            click.option("--all", "all_", is_flag=True, help=all_help),
            click.option(
                "--cluster", metavar="DIR", help=cluster_help, shell_complete=complete_cluster
            ),
            click.option(
                "--include-unreached",
                is_flag=True,
                help="Also build the Flux Kustomizations no cluster entry applies (each as a "
                "cluster named after its folder); by default they are listed as unreached.",
            ),
        ]
        return _apply(wrapper, options)  # type: ignore[no-any-return]

    return decorate


def render_options(
    *,
    substitution: str | None = "--strict-substitute/--no-strict-substitute",
    cache_help: str = "Do not read or write the caches (kustomize output, parsed files).",
) -> Callable[[F], F]:
    """How to render, handed to the command as `render`: --source (repeatable), the
    substitution flag (`substitution`; None: as the Flux version), --flux-version,
    --kustomize-bin, -j/--jobs, --no-cache and --allow-remote."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            render = RenderOptions(
                sources=list(kwargs.pop("sources")),
                strict_substitute=kwargs.pop("strict_substitute", None),
                flux_version=kwargs.pop("flux_version"),
                kustomize_bin=kwargs.pop("kustomize_bin"),
                jobs=kwargs.pop("jobs"),
                cache=not kwargs.pop("no_cache"),
                allow_remote=kwargs.pop("allow_remote"),
            )
            return func(*args, render=render, **kwargs)

        options = [
            click.option(
                "--source",
                "sources",
                multiple=True,
                metavar="KIND/NAMESPACE/NAME=DIR",
                help="Map a Flux source to a local folder (repeatable).",
            )
        ]
        if substitution is not None:
            options.append(
                click.option(
                    substitution,
                    "strict_substitute",
                    default=None,
                    help="Strict postBuild substitution (a missing variable fails the build). "
                    "Default: as the Flux version each cluster installs (strict from Flux 2.9, "
                    "kustomize-controller v1.9, on).",
                )
            )
        options += [
            click.option(
                "--flux-version",
                metavar="VERSION",
                help="Assume this Flux release (e.g. 2.5, v2.9.1) for every cluster instead of "
                "the one detected from the repository (gotk-components.yaml, FluxInstance, "
                "flux2 chart); it sets behaviour defaults such as strict substitution.",
            ),
            click.option(
                "--kustomize-bin",
                envvar="FLUXOPS_KUSTOMIZE",
                metavar="PATH",
                help="Use a standalone kustomize binary instead of the bundled kubectl.",
            ),
            click.option(
                "-j",
                "--jobs",
                type=click.IntRange(min=0),
                default=0,
                help="Parallel builds (0: one per core).",
            ),
            click.option("--no-cache", is_flag=True, help=cache_help),
            click.option(
                "--allow-remote",
                is_flag=True,
                help="Fetch remote bases and URL file sources (git, HTTP) with a clean "
                "environment; by default fluxops builds offline and refuses them.",
            ),
        ]
        return _apply(wrapper, options)  # type: ignore[no-any-return]

    return decorate


def output_options(formats: list[str], default: str | None, help: str) -> Callable[[F], F]:
    """-o/--output (a format, always) and --compact, handed to the command as `fmt` and
    `compact`."""
    options = [
        click.option(
            "-o",
            "--output",
            "fmt",
            type=click.Choice(formats),
            default=default,
            show_default=default is not None,
            help=help,
        ),
        click.option(
            "--compact",
            is_flag=True,
            help="JSON on one line (and YAML with a `---` marker), for streams and logs.",
        ),
    ]
    return lambda func: _apply(func, options)


def report_options(func: F) -> F:
    """-o (text, json, yaml, sarif, github), --compact, --fail-on and -v, for the verbs that
    report findings."""
    options = [
        output_options(
            FORMATS,
            "text",
            "text (grouped by file), json or yaml (the envelope of docs/json.md), sarif "
            "(SARIF 2.1.0) or github (workflow annotations).",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(SEVERITIES),
            default="error",
            show_default=True,
            help="Exit 1 when a finding at or above this severity exists.",
        ),
        click.option("-v", "--verbose", is_flag=True, help="Also show info findings."),
    ]
    return _apply(func, options)  # type: ignore[no-any-return]


def kubeconfig_options(*, namespace: bool = True) -> Callable[[F], F]:
    """--kubeconfig, -n/--namespace (unless `namespace` is False) and --timeout."""
    options = [
        click.option(
            "--kubeconfig",
            type=click.Path(dir_okay=False),
            metavar="PATH",
            help="Kubeconfig file (default: $KUBECONFIG, several files merged as kubectl "
            "does, then ~/.kube/config, then the in-cluster service account).",
        )
    ]
    if namespace:
        options.append(
            click.option(
                "-n",
                "--namespace",
                metavar="NAMESPACE",
                help="Only this namespace (default: all namespaces).",
            )
        )
    options.append(
        click.option(
            "--timeout",
            default="10s",
            show_default=True,
            metavar="DURATION",
            help="Bound on connecting and on each API request.",
        )
    )
    return lambda func: _apply(func, options)


def colour_option(func: F) -> F:
    """--color auto|always|never (and --no-color): handed to the command as `colour`, a bool
    (auto: stdout is a terminal, NO_COLOR is not set and TERM is not dumb)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from fluxops.cli.common import want_colour

        choice = kwargs.pop("colour_choice")
        if kwargs.pop("no_colour"):
            choice = "never"
        return func(*args, colour=want_colour(choice), **kwargs)

    options = [
        click.option(
            "--color",
            "colour_choice",
            type=click.Choice(["auto", "always", "never"]),
            default="auto",
            show_default=True,
            help="Colours in text output; auto: when stdout is a terminal, unless NO_COLOR is "
            "set or TERM=dumb.",
        ),
        click.option("--no-color", "no_colour", is_flag=True, hidden=True),
    ]
    return _apply(wrapper, options)  # type: ignore[no-any-return]
