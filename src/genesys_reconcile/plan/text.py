"""The plan as text for people: Terraform's shape (+ create, ~ update, - delete), one line per
changed field with `before -> after`, and a summary line."""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from typing import Any

import click

from genesys_reconcile.manifest.emit import dump, inline
from genesys_reconcile.plan.model import Action, Change, FieldChange, Plan
from genesys_reconcile.text_safety import visible

_COLOR = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.DELETE: "red"}
_VERB = {Action.CREATE: "created", Action.UPDATE: "updated in place", Action.DELETE: "deleted"}


def render(plan: Plan, color: bool = False) -> str:
    blocks = [_change(change, color) for change in plan.changes]
    return "\n\n".join([*blocks, summary(plan)]) + "\n"


def summary(plan: Plan) -> str:
    if not plan.has_changes:
        lines = ["No changes. The org matches the repository."]
    else:
        lines = ["Plan: " + ", ".join(f"{plan.count(a)} to {a.value}" for a in Action) + "."]
    # A target that names nothing is most likely a typo: "no changes" alone would hide it.
    lines += [
        f"Warning: --target {visible(str(t))} matches nothing in the files or the org."
        for t in plan.unmatched
    ]
    lines += _leftovers(plan)
    if plan.partial:
        chosen = [f"--target {s}" for s in plan.targets] + [f"--exclude {s}" for s in plan.excludes]
        lines.append(
            f"Partial plan ({visible(' '.join(chosen))}): other resources were not compared."
        )
    lines.append(_safety(plan))
    return "\n".join(lines)


def _leftovers(plan: Plan) -> list[str]:
    """Per kind, the live resources no file declares: those owned, which --prune deletes, and
    those not owned, which nothing here deletes, by name."""
    lines = []
    for kind, count in sorted(plan.unmanaged.items()):
        strangers = plan.unowned.get(kind, ())
        owned = count - len(strangers)
        if owned > 0:
            them = "it" if owned == 1 else "them"
            lines.append(
                f"{owned} live {kind} not in the repository, left alone (--prune deletes {them})."
            )
        if strangers:
            shown = ", ".join(name_text(n) for n in strangers[:_NAMED])
            more = f" and {len(strangers) - _NAMED} more" if len(strangers) > _NAMED else ""
            lines.append(
                f"{len(strangers)} live {kind} not in the repository and not owned, left alone: "
                f"{shown}{more}."
            )
    return lines


_NAMED = 3  # strangers named per kind; the JSON plan names them all


def _safety(plan: Plan) -> str:
    violations = plan.violations()
    if violations:
        return f"UNSAFE: {'; '.join(violations)}. Apply refuses this plan without --force."
    limits = plan.safety
    return (
        f"Safety: within the thresholds (updates {limits.updates:.0%}, deletes "
        f"{limits.deletes:.0%} of a kind's resources, once {limits.min_existing} exist)."
    )


def _change(change: Change, color: bool) -> str:
    sign = _paint(change.action.sign, change.action, color)
    where = f"  ({visible(change.source)})" if change.source else ""
    lines = [f"{sign} {change.kind} {name_text(change.name)} will be {_VERB[change.action]}{where}"]
    if change.reason:
        lines.append(f"    reason: {visible(change.reason)}")
    if change.impact:
        lines.append(f"    impact: {visible(change.impact)}")
    if change.document is not None and change.action is not Action.UPDATE:
        lines += document_lines(change, color)
    else:
        if change.shown_note:
            lines.append(f"    note: {visible(change.shown_note)}")
        lines += [_field(f, color, change.shown is not None) for f in change.reviewed]
    if change.unchanged_fields:
        hidden = change.unchanged_fields
        lines.append(f"      ({hidden} unchanged field{'s' if hidden != 1 else ''} hidden)")
    return "\n".join(lines)


def document_lines(change: Change, color: bool) -> list[str]:
    """A created or deleted resource as the YAML of its file, each line marked + or -."""
    sign = _paint(change.action.sign, change.action, color)
    return [f"    {sign} {visible(line)}" for line in dump(change.document or {}).splitlines()]


def _field(field: FieldChange, color: bool, file_terms: bool = False) -> str:
    show = inline if file_terms else value_text
    if file_terms and _plain_list(field.before) and _plain_list(field.after):
        sign = _paint(Action.UPDATE.sign, Action.UPDATE, color)
        shown = members(field.before, field.after, color)
    elif field.before is None:
        sign, shown = _paint(Action.CREATE.sign, Action.CREATE, color), show(field.after)
    elif field.after is None:
        sign, shown = _paint(Action.DELETE.sign, Action.DELETE, color), show(field.before)
    elif _long_text(field.before, field.after):
        sign = _paint(Action.UPDATE.sign, Action.UPDATE, color)
        shown = word_diff(field.before, field.after, color)
    else:
        sign = _paint(Action.UPDATE.sign, Action.UPDATE, color)
        shown = f"{show(field.before)} -> {show(field.after)}"
    return f"    {sign} {visible(field.path)}: {visible(shown)}"


def _plain_list(value: Any) -> bool:
    return isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)


def members(before: list[Any], after: list[Any], color: bool = False) -> str:
    """A list of plain values changed, as the members that came and went: `+ WA, - NY`;
    a list whose members stay but move, as its new order."""
    came, gone = came_and_went(before, after)
    if not gone and not came:
        return f"{inline(before)} -> {inline(after)}"
    marked = [_paint(f"+ {inline(v)}", Action.CREATE, color) for v in came]
    marked += [_paint(f"- {inline(v)}", Action.DELETE, color) for v in gone]
    return ", ".join(marked)


def came_and_went(before: list[Any], after: list[Any]) -> tuple[list[Any], list[Any]]:
    """The members of a changed list that came, and those that went."""
    return [v for v in after if v not in before], [v for v in before if v not in after]


def _long_text(before: Any, after: Any) -> bool:
    return isinstance(before, str) and isinstance(after, str) and max(len(before), len(after)) > 60


def word_diff(before: str, after: str, color: bool = False) -> str:
    """One line, words removed as [-...-] and added as {+...+}, as `git diff --word-diff`
    shows them: a long expression's change is found at a glance."""
    marks = {"-": ("[-", "-]", Action.DELETE), "+": ("{+", "+}", Action.CREATE)}
    parts = []
    for sign, words in word_changes(visible(before), visible(after)):
        if sign == "=":
            parts.append(words)
        else:
            start, end, action = marks[sign]
            parts.append(_paint(start + words + end, action, color))
    return " ".join(parts)


def word_changes(before: str, after: str) -> list[tuple[str, str]]:
    """`before` turned into `after` as runs of words, each marked `=` kept, `-` removed or
    `+` added, in reading order (a replacement's removed words before its added ones)."""
    old, new = before.split(" "), after.split(" ")
    runs = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("=", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("-", " ".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("+", " ".join(new[j1:j2])))
    return runs


def value_text(value: Any) -> str:
    """A field's value as plans show it: JSON, keys sorted, and nothing hidden in it."""
    return visible(json.dumps(value, ensure_ascii=False, sort_keys=True))


def name_text(name: str) -> str:
    """A resource's name as plans show it: quoted as JSON."""
    return visible(json.dumps(name))


def _paint(text: str, action: Action, color: bool) -> str:
    return click.style(text, fg=_COLOR[action], bold=True) if color else text
