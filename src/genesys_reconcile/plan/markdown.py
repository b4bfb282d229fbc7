"""The plan as a pull-request comment: a summary table, then one collapsible section per
resource with a `diff` block, within GitHub's comment limit.

When the plan does not fit, whole sections are left out from the end, and a notice says how
many and where the full plan is; the summary and the table always stay.
"""

from __future__ import annotations

import html

from genesys_reconcile.plan.model import Change, FieldChange, Plan
from genesys_reconcile.plan.text import name_text, summary, value_text
from genesys_reconcile.text_safety import visible

COMMENT_LIMIT = 65_536  # characters GitHub accepts in one comment
MARKER = "<!-- genesys-reconcile plan -->"  # finds this comment again to update it


def render(
    plan: Plan, limit: int = COMMENT_LIMIT, full_plan: str = "the job's plan artifact"
) -> str:
    head = [MARKER, f"### {summary(plan).splitlines()[0]}", ""]
    # Summary lines name live resources, which anyone with console access names: as text.
    head += [f"_{html.escape(line, quote=False)}_" for line in summary(plan).splitlines()[1:]]
    if plan.changes:
        head += ["", "| | Kind | Name | Fields |", "|:-:|---|---|--:|", *_rows(plan, limit // 2)]
    text = "\n".join(head) + "\n"
    sections = [_section(change) for change in plan.changes]
    for shown, section in enumerate(sections):
        notice = _notice(len(sections) - shown, full_plan)
        if len(text) + len(section) + len(notice) > limit:
            return text + notice
        text += section
    return text


def _rows(plan: Plan, budget: int) -> list[str]:
    """Table rows within `budget` characters, so even a huge plan keeps its summary."""
    rows: list[str] = []
    for index, c in enumerate(plan.changes):
        row = f"| `{c.action.sign}` | {c.kind} | {_cell(c.name)} | {len(c.fields)} |"
        if sum(len(r) + 1 for r in rows) + len(row) > budget:
            return [*rows, f"| | | _and {len(plan.changes) - index:,} more_ | |"]
        rows.append(row)
    return rows


def _section(change: Change) -> str:
    title = html.escape(f"{change.action.sign} {change.kind} {name_text(change.name)}", quote=False)
    where = (
        f" <sub>{html.escape(visible(change.source), quote=False)}</sub>" if change.source else ""
    )
    lines = [line for field in change.fields for line in _diff_lines(field)]
    body = "\n".join(lines).replace("```", "`\u200b``")  # a value cannot end the code block
    impact = (
        f"Impact: {html.escape(visible(change.impact), quote=False)}\n\n" if change.impact else ""
    )
    reason = (
        f"Reason: {html.escape(visible(change.reason), quote=False)}\n\n" if change.reason else ""
    )
    # A change with a reason may differ in no field: then there is no diff to show.
    diff = f"```diff\n{body}\n```\n" if lines else ""
    return f"\n<details><summary>{title}{where}</summary>\n\n{reason}{impact}{diff}</details>\n"


def _diff_lines(field: FieldChange) -> list[str]:
    # GitHub colours `-` lines red and `+` lines green in a diff block.
    lines = []
    if field.before is not None:
        lines.append(f"- {visible(field.path)}: {value_text(field.before)}")
    if field.after is not None:
        lines.append(f"+ {visible(field.path)}: {value_text(field.after)}")
    return lines


def _notice(left_out: int, full_plan: str) -> str:
    resources = "resource" if left_out == 1 else "resources"
    return (
        f"\n> [!WARNING]\n> {left_out} {resources} not shown: this comment is limited to "
        f"{COMMENT_LIMIT:,} characters. The full plan is in {full_plan}.\n"
    )


def _cell(text: str) -> str:
    return html.escape(visible(text)).replace("|", "\\|")
