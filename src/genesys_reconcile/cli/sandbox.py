"""`reconcile sandbox serve`: the simulator over HTTP."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from genesys_reconcile.cli.group import cli, epilog
from genesys_reconcile.sandbox.app import APIS, DEFAULT_CLIENT_ID, DEFAULT_TOKEN_TTL
from genesys_reconcile.sandbox.faults import RATE_LIMIT_MODELS
from genesys_reconcile.sandbox.server import serve

_COUNT = click.IntRange(min=0)
_SHARE = click.FloatRange(0, 1)


@cli.group()
def sandbox() -> None:
    """The embedded Genesys Cloud simulator (see docs/sandbox.md)."""


@sandbox.command(
    name="serve",
    epilog=epilog(
        [
            "reconcile sandbox serve --port 8080 --state org.json",
            "reconcile sandbox serve --api genesys --rate-limit 300 --latency 25",
        ],
        ("RECONCILE_SANDBOX_CLIENT_SECRET",),
    ),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=0, show_default=True, help="Port; 0 picks a free one.")
@click.option(
    "--state",
    "state_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Keep the org in this JSON file, so restarts and other runs see its changes.",
)
@click.option("--client-id", default=DEFAULT_CLIENT_ID, show_default=True)
@click.option(
    "--client-secret",
    envvar="RECONCILE_SANDBOX_CLIENT_SECRET",
    help="The client secret clients must present. Default: the documented sandbox secret.",
)
@click.option(
    "--token-ttl",
    default=DEFAULT_TOKEN_TTL,
    type=click.IntRange(min=1),  # a token granted for no time fails every client, as expired
    show_default=True,
    help="Token lifetime, s (at least 1).",
)
@click.option(
    "--latency", default=0, type=_COUNT, show_default=True, help="Added to every request, ms."
)
@click.option(
    "--rate-limit", default=0, type=_COUNT, show_default=True, help="Requests a minute; 0: none."
)
@click.option(
    "--rate-limit-model",
    type=click.Choice(RATE_LIMIT_MODELS),
    default="window",
    show_default=True,
    help="window: a budget per token and minute, reported in inin-ratelimit-* headers, as "
    "the platform does; bucket: a token bucket over all clients, without headers.",
)
@click.option(
    "--error-rate", default=0.0, type=_SHARE, show_default=True, help="Share answered 503."
)
@click.option(
    "--drop-rate", default=0.0, type=_SHARE, show_default=True, help="Share of connections dropped."
)
@click.option(
    "--index-delay",
    default=0.0,
    type=click.FloatRange(min=0),
    show_default=True,
    help="Index rebuild time, s.",
)
@click.option(
    "--index-failure-rate",
    default=0.0,
    type=_SHARE,
    show_default=True,
    help="Share of rebuilds that fail.",
)
@click.option("--seed", default=0, show_default=True, help="Seed for random faults and ids.")
@click.option(
    "--api",
    type=click.Choice(APIS),
    default="demo",
    show_default=True,
    help="demo: the platform's API plus the demo extension (analytics segments, campaign "
    "segmentation rules); genesys: only what the real platform serves.",
)
def sandbox_serve(host: str, port: int, state_file: Path | None, **options: Any) -> None:
    """Run the simulator as an HTTP server until interrupted.

    The first line on stdout is the base URL; point any command at it with GENESYS_API_URL
    and GENESYS_LOGIN_URL. Faults can also be changed while it runs, through /_sandbox/faults.
    """
    server = serve(host, port, state_file, **options)
    click.echo(server.url)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
