"""The independent judge of real-API shapes: the official Genesys Cloud Python SDK's models.

`problems(model, body)` checks a JSON body recursively against an SDK model: every key a known
field, every value of the field's JSON type, every enum value one the SDK knows, and every
field the platform requires present. The SDK is used only here, in tests: the product sends
raw JSON (the SDK rewrites enum values it does not know and replays non-idempotent writes).

The Python models do not mark required fields; `REQUIRED` carries them from the SDK's model
documentation, for the models the reconciler writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import PureCloudPlatformClientV2 as sdk

# Fields the SDK documentation marks required (not `[optional]`), per model.
REQUIRED: dict[str, tuple[str, ...]] = {
    "ContactListFilter": ("name",),
    "RuleSet": ("name", "rules"),
    "DialerRule": ("name", "category", "conditions"),
    "DialerAction": ("type", "actionTypeName"),
    "Campaign": (
        "name",
        "contactList",
        "dialingMode",
        "phoneColumns",
        "callerName",
        "callerAddress",
    ),
    "PhoneColumn": ("columnName", "type"),
    "ContactList": ("name", "columnNames", "phoneColumns"),
    "ContactPhoneNumberColumn": ("columnName", "type"),
    "DncList": ("name", "dncSourceType"),
    "CallableTimeSet": ("name", "callableTimes"),
    "DialerContact": ("contactListId", "data"),
    "ContactColumnToDataActionFieldMapping": ("contactColumnName", "dataActionField"),
    "DataActionConditionPredicate": (
        "outputField",
        "outputOperator",
        "comparisonValue",
        "inverted",
        "outputFieldMissingResolution",
    ),
    "ErrorBody": (),
    # The answer: PYDOC marks these required, so the server always sends them.
    "JourneySegment": (
        "id",
        "isActive",
        "displayName",
        "version",
        "color",
        "scope",
        "shouldDisplayToAgent",
        "context",
        "journey",
        "createdDate",
        "modifiedDate",
    ),
    "JourneySegmentRequest": ("displayName",),
    "EntityTypeCriteria": ("key", "values", "entityType"),
    "RequestEntityTypeCriteria": ("key", "values", "entityType"),
    "PatchEntityTypeCriteria": ("key", "values", "entityType"),
    "Criteria": ("key", "values"),
    "RequestCriteria": ("key", "values"),
    "PatchCriteria": ("key", "values"),
    "JourneyPattern": ("criteria", "count", "streamType", "sessionType"),
    "RequestJourneyPattern": ("criteria", "count", "streamType", "sessionType"),
    "PatchJourneyPattern": ("criteria", "count", "streamType", "sessionType"),
    "ExternalSegment": ("id", "name"),
    "RequestExternalSegment": ("id", "name"),
}

_PRIMITIVES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "datetime": (str,),
    "date": (str,),
    "object": (object,),
}
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)\Z")


@cache
def _model(name: str) -> Any:
    cls = getattr(sdk, name, None)
    if cls is None:
        raise LookupError(f"the SDK has no model {name}")
    return cls


def fields(model: str) -> dict[str, tuple[str, str]]:
    """A model's JSON keys, each with its Python attribute and its SDK type."""
    instance = _model(model)()
    return {
        key: (attribute, instance.swagger_types[attribute])
        for attribute, key in instance.attribute_map.items()
    }


def problems(model: str, body: Any, where: str = "$") -> list[str]:
    """Every way `body` departs from the SDK model `model`, each naming its place."""
    return list(_check(model, body, where))


def assert_conforms(model: str, body: Any) -> None:
    found = problems(model, body)
    assert not found, f"{model} body departs from the SDK model:\n" + "\n".join(found)


def _check(kind: str, value: Any, where: str) -> Iterator[str]:
    if value is None:
        return
    if kind.startswith("list["):
        if not isinstance(value, list):
            yield f"{where}: expected a list ({kind}), got {type(value).__name__}"
            return
        for index, item in enumerate(value):
            yield from _check(kind[5:-1], item, f"{where}[{index}]")
        return
    if kind.startswith("dict("):
        if not isinstance(value, dict):
            yield f"{where}: expected an object ({kind}), got {type(value).__name__}"
            return
        inner = kind[5:-1].split(",", 1)[1].strip()
        for key, item in value.items():
            yield from _check(inner, item, f"{where}.{key}")
        return
    if kind in _PRIMITIVES:
        yield from _primitive(kind, value, where)
        return
    yield from _object(kind, value, where)


def _primitive(kind: str, value: Any, where: str) -> Iterator[str]:
    wrong_bool = isinstance(value, bool) and kind in ("int", "float")
    if wrong_bool or not isinstance(value, _PRIMITIVES[kind]):
        yield f"{where}: expected {kind}, got {type(value).__name__} {value!r}"
    elif kind == "datetime" and not _DATETIME.match(value):
        yield f"{where}: expected an ISO-8601 date-time, got {value!r}"


def _object(model: str, value: Any, where: str) -> Iterator[str]:
    if not isinstance(value, dict):
        yield f"{where}: expected a {model} object, got {type(value).__name__}"
        return
    known = fields(model)
    for key in value:
        if key not in known:
            yield f"{where}.{key}: not a field of {model}"
    for key in REQUIRED.get(model, ()):
        if value.get(key) is None:
            yield f"{where}.{key}: required by {model}, missing"
    for key, item in value.items():
        if key in known:
            attribute, kind = known[key]
            yield from _enum(model, attribute, item, f"{where}.{key}")
            yield from _check(kind, item, f"{where}.{key}")


def _enum(model: str, attribute: str, value: Any, where: str) -> Iterator[str]:
    """An enum field's setter keeps a value the SDK knows and replaces any other: so a value
    that does not survive the setter is not one of the enum's."""
    if not isinstance(value, str):
        return
    instance = _model(model)()
    try:
        setattr(instance, attribute, value)
    except (TypeError, ValueError) as exc:
        yield f"{where}: refused by {model}: {exc}"
        return
    if getattr(instance, attribute) != value:
        yield f"{where}: {value!r} is not a value of {model}.{attribute}"


def sdk_client(url: str, credentials: tuple[str, str]) -> Any:
    """The SDK's own client against a sandbox at `url`, signed in as the SDK signs in (its
    token URL is the API URL when the host is not `api.<region>`)."""
    client = sdk.api_client.ApiClient(host=url)
    client.get_client_credentials_token(*credentials)
    return client
