"""`reconcile show`: a saved plan, rendered again for people, pull requests or tools."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from genesys_reconcile.cli.github import CONTEXT_ENV, comment_context, environment_option
from genesys_reconcile.cli.group import cli, epilog, use_color
from genesys_reconcile.errors import EXIT_OK
from genesys_reconcile.plan import document, markdown, text


@cli.command(
    name="show",
    epilog=epilog(
        [
            "reconcile show plan.json",
            'reconcile show plan.json --format markdown >> "$GITHUB_STEP_SUMMARY"',
        ],
        CONTEXT_ENV,
    ),
)
@click.argument("plan_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for people; markdown for a pull-request comment or job summary; json as saved.",
)
@environment_option
def show_command(plan_file: Path, output_format: str, environment: str | None) -> int:
    """Render a plan saved by `plan --out`, as `plan` printed it, without reaching the org.

    The file is checked first (its schema and checksum), so what is shown is what `apply
    PLAN_FILE` would apply, for the org and commit it was made for.
    """
    plan, data = document.load(plan_file)
    if output_format == "json":
        click.echo(plan_file.read_text(encoding="utf-8"), nl=False)
    elif output_format == "markdown":
        made = datetime.fromisoformat(data["createdAt"])
        context = comment_context(document.organization(data), made, environment)
        click.echo(markdown.render(plan, context), nl=False)
    else:
        color = use_color(sys.stdout)
        org = data["org"]
        click.echo(f"Plan for org {org['name']} ({org['id']}), made {data['createdAt']}.\n")
        click.echo(text.render(plan, color), nl=False, color=color)
    return EXIT_OK
