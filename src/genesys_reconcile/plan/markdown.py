"""The plan as a pull-request comment: a header saying what it was made for, a summary table,
one collapsible section per resource in the file's own terms, and a footer saying what happens
next, within GitHub's comment limit.

GitHub renders HTML such as `<del>` and `<ins>` in markdown text but not in a code block, and
a long line in a code block scrolls sideways: so field changes are a table whose cells wrap,
words removed and added marked inside them, and only a created or deleted resource's YAML,
folded short, is a code block.

When the plan does not fit, whole sections are left out from the end, and a notice says how
many and where the full plan is; the header, summary, table and footer always stay.
"""

from __future__ import annotations

import re
from typing import Any

from genesys_reconcile.manifest.emit import dump, inline
from genesys_reconcile.plan.comment import Context, escaped, file_link, footer, header
from genesys_reconcile.plan.model import Action, Change, FieldChange, Plan
from genesys_reconcile.plan.text import came_and_went, name_text, summary, value_text, word_changes
from genesys_reconcile.text_safety import visible

COMMENT_LIMIT = 65_536  # characters GitHub accepts in one comment
MARKER = "<!-- genesys-reconcile plan -->"  # finds this comment again to update it
YAML_WIDTH = 80  # a created resource's YAML folds long strings here: no sideways scrolling
_VERB = {Action.CREATE: "created", Action.UPDATE: "updated in place", Action.DELETE: "deleted"}


def render(
    plan: Plan,
    context: Context | None = None,
    limit: int = COMMENT_LIMIT,
    full_plan: str = "the job's plan artifact",
) -> str:
    first, *rest = summary(plan).splitlines()
    head = [MARKER, f"### {escaped(first)}", "", *header(context)]
    # One item a line: lines alone would run together into one paragraph. They name live
    # resources, which anyone with console access names: shown as text.
    head += [f"- _{escaped(line)}_" for line in rest]
    if plan.changes:
        head += ["", "| | Kind | Name | File |", "|:-:|---|---|---|"]
        head += _rows(plan, context, limit // 2)
    text = "\n".join(head) + "\n"
    end = footer(context, plan.has_changes)
    sections = [_section(change, context) for change in plan.changes]
    for shown, section in enumerate(sections):
        notice = _notice(len(sections) - shown, full_plan)
        if len(text) + len(section) + len(notice) + len(end) > limit:
            return text + notice + end
        text += section
    return text + end


def _rows(plan: Plan, context: Context | None, budget: int) -> list[str]:
    """Table rows within `budget` characters, so even a huge plan keeps its summary."""
    rows: list[str] = []
    for index, c in enumerate(plan.changes):
        where = file_link(context, c.source) if c.source else ""
        row = f"| `{c.action.sign}` | {c.kind} | {escaped(c.name)} | {where} |"
        if sum(len(r) + 1 for r in rows) + len(row) > budget:
            return [*rows, f"| | | _and {len(plan.changes) - index:,} more_ | |"]
        rows.append(row)
    return rows


def _section(change: Change, context: Context | None) -> str:
    title = (
        f"<code>{change.action.sign}</code> {change.kind} <b>{escaped(name_text(change.name))}</b>"
    )
    where = f" <sub>{file_link(context, change.source)}</sub>" if change.source else ""
    # Updates are what reviewers weigh, so they are open; a create or delete is its file.
    opened = " open" if change.action is Action.UPDATE else ""
    body = "".join(f"{label}: {escaped(text)}\n\n" for label, text in _notes(change) if text)
    if change.document is not None and change.action is not Action.UPDATE:
        body += _document(change.document)
    elif change.reviewed:
        body += _table(change.reviewed, change.shown is not None)
    if change.unchanged_fields:
        hidden = change.unchanged_fields
        body += f"<sub>{hidden} unchanged field{'s' if hidden != 1 else ''} hidden</sub>\n\n"
    summary_line = f"{title} will be {_VERB[change.action]}{where}"
    return f"\n<details{opened}><summary>{summary_line}</summary>\n\n{body}</details>\n"


def _notes(change: Change) -> list[tuple[str, str | None]]:
    note = change.shown_note if change.document is None or change.action is Action.UPDATE else None
    return [("Reason", change.reason), ("Impact", change.impact), ("Note", note)]


def _document(document: dict[str, Any]) -> str:
    """A created or deleted resource as its file's YAML, in a block no value can close."""
    lines = [visible(line) for line in dump(document, width=YAML_WIDTH).splitlines()]
    fence = "`" * max(3, _longest_backticks("\n".join(lines)) + 1)
    return f"{fence}yaml\n" + "\n".join(lines) + f"\n{fence}\n"


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _table(fields: tuple[FieldChange, ...], file_terms: bool) -> str:
    rows = [
        f"| `{_sign(f)}` | <code>{escaped(f.path)}</code> | {_change(f, file_terms)} |"
        for f in fields
    ]
    return "\n".join(["| | Field | Change |", "|:-:|---|---|", *rows]) + "\n\n"


def _sign(field: FieldChange) -> str:
    if field.before is None:
        return Action.CREATE.sign
    return Action.DELETE.sign if field.after is None else Action.UPDATE.sign


def _change(field: FieldChange, file_terms: bool) -> str:
    """One field's change as a table cell: words removed struck through, words added
    underlined, as GitHub shows `<del>` and `<ins>`."""
    show = inline if file_terms else value_text
    before, after = field.before, field.after
    if file_terms and _plain_list(before) and _plain_list(after):
        return _members(before, after)
    if before is None:
        return _code(escaped(show(after)))
    if after is None:
        return _code(f"<del>{escaped(show(before))}</del>")
    if isinstance(before, str) and isinstance(after, str) and " " in before + after:
        return _code(_words(before, after))
    gone, came = escaped(show(before)), escaped(show(after))
    return f"{_code(f'<del>{gone}</del>')} → {_code(f'<ins>{came}</ins>')}"


def _members(before: list[Any], after: list[Any]) -> str:
    """A list of plain values changed, as the members that came and went; a list whose
    members stay but move, as its new order."""
    came, gone = came_and_went(before, after)
    if not came and not gone:
        return f"{_code(escaped(inline(before)))} → {_code(escaped(inline(after)))}"
    marked = [_code(f"<ins>+ {escaped(inline(v))}</ins>") for v in came]
    marked += [_code(f"<del>- {escaped(inline(v))}</del>") for v in gone]
    return ", ".join(marked)


def _words(before: str, after: str) -> str:
    tags = {"=": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}
    runs = word_changes(visible(before), visible(after))
    return " ".join(tags[sign].format(escaped(words)) for sign, words in runs)


def _plain_list(value: Any) -> bool:
    return isinstance(value, list) and not any(isinstance(v, dict | list) for v in value)


def _code(text: str) -> str:
    return f"<code>{text}</code>"


def _notice(left_out: int, full_plan: str) -> str:
    resources = "resource" if left_out == 1 else "resources"
    return (
        f"\n> [!WARNING]\n> {left_out} {resources} not shown: this comment is limited to "
        f"{COMMENT_LIMIT:,} characters. The full plan is in {full_plan}.\n"
    )
