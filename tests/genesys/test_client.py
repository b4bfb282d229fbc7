"""The client against the sandbox: typed calls, retries under faults, ambiguous creates, paging,
errors and secrecy."""

from __future__ import annotations

import io
import json
import math
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from genesys_reconcile.genesys import errors
from genesys_reconcile.genesys.client import GenesysClient, _consistent
from genesys_reconcile.genesys.regions import endpoints
from genesys_reconcile.genesys.transport import Transport
from genesys_reconcile.redaction import Secret
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.demo import entity_id
from genesys_reconcile.sandbox.server import SandboxServer
from tests.genesys.conftest import SECRET, make_client
from tests.sandbox.conftest import Api, FakeClock
from tests.sandbox.test_segments_api import SEGMENT

CAMPAIGNS = "/api/v2/outbound/campaigns"
CONTACT_LISTS = "/api/v2/outbound/lists"
SEGMENTS = "/api/v2/analytics/segments"


def api_entries(admin: Api) -> list[dict[str, Any]]:
    return [e for e in admin.admin("GET", "journal")["entries"] if e["route"] != "/oauth/token"]


def test_every_endpoint_has_a_typed_call_returning_plain_data(client: GenesysClient) -> None:
    segments = client.list_all(SEGMENTS)
    assert sorted(s["name"] for s in segments) == [
        "Abandoned Callbacks",
        "Short Voice Calls",
        "Voice Calls Over 5 Minutes Q3",
    ]
    created = client.create(SEGMENTS, SEGMENT)
    assert client.get(f"{SEGMENTS}/{created['id']}") == created
    updated = client.update(
        "PATCH", f"{SEGMENTS}/{created['id']}", {"description": "changed", "version": 1}
    )
    assert (updated["version"], updated["description"]) == (2, "changed")
    client.delete(f"{SEGMENTS}/{created['id']}", {"version": 2})
    assert len(client.list_all(CONTACT_LISTS)) == 4
    primary = client.get(f"{CONTACT_LISTS}/{entity_id('list', 'Primary Leads')}")
    assert primary["name"] == "Primary Leads"
    campaign = client.get(f"{CAMPAIGNS}/{entity_id('campaign', 'Spring Outreach')}")
    patched = client.update(
        "PATCH",
        f"{CAMPAIGNS}/{campaign['id']}",
        {"dialingMode": "progressive", "version": campaign["version"]},
    )
    assert (patched["dialingMode"], patched["indexStatus"]) == ("progressive", "processing")
    assert {c["name"] for c in client.list_all(CAMPAIGNS)} >= {"Spring Outreach", "Holiday Promo"}
    assert len(client.list_queues()) == 5 and len(client.list_users()) == 8
    week = "2024-07-01T00:00:00Z/2024-07-08T00:00:00Z"
    aggregates = client.conversation_aggregates(
        {"interval": week, "groupBy": ["queueId"], "metrics": ["nOffered"]}
    )
    assert len(aggregates["results"]) == 5
    assert (
        client.conversation_details({"interval": week, "paging": {"pageSize": 5}})["totalHits"] > 5
    )


def test_hundreds_of_calls_succeed_through_errors_and_a_tight_unreported_rate_limit(
    client: GenesysClient, admin: Api
) -> None:
    # A limit the server does not report: the client paces at 270 a minute and meets 429s.
    faults = {"error_rate": 0.2, "rate_limit": 120, "rate_limit_model": "bucket"}
    admin.admin("POST", "faults", faults)
    reads = 300
    for index in range(reads):
        assert (
            client.get(f"{SEGMENTS}/{entity_id('segment', 'Short Voice Calls')}")["version"] == 1
        ), index
    entries = api_entries(admin)
    statuses = [e["status"] for e in entries]
    assert statuses.count(200) == reads  # each call succeeded exactly once
    assert set(statuses) == {200, 503, 429}
    assert len(entries) == reads + statuses.count(503) + statuses.count(429)
    faults = [e.get("fault", "") for e in entries]
    assert faults.count("error") == statuses.count(503) and faults.count(
        "rate-limit"
    ) == statuses.count(429)


def test_a_reported_budget_is_spent_in_full_then_waited_out(
    client: GenesysClient, admin: Api
) -> None:
    admin.admin("POST", "faults", {"rate_limit": 120})  # reported in inin-ratelimit-* headers
    for _ in range(300):
        client.get(SEGMENTS)
    entries = api_entries(admin)
    assert {e["status"] for e in entries} == {200} and len(entries) == 300
    # Each window's 120 requests go at once; the next window's first waits for its start.
    starts = [_seconds(entries[i]["at"]) - _seconds(entries[0]["at"]) for i in (119, 120, 240)]
    assert starts[0] < 1 and 60 <= starts[1] < 62 and 120 <= starts[2] < 123


def test_threads_share_one_budget_and_meet_no_429(client: GenesysClient, admin: Api) -> None:
    admin.admin("POST", "faults", {"rate_limit": 120})
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: client.get(SEGMENTS), range(300)))
    entries = api_entries(admin)
    assert {e["status"] for e in entries} == {200} and len(entries) == 300


def test_a_healthy_run_meets_no_429_under_the_default_pacing(
    client: GenesysClient, admin: Api
) -> None:
    admin.admin("POST", "faults", {"rate_limit": 300})  # the platform's limit
    for _ in range(400):
        client.get(f"{SEGMENTS}/{entity_id('segment', 'Short Voice Calls')}")
    assert {e["status"] for e in api_entries(admin)} == {200}


def test_retry_after_is_waited_out_before_the_next_attempt(
    client: GenesysClient, admin: Api
) -> None:
    script = [{"action": "status", "status": 429, "retryAfter": 30, "path": SEGMENTS + "/{id}"}]
    admin.admin("POST", "faults", {"script": script})
    client.get(f"{SEGMENTS}/{entity_id('segment', 'Short Voice Calls')}")
    limited, retried = api_entries(admin)
    assert (limited["status"], retried["status"]) == (429, 200)
    waited = _seconds(retried["at"]) - _seconds(limited["at"])
    assert 30 <= waited < 31


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp[11:-1].split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def test_a_create_is_retried_after_a_429_which_was_not_processed(
    client: GenesysClient, admin: Api
) -> None:
    admin.admin(
        "POST",
        "faults",
        {"script": [{"action": "status", "status": 429, "method": "POST", "path": SEGMENTS}]},
    )
    client.create(SEGMENTS, SEGMENT)
    assert [e["status"] for e in api_entries(admin)] == [429, 201]


@pytest.mark.parametrize("action", ["drop-after", "drop"])
def test_a_create_without_an_answer_is_ambiguous_and_never_replayed(
    client: GenesysClient, admin: Api, action: str
) -> None:
    admin.admin(
        "POST", "faults", {"script": [{"action": action, "method": "POST", "path": SEGMENTS}]}
    )
    with pytest.raises(errors.AmbiguousWrite, match="may or may not have happened"):
        client.create(SEGMENTS, SEGMENT)
    assert [(e["method"], e["status"]) for e in api_entries(admin)] == [("POST", 0)]
    created = [s for s in client.list_all(SEGMENTS) if s["name"] == SEGMENT["name"]]
    assert len(created) == (1 if action == "drop-after" else 0)


def test_a_create_answered_5xx_is_ambiguous_too(client: GenesysClient, admin: Api) -> None:
    admin.admin(
        "POST",
        "faults",
        {"script": [{"action": "status", "status": 502, "method": "POST", "path": SEGMENTS}]},
    )
    with pytest.raises(errors.AmbiguousWrite) as caught:
        client.create(SEGMENTS, SEGMENT)
    assert caught.value.status == 502
    assert len(api_entries(admin)) == 1


def test_versioned_writes_are_retried_after_5xx_and_drops(
    client: GenesysClient, admin: Api
) -> None:
    segment = entity_id("segment", "Short Voice Calls")
    script = [
        {"action": "status", "status": 503, "method": "PATCH"},
        {"action": "drop", "method": "PATCH"},
    ]
    admin.admin("POST", "faults", {"script": script})
    updated = client.update("PATCH", f"{SEGMENTS}/{segment}", {"description": "x", "version": 1})
    assert updated["version"] == 2
    assert [e["status"] for e in api_entries(admin)] == [503, 0, 200]


def test_retries_stop_at_the_attempt_limit(
    server: SandboxServer, clock: FakeClock, admin: Api
) -> None:
    admin.admin("POST", "faults", {"error_rate": 1})
    with (
        make_client(server, clock, attempts=4) as client,
        pytest.raises(errors.ServerError) as caught,
    ):
        client.list_all(SEGMENTS)
    assert len(api_entries(admin)) == 4
    assert "still failing after retries" in str(caught.value)
    assert caught.value.correlation_id == api_entries(admin)[-1]["correlationId"]


def test_429s_that_say_when_to_come_back_are_bounded_by_the_deadline_only(
    server: SandboxServer, clock: FakeClock, admin: Api
) -> None:
    script = [{"action": "status", "status": 429, "retryAfter": 2, "path": SEGMENTS, "times": 10}]
    admin.admin("POST", "faults", {"script": script})
    with make_client(server, clock, attempts=3, deadline=300) as client:
        assert client.list_all(SEGMENTS)
    assert [e["status"] for e in api_entries(admin)] == [429] * 10 + [200]


def test_retries_stop_at_the_deadline(server: SandboxServer, clock: FakeClock, admin: Api) -> None:
    admin.admin(
        "POST",
        "faults",
        {"script": [{"action": "status", "status": 429, "retryAfter": 400, "path": SEGMENTS}]},
    )
    with (
        make_client(server, clock, deadline=300) as client,
        pytest.raises(errors.RateLimitExhausted),
    ):
        client.list_all(SEGMENTS)
    assert len(api_entries(admin)) == 1  # waiting 400 s would pass the 300 s deadline


def test_an_unreachable_api_is_reported_at_once_and_fails_after_retries(
    clock: FakeClock, logs: io.StringIO
) -> None:
    with SandboxServer(Sandbox(clock=clock)) as stopped:
        pass  # closed: its port now refuses connections
    with (
        make_client(stopped, clock, attempts=3) as client,
        pytest.raises(errors.Unreachable, match="no answer"),
    ):
        client.list_all(SEGMENTS)
    events = [json.loads(line) for line in logs.getvalue().splitlines()]
    warned = [e for e in events if e["event"] == "http.unreachable"]
    assert len(warned) == 1 and warned[0]["level"] == "warning"
    assert warned[0]["host"] == "127.0.0.1"
    first_try = next(i for i, e in enumerate(events) if e["event"] == "http.request")
    assert events.index(warned[0]) == first_try + 1  # right after the first attempt


def test_tokens_are_renewed_before_they_expire(
    server: SandboxServer, sandbox: Sandbox, clock: FakeClock, admin: Api
) -> None:
    sandbox.token_ttl = 120
    with make_client(server, clock) as client:
        for _ in range(30):
            client.get(f"{SEGMENTS}/{entity_id('segment', 'Short Voice Calls')}")
            clock.advance(10)
    statuses = [e["status"] for e in api_entries(admin)]
    assert statuses == [200] * 30  # never a 401
    assert admin.counts()["POST /oauth/token"] == 3  # renewed at 108 s of each 120 s


def test_a_token_refused_early_is_renewed_once_and_the_call_retried(
    server: SandboxServer, sandbox: Sandbox, clock: FakeClock, admin: Api
) -> None:
    with make_client(server, clock) as client:
        client.list_all(SEGMENTS)
        sandbox.tokens.clear()  # as if revoked
        assert len(client.list_all(SEGMENTS)) == 3
    routes = [
        (e["method"], e["route"], e["status"]) for e in admin.admin("GET", "journal")["entries"]
    ]
    assert routes == [
        ("POST", "/oauth/token", 200),
        ("GET", SEGMENTS, 200),
        ("GET", SEGMENTS, 401),
        ("POST", "/oauth/token", 200),
        ("GET", SEGMENTS, 200),
    ]


def test_wrong_credentials_fail_once_with_a_hint(
    server: SandboxServer, clock: FakeClock, admin: Api
) -> None:
    with (
        make_client(server, clock, secret="wrong-secret-value") as client,
        pytest.raises(errors.Unauthorized) as caught,
    ):
        client.list_all(SEGMENTS)
    assert "check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET" in str(caught.value)
    assert admin.counts() == {"POST /oauth/token": 1}


def test_errors_are_typed_and_carry_what_support_needs(client: GenesysClient) -> None:
    with pytest.raises(errors.NotFound) as missing:
        client.get(f"{SEGMENTS}/no-such-id")
    assert missing.value.status == 404 and re.fullmatch(
        r"[0-9a-f-]{36}", missing.value.correlation_id
    )
    assert str(missing.value).startswith(
        "GET /api/v2/analytics/segments/no-such-id: 404 not.found: segment no-such-id not found"
    )
    segment = entity_id("segment", "Short Voice Calls")
    with pytest.raises(errors.VersionMismatch):
        client.update("PATCH", f"{SEGMENTS}/{segment}", {"description": "x", "version": 9})
    with pytest.raises(errors.Conflict) as duplicate:
        client.create(SEGMENTS, dict(SEGMENT, name="Short Voice Calls"))
    assert duplicate.value.code == "duplicate.name"
    with pytest.raises(errors.ValidationFailed) as invalid:
        client.create(SEGMENTS, dict(SEGMENT, type="user"))
    assert invalid.value.details == [{"fieldName": "type", "errorCode": "invalid.value"}]


def test_a_write_during_an_index_rebuild_is_its_own_error(
    client: GenesysClient, admin: Api
) -> None:
    admin.admin("POST", "faults", {"index_delay": 60})
    campaign = entity_id("campaign", "Holiday Promo")
    client.update("PATCH", f"{CAMPAIGNS}/{campaign}", {"useOnlyOnce": True, "version": 1})
    with pytest.raises(errors.IndexRebuildInProgress):
        client.update("PATCH", f"{CAMPAIGNS}/{campaign}", {"useOnlyOnce": False, "version": 2})


def test_listings_read_every_page_once_in_pages_of_100(
    client: GenesysClient, sandbox: Sandbox, admin: Api
) -> None:
    for index in range(247):
        ident = f"bulk-{index:04d}"
        sandbox.state.segments[ident] = dict(SEGMENT, id=ident, name=f"Bulk {index:04d}", version=1)
    names = [s["name"] for s in client.list_all(SEGMENTS)]
    assert len(names) == len(set(names)) == 250
    assert admin.counts()["GET /api/v2/analytics/segments"] == math.ceil(250 / 100)


def test_no_secret_or_token_reaches_logs_or_errors(
    server: SandboxServer, sandbox: Sandbox, clock: FakeClock, admin: Api, logs: io.StringIO
) -> None:
    admin.admin("POST", "faults", {"error_rate": 0.3})
    messages = []
    with make_client(server, clock) as client:
        for _ in range(20):
            client.list_all(SEGMENTS)
        sandbox.tokens.clear()
        client.list_all(CAMPAIGNS)
        for call in (
            lambda: client.get(f"{SEGMENTS}/nope"),
            lambda: client.update("PATCH", f"{SEGMENTS}/nope", {"version": 1}),
        ):
            try:
                call()
            except errors.GenesysError as exc:
                messages.append(str(exc))
    with make_client(server, clock, secret="wrong-secret-value") as wrong:
        try:
            wrong.list_all(SEGMENTS)
        except errors.GenesysError as exc:
            messages.append(str(exc) + repr(exc))
    text = logs.getvalue() + "\n".join(messages)
    assert "http.request" in text and "http.retry" in text
    issued = admin.admin("GET", "journal")  # nothing secret there either, checked below
    for secret in [SECRET, "wrong-secret-value", *sandbox.tokens]:
        assert secret not in text
        assert secret not in str(issued)


def test_concurrent_calls_share_one_token_refresh(client: GenesysClient, admin: Api) -> None:
    segment = entity_id("segment", "Short Voice Calls")
    with ThreadPoolExecutor(max_workers=16) as pool:
        versions = list(
            pool.map(lambda _: client.get(f"{SEGMENTS}/{segment}")["version"], range(64))
        )
    assert versions == [1] * 64
    assert admin.counts()["POST /oauth/token"] == 1


def test_a_listing_that_moves_between_pages_is_detected() -> None:
    def page(total: int, *ids: str) -> dict[str, Any]:
        return {"total": total, "entities": [{"id": i} for i in ids]}

    assert _consistent([page(3, "a", "b"), page(3, "c")]) == [{"id": "a"}, {"id": "b"}, {"id": "c"}]
    assert (
        _consistent([page(3, "a", "b"), page(3, "b", "c")]) is None
    )  # an entity moved down a page
    assert _consistent([page(3, "a", "b"), page(4, "c", "d")]) is None  # one was created meanwhile
    assert _consistent([page(3, "a", "b"), page(3)]) is None  # one was deleted meanwhile


def test_an_answer_that_is_not_json_is_a_clear_error(
    server: SandboxServer, client: GenesysClient
) -> None:
    def maintenance_page(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<html>maintenance</html>"]

    client.list_all(SEGMENTS)  # a token first, from the sandbox
    server.httpd.set_app(maintenance_page)
    with pytest.raises(
        errors.GenesysError, match="GET /api/v2/analytics/segments: the 200 answer is not JSON"
    ):
        client.list_all(SEGMENTS)


def test_a_client_reads_a_sandbox_mounted_in_process(sandbox: Sandbox, clock: FakeClock) -> None:
    # No server and no port: httpx hands each request to the sandbox's WSGI app.
    hosts = endpoints(api_url="http://localhost", login_url="http://localhost")
    mounted = httpx.WSGITransport(app=sandbox)
    transport = Transport(hosts, "reconcile-test", Secret(SECRET), http_transport=mounted)

    with GenesysClient(transport) as client:
        names = sorted(s["name"] for s in client.list_all(SEGMENTS))

    assert names == ["Abandoned Callbacks", "Short Voice Calls", "Voice Calls Over 5 Minutes Q3"]
    assert [(e["method"], e["route"]) for e in sandbox.journal] == [
        ("POST", "/oauth/token"),
        ("GET", SEGMENTS),
    ]
