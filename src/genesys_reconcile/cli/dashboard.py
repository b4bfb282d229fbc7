"""`reconcile dashboard`: every segment's preview served as pages, JSON and CSV."""

from __future__ import annotations

import sys

import click

from genesys_reconcile.cli.group import ORG_ENV, cli, epilog, settings, to_stderr
from genesys_reconcile.dashboard.caching import answer_cache
from genesys_reconcile.dashboard.run import exposure_warning, opened
from genesys_reconcile.errors import EXIT_OK
from genesys_reconcile.preview.cache import DEFAULT_TTL


@cli.command(
    name="dashboard",
    epilog=epilog(
        [
            "reconcile dashboard --sandbox --port 8000",
            "reconcile dashboard --since 7d --cache redis://localhost:6379/0",
        ],
        ORG_ENV,
    ),
)
@click.option("--sandbox", is_flag=True, help="Query the embedded sandbox org's synthetic data.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback exposes the org's figures to the "
    "network, without a sign-in (a warning says so).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port; 0 picks a free one.",
)
@click.option(
    "--cache",
    "cache_url",
    metavar="redis://HOST:PORT[/DB]",
    help="Keep analytics answers in this Redis server, shared by every dashboard using it, "
    "instead of .reconcile/cache/analytics. When Redis fails, pages use live queries.",
)
@click.option(
    "--cache-ttl",
    type=click.FloatRange(min=0),
    default=DEFAULT_TTL,
    show_default=True,
    help="Seconds a cached answer stays fresh; a page asked for later queries the org again.",
)
@click.option(
    "--since",
    metavar="DURATION",
    help="Show the last DURATION (such as 12h, 7d or 2w, up to the last whole hour) instead of "
    "each segment's time window.",
)
@click.pass_context
def dashboard_command(
    ctx: click.Context,
    sandbox: bool,
    host: str,
    port: int,
    cache_url: str | None,
    cache_ttl: float,
    since: str | None,
) -> int:
    """Serve what every analytics segment selects, until interrupted.

    For each segment under segments/, the figures, anomalies and charts of `reconcile
    preview`: an index at /, a page at /segments/NAME, its exports at /segments/NAME.json and
    /segments/NAME.csv, and all segments' figures and alerts at /api/dashboard/metrics.
    Answers come through the analytics cache, so a page asked for again within --cache-ttl
    sends nothing to the org. The first line on stdout is the base URL. Reads only.
    """
    config = settings(ctx)
    cache = answer_cache(cache_url, config.root, cache_ttl, to_stderr)
    warning = exposure_warning(host)
    if warning:
        to_stderr(warning)
    with opened(config, sandbox=sandbox, cache=cache, since=since, host=host, port=port) as server:
        click.echo(server.url)
        sys.stdout.flush()
        # Ctrl-C ends this with KeyboardInterrupt, which the CLI's one error boundary turns
        # into exit 130; leaving `opened` closes the server and the client on the way.
        server.serve_forever()
    return EXIT_OK
