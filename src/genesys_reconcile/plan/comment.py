"""What the plan comment says around the plan: a header naming the org, environment, commit,
time and run it was made for, links to the files at that commit, and a footer saying what
happens next; and the escaping that keeps text from files and the org from acting as markdown.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote

from genesys_reconcile.text_safety import visible


class Occasion(StrEnum):
    """What the plan was made for, which decides what happens next."""

    PULL_REQUEST = "pull-request"
    MERGE = "merge"
    DRIFT = "drift"


@dataclass(frozen=True)
class Context:
    """Where a plan comes from, as the comment's header and links show it. Each URL is None
    where it is not known (a plan made outside GitHub Actions)."""

    org_name: str
    org_id: str
    environment: str
    planned_at: datetime
    commit: str | None = None
    commit_url: str | None = None
    run_url: str | None = None
    file_base: str | None = None  # the repository's files at the commit: base + path
    occasion: Occasion | None = None


# What would act as markdown in text: emphasis, code, a table cell, strikethrough, a link
# (`](`), an autolink (`://`, `www.`, an address's `@`). An underscore inside a word does
# nothing (`engagement_score`), so is left as it is to keep the comment's source readable.
_ACTIVE = re.compile(r"[\\`*|~@]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|\]\(|://|www\.")


def escaped(text: str) -> str:
    """Text from a file or the org as inert markdown: shown as it is, never as markup, links,
    mentions of people or addresses, or an extra table cell."""
    safe = html.escape(visible(text), quote=False)
    return _ACTIVE.sub(lambda m: "".join(_inert(c) for c in m.group()), safe)


def _inert(character: str) -> str:
    # GitHub finds @mentions in the rendered text, where an entity is an `@` again: a
    # zero-width space after it keeps the name from notifying anyone.
    return "&#64;&#8203;" if character == "@" else f"&#{ord(character)};"


def attribute(text: str) -> str:
    """Text for inside an HTML attribute's double quotes."""
    return html.escape(visible(text), quote=True)


def file_link(context: Context | None, source: str) -> str:
    """`path:line` (a change's `source`), linked to that line of the file at the planned
    commit where the repository is known. Escaped for markdown, as a table cell reads it, which
    HTML reads the same."""
    found = re.fullmatch(r"(.*):(\d+):\d+", source)  # the path may hold a colon itself
    path, line = found.groups() if found else (source, "")
    shown = escaped(f"{path}:{line}" if line else path)
    if context is None or context.file_base is None:
        return shown
    anchor = f"#L{line}" if line else ""
    return f'<a href="{attribute(context.file_base + quote(path) + anchor)}">{shown}</a>'


def header(context: Context | None) -> list[str]:
    """One line: environment, org, commit, time and run."""
    if context is None:
        return []
    org = f"org {escaped(context.org_name)} (`{escaped(context.org_id)}`)"
    parts = [f"**{escaped(context.environment)}**", org]
    if context.environment == context.org_name:
        parts = [f"org **{escaped(context.org_name)}** (`{escaped(context.org_id)}`)"]
    if context.commit:
        commit = f"`{escaped(context.commit[:7])}`"
        parts.append(f"commit [{commit}]({context.commit_url})" if context.commit_url else commit)
    parts.append("planned " + context.planned_at.strftime("%Y-%m-%d %H:%M UTC"))
    if context.run_url:
        parts.append(f"[workflow run]({context.run_url})")
    return [" · ".join(parts), ""]


def footer(context: Context | None, has_changes: bool) -> str:
    """What happens next, for the occasion the plan was made for."""
    if context is None:
        return ""
    return f"\n---\n**What happens next:** {_NEXT[context.occasion, has_changes]}\n"


_NEXT = {
    (Occasion.PULL_REQUEST, True): (
        "nothing has been changed yet. On merge, apply.yml plans main again and applies it "
        "after approval in the genesys-production environment. A push to this branch plans "
        "again and updates this comment."
    ),
    (Occasion.PULL_REQUEST, False): (
        "merging this pull request changes nothing in the org. A push to this branch plans "
        "again and updates this comment."
    ),
    (Occasion.MERGE, True): (
        "an approver of the genesys-production environment reviews this plan; once approved, "
        "the apply job applies exactly these changes, and refuses any resource that changed "
        "in the org since."
    ),
    (Occasion.MERGE, False): "nothing: the org already matches main.",
    (Occasion.DRIFT, True): (
        "this issue means the org no longer matches main: it was changed outside the "
        "repository, or a merge was not applied. Either change the files to keep what the org "
        "now has (`reconcile export` writes live resources as files), or run the apply "
        "workflow to put the org back. The daily plan updates this issue, and closes it once "
        "the org matches again."
    ),
    (Occasion.DRIFT, False): "nothing: the org matches main again, so this issue is closed.",
    (None, True): (
        "nothing has been changed. `reconcile apply` applies this plan after asking; "
        "`reconcile apply plan.json` applies exactly a plan saved with `--out`."
    ),
    (None, False): "nothing: the org matches the repository.",
}
