"""OAuth client credentials: the token endpoint, and the bearer token every API call needs.

The tokens, their lifetime and the clock stay attributes of the sandbox (`Issuer`), so that
`sandbox serve --token-ttl`, and a test that revokes tokens or moves the clock, change them in
one place.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import parse_qsl

from genesys_reconcile.sandbox.errors import ApiError
from genesys_reconcile.sandbox.http import Response
from genesys_reconcile.sandbox.wsgi import read_body


class Issuer(Protocol):
    """What grants and checks tokens: the sandbox."""

    credentials: tuple[str, str]
    token_ttl: int
    tokens: dict[str, float]
    clock: Callable[[], float]


def grant(issuer: Issuer, environ: dict[str, Any]) -> Response:
    form = dict(parse_qsl(read_body(environ).decode("utf-8", "replace")))
    if form.get("grant_type") != "client_credentials":
        return Response(400, _oauth_error("unsupported_grant_type", "use client_credentials"))
    if _basic_credentials(environ) != issuer.credentials:
        return Response(401, _oauth_error("invalid_client", "client not found"))
    now = issuer.clock()
    issuer.tokens = {t: exp for t, exp in issuer.tokens.items() if exp > now}
    token = secrets.token_urlsafe(32)
    issuer.tokens[token] = now + issuer.token_ttl
    body = {"access_token": token, "token_type": "bearer", "expires_in": issuer.token_ttl}
    return Response(200, body)


def authenticate(issuer: Issuer, environ: dict[str, Any]) -> None:
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        raise ApiError(
            401,
            "authentication.required",
            "No authentication bearer token specified in authorization header.",
        )
    expiry = issuer.tokens.get(header.removeprefix("Bearer "))
    if expiry is None or expiry <= issuer.clock():
        raise ApiError(401, "bad.credentials", "Invalid login credentials.")


def _basic_credentials(environ: dict[str, Any]) -> tuple[str, str] | None:
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header.removeprefix("Basic "), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _oauth_error(code: str, description: str) -> dict[str, str]:
    return {"error": code, "description": description, "error_description": description}
