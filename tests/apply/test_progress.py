"""Apply's progress: a status line rewritten in place on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io

from genesys_reconcile.apply.progress import Progress


def test_a_terminal_gets_one_status_line_rewritten_in_place() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream, live=True)
    progress.finished("+ AnalyticsSegment 'A': applied")
    progress.waiting("CampaignSegmentation 'B': waiting for its index (3 s)")
    progress.finished("~ CampaignSegmentation 'B': applied")
    progress.close()
    assert stream.getvalue() == (
        "\r\x1b[2K[1/2] + AnalyticsSegment 'A': applied"
        "\r\x1b[2K[1/2] CampaignSegmentation 'B': waiting for its index (3 s)"
        "\r\x1b[2K[2/2] ~ CampaignSegmentation 'B': applied\n"
    )


def test_a_log_gets_one_line_per_finished_change_and_no_waits() -> None:
    stream = io.StringIO()
    progress = Progress(2, stream, live=False)
    progress.finished("+ AnalyticsSegment 'A': applied")
    progress.waiting("CampaignSegmentation 'B': waiting for its index (3 s)")
    progress.close()
    assert stream.getvalue() == "+ AnalyticsSegment 'A': applied\n"
