"""The root command, its global options, and what the commands share."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from click.shell_completion import get_completion_class, shell_complete

from genesys_reconcile import __version__, log
from genesys_reconcile.errors import ConfigError
from genesys_reconcile.kinds import DIRECTORIES
from genesys_reconcile.settings import Settings, load_settings


def use_color(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


_CONFIG_HELP = "Settings file. Default: reconcile.yaml in the current directory, if present."
_LEVELS = click.Choice(["debug", "info", "warning", "error"])
_LEVEL_HELP = "Log events to stderr from this level up; JSON lines when stderr is not a terminal."
_VERBOSE_HELP = "Same as --log-level debug: every request."


def _given(ctx: click.Context, param: click.Parameter) -> bool:
    return ctx.get_parameter_source(str(param.name)) is ParameterSource.COMMANDLINE


def _config_after(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if _given(ctx, param):
        ctx.find_root().obj = value


def _level_after(ctx: click.Context, param: click.Parameter, value: str | bool) -> None:
    if _given(ctx, param) and value:
        log.configure("debug" if value is True else str(value))


def _after_the_command() -> list[click.Parameter]:
    """The root's options, also accepted after a command's name (`reconcile plan -v`), where
    people type them; given there, they win over the same options given before it."""
    return [
        click.Option(
            ["--config"],
            type=click.Path(path_type=Path, dir_okay=False),
            expose_value=False,
            callback=_config_after,
            help=_CONFIG_HELP,
        ),
        click.Option(
            ["--log-level"],
            type=_LEVELS,
            expose_value=False,
            callback=_level_after,
            help=_LEVEL_HELP,
        ),
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            expose_value=False,
            callback=_level_after,
            help=_VERBOSE_HELP,
        ),
    ]


class Group(click.Group):
    """A group whose commands also take the root's options."""

    group_class = type  # subgroups are of this class too (`reconcile sandbox serve -v`)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, click.Group):
            cmd.params.extend(_after_the_command())
        super().add_command(cmd, name)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconcile")
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="RECONCILE_CONFIG",
    help=_CONFIG_HELP,
)
@click.option(
    "--log-level",
    type=_LEVELS,
    default="warning",
    envvar="RECONCILE_LOG_LEVEL",
    show_default=True,
    help=_LEVEL_HELP,
)
@click.option("-v", "--verbose", is_flag=True, help=_VERBOSE_HELP)
@click.pass_context
def cli(ctx: click.Context, config: Path | None, log_level: str, verbose: bool) -> None:
    """Manage Genesys Cloud configuration as YAML: plan what would change, then apply it.

    Desired state lives in YAML files, one directory per kind; JSON Schemas in schemas/
    describe the files. Exit codes: 0 success, 1 failure, 2 changes pending (plan
    --detailed-exitcode only), 3 internal error, 130 interrupted.

    \b
    Example:
      reconcile validate && reconcile plan --sandbox
    """
    log.configure("debug" if verbose else log_level)
    ctx.obj = config


# click's protocol: the shell's completion script sets it (`bash_complete`, ...) to ask for the
# completions of the words typed so far; `bash_source` (zsh, fish) asks for the script itself.
COMPLETE_VAR = "_RECONCILE_COMPLETE"
_SOURCES = ("bash_source", "zsh_source", "fish_source")


def completion(prog_name: str = "reconcile") -> int | None:
    """The exit code of a shell-completion request, its answer printed; None when this run is
    no such request. Asked of `main`, which runs the group itself (not through click's own main,
    where click answers these), so without it the request would print the help."""
    instruction = os.environ.get(COMPLETE_VAR)
    if not instruction:
        return None
    shell, _, action = instruction.partition("_")
    if get_completion_class(shell) is None or action not in ("source", "complete"):
        raise ConfigError(
            f"no shell completion for {COMPLETE_VAR}={instruction};"
            f" set it to {', '.join(_SOURCES[:-1])} or {_SOURCES[-1]}"
        )
    return shell_complete(cli, {}, prog_name, COMPLETE_VAR, instruction)


# What every command reads from the environment, and what those that reach an org read.
_COMMON_ENV = ("RECONCILE_CONFIG", "RECONCILE_LOG_LEVEL", "NO_COLOR")
ORG_ENV = (
    "GENESYS_CLIENT_ID",
    "GENESYS_CLIENT_SECRET",
    "GENESYS_REGION (a domain such as mypurecloud.ie, or eu-west-1)",
    "GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET, GENESYSCLOUD_REGION (CX as "
    "Code's names, read when the three above are unset)",
    "GENESYS_API_URL and GENESYS_LOGIN_URL (both, instead of a region)",
)


def epilog(examples: Sequence[str], env: Sequence[str] = ()) -> str:
    """A command's help after its options: examples, and the environment variables it reads."""
    lines = ["\b", "Examples:", *(f"  {e}" for e in examples), "", "\b", "Environment:"]
    return "\n".join([*lines, *(f"  {name}" for name in (*env, *_COMMON_ENV))])


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
