"""User values shown to people: control and invisible characters become visible escapes."""

from __future__ import annotations

import pytest

from genesys_reconcile.text_safety import visible
from tests.hostile import hidden


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("x\n::warning file=a,line=1::forged", "x\\n::warning file=a,line=1::forged"),
        ("a\rb\tc", "a\\rb\\tc"),
        ("\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07"),
        ("\x00\x7f\x85\x9b", "\\x00\\x7f\\x85\\x9b"),
        ("abc\u202edef", "abc\\u202edef"),
        ("\u200b\u200c\u200d\u200e\u200f", "\\u200b\\u200c\\u200d\\u200e\\u200f"),
        ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),
        ("\u2066\u2067\u2068\u2069\ufeff\u061c", "\\u2066\\u2067\\u2068\\u2069\\ufeff\\u061c"),
        ("line\u2028break", "line\\u2028break"),
        ("tag\U000e0041", "tag\\U000e0041"),
    ],
)
def test_control_and_invisible_characters_become_escapes(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert hidden(visible(text)) == []


@pytest.mark.parametrize(
    "text", ["Voice Calls Over 5 Minutes", "Zürich \u2013 東京 ✓ ½", "a\\nb", ""]
)
def test_text_people_can_read_is_left_alone(text: str) -> None:
    assert visible(text) == text
