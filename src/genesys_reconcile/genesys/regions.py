"""Genesys Cloud regions and the hosts that serve them.

Credentials go only to a known region's hosts, or to URLs set explicitly; plain http only to
loopback, where the sandbox runs.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from urllib.parse import urlsplit

from genesys_reconcile.errors import ConfigError
from genesys_reconcile.loopback import is_loopback

DEFAULT_REGION = "mypurecloud.com"
REGIONS = (
    "mypurecloud.com",
    "use2.us-gov-pure.cloud",
    "usw2.pure.cloud",
    "cac1.pure.cloud",
    "mypurecloud.ie",
    "euw2.pure.cloud",
    "mypurecloud.de",
    "euc2.pure.cloud",
    "aps1.pure.cloud",
    "mypurecloud.jp",
    "apne2.pure.cloud",
    "apne3.pure.cloud",
    "mypurecloud.com.au",
    "apse1.pure.cloud",
    "sae1.pure.cloud",
    "mec1.pure.cloud",
    "mxc1.pure.cloud",
    "edee1.eusc-pure.cloud",
)
# The AWS-style names Terraform's CX as Code provider takes (`aws_region`, GENESYSCLOUD_REGION),
# as its provider maps them, so that a team running both keeps one region setting.
AWS_REGIONS = {
    "us-east-1": "mypurecloud.com",
    "us-east-2": "use2.us-gov-pure.cloud",
    "us-west-2": "usw2.pure.cloud",
    "ca-central-1": "cac1.pure.cloud",
    "sa-east-1": "sae1.pure.cloud",
    "eu-west-1": "mypurecloud.ie",
    "eu-west-2": "euw2.pure.cloud",
    "eu-central-1": "mypurecloud.de",
    "eu-central-2": "euc2.pure.cloud",
    "me-central-1": "mec1.pure.cloud",
    "ap-south-1": "aps1.pure.cloud",
    "ap-southeast-2": "mypurecloud.com.au",
    "ap-northeast-1": "mypurecloud.jp",
    "ap-northeast-2": "apne2.pure.cloud",
    "ap-northeast-3": "apne3.pure.cloud",
}


@dataclass(frozen=True)
class Endpoints:
    api_url: str  # such as https://api.mypurecloud.com
    login_url: str  # such as https://login.mypurecloud.com

    @property
    def token_url(self) -> str:
        return f"{self.login_url}/oauth/token"


def endpoints(
    region: str | None = None, api_url: str | None = None, login_url: str | None = None
) -> Endpoints:
    """The hosts to use: explicit URLs when given (both or neither), else the region's."""
    if api_url or login_url:
        if not (api_url and login_url):
            raise ConfigError("set both GENESYS_API_URL and GENESYS_LOGIN_URL, or neither")
        return Endpoints(
            checked_url(api_url, "GENESYS_API_URL"), checked_url(login_url, "GENESYS_LOGIN_URL")
        )
    name = (region or DEFAULT_REGION).strip().lower()
    domain = AWS_REGIONS.get(name, name)
    if domain not in REGIONS:
        known = (*REGIONS, *AWS_REGIONS)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "known regions: " + ", ".join(REGIONS)
        raise ConfigError(f"unknown Genesys Cloud region '{name}'; {hint}")
    return Endpoints(f"https://api.{domain}", f"https://login.{domain}")


def checked_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL, not '{url}'")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(f"{name} uses plain http to {parts.hostname}; credentials need https")
    if parts.query or parts.fragment or parts.username:
        raise ConfigError(f"{name} must be a base URL without credentials, query or fragment")
    return url.rstrip("/")
