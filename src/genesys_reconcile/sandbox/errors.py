"""The sandbox's one error type: an API error, rendered as a Genesys Cloud error body."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ApiError(Exception):
    """Answered as `{"message", "code", "status", "contextId", "details": [...]}` with `status`.

    `details` items are `{"fieldName": ..., "errorCode": ...}`, as Genesys Cloud sends them.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Sequence[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = [dict(d) for d in details]
        self.headers = dict(headers or {})


def bad_request(message: str, field: str = "", error_code: str = "invalid.value") -> ApiError:
    """A 400 naming the offending field."""
    details = [{"fieldName": field, "errorCode": error_code}] if field else []
    return ApiError(400, "bad.request", message, details)
