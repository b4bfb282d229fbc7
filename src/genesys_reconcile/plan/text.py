"""The plan as text for people: Terraform's shape (+ create, ~ update, - delete), one line per
changed field with `before -> after`, and a summary line."""

from __future__ import annotations

import json
from typing import Any

import click

from genesys_reconcile.plan.model import Action, Change, FieldChange, Plan

_SIGN = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}
_COLOR = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DELETE: "red"}
_VERB = {Action.CREATE: "created", Action.UPDATE: "updated in place", Action.DELETE: "deleted"}


def render(plan: Plan, color: bool = False) -> str:
    blocks = [_change(change, color) for change in plan.changes]
    return "\n\n".join([*blocks, summary(plan)]) + "\n"


def summary(plan: Plan) -> str:
    if not plan.has_changes:
        line = "No changes. The org matches the repository."
    else:
        counts = ", ".join(f"{plan.count(a)} to {a.value}" for a in Action)
        line = f"Plan: {counts}."
    for kind, count in sorted(plan.unmanaged.items()):
        them = "it" if count == 1 else "them"
        line += f"\n{count} live {kind} not in the repository, left alone (--prune deletes {them})."
    return line


def _change(change: Change, color: bool) -> str:
    sign = _paint(_SIGN[change.action], change.action, color)
    where = f"  ({change.source})" if change.source else ""
    lines = [
        f"{sign} {change.kind} {json.dumps(change.name)} will be {_VERB[change.action]}{where}"
    ]
    lines += [_field(f, color) for f in change.fields]
    return "\n".join(lines)


def _field(field: FieldChange, color: bool) -> str:
    if field.before is None:
        sign, shown = _paint("+", Action.CREATE, color), _value(field.after)
    elif field.after is None:
        sign, shown = _paint("-", Action.DELETE, color), _value(field.before)
    else:
        sign = _paint("~", Action.UPDATE, color)
        shown = f"{_value(field.before)} -> {_value(field.after)}"
    return f"    {sign} {field.path}: {shown}"


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _paint(text: str, action: Action, color: bool) -> str:
    return click.style(text, fg=_COLOR[action], bold=True) if color else text
