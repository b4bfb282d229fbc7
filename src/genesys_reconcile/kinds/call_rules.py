"""Call rules in a file's shorthand, and as the API's `DialerRule`, `Condition` and
`DialerAction` JSON.

- `when: precall` / `wrapup`: `category` DIALER_PRECALL / DIALER_WRAPUP.
- `{column: c, equals: v}` (or gt, gte, lt, lte, contains, beginsWith, endsWith): a
  `contactAttributeCondition`, `valueType` NUMERIC for a number, STRING otherwise.
- `{lastAttempt: {after: 30d ago}}` (or before): a `contactPropertyCondition` on
  LAST_ATTEMPT_OVERALL with a PERIOD value (`P-30DT00H00M`).
- `{callAnalysis: busy}`: a `callAnalysisCondition` EQUALS
  `disposition.classification.callable.busy` (`sit`: `uncallable.sit`).
- `{wrapup: [names]}`: a `wrapupCondition` with the codes' ids.
- `{not: condition}`: the condition with `inverted: true`.
- `doNotDial`, `contactUncallable`, `numberUncallable`, `switchToPreview`: an `Action`.
- `{scheduleCallback: 5m}`: SCHEDULE_CALLBACK, `properties.callbackOffset` in minutes ("5").
- `{setAttribute: {column: value}}`: MODIFY_CONTACT_ATTRIBUTE, `updateOption` SET.
- `{raw: {...}}`: the API's JSON, as written.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from genesys_reconcile.kinds.base import contact_number, contact_text, is_number
from genesys_reconcile.kinds.relative_time import to_period, to_words

CATEGORIES = {"precall": "DIALER_PRECALL", "wrapup": "DIALER_WRAPUP"}
OPERATORS = {
    "equals": "EQUALS",
    "gt": "GREATER_THAN",
    "gte": "GREATER_THAN_EQUALS",
    "lt": "LESS_THAN",
    "lte": "LESS_THAN_EQUALS",
    "contains": "CONTAINS",
    "beginsWith": "BEGINS_WITH",
    "endsWith": "ENDS_WITH",
}
ORDERING = {"gt", "gte", "lt", "lte"}
# The forms a condition takes: exactly one of these keys (a column form: `column` and one
# operator).
FORMS = ("column", "lastAttempt", "callAnalysis", "wrapup", "not", "raw")
CALLABLE = ("busy", "noanswer", "machine", "person", "fax")
SIMPLE_ACTIONS = {
    "doNotDial": "DO_NOT_DIAL",
    "contactUncallable": "CONTACT_UNCALLABLE",
    "numberUncallable": "NUMBER_UNCALLABLE",
    "switchToPreview": "SWITCH_TO_PREVIEW",
}
_OFFSET = re.compile(r"\s*(\d+)\s*([mhd])\s*\Z")
_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}

# A wrap-up code's id, from its name.
CodeId = Callable[[str], str]


def api_rule(rule: Mapping[str, Any], order: int, code_id: CodeId) -> dict[str, Any]:
    """One rule of a file as the API's `DialerRule` (without id)."""
    return {
        "name": rule["name"],
        "order": order,
        "category": CATEGORIES[rule["when"]],
        "conditions": [api_condition(c, code_id) for c in rule["if"]],
        "actions": [api_action(a) for a in rule["then"]],
    }


def api_condition(condition: Mapping[str, Any], code_id: CodeId) -> dict[str, Any]:
    if "raw" in condition:
        return copy.deepcopy(dict(condition["raw"]))
    if "not" in condition:
        return {**api_condition(condition["not"], code_id), "inverted": True}
    if "lastAttempt" in condition:
        (direction, when), *_ = condition["lastAttempt"].items()
        return _condition(
            "contactPropertyCondition",
            propertyType="LAST_ATTEMPT_OVERALL",
            operator=direction.upper(),
            value=period_of(when) or when,
            valueType="PERIOD",
        )
    if "callAnalysis" in condition:
        return _condition(
            "callAnalysisCondition",
            operator="EQUALS",
            value=call_analysis_value(condition["callAnalysis"]),
            valueType="STRING",
        )
    if "wrapup" in condition:
        return _condition("wrapupCondition", codes=[code_id(n) for n in condition["wrapup"]])
    operator, value = column_test(condition)
    return _condition(
        "contactAttributeCondition",
        attributeName=condition["column"],
        operator=OPERATORS[operator],
        value=contact_text(value),
        valueType="NUMERIC" if is_number(value) else "STRING",
    )


def period_of(text: Any) -> str | None:
    """A relative time as the API takes it, from a file's `30d ago` or the API's own
    `P-30DT00H00M` (as an export writes a period that does not round-trip); None otherwise."""
    if not isinstance(text, str):
        return None
    return to_period(text) or (text if to_words(text) is not None else None)


def _condition(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, **fields, "inverted": False}


def column_test(condition: Mapping[str, Any]) -> tuple[str, Any]:
    """The one operator of a column condition, and its value."""
    return next((k, v) for k, v in condition.items() if k in OPERATORS)


def call_analysis_value(result: str) -> str:
    # The platform files a SIT tone under uncallable (a live export shows it so).
    group = "callable" if result in CALLABLE else "uncallable"
    return f"disposition.classification.{group}.{result}"


def api_action(action: Any) -> dict[str, Any]:
    if isinstance(action, str):
        return {"type": "Action", "actionTypeName": SIMPLE_ACTIONS[action]}
    if "raw" in action:
        return copy.deepcopy(dict(action["raw"]))
    if "scheduleCallback" in action:
        minutes = offset_minutes(action["scheduleCallback"])
        return {
            "type": "Action",
            "actionTypeName": "SCHEDULE_CALLBACK",
            "properties": {"callbackOffset": str(minutes)},
        }
    return {
        "type": "modifyContactAttribute",
        "actionTypeName": "MODIFY_CONTACT_ATTRIBUTE",
        "updateOption": "SET",
        "properties": {str(k): contact_text(v) for k, v in action["setAttribute"].items()},
    }


def offset_minutes(offset: Any) -> int | None:
    """`5m`, `2h`, `1d` or a whole number of minutes, in minutes; None when it is neither."""
    if isinstance(offset, int) and not isinstance(offset, bool):
        return offset
    found = _OFFSET.match(offset) if isinstance(offset, str) else None
    return int(found.group(1)) * _MINUTES[found.group(2)] if found else None


def conditions_of(rule: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Each shorthand condition of a rule with its path in the rule, a `not`'s inner one too."""
    conditions = rule.get("if")
    for index, condition in enumerate(conditions if isinstance(conditions, list) else []):
        if isinstance(condition, dict):
            yield ("if", index), condition
            if isinstance(condition.get("not"), dict):
                yield ("if", index, "not"), condition["not"]


# -- the comparable view: what a plan compares and shows ---------------------------------------

# Values the platform takes as the default when a field is absent: the same either way.
_DEFAULTS = {"inverted": False, "matchAnyConditions": False}


def normal(value: Any) -> Any:
    """JSON without default values, empty objects or nulls, so that `inverted: false` and no
    `inverted` are no difference."""
    if isinstance(value, dict):
        return {
            k: normal(v)
            for k, v in value.items()
            if v is not None and _DEFAULTS.get(k, ...) != v and v != {}
        }
    if isinstance(value, list):
        return [normal(v) for v in value]
    return value


def rules_view(rules: list[dict[str, Any]]) -> dict[str, Any]:
    """API rules keyed by name, each with its position as `order`: a plan compares rules by
    name, so a moved or renamed rule shows as that, not as a change of every rule after it.
    Server ids are no part of it."""
    ordered = sorted(enumerate(rules), key=lambda pair: (_order(pair[1]), pair[0]))
    view: dict[str, Any] = {}
    for position, (_, rule) in enumerate(ordered):
        body = {k: v for k, v in rule.items() if k not in ("id", "name", "order")}
        view[str(rule.get("name"))] = normal({"order": position, **body})
    return view


def _order(rule: Mapping[str, Any]) -> int:
    order = rule.get("order")
    return order if isinstance(order, int) else 0


def without_computed(live: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """A live rule's view without what the server fills in and the file's rule (`wanted`,
    empty when the file has no such rule) does not set: the `properties.Action` the platform
    adds to actions, and a condition's `operator` or `codes` (computed on the platform's
    side) where the file has that condition."""
    rule = dict(live)
    if isinstance(live.get("conditions"), list):
        wanted_conditions = _items(wanted, "conditions")
        rule["conditions"] = [
            _dropped(have, _at(wanted_conditions, i), ("operator", "codes"))
            for i, have in enumerate(live["conditions"])
        ]
    if isinstance(live.get("actions"), list):
        wanted_actions = _items(wanted, "actions")
        rule["actions"] = [
            _without_action_property(have, _at(wanted_actions, i))
            for i, have in enumerate(live["actions"])
        ]
    return rule


def _at(items: list[Any], index: int) -> Any:
    return items[index] if index < len(items) else None


def _items(rule: Mapping[str, Any], key: str) -> list[Any]:
    items = rule.get(key)
    return items if isinstance(items, list) else []


def _dropped(have: Any, want: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(have, dict) or not isinstance(want, dict):
        return have
    return {k: v for k, v in have.items() if k in want or k not in keys}


def _without_action_property(have: Any, want: Any) -> Any:
    if not isinstance(have, dict) or not isinstance(have.get("properties"), dict):
        return have
    wanted = want.get("properties") if isinstance(want, dict) else None
    if isinstance(wanted, dict) and "Action" in wanted:
        return have
    properties = {k: v for k, v in have["properties"].items() if k != "Action"}
    return {k: v for k, v in {**have, "properties": properties}.items() if v != {}}


# -- export: live rules in the file's shorthand, where it writes them exactly -----------------

_WHEN = {category: when for when, category in CATEGORIES.items()}
_OPERATOR_WORDS = {wire: word for word, wire in OPERATORS.items()}
_SIMPLE_WORDS = {wire: word for word, wire in SIMPLE_ACTIONS.items()}
_ANALYSIS = re.compile(r"disposition\.classification\.(?:un)?callable\.(\w+)\Z")


def file_rule(rule: Mapping[str, Any], code_names: Mapping[str, str]) -> dict[str, Any] | None:
    """A live rule as the file writes it; None for a category the file has no word for."""
    when = _WHEN.get(str(rule.get("category")))
    if when is None:
        return None
    ids = {name: ident for ident, name in code_names.items()}
    return {
        "name": rule.get("name"),
        "when": when,
        "if": [file_condition(c, code_names, ids.__getitem__) for c in _items(rule, "conditions")],
        "then": [file_action(a) for a in _items(rule, "actions")],
    }


def file_condition(
    condition: Mapping[str, Any], code_names: Mapping[str, str], code_id: CodeId
) -> dict[str, Any]:
    """The shorthand that compiles to exactly this condition, else the condition as `raw:`."""
    candidate = _shorthand(condition, code_names)
    try:
        if isinstance(candidate, dict) and normal(api_condition(candidate, code_id)) == normal(
            dict(condition)
        ):
            return candidate
    except (KeyError, ValueError):
        pass  # a name or value the shorthand cannot carry: written raw
    return {"raw": normal(dict(condition))}


def _shorthand(condition: Mapping[str, Any], code_names: Mapping[str, str]) -> Any:
    if condition.get("inverted"):
        inner = _shorthand({**condition, "inverted": False}, code_names)
        return None if inner is None else {"not": inner}
    kind, value = condition.get("type"), condition.get("value")
    if kind == "contactAttributeCondition":
        word = _OPERATOR_WORDS.get(str(condition.get("operator")))
        typed = contact_number(value) if condition.get("valueType") == "NUMERIC" else value
        return None if word is None else {"column": condition.get("attributeName"), word: typed}
    if kind == "contactPropertyCondition" and condition.get("valueType") == "PERIOD":
        direction = str(condition.get("operator")).lower()
        return {"lastAttempt": {direction: to_words(str(value)) or value}}
    if kind == "callAnalysisCondition":
        found = _ANALYSIS.match(str(value))
        return {"callAnalysis": found.group(1)} if found else None
    if kind == "wrapupCondition":
        return {"wrapup": [code_names.get(str(c), "") for c in condition.get("codes") or []]}
    return None


def file_action(action: Mapping[str, Any]) -> Any:
    """The shorthand that compiles to exactly this action (the server's computed
    `properties.Action` aside), else the action as `raw:`."""
    candidate = _action_shorthand(action)
    live = _without_action_property(dict(action), {})
    if candidate is not None and normal(api_action(candidate)) == normal(live):
        return candidate
    return {"raw": normal(dict(action))}


def _action_shorthand(action: Mapping[str, Any]) -> Any:
    name = str(action.get("actionTypeName"))
    properties = action.get("properties") if isinstance(action.get("properties"), dict) else {}
    if name in _SIMPLE_WORDS:
        return _SIMPLE_WORDS[name]
    if name == "SCHEDULE_CALLBACK":
        minutes = str((properties or {}).get("callbackOffset"))
        return {"scheduleCallback": _offset(int(minutes))} if minutes.isdigit() else None
    if name == "MODIFY_CONTACT_ATTRIBUTE":
        return {"setAttribute": dict(properties or {})}
    return None


def _offset(minutes: int) -> str:
    """Minutes as a file writes an offset: `1d`, `2h`, `5m`."""
    for unit, size in (("d", 24 * 60), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
