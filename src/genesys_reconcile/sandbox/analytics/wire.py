"""How analytics queries read their bodies and write their timestamps, as Genesys Cloud does.

Both queries check their bodies field by field with these readers; each failure is an
`ApiError` 400 whose detail names the offending field by its dotted path (`filter.clauses[0]`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from genesys_reconcile.sandbox.errors import bad_request

_FIRST_YEAR, _LAST_YEAR = 1970, 9000


def required(body: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in body or body[key] is None:
        raise bad_request(f"{path} is required", path, "field.required")
    return body[key]


def optional(body: Mapping[str, Any], key: str, default: Any) -> Any:
    # JSON clients send null for "not set", as the Genesys Cloud SDKs do for unset fields.
    value = body.get(key)
    return default if value is None else value


def mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise bad_request(f"{path or 'the body'} must be an object", path)
    return value


def array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad_request(f"{path} must be a list", path)
    return value


def string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{path} must be a string", path)
    return value


def choice(value: Any, allowed: Sequence[str], path: str) -> str:
    if value not in allowed:
        raise bad_request(f"{path} must be one of {', '.join(allowed)}, not {value!r}", path)
    return str(value)


def reject_unknown(
    body: Mapping[str, Any],
    known: frozenset[str],
    path: str = "",
    unsimulated: frozenset[str] = frozenset(),
) -> None:
    # Genesys Cloud rejects unrecognised fields, so a client that sends `groupBys` to the
    # details query (grouping is the aggregates query's job) learns so at once. A field the
    # platform takes but the sandbox does not simulate is refused too, in other words.
    for key in body:
        if key not in known:
            where = f"{path}.{key}" if path else str(key)
            if key in unsimulated:
                raise bad_request(f"the sandbox does not simulate {key!r}", where)
            raise bad_request(f"Unrecognized field {key!r}", where)


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no offset")
    moment = moment.astimezone(UTC)
    # Far from datetime's own limits, so that day and bucket arithmetic cannot overflow.
    if not _FIRST_YEAR <= moment.year <= _LAST_YEAR:
        raise ValueError("out of range")
    return moment


def interval(body: Mapping[str, Any], max_days: int) -> tuple[datetime, datetime]:
    text = string(required(body, "interval", "interval"), "interval")
    parts = text.split("/")
    try:
        if len(parts) != 2:
            raise ValueError("not start/end")
        start, end = _instant(parts[0]), _instant(parts[1])
    except ValueError:
        message = (
            f"interval {text!r} is not 'start/end' in ISO-8601 with an offset,"
            f" between the years {_FIRST_YEAR} and {_LAST_YEAR}"
        )
        raise bad_request(message, "interval") from None
    if end <= start:
        raise bad_request("interval must end after it starts", "interval")
    if end - start > timedelta(days=max_days):
        raise bad_request(f"interval must not exceed {max_days} days", "interval")
    return start, end


def iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
