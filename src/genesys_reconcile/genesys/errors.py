"""What can go wrong talking to Genesys Cloud, as typed errors carrying what support needs.

Each error names the request (method and path), the answer (status, Genesys code, message)
and the `ININ-Correlation-Id` that Genesys support asks for. No secret ever goes into one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from genesys_reconcile.errors import ReconcileError


class GenesysError(ReconcileError):
    """A request that did not succeed."""

    def __init__(
        self,
        method: str,
        path: str,
        message: str,
        *,
        status: int | None = None,
        code: str = "",
        correlation_id: str = "",
        details: Sequence[Mapping[str, str]] = (),
    ) -> None:
        self.method, self.path, self.status, self.code = method, path, status, code
        self.message = message  # the server's own words, for callers that read them
        self.correlation_id = correlation_id
        self.details = [dict(d) for d in details]
        answer = " ".join(str(p) for p in (status, code) if p)
        text = f"{method} {path}: {answer + ': ' if answer else ''}{message}{self.hint}"
        if correlation_id:
            text += f" (correlation id {correlation_id})"
        super().__init__(text)

    hint = ""


class Unauthorized(GenesysError):
    hint = (
        "; check GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET, and that the OAuth client is active"
    )


class Forbidden(GenesysError):
    hint = "; the OAuth client's role may lack a permission this needs (see the README's scopes)"


class NotFound(GenesysError):
    pass


class Conflict(GenesysError):
    """A 409 other than the two below, such as a duplicate name."""


class VersionMismatch(Conflict):
    """The resource changed since the version this write was based on."""


class IndexRebuildInProgress(Conflict):
    """A campaign refuses changes while its index rebuilds."""


class ValidationFailed(GenesysError):
    """The server refused the body (400, 413 or 422); `details` name the fields."""


class RateLimitExhausted(GenesysError):
    """Still rate limited when the retry budget ran out."""


class ServerError(GenesysError):
    """5xx answers until the retry budget ran out."""


class Unreachable(GenesysError):
    """No answer at all (connection refused, timed out, dropped) until the retry budget ran out."""


class AmbiguousWrite(GenesysError):
    """A create whose outcome is unknown: it may or may not have happened. It is never
    replayed blindly; the caller settles it by listing."""


def error_for(status: int, code: str) -> type[GenesysError]:
    if status == 401:
        return Unauthorized
    if status == 403:
        return Forbidden
    if status == 404:
        return NotFound
    if status == 409:
        return {
            "version.mismatch": VersionMismatch,
            "index.rebuild.in.progress": IndexRebuildInProgress,
        }.get(code, Conflict)
    if status == 429:
        return RateLimitExhausted
    if status >= 500:
        return ServerError
    return ValidationFailed
