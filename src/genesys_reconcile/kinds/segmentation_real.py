"""A campaign segmentation file as the real resources it means on an org without segmentation
rules: a contact list filter, named "<campaign> audience", bound to the campaign.

- `lists: [X]` is the campaign's contact list and the filter's;
- `demographics` become the filter's predicates: `{min, max}` BETWEEN, `{min}` at least,
  `{max}` at most, `{allowed}` IN; columns compared with numbers are numeric;
- each exclusion becomes its predicate inverted (`do_not_call = true` keeps the contacts whose
  `do_not_call` is not "true"); `!=` becomes EQUALS, as excluding the rest keeps the equal;
- `dialingMode` becomes the campaign's, and `whileRunning` says how a running one takes it all.

The filter joins every condition with AND, which is the seed's meaning: included by every
demographic criterion, excluded by any exclusion. What a real campaign cannot hold is a
finding at its line: several lists (a campaign dials one), `useOnlyOnce: true` (no campaign
field holds it), more than 10 conditions (the platform's limit on a filter).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from genesys_reconcile.kinds.base import is_number, mappings
from genesys_reconcile.kinds.filter_predicates import MAX_PREDICATES
from genesys_reconcile.kinds.stand_ins import StandIn, StandIns
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.manifest.yaml import JsonPath

AUDIENCE = "{} audience"  # the compiled filter's name
EXCLUSIONS = "{} exclusions"  # the compiled rule set's name, with `exclusionsMode: runtime`
_RULE_WORDS = {"=": "equals", "!=": "equals", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
# The inverse of each exclusion's operator, as the filter's words: exclude `a < 7`, keep
# `not a < 7`; exclude `a != v`, keep `a = v`.
_KEPT = {"=": ("equals", True), "!=": ("equals", False), "<": ("lt", True),
         "<=": ("lte", True), ">": ("gt", True), ">=": ("gte", True)}  # fmt: skip


def stand_ins(data: dict[str, Any]) -> StandIns:
    """The filter, rule set and campaign settings a valid segmentation file compiles to, or
    why it cannot."""
    findings = tuple(_inexpressible(data))
    if findings:
        return StandIns(findings=findings)
    at_dialing = data.get("exclusionsMode") == "runtime"
    conditions = list(_conditions(data, exclusions=not at_dialing))
    made = [_filter(data, conditions)] if conditions else []
    if at_dialing and data.get("exclusions"):
        made.append(_rule_set(data))
    return StandIns(documents=(*made, _settings(data, [m.data["name"] for m in made])))


def _filter(data: dict[str, Any], conditions: list[_Condition]) -> StandIn:
    numeric = sorted({c for c, condition, _ in conditions if _is_numeric(condition)})
    flt: dict[str, Any] = {"kind": "ContactListFilter", "name": AUDIENCE.format(data["campaign"])}
    flt["contactList"] = data["lists"][0]
    if numeric:
        flt["columns"] = {column: "number" for column in numeric}
    flt["all"] = [{column: condition} for column, condition, _ in conditions]
    origins: dict[JsonPath, JsonPath] = {
        ("name",): ("campaign",),
        ("contactList",): ("lists", 0),
        ("columns",): ("demographics",),
        ("all",): ("demographics",),
        **{("all", i): source for i, (_, _, source) in enumerate(conditions)},
    }
    return StandIn("ContactListFilter", flt, origins)


def _rule_set(data: dict[str, Any]) -> StandIn:
    """Exclusions checked before each dial: a do-not-dial pre-call rule each."""
    rules: list[dict[str, Any]] = []
    origins: dict[JsonPath, JsonPath] = {("name",): ("campaign",), ("contactList",): ("lists", 0)}
    for index, exclusion in mappings(data, "exclusions"):
        attribute, operator, value = (exclusion[k] for k in ("attribute", "operator", "value"))
        word = _RULE_WORDS[operator]
        test = {"column": attribute, word: _operand(value)}
        rules.append(
            {
                "name": f"Exclude {attribute} {operator} {_operand(value)}",
                "when": "precall",
                "if": [{"not": test} if operator == "!=" else test],
                "then": ["doNotDial"],
            }
        )
        origins[("rules", len(rules) - 1)] = ("exclusions", index)
    rule_set: dict[str, Any] = {"kind": "RuleSet", "name": EXCLUSIONS.format(data["campaign"])}
    rule_set |= {"contactList": data["lists"][0], "rules": rules}
    return StandIn("RuleSet", rule_set, origins)


def _settings(data: dict[str, Any], bound: list[str]) -> StandIn:
    campaign = data["campaign"]
    settings: dict[str, Any] = {"kind": "CampaignSettings", "campaign": campaign}
    settings["contactList"] = data["lists"][0]
    origins: dict[JsonPath, JsonPath] = {
        ("campaign",): ("campaign",),
        ("contactList",): ("lists", 0),
    }
    # What the campaign binds is the file's to say: none of a kind unbinds it.
    settings["contactListFilter"] = (
        AUDIENCE.format(campaign) if AUDIENCE.format(campaign) in bound else None
    )
    settings["ruleSets"] = [n for n in bound if n == EXCLUSIONS.format(campaign)]
    origins[("contactListFilter",)] = origins[("ruleSets",)] = ("campaign",)
    if "dialingMode" in data:
        settings["settings"] = {"dialingMode": data["dialingMode"]}
        origins[("settings",)] = ("dialingMode",)
    if "whileRunning" in data:
        settings["whileRunning"] = data["whileRunning"]
        origins[("whileRunning",)] = ("whileRunning",)
    return StandIn("CampaignSettings", settings, origins)


def _inexpressible(data: dict[str, Any]) -> Iterator[Finding]:
    lists = data.get("lists") or []
    if len(lists) > 1:
        yield Finding(
            ("lists", 1),
            f"a campaign on this org dials one contact list, not {len(lists)}; keep one "
            "list here and segment the others' campaigns in files of their own",
        )
    if data.get("useOnlyOnce") is True:
        yield Finding(
            ("useOnlyOnce",),
            "this org's campaigns have no useOnlyOnce; remove it (the contact list's attempt "
            "limits, set in the admin console, are the nearest setting)",
        )
    conditions = list(_conditions(data, exclusions=data.get("exclusionsMode") != "runtime"))
    if len(conditions) > MAX_PREDICATES:
        yield Finding(
            conditions[MAX_PREDICATES][2],
            f"a contact list filter holds at most {MAX_PREDICATES} conditions; this "
            f"segmentation needs {len(conditions)}",
        )


_Condition = tuple[str, dict[str, Any], JsonPath]


def _conditions(data: dict[str, Any], exclusions: bool = True) -> Iterator[_Condition]:
    """Each condition as the filter file writes it: (column, condition, source path)."""
    demographics = data.get("demographics") or {}
    for column, criterion in demographics.items():
        yield column, _criterion(criterion), ("demographics", column)
    for index, exclusion in mappings(data, "exclusions") if exclusions else ():
        word, inverted = _KEPT[exclusion["operator"]]
        condition = {word: _operand(exclusion["value"])}
        yield (
            exclusion["attribute"],
            ({"not": condition} if inverted else condition),
            (
                "exclusions",
                index,
            ),
        )


def _criterion(criterion: dict[str, Any]) -> dict[str, Any]:
    if "allowed" in criterion:
        return {"in": [_operand(v) for v in criterion["allowed"]]}
    low, high = criterion.get("min"), criterion.get("max")
    if low is not None and high is not None:
        return {"between": [low, high]}
    return {"gte": low} if low is not None else {"lte": high}


def _operand(value: Any) -> Any:
    """True and false are text to a contact list: every contact value is a string there."""
    return str(value).lower() if isinstance(value, bool) else value


def _is_numeric(condition: dict[str, Any]) -> bool:
    inner = condition.get("not", condition)
    operand = next(iter(inner.values()))
    values = operand if isinstance(operand, list) else [operand]
    return all(is_number(v) for v in values)
