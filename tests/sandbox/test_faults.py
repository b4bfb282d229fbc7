"""Each fault switched on at run time, and what the journal shows of it."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.faults import FaultSettings
from tests.sandbox.conftest import Api, FakeClock
from tests.sandbox.test_segments_api import BASE, SEGMENT


def faults_of(api: Api) -> list[str]:
    return [e.get("fault", "") for e in api.admin("GET", "journal")["entries"]]


def test_latency_is_added_and_journaled(api: Api) -> None:
    api.admin("POST", "faults", {"latency_ms": 20})
    assert api.get(BASE).status_code == 200
    assert faults_of(api)[-1] == "latency"


def test_the_bucket_rate_limit_answers_429_with_retry_after(api: Api, clock: FakeClock) -> None:
    bucket = {"rate_limit": 60, "rate_limit_model": "bucket"}  # bursts of 6, one more a second
    api.admin("POST", "faults", bucket)
    statuses = [api.get(BASE).status_code for _ in range(8)]
    assert statuses == [200] * 6 + [429] * 2
    limited = api.get(BASE)
    assert limited.headers["Retry-After"] == "1"
    assert limited.json()["code"] == "too.many.requests.retry.after"
    assert not any(h.startswith("inin-ratelimit") for h in limited.headers)
    clock.advance(1)
    assert api.get(BASE).status_code == 200
    assert faults_of(api).count("rate-limit") == 3


def budget(answer: httpx.Response) -> tuple[int, ...]:
    names = ("allowed", "count", "reset")
    return tuple(int(answer.headers[f"inin-ratelimit-{name}"]) for name in names)


def test_the_window_rate_limit_reports_each_tokens_budget(api: Api, clock: FakeClock) -> None:
    api.admin("POST", "faults", {"rate_limit": 3})
    assert budget(api.get(BASE)) == (3, 1, 60)
    clock.advance(20)
    assert budget(api.get(BASE + "/missing")) == (3, 2, 40)  # errors report it too
    assert budget(api.get(BASE)) == (3, 3, 40)
    limited = api.get(BASE)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "40")
    assert budget(limited) == (3, 3, 40)
    other = Api(api.url)  # another token: a budget of its own
    assert budget(other.get(BASE)) == (3, 1, 60)
    clock.advance(40)  # the first token's window ends: a new one starts with its next request
    assert budget(api.get(BASE)) == (3, 1, 60)


def test_random_errors_are_503s_that_change_nothing(api: Api) -> None:
    api.admin("POST", "faults", {"error_rate": 1})
    answer = api.post(BASE, SEGMENT)
    assert (answer.status_code, answer.json()["code"]) == (503, "service.unavailable")
    api.admin("POST", "faults", {"error_rate": 0})
    assert [e["name"] for e in api.get(BASE).json()["entities"]] == [
        "Abandoned Callbacks",
        "Short Voice Calls",
        "Voice Calls Over 5 Minutes Q3",
    ]


def test_random_faults_repeat_for_the_same_seed(clock: FakeClock) -> None:
    def statuses(seed: int) -> list[int]:
        app = Sandbox(clock=clock, seed=seed, faults=FaultSettings(error_rate=0.5))
        with httpx.Client(
            transport=httpx.WSGITransport(app=app), base_url="http://sandbox"
        ) as http:
            token = http.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=("sandbox-client", "sandbox-secret"),
            ).json()["access_token"]
            return [
                http.get(BASE, headers={"Authorization": f"Bearer {token}"}).status_code
                for _ in range(40)
            ]

    first = statuses(7)
    assert first == statuses(7) and first != statuses(8)
    assert 5 < first.count(503) < 35


def test_a_dropped_connection_gets_no_answer(api: Api) -> None:
    api.admin("POST", "faults", {"drop_rate": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(BASE)
    entry = api.admin("GET", "journal")["entries"][-1]
    assert (entry["status"], entry["fault"]) == (0, "drop")


def test_drop_after_applies_the_write_but_loses_the_answer(api: Api) -> None:
    api.admin(
        "POST", "faults", {"script": [{"action": "drop-after", "method": "POST", "path": BASE}]}
    )
    with pytest.raises(httpx.RemoteProtocolError):
        api.post(BASE, SEGMENT)
    assert api.named(BASE, "Transfers")["version"] == 1  # it was created all the same
    assert api.post(BASE, dict(SEGMENT, name="Second")).status_code == 201  # used up


def test_scripted_status_answers_hit_only_the_matching_route(api: Api) -> None:
    script: list[dict[str, Any]] = [
        {"action": "status", "status": 429, "retryAfter": 7, "path": BASE + "/{id}", "times": 2}
    ]
    api.admin("POST", "faults", {"script": script})
    segment = api.named(BASE, "Short Voice Calls")
    assert api.get(BASE).status_code == 200
    first = api.get(f"{BASE}/{segment['id']}")
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert api.get(f"{BASE}/{segment['id']}").status_code == 429
    assert api.get(f"{BASE}/{segment['id']}").status_code == 200
    assert faults_of(api).count("script:status") == 2


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"error_rate": 2}, "error_rate"),
        ({"latency": 5}, "latency"),
        ({"script": [{"action": "explode"}]}, "script[0].action"),
        ({"script": [{"nonsense": 1}]}, "script"),
    ],
)
def test_fault_settings_are_validated(api: Api, settings: dict[str, Any], field: str) -> None:
    answer = api.http.post("/_sandbox/faults", json=settings)
    assert answer.status_code == 400 and answer.json()["details"][0]["fieldName"] == field


def test_out_of_band_edits_bump_the_version_like_a_console_edit(api: Api) -> None:
    edited = api.admin(
        "POST",
        "edit",
        {
            "resource": "segments",
            "name": "Short Voice Calls",
            "set": {"description": "edited in the console"},
        },
    )
    assert edited["version"] == 2
    assert api.named(BASE, "Short Voice Calls")["description"] == "edited in the console"
    created = api.admin(
        "POST", "edit", {"resource": "segments", "action": "create", "set": dict(SEGMENT)}
    )
    assert api.get(f"{BASE}/{created['id']}").json()["name"] == "Transfers"
    api.admin(
        "POST", "edit", {"resource": "campaigns", "name": "Holiday Promo", "action": "delete"}
    )
    names = [c["name"] for c in api.get("/api/v2/outbound/campaigns").json()["entities"]]
    assert "Holiday Promo" not in names


def test_the_journal_counts_requests_per_route(api: Api) -> None:
    segment = api.named(BASE, "Short Voice Calls")  # one listing
    api.get(f"{BASE}/{segment['id']}")
    api.get(f"{BASE}/{segment['id']}")
    api.get("/api/v2/outbound/campaigns", params={"pageSize": 100})
    assert api.counts() == {
        "GET /api/v2/analytics/segments": 1,
        "GET /api/v2/analytics/segments/{id}": 2,
        "GET /api/v2/outbound/campaigns": 1,
        "POST /oauth/token": 1,
    }
    api.admin("DELETE", "journal")
    assert api.counts() == {}


def test_reset_restores_the_demo_org_and_start_up_faults(api: Api) -> None:
    api.post(BASE, SEGMENT)
    api.admin("POST", "faults", {"latency_ms": 5})
    api.admin("POST", "reset")
    assert api.admin("GET", "faults")["latency_ms"] == 0
    assert "Transfers" not in [e["name"] for e in api.get(BASE).json()["entities"]]
    assert api.counts() == {"GET /api/v2/analytics/segments": 1}


def test_the_webhook_receiver_keeps_deliveries_as_sent(api: Api) -> None:
    raw = b'{"eventId": "e-1", "type": "segment.created"}'
    headers = {
        "X-Event-Id": "e-1",
        "X-Signature-256": "sha256=abc",
        "Content-Type": "application/json",
    }
    assert api.http.post("/_sandbox/webhooks", content=raw, headers=headers).status_code == 200
    api.admin("POST", "faults", {"webhook_status": 500})
    assert api.http.post("/_sandbox/webhooks", content=raw, headers=headers).status_code == 500
    deliveries = api.admin("GET", "webhooks")["deliveries"]
    assert len(deliveries) == 2
    assert deliveries[0]["body"] == raw.decode()
    assert deliveries[0]["headers"]["X-Event-Id"] == "e-1"
    assert deliveries[0]["headers"]["X-Signature-256"] == "sha256=abc"


def test_a_hung_webhook_receiver_holds_up_no_other_request(api: Api) -> None:
    api.admin("POST", "faults", {"webhook_delay": 600})  # longer than any test runs
    answers: list[int] = []
    with httpx.Client(base_url=api.url, timeout=700) as sender:
        hanging = threading.Thread(
            target=lambda: answers.append(
                sender.post("/_sandbox/webhooks", content=b"{}").status_code
            )
        )
        hanging.start()
        deadline = time.monotonic() + 30
        while not api.admin("GET", "webhooks")["deliveries"] and time.monotonic() < deadline:
            time.sleep(0.05)  # until the receiver holds the delivery
        assert len(api.admin("GET", "webhooks")["deliveries"]) == 1
        assert api.get(BASE).status_code == 200  # the API answers meanwhile
        assert answers == []  # still waiting
        api.admin("POST", "faults", {"webhook_delay": 0})
        hanging.join(timeout=30)
    assert answers == [200]


def test_admin_endpoints_answer_loopback_only(clock: FakeClock) -> None:
    transport = httpx.WSGITransport(app=Sandbox(clock=clock), remote_addr="10.1.2.3")
    with httpx.Client(transport=transport, base_url="http://sandbox") as http:
        answer = http.get("/_sandbox/journal")
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
