"""The WSGI plumbing: a request read from the environ, errors answered in the platform's shape,
and the response written back with its correlation id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from genesys_reconcile.sandbox.errors import ApiError, bad_request
from genesys_reconcile.sandbox.http import Request, Response

MAX_BODY_BYTES = 512_000
JSON = "application/json"


class DropConnection(Exception):
    """Raised to the server: close the connection without answering."""


def read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise ApiError(
            413, "request.entity.too.large", f"request bodies are limited to {MAX_BODY_BYTES} bytes"
        )
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    return body


def parsed_request(
    environ: dict[str, Any], method: str, path: str, params: dict[str, str]
) -> Request:
    raw = read_body(environ)
    headers = {
        k.removeprefix("HTTP_").replace("_", "-").title(): v
        for k, v in environ.items()
        if k.startswith("HTTP_") and k != "HTTP_AUTHORIZATION"
    }
    text = raw.decode("utf-8", "replace")
    return Request(method, path, params, _query(environ), _json(raw), headers, text)


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("the request body is not valid JSON") from None


def catching(produce: Callable[[], Response], correlation: str) -> Response:
    try:
        return produce()
    except ApiError as error:
        body = {
            "message": error.message,
            "code": error.code,
            "status": error.status,
            "contextId": correlation,
            "details": error.details,
            "errors": [],
        }
        return Response(error.status, body, error.headers)


def _query(environ: dict[str, Any]) -> dict[str, str]:
    return dict(parse_qsl(environ.get("QUERY_STRING", "")))


def respond(
    start_response: Callable[..., Any], response: Response, correlation: str
) -> list[bytes]:
    body = b"" if response.body is None else json.dumps(response.body).encode()
    headers = {"ININ-Correlation-Id": correlation, **response.headers}
    if response.body is not None:
        headers["Content-Type"] = JSON
    headers["Content-Length"] = str(len(body))
    start_response(
        f"{response.status} {_REASONS.get(response.status, 'Status')}", list(headers.items())
    )
    return [body]


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
