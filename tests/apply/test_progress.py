"""Apply's progress: on a terminal, finished changes in the scrollback under one status line of
counts and timings; elsewhere, plain lines; names and messages always shown escaped."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from genesys_reconcile import log
from genesys_reconcile.apply.outcomes import Outcome, summary
from genesys_reconcile.apply.progress import Progress
from genesys_reconcile.plan.model import Action, Change
from tests.apply.test_progress_terminal import Screen, Terminal
from tests.hostile import hidden
from tests.processes import wait_for
from tests.sandbox.conftest import FakeClock

SEGMENT = Change("AnalyticsSegment", "A", Action.CREATE, ())
CAMPAIGN = Change("CampaignSegmentation", "B", Action.UPDATE, ())
FILTER = Change("ContactListFilter", "C", Action.DELETE, ())


def test_a_terminal_keeps_each_finished_change_and_one_status_line_of_counts_and_timings() -> None:
    clock, terminal = FakeClock(0), Terminal()
    progress = Progress(3, terminal, live=True, clock=clock, width=lambda: 120, every=0)
    progress.starting(SEGMENT)
    clock.advance(1.5)
    progress.finished(Outcome(SEGMENT, "applied"))
    progress.starting(CAMPAIGN)
    clock.advance(2.5)
    progress.waiting("waiting for the index rebuild of CampaignSegmentation 'B' (2 s)")
    assert Screen(terminal.getvalue(), 120).lines == [
        "+ AnalyticsSegment 'A': created in 1.5 s",
        "[1/3] 4.0 s elapsed, 15/min, ETA 8.0 s; waiting for the index rebuild of CampaignSegmentation 'B' (2 s)",
    ]
    clock.advance(2)
    progress.finished(Outcome(CAMPAIGN, "failed", "index rebuild failed: bad column"))
    assert Screen(terminal.getvalue(), 120).lines[1:] == [
        "~ CampaignSegmentation 'B': failed after 4.5 s: index rebuild failed: bad column",
        "[2/3] 6.0 s elapsed, 20/min, ETA 3.0 s",
    ]
    progress.starting(FILTER)
    clock.advance(6)
    progress.finished(Outcome(FILTER, "applied", "read again"))
    progress.close()
    assert Screen(terminal.getvalue(), 120).lines[2:] == [
        "- ContactListFilter 'C': deleted in 6.0 s (read again)",
        "[3/3] 12 s elapsed, 15/min",
    ]


def test_a_log_event_during_apply_gets_a_row_of_its_own_above_the_status_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)  # where log events go, as apply's progress
    log.configure("warning", json=False)
    progress = Progress(2, terminal, live=True, clock=FakeClock(0), width=lambda: 120, every=0)
    progress.starting(SEGMENT)
    log.get("http").warning("http.unreachable", host="api.example")
    rows = Screen(terminal.getvalue(), 120).lines
    assert "http.unreachable" in rows[0] and "[0/2]" not in rows[0]
    assert rows[1:] == ["[0/2] 0.0 s elapsed, -/s, ETA ?"]
    progress.close()
    log.get("http").warning("after")  # once apply is done, the log writes as before
    assert "after" in Screen(terminal.getvalue(), 120).lines[-1]


def test_the_status_line_follows_the_terminal_width_as_it_is_resized() -> None:
    width, terminal = 80, Terminal()
    progress = Progress(9, terminal, live=True, clock=FakeClock(0), width=lambda: width, every=0)
    drawn = []
    for width in (80, 30, 12):  # noqa: B007 (read by the width function)
        before = len(terminal.getvalue())
        progress.starting(SEGMENT)
        drawn.append(terminal.getvalue()[before:])
    assert drawn == [
        "\r\x1b[K[0/9] 0.0 s elapsed, -/s, ETA ?",
        "\r\x1b[K[0/9] 0.0 s elapsed, -/s, ...",
        "\r\x1b[K[0/9] 0....",
    ]


def test_the_status_line_keeps_counting_while_no_change_reports() -> None:
    clock, terminal = FakeClock(0), Terminal()
    progress = Progress(2, terminal, live=True, clock=clock, width=lambda: 80, every=0.01)
    progress.starting(SEGMENT)
    clock.advance(42)  # a write held back by the rate limit, say
    wait_for(lambda: "[0/2] 42 s elapsed" in Screen(terminal.getvalue(), 80).lines[-1])
    progress.close()
    assert progress.ticker is not None
    progress.ticker.join(timeout=10)
    assert not progress.ticker.is_alive()
    assert Screen(terminal.getvalue(), 80).lines == ["[0/2] 42 s elapsed, -/s"]


def test_a_log_gets_one_line_per_finished_change_and_no_waits_or_status() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream, live=False, clock=FakeClock(0))
    progress.starting(SEGMENT)
    progress.finished(Outcome(SEGMENT, "applied"))
    progress.starting(CAMPAIGN)
    progress.waiting("waiting for the index rebuild of CampaignSegmentation 'B' (3 s)")
    progress.finished(Outcome(CAMPAIGN, "stale", "changed since the plan; plan again"))
    progress.close()
    assert stream.getvalue() == (
        "+ AnalyticsSegment 'A': applied\n"
        "~ CampaignSegmentation 'B': stale: changed since the plan; plan again\n"
    )


def test_a_stopped_run_says_what_it_did_per_kind_what_it_never_started_and_where_its_audit_is() -> (
    None
):
    stream = io.StringIO()
    progress = Progress(5, stream, live=False, clock=FakeClock(0))
    other = Change("AnalyticsSegment", "A2", Action.UPDATE, ())
    outcomes = [
        Outcome(SEGMENT, "applied"),
        Outcome(other, "applied"),
        Outcome(Change("AnalyticsSegment", "A3", Action.CREATE, ()), "failed", "400"),
    ]
    progress.stopped(outcomes, [CAMPAIGN, FILTER], Path(".reconcile/audit.jsonl"))
    assert stream.getvalue() == (
        "Stopped: 3 of 5 changes finished, 2 not started.\n"
        "  AnalyticsSegment: 1 created, 1 updated, 1 failed\n"
        "  not started: ~ CampaignSegmentation 'B'\n"
        "  not started: - ContactListFilter 'C'\n"
        "  audit trail: .reconcile/audit.jsonl\n"
    )


HOSTILE_NAME = "A\n::warning file=a,line=1::forged\x1b]0;title\x07\u202e"
SHOWN_NAME = "A\\n::warning file=a,line=1::forged\\x1b]0;title\\x07\\u202e"


def test_hostile_text_in_a_progress_line_is_shown_escaped() -> None:
    hostile = Change("AnalyticsSegment", HOSTILE_NAME, Action.CREATE, ())
    for live in (True, False):
        stream = Terminal() if live else io.StringIO()
        progress = Progress(1, stream, live=live, clock=FakeClock(0), width=lambda: 500)
        progress.starting(hostile)
        progress.waiting(
            f"waiting for the index rebuild of CampaignSegmentation {HOSTILE_NAME} (3 s)"
        )
        progress.finished(Outcome(hostile, "failed", f"400 {HOSTILE_NAME}"))
        progress.stopped([], [hostile], Path(f"audit{HOSTILE_NAME}"))
        shown = stream.getvalue().replace("\r\x1b[K", "")  # the status line's own controls
        assert hidden(shown) == []
        assert f"+ AnalyticsSegment '{SHOWN_NAME}': failed" in shown
        assert f": 400 {SHOWN_NAME}\n" in shown


def test_hostile_text_in_the_apply_summary_is_shown_escaped() -> None:
    change = Change("AnalyticsSegment", HOSTILE_NAME, Action.CREATE, ())
    failed = Outcome(change, "failed", f"400 invalid name {HOSTILE_NAME}")

    shown = summary([failed])

    assert hidden(shown) == []
    assert shown.splitlines()[1].endswith(f": 400 invalid name {SHOWN_NAME}")
