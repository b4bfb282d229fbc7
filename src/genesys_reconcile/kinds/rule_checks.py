"""What a rule set file must hold beyond its schema, checked without the org: rule names unique,
each shorthand condition one well-formed form, relative times that parse, callback offsets
that are positive durations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from genesys_reconcile.kinds.base import is_number, mappings
from genesys_reconcile.kinds.call_rules import FORMS, OPERATORS, ORDERING, conditions_of, period_of
from genesys_reconcile.kinds.call_rules import offset_minutes as minutes_of
from genesys_reconcile.manifest.diagnostics import Finding, Severity

Place = tuple[Any, ...]
_WRAPUP_ONLY = ("callAnalysis", "wrapup")


def offline_findings(data: dict[str, Any]) -> Iterator[Finding]:
    yield from _duplicate_names(data)
    for index, rule in mappings(data, "rules"):
        for place, condition in conditions_of(rule):
            yield from _condition_findings(("rules", index, *place), condition)
            if rule.get("when") == "precall":
                yield from _wrapup_only(("rules", index, *place), condition)
        for k, action in mappings(rule, "then"):
            if "scheduleCallback" in action:
                yield from _offset_findings(
                    ("rules", index, "then", k, "scheduleCallback"), action["scheduleCallback"]
                )


def _duplicate_names(data: dict[str, Any]) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for index, rule in mappings(data, "rules"):
        name = rule.get("name")
        if not isinstance(name, str):
            continue
        if name in first:
            yield Finding(
                ("rules", index, "name"),
                f"rule name '{name}' is already used by rule {first[name] + 1}; rule names must "
                "be unique in a rule set, as plans tell rules apart by name",
            )
        first.setdefault(name, index)


def _condition_findings(place: Place, condition: dict[str, Any]) -> Iterator[Finding]:
    forms = [form for form in FORMS if form in condition]
    operators = [key for key in OPERATORS if key in condition]
    if operators and "column" not in condition:
        yield Finding(place, f"'{operators[0]}' compares a column: add column: <name>")
        return
    if len(forms) != 1:
        found = f"it has {' and '.join(forms)}" if forms else "it has none"
        yield Finding(place, f"a condition takes exactly one of {', '.join(FORMS)}; {found}")
        return
    if forms == ["column"]:
        yield from _column_findings(place, condition, operators)
    elif forms == ["lastAttempt"] and isinstance(condition["lastAttempt"], dict):
        for direction, when in condition["lastAttempt"].items():
            if isinstance(when, str) and period_of(when) is None:
                yield Finding(
                    (*place, "lastAttempt", direction),
                    f"'{when}' is not a relative time; write it as 30d ago, 12h ago or 1d 6h ago",
                )


def _column_findings(
    place: Place, condition: dict[str, Any], operators: list[str]
) -> Iterator[Finding]:
    if len(operators) != 1:
        found = f"it has {' and '.join(operators)}" if operators else "it has none"
        yield Finding(
            place, f"a column condition takes exactly one of {', '.join(OPERATORS)}; {found}"
        )
        return
    operator = operators[0]
    value = condition[operator]
    if operator in ORDERING and not is_number(value):
        yield Finding(
            (*place, operator),
            f"'{operator}' compares numbers; write a number (25), not {value!r}",
        )


def _wrapup_only(place: Place, condition: dict[str, Any]) -> Iterator[Finding]:
    for form in _WRAPUP_ONLY:
        if form in condition:
            yield Finding(
                (*place, form),
                f"{form} is known only after a call; in a precall rule it never holds "
                "(use when: wrapup)",
                Severity.WARNING,
            )


def _offset_findings(place: Place, offset: Any) -> Iterator[Finding]:
    minutes = minutes_of(offset)
    if minutes is None:
        yield Finding(
            place, f"'{offset}' is not a callback offset; write 5m, 2h, 1d or whole minutes"
        )
    elif minutes <= 0:
        yield Finding(place, f"a callback offset must be positive, not {offset!r}")
