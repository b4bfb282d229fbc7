"""`--cache redis://…`: dashboards sharing answers through a real Redis server, and pages that
stay up when it goes away."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from genesys_reconcile.dashboard.caching import answer_cache
from genesys_reconcile.dashboard.redis_cache import REST, RedisCache
from tests.dashboard.conftest import (
    AGGREGATES,
    RedisServer,
    child,
    fetched,
    free_port,
    in_process,
    routes,
    start_redis,
)
from tests.processes import served
from tests.sandbox.conftest import FakeClock

# Without a cache each page queries the org: the index, all segments, and one segment's three.
SOME_ROUTES = (
    "/",
    "/api/dashboard/metrics",
    "/segments/short-voice-calls",
    "/segments/short-voice-calls.json",
    "/segments/short-voice-calls.csv",
)


def analytics_queries(env: dict[str, str]) -> int:
    journal = httpx.get(env["GENESYS_API_URL"] + "/_sandbox/journal").json()
    return int(journal["counts"].get(AGGREGATES, 0))


def test_a_second_dashboard_reads_the_first_ones_answers(
    repo: Path, redis_server: RedisServer
) -> None:
    with served() as env:
        with child(repo, env, "--cache", redis_server.url) as first:
            (one,) = fetched(first.url, "/api/dashboard/metrics")
        sent = analytics_queries(env)
        with child(repo, env, "--cache", redis_server.url) as second:
            (two,) = fetched(second.url, "/api/dashboard/metrics")
            csvs = fetched(second.url, *(s["links"]["csv"] for s in two.json()["segments"]))
        sent_again = analytics_queries(env)

    assert (one.status_code, two.status_code) == (200, 200)
    assert sent == len(one.json()["segments"]) == 4
    assert sent_again == sent  # the second dashboard sent no analytics query at all
    assert one.json()["segments"] == two.json()["segments"]
    assert all(c.status_code == 200 for c in csvs)
    assert not (repo / ".reconcile/cache").exists()  # Redis instead of the disk, not beside it
    keys = redis_server.client.keys("*")
    assert len(keys) == 4
    assert all(k.startswith(b"genesys-reconcile:analytics:") for k in keys)
    stored = b"".join(keys + [redis_server.client.get(k) or b"" for k in keys])
    for credential in (env["GENESYS_CLIENT_ID"], env["GENESYS_CLIENT_SECRET"], "Bearer"):
        assert credential.encode() not in stored
    answers = [json.loads(redis_server.client.get(k) or b"") for k in keys]
    assert all(a["answer"]["results"] for a in answers)
    assert all(0 < redis_server.client.pttl(k) <= 1800 * 1000 for k in keys)


def test_redis_killed_mid_run_costs_one_warning_and_no_page(
    repo: Path, redis_server: RedisServer
) -> None:
    with child(repo, None, "--sandbox", "--cache", redis_server.url) as dashboard:
        before = fetched(dashboard.url, *routes(dashboard.url))
        redis_server.kill()
        after = fetched(dashboard.url, *SOME_ROUTES, "/api/dashboard/metrics")
        code, err = dashboard.interrupt()

    assert {a.status_code for a in before + after} == {200}
    assert after[1].json()["segments"] == after[-1].json()["segments"]
    assert after[1].json()["segments"] == before[1].json()["segments"]
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, err
    assert warnings[0].startswith(f"warning: the Redis cache at {redis_server.url} failed (")
    assert warnings[0].endswith("pages are made from live queries until it answers again")
    assert "Traceback" not in err
    assert code == 130


def test_a_refused_redis_leaves_every_page_served(repo: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    said: list[str] = []

    with in_process(repo, answer_cache(url, repo, 1800, said.append)) as dashboard:
        answers = fetched(dashboard, *SOME_ROUTES)

    assert {a.status_code for a in answers} == {200}
    assert len(said) == 1
    assert said[0].startswith(f"warning: the Redis cache at {url} failed (")
    assert "refused" in said[0]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that takes connections and never answers: a Redis that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def test_a_redis_that_never_answers_times_out_into_live_queries(
    repo: Path, silent_port: int
) -> None:
    url = f"redis://127.0.0.1:{silent_port}/0"
    said: list[str] = []

    with in_process(repo, answer_cache(url, repo, 1800, said.append)) as dashboard:
        answers = fetched(dashboard, *SOME_ROUTES)

    assert {a.status_code for a in answers} == {200}
    assert len(said) == 1
    assert "Timeout" in said[0] or "timed out" in said[0]


def test_a_password_in_the_redis_url_is_never_shown(repo: Path) -> None:
    url = f"redis://:hunter2-redis-password@127.0.0.1:{free_port()}/0"
    said: list[str] = []

    with in_process(repo, answer_cache(url, repo, 1800, said.append)) as dashboard:
        answers = fetched(dashboard, "/api/dashboard/metrics")

    assert answers[0].status_code == 200
    assert len(said) == 1
    assert "hunter2" not in said[0]
    assert f"127.0.0.1:{url.rsplit(':', 1)[1]}" in said[0]


def test_an_outage_is_said_once_and_redis_back_again_is_used_again(
    repo: Path, redis_server: RedisServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    said: list[str] = []
    cache = RedisCache(redis_server.url, 1800, said.append, clock)
    port = int(redis_server.url.rsplit(":", 1)[1].split("/")[0])
    page = "/segments/short-voice-calls.json"

    with in_process(repo, cache) as dashboard:
        fetched(dashboard, page)
        stored = redis_server.client.keys("*")
        redis_server.kill()
        answers = fetched(dashboard, page)
        clock.advance(REST + 1)  # Redis is tried again, and fails again
        answers += fetched(dashboard, page)
        back = start_redis(port, tmp_path / "redis-again")
        try:
            answers += fetched(dashboard, page)  # still resting: live
            clock.advance(REST + 1)
            answers += fetched(dashboard, page)
            stored_again = back.client.keys("*")
        finally:
            back.client.close()
            back.kill()

    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    assert len(stored) == len(stored_again) == 1
    assert len(said) == 1
