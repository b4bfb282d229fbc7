"""Client-credentials tokens and their enforcement, as Genesys Cloud does it."""

from __future__ import annotations

import httpx

from genesys_reconcile.sandbox.app import Sandbox
from tests.sandbox.conftest import CREDENTIALS, Api, FakeClock


def test_a_token_is_issued_for_the_documented_credentials(api: Api) -> None:
    answer = api.http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=CREDENTIALS
    )
    body = answer.json()
    assert answer.status_code == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 86_400
    assert len(body["access_token"]) >= 32 and body["access_token"] != api.token


def test_bad_credentials_and_grants_are_refused_oauth_style(api: Api) -> None:
    wrong = api.http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("sandbox-client", "nope")
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    missing = api.http.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert missing.status_code == 401
    grant = api.http.post("/oauth/token", data={"grant_type": "password"}, auth=CREDENTIALS)
    assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")


def test_the_api_needs_a_valid_unexpired_token(api: Api, clock: FakeClock) -> None:
    assert api.get("/api/v2/analytics/segments").status_code == 200
    anonymous = api.http.get("/api/v2/analytics/segments")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "authentication.required")
    forged = api.get("/api/v2/analytics/segments", headers={"Authorization": "Bearer forged"})
    assert (forged.status_code, forged.json()["code"]) == (401, "bad.credentials")
    clock.advance(86_400)
    expired = api.get("/api/v2/analytics/segments")
    assert (expired.status_code, expired.json()["code"]) == (401, "bad.credentials")
    api.token = api.new_token()
    assert api.get("/api/v2/analytics/segments").status_code == 200


def test_token_lifetime_and_credentials_are_configurable(clock: FakeClock) -> None:
    app = Sandbox(clock=clock, client_id="ci", client_secret="s3cret-value", token_ttl=60)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://sandbox") as http:
        form = {"grant_type": "client_credentials"}
        assert http.post("/oauth/token", data=form, auth=CREDENTIALS).status_code == 401
        answer = http.post("/oauth/token", data=form, auth=("ci", "s3cret-value")).json()
        assert answer["expires_in"] == 60
        bearer = {"Authorization": f"Bearer {answer['access_token']}"}
        assert http.get("/api/v2/users", headers=bearer).status_code == 200
        clock.advance(60)
        assert http.get("/api/v2/users", headers=bearer).status_code == 401


def test_every_answer_carries_a_correlation_id_that_errors_repeat(api: Api) -> None:
    ok = api.get("/api/v2/outbound/lists")
    error = api.get("/api/v2/outbound/lists/unknown")
    assert ok.headers["ININ-Correlation-Id"] != error.headers["ININ-Correlation-Id"]
    assert error.json() == {
        "message": "contact list unknown not found",
        "code": "not.found",
        "status": 404,
        "contextId": error.headers["ININ-Correlation-Id"],
        "details": [],
        "errors": [],
    }


def test_secrets_and_tokens_never_appear_in_answers_or_the_journal(api: Api) -> None:
    api.get("/api/v2/analytics/segments")
    api.get("/api/v2/analytics/segments", headers={"Authorization": "Bearer forged"})
    seen = api.http.get("/_sandbox/journal").text + api.http.get("/_sandbox/state").text
    seen += api.get("/api/v2/outbound/campaigns").text
    assert CREDENTIALS[1] not in seen and api.token not in seen
