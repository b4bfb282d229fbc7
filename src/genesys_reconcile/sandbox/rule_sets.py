"""Outbound rule sets (call rules), as the real platform serves them at
`/api/v2/outbound/rulesets`.

A body is checked against the API's shapes (the `$defs` of `schemas/rule-set.schema.json`,
transcribed from the platform's SDK models and tested against them): unknown fields at any
depth, JSON types, enum values, required fields and each condition type's and action's own
requirements, then the references it holds (contact list, queue, wrap-up codes) must exist.

What the server adds, as a live org was seen to: each rule gets an id (kept by a PUT for a
rule that carries it, new otherwise), and each `Action`-type action reads back with
`properties.Action` naming its action type. A PUT carries the live `version`; a stale one is
a 400 in words. A rule set a campaign still uses cannot be deleted.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from genesys_reconcile.manifest.schema import schema_dir
from genesys_reconcile.sandbox import directory
from genesys_reconcile.sandbox.errors import ApiError, bad_request
from genesys_reconcile.sandbox.http import Org, Request, Response, body_object, page
from genesys_reconcile.sandbox.state import Entity, public

BASE = "/api/v2/outbound/rulesets"
SCHEMA_FILE = "rule-set.schema.json"
# Fields the server sets; a body may carry them back as read, and they are ignored.
_SERVER_FIELDS = ("id", "dateCreated", "dateModified", "selfUri", "version")


def list_rule_sets(org: Org, request: Request) -> Response:
    return page(request, directory.named(request, list(org.state.ruleSets.values())))


def get_rule_set(org: Org, request: Request) -> Response:
    return Response(200, public(org.find("ruleSets", request.params["id"], "rule set")))


def create_rule_set(org: Org, request: Request) -> Response:
    body = _checked(org, body_object(request))
    ident = org.new_id()
    entity: Entity = {
        "id": ident,
        **_stored(org, body, set()),
        "version": 1,
        "dateCreated": org.timestamp(),
        "dateModified": org.timestamp(),
        "selfUri": f"{BASE}/{ident}",
    }
    org.state.ruleSets[ident] = entity
    org.changed = True
    return Response(200, public(entity))


def put_rule_set(org: Org, request: Request) -> Response:
    entity = org.find("ruleSets", request.params["id"], "rule set")
    body = _checked(org, body_object(request))
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad_request("version is required for updates", "version", "field.required")
    if version != entity["version"]:
        # [unverified] the platform's status and words for a stale outbound PUT; a 400 in
        # words is the case clients find hardest to tell apart, so the sandbox answers it.
        raise bad_request(
            f"The version {version} does not match the current version {entity['version']}",
            "version",
        )
    ids = {str(rule.get("id")) for rule in entity["rules"]}
    kept = {k: entity[k] for k in ("id", "dateCreated", "selfUri")}
    entity.clear()
    entity.update(
        _stored(org, body, ids),
        **kept,
        version=version + 1,
        dateModified=org.timestamp(),
    )
    org.changed = True
    return Response(200, public(entity))


def delete_rule_set(org: Org, request: Request) -> Response:
    entity = org.find("ruleSets", request.params["id"], "rule set")
    for campaign in org.state.campaigns.values():
        if any(ref.get("id") == entity["id"] for ref in campaign.get("ruleSets") or []):
            raise bad_request(
                f"Rule set {entity['id']} is in use by campaign '{campaign.get('name')}' "
                f"({campaign['id']}); remove it from the campaign first",
                "id",
                "rule.set.in.use",
            )
    del org.state.ruleSets[entity["id"]]
    org.changed = True
    return Response(204)


# -- what the server stores ----------------------------------------------------------------------


def _stored(org: Org, body: dict[str, Any], live_ids: set[str]) -> Entity:
    """The body as the server keeps it: its fields, rule ids and computed action properties."""
    stored = {k: copy.deepcopy(v) for k, v in body.items() if k not in _SERVER_FIELDS}
    for key in ("contactList", "queue"):
        if isinstance(stored.get(key), dict):
            stored[key] = _enriched(org, key, stored[key])
    for position, rule in enumerate(stored["rules"]):
        if str(rule.get("id")) not in live_ids:
            rule["id"] = org.new_id()  # [unverified] whether a real PUT keeps ids this way
        rule.setdefault("order", position)
        for action in rule.get("actions") or []:
            if action.get("type") == "Action":
                # [inferred] a live export shows DO_NOT_DIAL read back with this property.
                action["properties"] = {
                    **(action.get("properties") or {}),
                    "Action": action["actionTypeName"],
                }
    return stored


def _enriched(org: Org, key: str, ref: dict[str, Any]) -> dict[str, Any]:
    """A reference as the platform reads it back: `{id, name, selfUri}`."""
    collection, base = _REFERENCES[key]
    found = org.state.collection(collection)[str(ref["id"])]
    return {"id": found["id"], "name": found["name"], "selfUri": f"{base}/{found['id']}"}


_REFERENCES = {
    "contactList": ("contactLists", "/api/v2/outbound/contactlists"),
    "queue": ("queues", "/api/v2/routing/queues"),
}


# -- validation ----------------------------------------------------------------------------------


def _checked(org: Org, body: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(_validator().iter_errors(body), key=_error_order)
    if errors:
        raise _refusal(errors[0])
    for key, (collection, _) in _REFERENCES.items():
        ref = body.get(key)
        if isinstance(ref, dict) and str(ref.get("id")) not in org.state.collection(collection):
            raise bad_request(f"{key} {ref.get('id')} not found", f"{key}.id", "not.found")
    for where, code in _codes(body):
        if code not in org.state.wrapupCodes:
            raise bad_request(f"wrap-up code {code} not found", where, "not.found")
    return body


def _codes(body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for r, rule in enumerate(body["rules"]):
        for c, condition in enumerate(rule["conditions"]):
            for k, code in enumerate(condition.get("codes") or []):
                yield f"rules[{r}].conditions[{c}].codes[{k}]", code


@functools.cache
def _validator() -> Draft202012Validator:
    schema = json.loads((schema_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))
    return Draft202012Validator({"$ref": "#/$defs/RuleSet", "$defs": schema["$defs"]})


def _error_order(error: ValidationError) -> tuple[int, str]:
    # Unknown fields first, as the platform's deserialiser refuses them before any rule.
    return (0 if error.validator == "additionalProperties" else 1, _place(error.absolute_path))


def _refusal(error: ValidationError) -> ApiError:
    where = _place(error.absolute_path)
    instance, value = error.instance, error.validator_value
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        field = _joined(where, sorted(set(instance) - set(known))[0])
        return bad_request(f"Unrecognized field '{field}'", field, "field.unknown")
    if error.validator == "required" and isinstance(instance, dict) and isinstance(value, list):
        field = _joined(where, next(name for name in value if name not in instance))
        return bad_request(f"{field} is required", field, "field.required")
    if error.validator == "enum" and isinstance(value, list):
        return bad_request(f"{where} must be one of {', '.join(map(str, value))}", where)
    if error.validator in ("minItems", "maxItems"):
        bound = "at least" if error.validator == "minItems" else "at most"
        return bad_request(f"{where} must hold {bound} {value} items", where)
    return bad_request(f"{where}: {error.message}", where)


def _place(path: Any) -> str:
    text = ""
    for part in path:
        text = f"{text}[{part}]" if isinstance(part, int) else _joined(text, str(part))
    return text


def _joined(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
