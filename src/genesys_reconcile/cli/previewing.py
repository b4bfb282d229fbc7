"""`reconcile preview`: what an analytics segment selects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from genesys_reconcile.cli.group import ORG_ENV, cli, epilog, settings
from genesys_reconcile.connection import connect
from genesys_reconcile.errors import (
    EXIT_OK,
    ConfigError,
)
from genesys_reconcile.files import write_atomically
from genesys_reconcile.preview.anomalies import Baseline
from genesys_reconcile.preview.cache import DEFAULT_TTL, Cache
from genesys_reconcile.preview.cache import DIRECTORY as CACHE_DIRECTORY
from genesys_reconcile.preview.html import render_html
from genesys_reconcile.preview.query import since as window_since
from genesys_reconcile.preview.render import (
    render_conversations,
    render_csv,
    render_json,
    render_table,
)
from genesys_reconcile.preview.run import conversations as list_conversations
from genesys_reconcile.preview.run import load_segment, preview
from genesys_reconcile.preview.source import Analytics

PREVIEW_RENDERERS = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}


@cli.command(
    name="preview",
    epilog=epilog(
        [
            "reconcile preview segments/short-voice-calls.yaml --sandbox --since 30d",
            "reconcile preview segments/long-holds-in-support.yaml --sandbox --format html "
            "--out holds.html",
        ],
        ORG_ENV,
    ),
)
@click.argument("segment", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sandbox", is_flag=True, help="Query the embedded sandbox org's synthetic data.")
@click.option(
    "--since",
    metavar="DURATION",
    help="Look at the last DURATION (such as 12h, 7d or 2w, up to the last whole hour) "
    "instead of the segment's time window.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json", "html"]),
    default="table",
    show_default=True,
    help="table for people; csv and json for tools; html for one page with charts.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the output to this file instead of stdout.",
)
@click.option(
    "--conversations",
    is_flag=True,
    help="List the matching conversations (the details query) instead of the aggregates.",
)
@click.option(
    "--limit",
    type=click.IntRange(1, 100_000),
    default=100,
    show_default=True,
    help="With --conversations: list at most this many.",
)
@click.option("--no-cache", is_flag=True, help="Query the org even if a recent answer is cached.")
@click.option(
    "--cache-ttl",
    type=click.FloatRange(min=0),
    default=DEFAULT_TTL,
    show_default=True,
    help="Seconds a cached answer (in .reconcile/cache/analytics) stays fresh.",
)
@click.option(
    "--baseline",
    "baseline_window",
    type=click.IntRange(2, 1000),
    default=Baseline.window,
    show_default=True,
    help="Anomalies: compare each bucket with up to this many preceding ones (for hourly "
    "buckets, the same hour on preceding days).",
)
@click.option(
    "--min-samples",
    type=click.IntRange(2, 1000),
    default=Baseline.min_samples,
    show_default=True,
    help="Anomalies: judge a bucket only with at least this many baseline values.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(min=0, min_open=True),
    default=Baseline.threshold,
    show_default=True,
    help="Anomalies: flag a bucket whose z-score is at least this far from 0.",
)
@click.pass_context
def preview_command(
    ctx: click.Context,
    segment: Path,
    sandbox: bool,
    since: str | None,
    output_format: str,
    out: Path | None,
    conversations: bool,
    limit: int,
    no_cache: bool,
    cache_ttl: float,
    baseline_window: int,
    min_samples: int,
    threshold: float,
) -> int:
    """Show what an analytics segment selects: conversations by queue and media type.

    Runs the segment's filter as an analytics aggregates query over its time window (or
    --since) and prints offered, answered and abandoned conversations, abandonment and SLA
    breach rates, and average handle and wait times per queue and media type, with buckets
    that stand out from their baseline. Reads only.
    """
    config = settings(ctx)
    if conversations and output_format == "html":
        raise ConfigError("--conversations prints table, csv or json, not html")
    if min_samples > baseline_window:
        raise ConfigError("--min-samples must not exceed --baseline")
    resource = load_segment(segment, config)
    window = window_since(since, datetime.now(UTC)) if since else None
    cache = None if no_cache else Cache(config.root / CACHE_DIRECTORY, cache_ttl)
    with connect(config, sandbox=sandbox) as client:
        analytics = Analytics(client, cache)
        if conversations:
            found = list_conversations(analytics, resource, window, limit)
            output = render_conversations(found, output_format)
        else:
            baseline = Baseline(baseline_window, min_samples, threshold)
            result = preview(analytics, resource, window, baseline)
            output = PREVIEW_RENDERERS[output_format](result)
    output = output if output.endswith("\n") else output + "\n"
    if out:
        write_atomically(out, output)
        click.echo(f"wrote {out} ({output_format}, {len(output.encode()):,} bytes)", err=True)
    else:
        click.echo(output, nl=False)
    return EXIT_OK
