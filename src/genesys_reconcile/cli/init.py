"""`reconcile init [DIR]`: a configuration repository to start from."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from genesys_reconcile import __version__, scaffold
from genesys_reconcile.cli.group import cli, epilog
from genesys_reconcile.errors import EXIT_OK


def _action(ctx: click.Context, param: click.Parameter, value: str) -> scaffold.Action:
    return scaffold.action_of(value)


@cli.command(
    name="init",
    epilog=epilog(
        [
            "reconcile init my-org-config && cd my-org-config && reconcile validate",
            f"reconcile init --action acme/genesys-reconcile@v{__version__}",
        ]
    ),
)
@click.argument(
    "directory", type=click.Path(path_type=Path, file_okay=False), default=".", required=False
)
@click.option("--force", is_flag=True, help="Write over files that already exist.")
@click.option(
    "--action",
    default=scaffold.DEFAULT_ACTION,
    show_default=True,
    metavar="OWNER/NAME@REF",
    callback=_action,
    help="The genesys-reconcile action the workflows run; its repository hosts the hook too.",
)
def init_command(directory: Path, force: bool, action: scaffold.Action) -> int:
    """Start a configuration repository in DIRECTORY (default: here).

    Writes one commented example per kind, each in its kind's directory; reconcile.yaml;
    copies of the schemas the files' modelines point at; .gitignore; the plan, apply and drift
    workflows; the pre-commit hook. Refuses, writing nothing, if any of these files exists.
    """
    written = scaffold.repository(action)
    scaffold.write(directory, written, force=force)
    for path in written:
        click.echo(f"wrote {path}")
    if action.repository.startswith("OWNER/"):
        click.echo(
            "\nIn .github/workflows/ and .pre-commit-config.yaml, replace OWNER with the owner\n"
            "of the genesys-reconcile repository you use (or run init with --action)."
        )
    click.echo("\nNext:")
    if directory != Path():
        click.echo(f"  cd {shlex.quote(str(directory))}")
    click.echo("  reconcile validate\n  reconcile plan --sandbox")
    return EXIT_OK
