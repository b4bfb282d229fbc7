"""`reconcile validate` output when the files hold hostile text: one line per problem, and no
character that moves the cursor, reorders text or starts a workflow command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile import hidden

HOSTILE = (
    "kind: AnalyticsSegment\nname: Hostile\n"
    '"k\\n::warning file=a,line=1::forged\\e]0;title\\a\\u202e\\u200b": 1\n'
)


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    return tmp_path


def test_text_shows_hostile_text_escaped_on_one_line(run, hostile: Path) -> None:
    result = run("validate", "--format", "text", "hostile.yaml")

    lines = result.out.splitlines()
    assert hidden(result.out) == []
    assert all(line.startswith("hostile.yaml:") for line in lines[:-1])
    assert (
        "unknown property 'k\\n::warning file=a,line=1::forged\\x1b]0;title\\x07\\u202e\\u200b'"
        in result.out
    )


def test_github_annotations_cannot_be_forged_or_hide_text(run, hostile: Path) -> None:
    result = run("validate", "--format", "github", "hostile.yaml")

    lines = result.out.splitlines()
    assert hidden(result.out) == []
    assert all(line.startswith("::error file=hostile.yaml,") for line in lines)
    assert (
        "unknown property 'k\\n%3A%3Awarning" not in result.out  # data is not a property
        and "::unknown property 'k\\n::warning file=a,line=1::forged\\x1b]0;title\\x07"
        "\\u202e\\u200b'"
        in result.out
    )


def test_json_keeps_the_exact_text(run, hostile: Path) -> None:
    import json

    result = run("validate", "--format", "json", "hostile.yaml")

    messages = [d["message"] for d in json.loads(result.out)]
    assert "unknown property 'k\n::warning file=a,line=1::forged\x1b]0;title\x07\u202e\u200b'" in (
        messages
    )
