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
# The inverse of each exclusion's operator, as the filter's words: exclude `a < 7`, keep
# `not a < 7`; exclude `a != v`, keep `a = v`.
_KEPT = {"=": ("equals", True), "!=": ("equals", False), "<": ("lt", True),
         "<=": ("lte", True), ">": ("gt", True), ">=": ("gte", True)}  # fmt: skip


def stand_ins(data: dict[str, Any]) -> StandIns:
    """The filter and campaign settings a valid segmentation file compiles to, or why not."""
    findings = tuple(_inexpressible(data))
    if findings:
        return StandIns(findings=findings)
    campaign, contact_list = data["campaign"], data["lists"][0]
    audience = AUDIENCE.format(campaign)
    conditions = list(_conditions(data))
    numeric = sorted({c for c, condition, _ in conditions if _is_numeric(condition)})
    flt: dict[str, Any] = {"kind": "ContactListFilter", "name": audience}
    flt["contactList"] = contact_list
    if numeric:
        flt["columns"] = {column: "number" for column in numeric}
    flt["all"] = [{column: condition} for column, condition, _ in conditions]
    filter_origins: dict[JsonPath, JsonPath] = {
        ("name",): ("campaign",),
        ("contactList",): ("lists", 0),
        ("columns",): ("demographics",),
        ("all",): ("demographics",),
        **{("all", i): source for i, (_, _, source) in enumerate(conditions)},
    }
    settings: dict[str, Any] = {"kind": "CampaignSettings", "campaign": campaign}
    settings |= {"contactList": contact_list, "contactListFilter": audience}
    settings_origins: dict[JsonPath, JsonPath] = {
        ("campaign",): ("campaign",),
        ("contactList",): ("lists", 0),
        ("contactListFilter",): ("campaign",),
    }
    if "dialingMode" in data:
        settings["settings"] = {"dialingMode": data["dialingMode"]}
        settings_origins[("settings",)] = ("dialingMode",)
    if "whileRunning" in data:
        settings["whileRunning"] = data["whileRunning"]
        settings_origins[("whileRunning",)] = ("whileRunning",)
    return StandIns(
        documents=(
            StandIn("ContactListFilter", flt, filter_origins),
            StandIn("CampaignSettings", settings, settings_origins),
        )
    )


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
    conditions = list(_conditions(data))
    if len(conditions) > MAX_PREDICATES:
        yield Finding(
            conditions[MAX_PREDICATES][2],
            f"a contact list filter holds at most {MAX_PREDICATES} conditions; this "
            f"segmentation needs {len(conditions)}",
        )


def _conditions(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], JsonPath]]:
    """Each condition as the filter file writes it: (column, condition, source path)."""
    demographics = data.get("demographics") or {}
    for column, criterion in demographics.items():
        yield column, _criterion(criterion), ("demographics", column)
    for index, exclusion in mappings(data, "exclusions"):
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
