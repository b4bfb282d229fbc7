"""`reconcile validate`: the files checked offline, or against the org."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from genesys_reconcile.cli.group import ORG_ENV, cli, epilog, settings, use_color
from genesys_reconcile.connection import connect
from genesys_reconcile.errors import (
    EXIT_FAILURE,
    EXIT_OK,
)
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.manifest import diagnostics
from genesys_reconcile.validation import validate


@cli.command(
    name="validate",
    epilog=epilog(
        ["reconcile validate", "reconcile validate --online segments/ --format github"], ORG_ENV
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people; json for tools; github for pull-request annotations.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--online",
    is_flag=True,
    help="Also check against the org: campaigns and contact lists exist, and attributes exist "
    "in every list with fitting types. Reads only.",
)
@click.option("--sandbox", is_flag=True, help="Check online against the embedded sandbox org.")
@click.pass_context
def validate_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    strict: bool,
    online: bool,
    sandbox: bool,
) -> int:
    """Check desired-state files: YAML, schema and semantic rules, offline by default.

    PATHS are files or directories (searched for *.yaml and *.yml); by default the paths in
    reconcile.yaml, else segments/ and campaigns/. Every problem is reported with its file,
    line and column. Exits 1 when any file is invalid.
    """
    config = settings(ctx)
    targets = list(paths) or list(config.paths)
    if online or sandbox:
        with connect(config, sandbox=sandbox) as client:
            report = validate(targets, config, LiveState(client))
    else:
        report = validate(targets, config)
    color = use_color(sys.stdout)
    if output_format == "json":
        output = diagnostics.render_json(report.diagnostics)
    elif output_format == "github":
        output = diagnostics.render_github(report.diagnostics)
    else:
        output = diagnostics.render_text(report.diagnostics, report.files, color)
    if output:
        click.echo(output, color=color)
    return EXIT_FAILURE if report.failed(strict) else EXIT_OK
