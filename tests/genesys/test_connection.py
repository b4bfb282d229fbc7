"""Where the client connects: regions, explicit URLs, credentials, and --sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genesys_reconcile.connection import connect
from genesys_reconcile.errors import ConfigError
from genesys_reconcile.genesys.regions import AWS_REGIONS, REGIONS, endpoints
from genesys_reconcile.redaction import HIDDEN, Secret, redact
from genesys_reconcile.sandbox.embedded import BUDGET_PER_MINUTE
from genesys_reconcile.settings import Settings
from tests.conftest import ROOT

SEGMENTS = "/api/v2/analytics/segments"


@pytest.mark.parametrize("region", REGIONS)
def test_each_region_maps_to_its_api_and_login_hosts(region: str) -> None:
    hosts = endpoints(region)
    assert (hosts.api_url, hosts.token_url) == (
        f"https://api.{region}",
        f"https://login.{region}/oauth/token",
    )


def test_the_default_region_is_the_us_east_one() -> None:
    assert endpoints().api_url == "https://api.mypurecloud.com"


@pytest.mark.parametrize(
    ("region", "api_url", "login_url", "message"),
    [
        (
            "mypurecloud.ei",
            None,
            None,
            "unknown Genesys Cloud region 'mypurecloud.ei'; did you mean 'mypurecloud.ie'?",
        ),
        (
            "example.com",
            None,
            None,
            "unknown Genesys Cloud region 'example.com'; known regions: mypurecloud.com,",
        ),
        (
            None,
            "http://api.example.com",
            "http://login.example.com",
            "GENESYS_API_URL uses plain http to api.example.com; credentials need https",
        ),
        (
            None,
            "https://api.example.com",
            None,
            "set both GENESYS_API_URL and GENESYS_LOGIN_URL, or neither",
        ),
        (None, "ftp://x", "https://y", "GENESYS_API_URL must be an http(s) URL, not 'ftp://x'"),
        (
            None,
            "https://user:pw@api.example.com",
            "https://y",
            "GENESYS_API_URL must be a base URL without credentials, query or fragment",
        ),
    ],
)
def test_only_known_regions_and_safe_urls_are_accepted(
    region: str | None, api_url: str | None, login_url: str | None, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        endpoints(region, api_url, login_url)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "[::1]"])
def test_plain_http_is_allowed_to_loopback_only(host: str) -> None:
    assert (
        endpoints(api_url=f"http://{host}:8080/", login_url=f"http://{host}:8080").api_url
        == f"http://{host}:8080"
    )


def test_credentials_are_required_from_the_environment(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, paths=())
    with (
        pytest.raises(ConfigError, match="set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET"),
        connect(settings, env={"GENESYS_CLIENT_ID": "x"}),
    ):
        pass


def test_the_region_comes_from_the_environment_before_the_settings(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, paths=(), region="mypurecloud.de")
    env = {
        "GENESYS_CLIENT_ID": "id",
        "GENESYS_CLIENT_SECRET": "a-secret-value",
        "GENESYS_REGION": "mypurecloud.jp",
    }
    with connect(settings, env=env) as client:
        assert client.transport.endpoints.api_url == "https://api.mypurecloud.jp"
    with connect(settings, env={**env, "GENESYS_REGION": ""}) as client:
        assert client.transport.endpoints.api_url == "https://api.mypurecloud.de"


def test_sandbox_runs_an_embedded_org_kept_under_the_repository(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, paths=(), rate_limit=600, concurrency=4)
    with connect(settings, sandbox=True) as client:
        created = client.create(
            SEGMENTS,
            {
                "name": "Embedded",
                "type": "conversation",
                "query": {
                    "timeWindow": {"start": "2024-07-01T00:00:00Z", "end": "2024-07-02T00:00:00Z"}
                },
            },
        )
        assert client.transport.policy.concurrency == 4
    assert (tmp_path / ".reconcile/sandbox/org.json").is_file()
    with connect(settings, sandbox=True) as client:  # a later run sees the change
        assert client.get(f"{SEGMENTS}/{created['id']}")["name"] == "Embedded"


def test_a_secret_never_shows_its_value() -> None:
    secret = Secret("hunter2-but-longer")
    assert str(secret) == repr(secret) == f"Secret({HIDDEN!r})"
    assert f"{secret}" == f"Secret({HIDDEN!r})" and secret.reveal() == "hunter2-but-longer"
    assert redact("auth failed for hunter2-but-longer") == f"auth failed for {HIDDEN}"
    assert redact("Authorization: Bearer abc.def-123") == f"Authorization: Bearer {HIDDEN}"


def test_cx_as_codes_variables_are_read_when_ours_are_unset(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, paths=())
    env = {
        "GENESYSCLOUD_OAUTHCLIENT_ID": "cx-id",
        "GENESYSCLOUD_OAUTHCLIENT_SECRET": "a-secret-value",
        "GENESYSCLOUD_REGION": "eu-west-1",
    }
    with connect(settings, env=env) as client:
        assert client.transport.endpoints.api_url == "https://api.mypurecloud.ie"
        assert client.transport.tokens.client_id == "cx-id"
    ours = {**env, "GENESYS_CLIENT_ID": "ours", "GENESYS_REGION": "mypurecloud.de"}
    with connect(settings, env=ours) as client:
        assert client.transport.endpoints.api_url == "https://api.mypurecloud.de"
        assert client.transport.tokens.client_id == "ours"


@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("us-east-1", "mypurecloud.com"),
        ("EU-Central-1", "mypurecloud.de"),
        ("ap-northeast-3", "apne3.pure.cloud"),
    ],
)
def test_aws_style_region_names_map_to_their_domains(name: str, domain: str) -> None:
    assert endpoints(name).api_url == f"https://api.{domain}"


def test_a_mistyped_aws_style_region_gets_a_suggestion() -> None:
    with pytest.raises(
        ConfigError, match="unknown Genesys Cloud region 'eu-wset-1'; did you mean 'eu-west-1'"
    ):
        endpoints("eu-wset-1")


def test_the_settings_schema_offers_every_region_name_the_tool_knows() -> None:
    schema = json.loads((ROOT / "schemas/reconcile-config.schema.json").read_text("utf-8"))
    assert set(schema["properties"]["region"]["enum"]) == {*REGIONS, *AWS_REGIONS}


def test_the_embedded_sandbox_reports_a_generous_budget_the_client_spends(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, paths=())
    with connect(settings, sandbox=True) as client:
        client.list_all(SEGMENTS)
        # Known from the answers' inin-ratelimit-* headers: no pacing for a real org's limit.
        assert client.transport.pacer.allowed == BUDGET_PER_MINUTE
