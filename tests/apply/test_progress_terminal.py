"""Apply's progress on a terminal, as a 50-column screen shows it: the finished changes left in
the scrollback, one status line below them that never wraps, and a summary when stopped."""

from __future__ import annotations

import io
import re
import signal
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from genesys_reconcile.apply.outcomes import Outcome
from genesys_reconcile.apply.progress import Progress
from genesys_reconcile.apply.run import Applied, apply_plan
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.plan.run import Selection, planned
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.settings import load_settings
from tests.genesys.conftest import make_client
from tests.sandbox.conftest import FakeClock

WIDTH = 50


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr does in a shell."""

    def isatty(self) -> bool:
        return True


class Screen:
    """What a terminal `width` columns wide shows once `text` is written to it: a row wraps at
    the edge, `\\r` goes back to the row's start, `\\n` to the next row's start (as the tty
    driver makes it), `\\x1b[K` clears to the row's end and `\\x1b[2K` the whole row."""

    def __init__(self, text: str, width: int = WIDTH) -> None:
        self.width, self.rows, self.row, self.col = width, [""], 0, 0
        at = 0
        while at < len(text):
            for sequence, clear in (("\x1b[K", self._clear_to_end), ("\x1b[2K", self._clear)):
                if text.startswith(sequence, at):
                    clear()
                    at += len(sequence)
                    break
            else:
                assert text[at] != "\x1b", (
                    f"an escape sequence a plain screen does not know: {text[at : at + 8]!r}"
                )
                self._put(text[at])
                at += 1

    @property
    def lines(self) -> list[str]:
        """The rows, without the empty one the cursor rests on after a last line break."""
        return self.rows[:-1] if self.rows[-1] == "" else self.rows

    def _put(self, character: str) -> None:
        if character == "\r":
            self.col = 0
        elif character == "\n":
            self._next_row()
        else:
            if self.col == self.width:  # the edge: the text goes on at the next row's start
                self._next_row()
            row = self.rows[self.row].ljust(self.col)
            self.rows[self.row] = row[: self.col] + character + row[self.col + 1 :]
            self.col += 1

    def _next_row(self) -> None:
        self.row, self.col = self.row + 1, 0
        if self.row == len(self.rows):
            self.rows.append("")

    def _clear_to_end(self) -> None:
        self.rows[self.row] = self.rows[self.row][: self.col]

    def _clear(self) -> None:
        self.rows[self.row] = ""


def wrapped(line: str, width: int = WIDTH) -> list[str]:
    """A line as a screen this wide shows it: cut into rows at the edge."""
    return textwrap.wrap(line, width, drop_whitespace=False, break_on_hyphens=False) or [""]


def test_the_screen_model_wraps_clears_and_returns_as_a_terminal_does() -> None:
    screen = Screen("a" * 52 + "\r\x1b[Kb\nc\x1b[2Kd\n" + "e" * 50 + "\nf")
    assert screen.lines == ["a" * 50, "b", " d", "e" * 50, "f"]


@pytest.fixture
def client(server: SandboxServer, clock: FakeClock) -> Iterator[GenesysClient]:
    with make_client(server, clock) as made:
        yield made


def applied_on(terminal: Terminal, client: GenesysClient, repo: Path, **options: object) -> Applied:
    """The example repository applied to the sandbox, its progress on `terminal`."""
    config = load_settings()
    ready = planned(config, client)
    progress = Progress(len(ready.plan.changes), terminal, live=True, **options)  # type: ignore[arg-type]
    return apply_plan(config, client, ready, Selection(), repo / "audit.jsonl", 60, None, progress)


FINISHED = [
    "+ AnalyticsSegment 'Chat Wrap-Up Over a Minute': created in N s",
    "+ AnalyticsSegment 'Long Holds in Support': created in N s",
    "+ ContactListFilter 'Holiday Promo audience': created in N s",
    "+ RuleSet 'Holiday Promo exclusions': created in N s",
    "~ AnalyticsSegment 'Voice Calls Over 5 Minutes Q3': updated in N s",
    "~ CampaignSegmentation 'Lapsed Customer Win-Back': updated in N s",
    "~ CampaignSegmentation 'Spring Outreach': updated in N s",
    "~ CampaignSettings 'Holiday Promo': updated in N s",
    "~ ContactListFilter 'Renewals audience': updated in N s",
    "~ JourneySegment 'Returning mobile visitors from paid search': updated in N s",
]
TOTAL = len(FINISHED)  # the demo plan's changes


def seconds_as_n(text: str) -> str:
    """`text` with each change's duration as N: threads finish in any order."""
    return re.sub(r" in \d+(\.\d)? s\b", " in N s", text)


def test_each_finished_change_is_left_in_the_scrollback_under_one_status_line(
    repo: Path, client: GenesysClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    terminal = Terminal()

    result = applied_on(terminal, client, repo)

    assert result.ok
    rows = Screen(terminal.getvalue()).lines
    *scrollback, last = rows
    assert sorted(seconds_as_n(line) for line in joined(scrollback)) == FINISHED, rows
    assert re.fullmatch(rf"\[{TOTAL}/{TOTAL}\] \S+ s elapsed, \S+/(s|min)", last), rows
    # Each state of the status line, as drawn: none reaches the edge, where it would wrap.
    drawn = [part for part in terminal.getvalue().split("\r\x1b[K") if part and "\n" not in part]
    assert len(drawn) > TOTAL and all(len(status) < WIDTH for status in drawn), drawn
    assert all(re.match(rf"\[\d+/{TOTAL}\] \S+ s elapsed, \S+/(s|min), ETA ", s) for s in drawn)


def joined(rows: list[str]) -> list[str]:
    """The lines a screen's rows show, a full-width row going on in the next."""
    lines, current = [], ""
    for row in rows:
        current += row
        if len(row) < WIDTH:
            lines.append(current)
            current = ""
    return [*lines, current] if current else lines


class InterruptedAfterFirst(Progress):
    """Progress that presses Ctrl-C once the first change has finished: the signal reaches
    the main thread, as it does when a user presses it."""

    def finished(self, outcome: Outcome) -> None:
        super().finished(outcome)
        if self.done == 1:
            signal.raise_signal(signal.SIGINT)


def test_an_interrupted_apply_says_what_it_did_and_did_not_and_where_its_audit_is(
    repo: Path, client: GenesysClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        terminal = Terminal()
        config = load_settings()
        ready = planned(config, client)
        progress = InterruptedAfterFirst(len(ready.plan.changes), terminal, live=True)
        result = apply_plan(
            config, client, ready, Selection(), repo / "audit.jsonl", 60, None, progress
        )
    finally:
        signal.signal(signal.SIGINT, previous)

    assert isinstance(result.stopped, KeyboardInterrupt)
    shown = joined(Screen(terminal.getvalue()).lines)
    # Only segments had started (their changes go first); those that had, finished and were
    # recorded, and nothing else started.
    done = [o.change.name for o in result.outcomes]
    segments = {n: v for n, v in SEGMENTS.items() if n in done}
    assert done and all(o.ok for o in result.outcomes) and set(done) <= set(SEGMENTS)
    scrolled = [f"{SIGNS[v]} AnalyticsSegment {n!r}: {v} in N s" for n, v in segments.items()]
    assert sorted(seconds_as_n(line) for line in shown[: len(done)]) == sorted(scrolled)
    assert re.fullmatch(rf"\[{len(done)}/{TOTAL}\] \S+ s elapsed, \S+", shown[len(done)])
    verbs = list(segments.values())
    counts = ", ".join(f"{verbs.count(v)} {v}" for v in ("created", "updated") if v in verbs)
    assert shown[len(done) + 1 :] == [
        f"Stopped: {len(done)} of {TOTAL} changes finished, {TOTAL - len(done)} not started.",
        f"  AnalyticsSegment: {counts}",
        *[f"  not started: {line}" for line in PLAN if line.split("'")[1] not in done],
        f"  audit trail: {repo / 'audit.jsonl'}",
    ]


SEGMENTS = {  # the example's segment changes, in plan order, and what each does
    "Chat Wrap-Up Over a Minute": "created",
    "Long Holds in Support": "created",
    "Voice Calls Over 5 Minutes Q3": "updated",
}
SIGNS = {"created": "+", "updated": "~"}
PLAN = [  # the example's changes, in plan order
    "+ AnalyticsSegment 'Chat Wrap-Up Over a Minute'",
    "+ AnalyticsSegment 'Long Holds in Support'",
    "~ AnalyticsSegment 'Voice Calls Over 5 Minutes Q3'",
    "+ ContactListFilter 'Holiday Promo audience'",
    "~ ContactListFilter 'Renewals audience'",
    "~ CampaignSegmentation 'Lapsed Customer Win-Back'",
    "~ CampaignSegmentation 'Spring Outreach'",
    "+ RuleSet 'Holiday Promo exclusions'",
    "~ CampaignSettings 'Holiday Promo'",
    "~ JourneySegment 'Returning mobile visitors from paid search'",
]
