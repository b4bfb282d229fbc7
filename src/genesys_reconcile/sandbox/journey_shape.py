"""What the journey segment routes accept: the SDK's `JourneySegmentRequest` (a POST) and
`PatchSegment` (a PATCH), as JSON schemas, and each refusal in the platform's words.

Beyond the SDK's types and enums, the sandbox refuses what Terraform's provider says the
platform refuses or never accepts: a `streamType` of Custom or Conversation ("not supported by
the API despite the documentation"), a color that is not `#rrggbb`, and a negative
`assignmentExpirationDays`.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from genesys_reconcile.sandbox.errors import ApiError, bad_request

OPERATORS = (
    "containsAll",
    "containsAny",
    "notContainsAll",
    "notContainsAny",
    "equal",
    "notEqual",
    "greaterThan",
    "greaterThanOrEqual",
    "lessThan",
    "lessThanOrEqual",
    "startsWith",
    "endsWith",
)
STREAM_TYPES = ("Web", "App")
EXTERNAL_SOURCES = ("AdobeExperiencePlatform", "Custom")


def _criterion(visit: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "key": {"type": "string", "minLength": 1},
        "values": {"type": "array", "items": {"type": "string"}},
        "shouldIgnoreCase": {"type": "boolean"},
        "operator": {"enum": list(OPERATORS)},
    }
    if visit:
        properties["entityType"] = {"enum": ["visit"]}
    required = ["key", "values", *(["entityType"] if visit else [])]
    return _object(properties, required)


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required or [],
        "properties": properties,
    }


def _patterns(pattern: dict[str, Any]) -> dict[str, Any]:
    return _object({"patterns": {"type": "array", "items": pattern}})


CONTEXT = _patterns(_object({"criteria": {"type": "array", "items": _criterion(True)}}))
JOURNEY = _patterns(
    _object(
        {
            "criteria": {"type": "array", "items": _criterion(False)},
            "count": {"type": "integer", "minimum": 1},
            "streamType": {"enum": list(STREAM_TYPES)},
            "sessionType": {"type": "string", "minLength": 1},
            "eventName": {"type": "string"},
        },
        ["criteria", "count", "streamType", "sessionType"],
    )
)
_FIELDS: dict[str, Any] = {
    "isActive": {"type": "boolean"},
    "displayName": {"type": "string", "minLength": 1},
    "version": {"type": "integer"},
    "description": {"type": "string"},
    "color": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
    "shouldDisplayToAgent": {"type": "boolean"},
    "context": CONTEXT,
    "journey": JOURNEY,
    "externalSegment": _object(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "source": {"enum": list(EXTERNAL_SOURCES)},
        },
        ["id", "name"],
    ),
    "assignmentExpirationDays": {"type": "integer", "minimum": 0},
}
REQUEST = _object(_FIELDS, ["displayName"])
# A PATCH names what it changes (its nulls, which clear fields, are checked apart).
PATCH = _object(
    {**_FIELDS, "externalSegment": _object({"name": {"type": "string"}})},
)


REQUEST_CHECK = Draft202012Validator(REQUEST)
PATCH_CHECK = Draft202012Validator(PATCH)


def checked(body: dict[str, Any], validator: Draft202012Validator) -> dict[str, Any]:
    """`body` if it fits the validator's schema; else the platform's refusal of its first
    fault."""
    errors = sorted(validator.iter_errors(body), key=_order)
    if errors:
        raise refusal(errors[0])
    return body


def _order(error: ValidationError) -> tuple[int, str]:
    # Unknown fields first, as the platform's deserialiser refuses them before any rule.
    return (0 if error.validator == "additionalProperties" else 1, place(error.absolute_path))


def refusal(error: ValidationError) -> ApiError:
    where = place(error.absolute_path)
    instance, value = error.instance, error.validator_value
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        field = joined(where, sorted(set(instance) - set(known))[0])
        return bad_request(f"Unrecognized field '{field}'", field, "field.unknown")
    if error.validator == "required" and isinstance(instance, dict) and isinstance(value, list):
        field = joined(where, next(name for name in value if name not in instance))
        return bad_request(f"{field} is required", field, "field.required")
    if error.validator == "enum" and isinstance(value, list):
        return bad_request(f"{where} must be one of {', '.join(map(str, value))}", where)
    if error.validator == "pattern":
        return bad_request(f"{where} must be a color such as #008000", where)
    if error.validator == "minimum":
        return bad_request(f"{where} must be at least {value}", where)
    return bad_request(f"{where}: {error.message}", where)


def place(path: Any) -> str:
    text = ""
    for part in path:
        text = f"{text}[{part}]" if isinstance(part, int) else joined(text, str(part))
    return text


def joined(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
