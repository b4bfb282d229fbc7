"""Apply's progress: a status line rewritten in place on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io

from genesys_reconcile.apply.outcomes import Outcome, summary
from genesys_reconcile.apply.progress import Progress
from genesys_reconcile.plan.model import Action, Change
from tests.hostile import hidden


def test_a_terminal_gets_one_status_line_rewritten_in_place() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream, live=True)
    progress.finished("+ AnalyticsSegment 'A': applied")
    progress.waiting("CampaignSegmentation 'B': waiting for its index rebuild (3 s)")
    progress.finished("~ CampaignSegmentation 'B': applied")
    progress.close()
    assert stream.getvalue() == (
        "\r\x1b[2K[1/2] + AnalyticsSegment 'A': applied"
        "\r\x1b[2K[1/2] CampaignSegmentation 'B': waiting for its index rebuild (3 s)"
        "\r\x1b[2K[2/2] ~ CampaignSegmentation 'B': applied\n"
    )


def test_a_log_gets_one_line_per_finished_change_and_no_waits() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream, live=False)
    progress.finished("+ AnalyticsSegment 'A': applied")
    progress.waiting("CampaignSegmentation 'B': waiting for its index rebuild (3 s)")
    progress.close()
    assert stream.getvalue() == "+ AnalyticsSegment 'A': applied\n"


HOSTILE_NAME = "A\n::warning file=a,line=1::forged\x1b]0;title\x07\u202e"
SHOWN_NAME = "A\\n::warning file=a,line=1::forged\\x1b]0;title\\x07\\u202e"


def test_hostile_text_in_a_progress_line_is_shown_escaped() -> None:
    for live in (True, False):
        stream = io.StringIO()
        progress = Progress(1, stream, live=live)
        progress.waiting(
            f"CampaignSegmentation {HOSTILE_NAME}: waiting for its index rebuild (3 s)"
        )
        progress.finished(f"+ AnalyticsSegment {HOSTILE_NAME}: failed: 400 {HOSTILE_NAME}")
        progress.close()
        shown = stream.getvalue().replace("\r\x1b[2K", "")  # the status line's own controls
        assert hidden(shown) == []
        assert f"+ AnalyticsSegment {SHOWN_NAME}: failed: 400 {SHOWN_NAME}" in shown


def test_hostile_text_in_the_apply_summary_is_shown_escaped() -> None:
    change = Change("AnalyticsSegment", HOSTILE_NAME, Action.CREATE, ())
    failed = Outcome(change, "failed", f"400 invalid name {HOSTILE_NAME}")

    shown = summary([failed])

    assert hidden(shown) == []
    assert shown.splitlines()[1].endswith(f": 400 invalid name {SHOWN_NAME}")
