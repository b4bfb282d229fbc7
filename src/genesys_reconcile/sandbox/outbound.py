"""The demo extension's outbound side: contact lists with typed attributes
(`/api/v2/outbound/lists`) and campaign segmentation (`campaigns.py` serves the campaigns).

A segmentation PATCH (one carrying `version` or segmentation fields) replaces segmentation
fields atomically and starts an index rebuild: the campaign is `processing` until the
rebuild's end time passes, then `ready` (or `failed`, with `indexError`, when the fault
settings say so). Rebuilds are evaluated when a campaign is read, so no background thread is
needed and an injected clock controls them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from genesys_reconcile.rules import expression
from genesys_reconcile.sandbox.errors import ApiError, bad_request
from genesys_reconcile.sandbox.http import (
    Org,
    Request,
    Response,
    body_object,
    check_version,
    page,
    reject_unknown,
)
from genesys_reconcile.sandbox.state import Entity, public

MAX_RULES = 50
MAX_EXPRESSION = 2048
DIALING_MODES = {"agentless", "preview", "power", "predictive", "progressive", "external"}
PATCHABLE = {"version", "rules", "contactFilters", "useOnlyOnce", "dialingMode"}


def list_lists(org: Org, request: Request) -> Response:
    return page(request, [e["_extension"] for e in org.state.contactLists.values()])


def get_list(org: Org, request: Request) -> Response:
    found = org.find("contactLists", request.params["id"], "contact list")
    return Response(200, public(found["_extension"]))


def patch_segmentation(org: Org, request: Request) -> Response:
    campaign = org.find("campaigns", request.params["id"], "campaign")
    refresh_index(org, campaign)
    body = body_object(request)
    for name in sorted(set(body) - PATCHABLE):
        raise bad_request(f"{name} cannot be changed by PATCH", name, "field.not.patchable")
    if campaign["indexStatus"] == "processing":
        raise ApiError(
            409,
            "index.rebuild.in.progress",
            f"Campaign {campaign['id']} is rebuilding its index; retry when it is ready",
        )
    check_version(campaign, body)
    _validate_settings(body)
    rules = body.get("rules", campaign["rules"])
    for name in ("rules", "contactFilters"):
        if name in body:
            _validate_rules(org, body[name], name, fallback=rules)
    changes = {k: v for k, v in body.items() if k != "version"}
    now = org.timestamp()
    campaign.update(changes, version=campaign["version"] + 1, modifiedDate=now, dateModified=now)
    _start_rebuild(org, campaign)
    return Response(200, public(campaign))


def refresh_index(org: Org, campaign: Entity) -> None:
    if campaign["indexStatus"] == "processing" and org.now >= campaign["_indexReadyAt"]:
        failed = campaign.pop("_indexFails", False)
        campaign["indexStatus"] = "failed" if failed else "ready"
        if failed:
            campaign["indexError"] = "Index rebuild failed: contact list index could not be built"
        del campaign["_indexReadyAt"]
        org.changed = True


def _start_rebuild(org: Org, campaign: Entity) -> None:
    campaign.pop("indexError", None)
    campaign["indexStatus"] = "processing"
    campaign["_indexReadyAt"] = org.now + org.faults.index_delay
    campaign["_indexFails"] = org.rng.random() < org.faults.index_failure_rate
    org.changed = True


def _validate_settings(body: Mapping[str, Any]) -> None:
    if "dialingMode" in body and body["dialingMode"] not in DIALING_MODES:
        raise bad_request(f"dialingMode must be one of {sorted(DIALING_MODES)}", "dialingMode")
    if "useOnlyOnce" in body and not isinstance(body["useOnlyOnce"], bool):
        raise bad_request("useOnlyOnce must be true or false", "useOnlyOnce")


def _validate_rules(org: Org, rules: Any, field: str, fallback: Any) -> None:
    if not isinstance(rules, list):
        raise bad_request(f"{field} must be a list", field)
    if len(rules) > MAX_RULES:
        raise bad_request(
            f"{field} holds {len(rules)} rules; at most {MAX_RULES} are allowed",
            field,
            "rules.limit.exceeded",
        )
    parsed = [_parse_rule(rule, f"{field}[{i}]") for i, rule in enumerate(rules)]
    lists = [
        _list_of(org, expr, f"{field}[{i}]")
        for i, (kind, expr) in enumerate(parsed)
        if kind == "list"
    ]
    if not lists and any(kind == "contact" for kind, _ in parsed):
        # A contactFilters array may rely on the list rules of the campaign's rules.
        lists = _referenced_lists(org, fallback)
        if not lists:
            raise bad_request(
                "contact rules need at least one list rule", field, "rules.list.missing"
            )
    for index, (kind, expr) in enumerate(parsed):
        if kind == "contact":
            _check_attributes(expr, lists, f"{field}[{index}].expression")


def _parse_rule(rule: Any, where: str) -> tuple[str, expression.Expr]:
    if not isinstance(rule, dict):
        raise bad_request("a rule must be an object", where)
    reject_unknown(rule, {"type", "expression", "filter", "actions"}, f"{where}.")
    kind, text = rule.get("type"), rule.get("expression")
    if kind not in ("list", "contact"):
        raise bad_request("type must be list or contact", f"{where}.type")
    if not isinstance(text, str):
        raise bad_request("expression is required", f"{where}.expression", "field.required")
    if len(text) > MAX_EXPRESSION:
        raise ApiError(
            422,
            "expression.too.long",
            f"expression is {len(text)} characters long; at most {MAX_EXPRESSION} are allowed",
            [{"fieldName": f"{where}.expression", "errorCode": "expression.too.long"}],
        )
    _check_filter(rule.get("filter"), kind, text, where)
    _check_actions(rule.get("actions"), where)
    try:
        return kind, expression.parse(text)
    except expression.ExpressionSyntaxError as exc:
        raise bad_request(
            f"expression is invalid: {exc}", f"{where}.expression", "expression.syntax"
        ) from None


def _check_filter(rule_filter: Any, kind: str, text: str, where: str) -> None:
    if rule_filter is None:
        return
    if not isinstance(rule_filter, dict):
        raise bad_request("filter must be an object", f"{where}.filter")
    reject_unknown(rule_filter, {"type", "expression"}, f"{where}.filter.")
    if rule_filter.get("type") != kind or rule_filter.get("expression", text) != text:
        raise bad_request("filter must repeat the rule's type and expression", f"{where}.filter")


def _check_actions(actions: Any, where: str) -> None:
    if not isinstance(actions, list) or not actions:
        raise bad_request("actions must be a non-empty list", f"{where}.actions")
    for index, action in enumerate(actions):
        if not isinstance(action, dict) or action.get("type") not in ("include", "exclude"):
            raise bad_request(
                "an action's type must be include or exclude", f"{where}.actions[{index}].type"
            )


def _list_of(org: Org, expr: expression.Expr, where: str) -> Entity:
    if not (
        isinstance(expr, expression.Comparison)
        and expr.attribute == "listId"
        and expr.operator == "="
        and isinstance(expr.value, str)
    ):
        raise bad_request("a list rule's expression is listId = '<id>'", f"{where}.expression")
    found = org.state.contactLists.get(expr.value)
    if found is None:
        raise bad_request(
            f"contact list {expr.value} not found", f"{where}.expression", "list.not.found"
        )
    return found


def _referenced_lists(org: Org, rules: Any) -> list[Entity]:
    found = []
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, dict) and rule.get("type") == "list":
            try:
                found.append(_list_of(org, expression.parse(str(rule.get("expression"))), ""))
            except (ApiError, expression.ExpressionSyntaxError):
                continue
    return found


def _check_attributes(expr: expression.Expr, lists: Sequence[Entity], where: str) -> None:
    """Every attribute must exist, with a fitting type, in every list the campaign dials."""
    for contact_list in lists:
        types = {a["name"]: a["type"] for a in contact_list["_extension"]["attributes"]}
        problems = expression.type_errors(expr, types)
        if problems:
            raise bad_request(
                f"{problems[0].message} (contact list '{contact_list['name']}')",
                where,
                problems[0].code,
            )
