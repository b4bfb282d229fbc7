"""Answers cached on disk by a hash of the query: hits, expiry, and damaged entries."""

from __future__ import annotations

from pathlib import Path

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.preview.cache import Cache
from genesys_reconcile.preview.run import preview
from genesys_reconcile.preview.source import Analytics
from genesys_reconcile.sandbox.app import Sandbox
from tests.genesys.conftest import SECRET
from tests.preview.helpers import segment
from tests.sandbox.conftest import Api, FakeClock

AGGREGATES = "POST /api/v2/analytics/conversations/aggregates/query"
TTL = 600.0


def run_twice(
    client: GenesysClient, cache: Cache, tmp_path: Path, between: float, clock: FakeClock
) -> tuple[object, object]:
    resource = segment(tmp_path, ["{type: EQUAL, field: conversation.channel, value: chat}"])
    first = preview(Analytics(client, cache), resource)
    clock.advance(between)
    return first, preview(Analytics(client, cache), resource)


def test_a_repeated_query_is_answered_from_the_cache(
    client: GenesysClient, admin: Api, clock: FakeClock, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache", TTL, clock)

    first, second = run_twice(client, cache, tmp_path, TTL - 1, clock)

    assert admin.counts()[AGGREGATES] == 1
    assert (cache.hits, cache.misses) == (1, 1)
    assert first == second


def test_an_expired_answer_is_queried_again(
    client: GenesysClient, admin: Api, clock: FakeClock, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache", TTL, clock)

    first, second = run_twice(client, cache, tmp_path, TTL + 1, clock)

    assert admin.counts()[AGGREGATES] == 2
    assert (cache.hits, cache.misses) == (0, 2)
    assert first == second  # the data did not change; only its age did


def test_a_damaged_entry_is_a_miss_and_is_replaced(
    client: GenesysClient, admin: Api, clock: FakeClock, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache", TTL, clock)
    resource = segment(tmp_path, [])
    preview(Analytics(client, cache), resource)
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_text('{"format": 1, "storedAt": "soon"', encoding="utf-8")

    again = preview(Analytics(client, cache), resource)

    assert admin.counts()[AGGREGATES] == 2
    assert again.totals.offered > 0
    assert preview(Analytics(client, cache), resource) == again
    assert admin.counts()[AGGREGATES] == 2


def test_different_queries_do_not_share_an_entry(
    client: GenesysClient, clock: FakeClock, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache", TTL, clock)
    chat = preview(
        Analytics(client, cache),
        segment(tmp_path, ["{type: EQUAL, field: conversation.channel, value: chat}"]),
    )
    voice = preview(
        Analytics(client, cache),
        segment(tmp_path, ["{type: EQUAL, field: conversation.channel, value: voice}"]),
    )

    assert len(list((tmp_path / "cache").iterdir())) == 2
    assert {r.media_type for r in chat.rows} == {"chat"}
    assert {r.media_type for r in voice.rows} == {"voice"}


def test_cache_entries_hold_no_credentials(
    client: GenesysClient, sandbox: Sandbox, clock: FakeClock, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache", TTL, clock)
    preview(Analytics(client, cache), segment(tmp_path, []))

    tokens = list(sandbox.tokens)
    assert tokens
    for entry in (tmp_path / "cache").iterdir():
        text = entry.read_text(encoding="utf-8")
        assert SECRET not in text
        assert not any(token in text for token in tokens)
