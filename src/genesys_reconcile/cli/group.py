"""The root command, its global options, and what the commands share."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from genesys_reconcile import __version__, log
from genesys_reconcile.kinds import DIRECTORIES
from genesys_reconcile.settings import Settings, load_settings


def use_color(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconcile")
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="RECONCILE_CONFIG",
    help="Settings file. Default: reconcile.yaml in the current directory, if present.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    envvar="RECONCILE_LOG_LEVEL",
    show_default=True,
    help="Log events to stderr from this level up; JSON lines when stderr is not a terminal.",
)
@click.option("-v", "--verbose", is_flag=True, help="Same as --log-level debug: every request.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, log_level: str, verbose: bool) -> None:
    """Manage Genesys Cloud analytics segments and outbound campaign segmentation as YAML.

    Desired state lives in segments/*.yaml and campaigns/*.yaml; JSON Schemas in schemas/
    describe the files. Exit codes: 0 success, 1 failure, 2 changes pending (plan
    --detailed-exitcode only), 3 internal error.
    """
    log.configure("debug" if verbose else log_level)
    ctx.obj = config


def settings(ctx: click.Context) -> Settings:
    loaded = load_settings(ctx.find_root().obj, default_paths=DIRECTORIES)
    for notice in loaded.notices:
        click.echo(notice, err=True)
    return loaded


def selection(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose what a plan covers, shared by plan and apply."""
    options = [
        click.option(
            "--prune", is_flag=True, help="Also delete live resources the repository lacks."
        ),
        click.option(
            "--target",
            "targets",
            multiple=True,
            metavar="KIND/NAME",
            help="Only these resources (repeatable; NAME may use * and ?). The plan is partial.",
        ),
        click.option(
            "--exclude",
            "excludes",
            multiple=True,
            metavar="KIND/NAME",
            help="Leave these out (repeatable; NAME may use * and ?). The plan is partial.",
        ),
        click.option("--force", is_flag=True, help="Accept a plan over the safety thresholds."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def to_stderr(line: str) -> None:
    click.echo(line, err=True)
