"""`reconcile plan` when a file holds hostile text: the text and markdown plans show it
escaped, one line per field, and the JSON plan keeps it exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile import hidden

# Long enough to be shown as a word diff, the path that shows the text itself.
DESCRIPTION = (
    "Voice calls under 30 seconds, a sign of misroutes and early hang-ups"
    "\n::warning file=a,line=1::forged \x1b]0;title\x07 \x1b[2J \u202eevil\u200b"
)
SHOWN = "\\n::warning file=a,line=1::forged \\x1b]0;title\\x07 \\x1b[2J \\u202eevil\\u200b"


@pytest.fixture
def hostile(repo: Path) -> Path:
    path = repo / "segments/short-voice-calls.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("description:")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"description: {json.dumps(DESCRIPTION)}" + text[end:])
    return repo


def test_the_text_plan_shows_hostile_text_escaped(run, hostile: Path) -> None:
    result = run("plan", "--sandbox", "--no-impact")

    assert result.code == 0
    assert hidden(result.out) == []
    assert not any(line.startswith("::") for line in result.out.splitlines())
    assert SHOWN in result.out


def test_the_markdown_plan_shows_hostile_text_escaped(run, hostile: Path) -> None:
    result = run("plan", "--sandbox", "--no-impact", "--format", "markdown")

    assert result.code == 0
    assert hidden(result.out) == []
    assert not any(line.startswith("::") for line in result.out.splitlines())
    # Markdown reads a backslash as an escape: the comment writes it as an entity.
    assert SHOWN.replace("\\", "&#92;") in result.out


def test_the_json_plan_keeps_hostile_text_exact(run, hostile: Path) -> None:
    result = run("plan", "--sandbox", "--no-impact", "--format", "json")

    changes = json.loads(result.out)["changes"]
    afters = [f["after"] for c in changes for f in c["fields"] if f["path"] == "description"]
    assert DESCRIPTION in afters
