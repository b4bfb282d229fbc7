"""The dashboard put together: the repository's segments, a client for the org, a cache, and a
server bound to its address."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from genesys_reconcile.connection import connect
from genesys_reconcile.dashboard.board import Board, load_segments
from genesys_reconcile.dashboard.server import DashboardServer
from genesys_reconcile.loopback import is_loopback
from genesys_reconcile.preview.cache import AnswerCache
from genesys_reconcile.settings import Settings


def exposure_warning(host: str) -> str | None:
    """What to say when the dashboard is bound beyond this machine: it has no sign-in."""
    if is_loopback(host):
        return None
    return (
        f"warning: serving on {host}: anyone who can reach this machine can read the org's "
        "analytics, as the pages have no sign-in; omit --host to serve on 127.0.0.1 only"
    )


@contextlib.contextmanager
def opened(
    settings: Settings,
    *,
    sandbox: bool,
    cache: AnswerCache | None,
    since: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
) -> Iterator[DashboardServer]:
    """A dashboard bound and ready to serve; closed, with its client, on leaving."""
    segments = load_segments(settings)
    with connect(settings, sandbox=sandbox) as client:
        board = Board(segments, client, cache, since)
        with DashboardServer(board, host, port) as server:
            yield server
