"""`reconcile plan`: what apply would change, for people, pull requests and tools."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from genesys_reconcile.cli.github import CONTEXT_ENV, comment_context, environment_option
from genesys_reconcile.cli.group import (
    ORG_ENV,
    cli,
    epilog,
    selection,
    settings,
    to_stderr,
    use_color,
)
from genesys_reconcile.connection import connect
from genesys_reconcile.errors import (
    EXIT_CHANGES,
    EXIT_OK,
)
from genesys_reconcile.files import write_atomically
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.plan import document, markdown, text
from genesys_reconcile.plan.run import (
    IMPACT_QUERIES,
    IMPACT_SINCE,
    Impact,
    Selection,
    check_safety,
    planned,
)
from genesys_reconcile.preview.cache import DIRECTORY as CACHE_DIRECTORY
from genesys_reconcile.preview.cache import Cache
from genesys_reconcile.preview.query import since as window_since
from genesys_reconcile.preview.source import Analytics
from genesys_reconcile.settings import Settings


def impact_reader(config: Settings, client: GenesysClient) -> Impact:
    cache = Cache(config.root / CACHE_DIRECTORY)
    analytics = Analytics(client, cache, budget=IMPACT_QUERIES)
    return Impact(analytics, window_since(IMPACT_SINCE, datetime.now(UTC)))


@cli.command(
    name="plan",
    epilog=epilog(
        [
            "reconcile plan --sandbox",
            "reconcile plan --format markdown --out plan.json --detailed-exitcode",
            "reconcile plan --target 'AnalyticsSegment/Voice*' --prune",
        ],
        (*ORG_ENV, *CONTEXT_ENV),
    ),
)
@click.option("--sandbox", is_flag=True, help="Plan against the embedded sandbox org.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for people; markdown for a pull-request comment; json for tools.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also save the plan as JSON, for review and for `apply PLAN_FILE`.",
)
@selection
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing would change, 2 when something would, 1 on error.",
)
@click.option(
    "--no-impact",
    is_flag=True,
    help="Leave out the impact lines (conversations a created or changed segment matches "
    "in the last 7 days, before and after), and their analytics queries.",
)
@environment_option
@click.pass_context
def plan_command(
    ctx: click.Context,
    sandbox: bool,
    output_format: str,
    out: Path | None,
    prune: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    force: bool,
    detailed_exitcode: bool,
    no_impact: bool,
    environment: str | None,
) -> int:
    """Show what apply would change in the org, field by field.

    Reads the org with one listing per kind (read-only credentials suffice), checks the
    files against it, and prints the creates, updates and deletes. For each created or
    changed segment filter, an impact line says how many conversations it matches in the
    last 7 days, before and after (at most 40 analytics queries, cached; a failing query
    never fails the plan). Nothing is changed.
    """
    config = settings(ctx)
    with connect(config, sandbox=sandbox) as client:
        impact = None if no_impact else impact_reader(config, client)
        ready = planned(config, client, Selection(prune, targets, excludes), impact)
        org = client.organization() if out or output_format != "text" else None
        origin = client.origin
    plan, now = ready.plan, datetime.now(UTC)
    for notice in ready.notices:
        to_stderr(notice)
    saved = document.render(plan, org, origin, ready.inputs, now) if org else ""
    if out:
        write_atomically(out, saved)
    color = use_color(sys.stdout)
    if output_format == "json":
        click.echo(saved, nl=False)
    elif output_format == "markdown" and org:
        # The time the saved plan records, so `show` of it prints this very comment.
        context = comment_context(org, now, environment)
        click.echo(markdown.render(plan, context), nl=False)
    else:
        click.echo(text.render(plan, color), nl=False, color=color)
    check_safety(plan, force)
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK
