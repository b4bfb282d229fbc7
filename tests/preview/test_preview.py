"""Preview numbers against sums computed directly from the sandbox's data set."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.preview.query import NeedsDetails, PreviewError, Window
from genesys_reconcile.preview.run import conversations, preview
from genesys_reconcile.preview.source import Analytics
from genesys_reconcile.sandbox.analytics import SLA_MS, Conversation
from genesys_reconcile.sandbox.app import Sandbox
from tests.preview.helpers import data_set, queue_names, segment

START = datetime(2024, 7, 1, tzinfo=UTC)
END = datetime(2024, 7, 11, tzinfo=UTC)

Keep = Callable[[Conversation, str], bool]  # a conversation, and its queue's name
# What each duration field reads, as a conversation's own numbers: a call's duration is its
# handle time once answered and its wait until the caller hung up when abandoned.
CALL: Callable[[Conversation], int] = lambda c: c.wait_ms if c.abandoned else c.handle_ms  # noqa: E731
CASES: dict[str, tuple[list[str], str, Keep, str | None]] = {
    "a dimension: chat, abandoned ones included": (
        ["{type: EQUAL, field: conversation.channel, value: chat}"],
        "AND",
        lambda c, q: c.media_type == "chat",
        None,
    ),
    "NOTEQUAL: voice outside Support": (
        [
            "{type: EQUAL, field: conversation.channel, value: voice}",
            "{type: NOTEQUAL, field: queue.name, value: Support}",
        ],
        "AND",
        lambda c, q: c.media_type == "voice" and q != "Support",
        None,
    ),
    "a duration range: long voice calls outside Support": (
        [
            "{type: EQUAL, field: conversation.channel, value: voice}",
            "{type: GREATERTHAN, field: conversation.metrics.callDuration, value: 300}",
            "{type: NOTEQUAL, field: queue.name, value: Support}",
        ],
        "AND",
        lambda c, q: c.media_type == "voice" and CALL(c) > 300_000 and q != "Support",
        "call",
    ),
    "a duration range: short voice calls, early hang-ups included": (
        [
            "{type: EQUAL, field: conversation.channel, value: voice}",
            "{type: LESSTHAN, field: conversation.metrics.callDuration, value: 30}",
        ],
        "AND",
        lambda c, q: c.media_type == "voice" and CALL(c) < 30_000,
        "call",
    ),
    "a duration NOTEQUAL: waits other than 12 seconds": (
        ["{type: NOTEQUAL, field: conversation.metrics.waitDuration, value: 12}"],
        "AND",
        lambda c, q: c.wait_ms != 12_000,
        "wait",
    ),
    "a duration range: holds of two minutes or more": (
        ["{type: GREATERTHANOREQUAL, field: conversation.metrics.holdDuration, value: 120}"],
        "AND",
        lambda c, q: not c.abandoned and c.hold_ms >= 120_000,
        "hold",
    ),
    "OR: email or the Sales queue": (
        [
            "{type: EQUAL, field: conversation.channel, value: email}",
            "{type: EQUAL, field: queue.name, value: Sales}",
        ],
        "OR",
        lambda c, q: c.media_type == "email" or q == "Sales",
        None,
    ),
    "everything": ([], "AND", lambda c, q: True, None),
}


def expected_rows(
    sandbox: Sandbox, keep: Keep, duration: str | None = None
) -> dict[tuple[str, str], dict[str, float | None]]:
    """Per (queue name, media type): the figures, summed by hand from the conversations. With a
    duration condition, the API counts the conversations in range and what the condition's
    own metrics say of them, nothing else."""
    names = queue_names(sandbox)
    groups: dict[tuple[str, str], list[Conversation]] = defaultdict(list)
    for c in data_set(sandbox).conversations(START, END):
        if keep(c, names[c.queue_id]):
            groups[(names[c.queue_id], c.media_type)].append(c)
    result = {}
    for key, found in groups.items():
        answered = [c for c in found if not c.abandoned]
        handle = sum(c.handle_ms for c in answered) / len(answered) / 1000 if answered else None
        result[key] = {
            "offered": len(found),
            "answered": len(answered),
            "abandoned": len(found) - len(answered),
            "abandonRate": (len(found) - len(answered)) / len(found),
            "slaBreachRate": None
            if duration
            else sum(c.wait_ms > SLA_MS[c.media_type] for c in found) / len(found),
            "avgHandle": handle if duration in (None, "call") else None,
            "avgWait": sum(c.wait_ms for c in found) / len(found) / 1000
            if duration in (None, "wait")
            else None,
        }
    return result


def figures(preview_rows: list) -> dict[tuple[str, str], dict[str, float | None]]:
    return {
        (r.queue, r.media_type): {
            "offered": r.counts.offered,
            "answered": r.counts.answered,
            "abandoned": r.counts.abandoned,
            "abandonRate": r.counts.abandon_rate,
            "slaBreachRate": r.counts.sla_breach_rate,
            "avgHandle": r.counts.avg_handle_s,
            "avgWait": r.counts.avg_wait_s,
        }
        for r in preview_rows
    }


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rows_match_sums_over_the_data_set(
    case: tuple[list[str], str, Keep, str | None],
    client: GenesysClient,
    sandbox: Sandbox,
    tmp_path: Path,
) -> None:
    predicates, combination, keep, duration = case
    resource = segment(tmp_path, predicates, combination=combination)

    result = preview(Analytics(client), resource)

    expected = expected_rows(sandbox, keep, duration)
    found = figures(result.rows)
    assert found.keys() == expected.keys()
    for key, numbers in expected.items():
        assert found[key] == pytest.approx(numbers), key
    assert result.totals.offered == sum(int(e["offered"] or 0) for e in expected.values()) > 0
    assert result.totals.abandoned == sum(int(e["abandoned"] or 0) for e in expected.values())


def test_short_calls_show_the_early_hang_ups(
    client: GenesysClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    resource = segment(
        tmp_path,
        [
            "{type: EQUAL, field: conversation.channel, value: voice}",
            "{type: LESSTHAN, field: conversation.metrics.callDuration, value: 30}",
        ],
    )
    hung_up = [
        c
        for c in data_set(sandbox).conversations(START, END)
        if c.media_type == "voice" and c.abandoned and c.wait_ms < 30_000
    ]

    totals = preview(Analytics(client), resource).totals

    assert totals.abandoned == len(hung_up) > 0


def test_what_views_cannot_count_is_refused_and_listed_instead(
    client: GenesysClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    resource = segment(
        tmp_path,
        [
            "{type: EQUAL, field: conversation.direction, value: outbound}",
            "{type: GREATERTHANOREQUAL, field: conversation.metrics.waitDuration, value: 60}",
        ],
        combination="OR",
    )
    wanted = [
        c
        for c in data_set(sandbox).conversations(START, END)
        if c.direction == "outbound" or c.wait_ms >= 60_000
    ]
    analytics = Analytics(client)

    with pytest.raises(NeedsDetails, match=r"under-test\.yaml:\d+"):
        preview(analytics, resource)
    assert conversations(analytics, resource, limit=1).total == len(wanted) > 0
    window = Window(START, END)
    assert analytics.matched(resource.document.data["query"], window, str) == len(wanted)


def test_rows_come_sorted_by_queue_then_media_type(client: GenesysClient, tmp_path: Path) -> None:
    result = preview(Analytics(client), segment(tmp_path, []))

    keys = [(r.queue, r.media_type) for r in result.rows]
    media_order = ["voice", "chat", "email", "message", "callback"]
    assert keys == sorted(keys, key=lambda k: (k[0].casefold(), media_order.index(k[1])))


def test_every_daily_bucket_is_there_and_counts_its_day(
    client: GenesysClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    resource = segment(tmp_path, ["{type: EQUAL, field: conversation.channel, value: voice}"])

    result = preview(Analytics(client), resource)

    days = [START + timedelta(days=i) for i in range(10)]
    assert [b.start for b in result.buckets] == days
    per_day = [
        sum(c.media_type == "voice" for c in data_set(sandbox).conversations(d, d + timedelta(1)))
        for d in days
    ]
    assert [b.counts.offered for b in result.buckets] == per_day


def test_a_segment_matching_nothing_has_no_rows_and_no_rates(
    client: GenesysClient, tmp_path: Path
) -> None:
    resource = segment(
        tmp_path, ["{type: LESSTHAN, field: conversation.metrics.waitDuration, value: 0}"]
    )

    result = preview(Analytics(client), resource)

    assert result.rows == []
    assert result.totals.offered == 0
    assert result.totals.abandon_rate is None and result.totals.avg_handle_s is None
    assert all(b.counts.offered == 0 for b in result.buckets) and len(result.buckets) == 10
    assert result.anomalies == []


def test_since_replaces_the_segment_window(client: GenesysClient, tmp_path: Path) -> None:
    window = Window(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 3, tzinfo=UTC))

    result = preview(Analytics(client), segment(tmp_path, []), window)

    assert result.query["interval"] == "2025-03-01T00:00:00Z/2025-03-03T00:00:00Z"
    assert [b.start.day for b in result.buckets] == [1, 2]


def test_a_queue_the_org_lacks_is_an_error_at_the_predicate(
    client: GenesysClient, tmp_path: Path
) -> None:
    resource = segment(tmp_path, ["{type: EQUAL, field: queue.name, value: Suport}"])

    with pytest.raises(PreviewError) as caught:
        preview(Analytics(client), resource)

    assert str(caught.value).startswith(f"{resource.document.file}:10:")
    assert "no queue.name 'Suport' in the org" in str(caught.value)
    assert "Support" in str(caught.value)


# -- --conversations ----------------------------------------------------------------------------


def test_conversations_are_the_matching_ones_oldest_first(
    client: GenesysClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    resource = segment(
        tmp_path,
        [
            "{type: EQUAL, field: queue.name, value: Billing}",
            "{type: GREATERTHAN, field: conversation.metrics.holdDuration, value: 60}",
        ],
    )
    billing = next(q for q, n in queue_names(sandbox).items() if n == "Billing")
    wanted = [
        c
        for c in data_set(sandbox).conversations(START, END)
        if c.queue_id == billing and not c.abandoned and c.hold_ms > 60_000
    ]

    found = conversations(Analytics(client), resource, limit=10)

    assert found.total == len(wanted) > 10
    assert [r.conversation_id for r in found.rows] == [c.conversation_id for c in wanted[:10]]
    first, source = found.rows[0], wanted[0]
    assert (first.queue, first.media_type, first.abandoned) == ("Billing", source.media_type, False)
    assert first.wait_s == source.wait_ms / 1000
    assert first.handle_s == source.handle_ms / 1000


def test_conversations_over_more_than_31_days_are_read_in_pieces(
    client: GenesysClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    resource = segment(
        tmp_path,
        ["{type: EQUAL, field: conversation.channel, value: callback}"],
        start="2024-07-01T00:00:00Z",
        end="2024-08-15T00:00:00Z",
    )
    end = datetime(2024, 8, 15, tzinfo=UTC)
    wanted = [c for c in data_set(sandbox).conversations(START, end) if c.media_type == "callback"]

    found = conversations(Analytics(client), resource, limit=100_000)

    assert found.total == len(wanted) == len(found.rows)
    assert [r.conversation_id for r in found.rows] == [c.conversation_id for c in wanted]


def test_conversations_count_what_the_aggregates_count(
    client: GenesysClient, tmp_path: Path
) -> None:
    resource = segment(
        tmp_path,
        [
            "{type: NOTEQUAL, field: conversation.channel, value: voice}",
            "{type: LESSTHAN, field: conversation.metrics.wrapUpDuration, value: 20}",
        ],
    )
    analytics = Analytics(client)

    assert conversations(analytics, resource, limit=1).total == (
        preview(analytics, resource).totals.offered
    )


def test_an_or_across_queue_and_channel_cannot_list_conversations(
    client: GenesysClient, tmp_path: Path
) -> None:
    resource = segment(
        tmp_path,
        [
            "{type: EQUAL, field: queue.name, value: Sales}",
            "{type: EQUAL, field: conversation.direction, value: outbound}",
        ],
        combination="OR",
    )

    with pytest.raises(PreviewError, match="cannot list an OR filter"):
        conversations(Analytics(client), resource)
    assert preview(Analytics(client), resource).totals.offered > 0  # the aggregates still work
