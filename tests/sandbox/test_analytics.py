"""The sandbox's analytics queries, checked against plain Python over the generated conversations."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genesys_reconcile.sandbox.analytics import Analytics, Conversation
from genesys_reconcile.sandbox.errors import ApiError

QUEUES = [{"id": f"queue-{n}", "name": f"Queue {n}"} for n in ("a", "b", "c", "d")]
USERS = [{"id": f"user-{i:02d}", "name": f"Agent {i}"} for i in range(12)]
CAMPAIGNS = [{"id": "camp-1", "name": "Renewals"}, {"id": "camp-2", "name": "Win-back"}]
SLA_SECONDS = {"voice": 20, "callback": 20, "chat": 60, "message": 60, "email": 3600}
ALL_METRICS = [
    "nOffered", "tAnswered", "tAbandon", "tWait", "tTalk", "tHeld",
    "tAcw", "tHandle", "nOverSla", "nTransferred", "nConnected",
]  # fmt: skip


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def render(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def span(start: datetime, end: datetime) -> str:
    return f"{render(start)}/{render(end)}"


@pytest.fixture(scope="module")
def analytics() -> Analytics:
    return Analytics(11, QUEUES, USERS, CAMPAIGNS)


# ---- an independent statement of what each metric means --------------------------------------


def metric_value(c: Conversation, name: str) -> int | None:
    """The metric's value for one conversation, or None when it does not apply."""
    answered = not c.abandoned
    over_sla = c.wait_ms > SLA_SECONDS[c.media_type] * 1000
    values: dict[str, tuple[bool, int]] = {
        "nOffered": (True, 1),
        "nConnected": (answered, 1),
        "tAnswered": (answered, c.wait_ms),
        "tAbandon": (c.abandoned, c.wait_ms),
        "tWait": (True, c.wait_ms),
        "tTalk": (answered, c.talk_ms),
        "tHeld": (answered and c.hold_ms > 0, c.hold_ms),
        "tAcw": (answered, c.acw_ms),
        "tHandle": (answered, c.talk_ms + c.hold_ms + c.acw_ms),
        "nOverSla": (over_sla, 1),
        "nTransferred": (c.transferred, 1),
    }
    applies, value = values[name]
    return value if applies else None


def expected_stats(conversations: Iterable[Conversation], name: str) -> dict[str, int] | None:
    values = [v for c in conversations if (v := metric_value(c, name)) is not None]
    if not values:
        return None
    if name.startswith("n"):
        return {"count": len(values)}
    return {"count": len(values), "sum": sum(values), "min": min(values), "max": max(values)}


def expected_metrics(conversations: list[Conversation], metrics: list[str]) -> list[dict[str, Any]]:
    found = [(m, expected_stats(conversations, m)) for m in metrics]
    return [{"metric": m, "stats": s} for m, s in found if s is not None]


def offered_by_interval(result: dict[str, Any]) -> dict[str, int]:
    """`interval -> nOffered count` for an ungrouped answer."""
    assert len(result["results"]) <= 1
    return {
        entry["interval"]: next(
            m["stats"]["count"] for m in entry["metrics"] if m["metric"] == "nOffered"
        )
        for only in result["results"]
        for entry in only["data"]
    }


def count_between(conversations: list[Conversation], edges: list[datetime]) -> dict[str, int]:
    counts = {}
    for low, high in itertools.pairwise(edges):
        n = sum(1 for c in conversations if low <= c.start < high)
        if n:
            counts[span(low, high)] = n
    return counts


def offered(analytics: Analytics, interval: str, predicates: list[dict[str, Any]]) -> int:
    body = {
        "interval": interval,
        "metrics": ["nOffered"],
        "filter": {"type": "and", "predicates": predicates},
    }
    results = analytics.aggregates(body)["results"]
    return results[0]["data"][0]["metrics"][0]["stats"]["count"] if results else 0


WEEK = "2024-07-01T00:00:00Z/2024-07-08T00:00:00Z"
WEEK_START, WEEK_END = at("2024-07-01T00:00:00Z"), at("2024-07-08T00:00:00Z")


@pytest.fixture(scope="module")
def week(analytics: Analytics) -> list[Conversation]:
    return analytics.conversations(WEEK_START, WEEK_END)


# ---- determinism -------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_answers() -> None:
    body = {"interval": WEEK, "groupBy": ["queueId"], "metrics": ALL_METRICS, "granularity": "P1D"}
    details = {"interval": WEEK, "paging": {"pageSize": 50, "pageNumber": 3}}
    one, two = Analytics(3, QUEUES, USERS, CAMPAIGNS), Analytics(3, QUEUES, USERS, CAMPAIGNS)

    assert one.aggregates(body) == two.aggregates(body)
    assert one.details(details) == two.details(details)


def test_different_seeds_give_different_data() -> None:
    one, two = Analytics(3, QUEUES, USERS), Analytics(4, QUEUES, USERS)
    body = {"interval": WEEK, "groupBy": ["queueId"], "metrics": ["nOffered", "tHandle"]}
    first, second = (a.conversations(WEEK_START, WEEK_END) for a in (one, two))

    assert {c.conversation_id for c in first}.isdisjoint(c.conversation_id for c in second)
    assert [c.start for c in first] != [c.start for c in second]
    assert one.aggregates(body) != two.aggregates(body)


def test_answers_do_not_depend_on_the_process(analytics: Analytics) -> None:
    # String hashing is randomised per process; nothing in the data set may depend on it.
    script = (
        "import json, sys; from genesys_reconcile.sandbox.analytics import Analytics; "
        "q, u, c, body = json.loads(sys.argv[1]); "
        "print(json.dumps(Analytics(11, q, u, c).aggregates(body)))"
    )
    body = {"interval": WEEK, "groupBy": ["userId"], "metrics": ALL_METRICS, "granularity": "P1D"}
    argument = json.dumps([QUEUES, USERS, CAMPAIGNS, body])
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run(
            [sys.executable, "-c", script, argument], env=env, capture_output=True, check=True
        )
        assert json.loads(run.stdout) == analytics.aggregates(body)


def test_a_day_is_the_same_alone_or_inside_a_longer_interval() -> None:
    day_start, day_end = at("2024-07-03T00:00:00Z"), at("2024-07-04T00:00:00Z")
    alone = Analytics(9, QUEUES, USERS, CAMPAIGNS).conversations(day_start, day_end)
    within = Analytics(9, QUEUES, USERS, CAMPAIGNS).conversations(WEEK_START, WEEK_END)

    assert alone == [c for c in within if day_start <= c.start < day_end]
    assert alone


def test_any_interval_has_data(analytics: Analytics) -> None:
    last_week = datetime.now(UTC) - timedelta(days=7)
    for start in (at("2019-02-04T00:00:00Z"), last_week):
        assert analytics.conversations(start, start + timedelta(days=1))


def test_conversations_are_sorted_and_inside_the_interval(analytics: Analytics) -> None:
    start, end = at("2024-07-02T10:30:00+02:00"), at("2024-07-04T07:15:00Z")
    found = analytics.conversations(start, end)

    assert found == sorted(found, key=lambda c: c.start)
    assert all(start <= c.start < end for c in found)
    assert len({c.conversation_id for c in found}) == len(found)


# ---- realistic shape ---------------------------------------------------------------------------


def test_weekdays_are_busier_than_weekends(analytics: Analytics) -> None:
    found = analytics.conversations(at("2024-04-01T00:00:00Z"), at("2024-05-27T00:00:00Z"))
    per_day = Counter(c.start.date() for c in found)
    weekday = [n for d, n in per_day.items() if d.weekday() < 5]
    weekend = [n for d, n in per_day.items() if d.weekday() >= 5]

    assert sum(weekday) / len(weekday) > 1.5 * sum(weekend) / len(weekend)


def test_business_hours_are_busier_than_the_night(week: list[Conversation]) -> None:
    hours = Counter(c.start.hour for c in week)

    assert sum(hours[h] for h in range(9, 17)) > 4 * sum(hours[h] for h in range(0, 8))


def test_queues_and_media_differ(week: list[Conversation]) -> None:
    per_queue = Counter(c.queue_id for c in week)
    media = Counter(c.media_type for c in week)

    assert set(per_queue) == {q["id"] for q in QUEUES}
    assert max(per_queue.values()) > 1.2 * min(per_queue.values())
    assert set(media) == set(SLA_SECONDS)
    assert media.most_common(1)[0][0] == "voice"


def test_abandoned_conversations_have_a_wait_and_no_agent(week: list[Conversation]) -> None:
    abandoned = [c for c in week if c.abandoned]

    assert abandoned
    for c in abandoned:
        assert c.user_id is None and not c.transferred
        assert (c.talk_ms, c.hold_ms, c.acw_ms, c.handle_ms) == (0, 0, 0, 0)
        assert c.wait_ms > 0 and c.end == c.start + timedelta(milliseconds=c.wait_ms)


def test_answered_conversations_have_an_agent_and_add_up(week: list[Conversation]) -> None:
    answered = [c for c in week if not c.abandoned]
    agents = {u["id"] for u in USERS}

    assert any(c.hold_ms > 0 for c in answered) and any(c.hold_ms == 0 for c in answered)
    assert any(c.transferred for c in answered)
    for c in answered:
        assert c.user_id in agents
        assert c.talk_ms > 0 and c.acw_ms > 0
        assert c.handle_ms == c.talk_ms + c.hold_ms + c.acw_ms
        assert c.end - c.start == timedelta(milliseconds=c.wait_ms + c.handle_ms)


def test_outbound_is_voice_for_a_campaign(week: list[Conversation]) -> None:
    outbound = [c for c in week if c.direction == "outbound"]

    assert outbound and len(outbound) < len(week) / 2
    assert {c.campaign_id for c in outbound} == {c["id"] for c in CAMPAIGNS}
    assert {c.media_type for c in outbound} == {"voice"}
    assert all(c.campaign_id is None for c in week if c.direction == "inbound")


def test_without_campaigns_everything_is_inbound() -> None:
    found = Analytics(11, QUEUES, USERS).conversations(WEEK_START, WEEK_END)

    assert {c.direction for c in found} == {"inbound"}


def test_over_sla_follows_the_media_thresholds(week: list[Conversation]) -> None:
    for c in week:
        assert c.over_sla == (c.wait_ms > SLA_SECONDS[c.media_type] * 1000)
    assert 0 < sum(c.over_sla for c in week) < len(week) / 2


# ---- aggregates: grouping and metrics ---------------------------------------------------------


@pytest.mark.parametrize(
    "group_by", [[], ["queueId"], ["queueId", "mediaType"], ["outboundCampaignId", "direction"]]
)
def test_grouped_metrics_match_an_independent_count(
    analytics: Analytics, week: list[Conversation], group_by: list[str]
) -> None:
    attribute = {
        "queueId": "queue_id",
        "mediaType": "media_type",
        "direction": "direction",
        "outboundCampaignId": "campaign_id",
    }
    groups: dict[tuple[Any, ...], list[Conversation]] = defaultdict(list)
    for c in week:
        groups[tuple(getattr(c, attribute[d]) for d in group_by)].append(c)
    expected = [
        {
            "group": {d: v for d, v in zip(group_by, key, strict=True) if v is not None},
            "data": [
                {
                    "interval": span(WEEK_START, WEEK_END),
                    "metrics": expected_metrics(groups[key], ALL_METRICS),
                }
            ],
        }
        for key in groups
    ]
    answer = analytics.aggregates({"interval": WEEK, "groupBy": group_by, "metrics": ALL_METRICS})

    def by_group(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(results, key=lambda r: sorted(r["group"].items()))

    assert by_group(answer["results"]) == by_group(expected)


def test_results_are_sorted_by_group(analytics: Analytics) -> None:
    body = {"interval": WEEK, "groupBy": ["queueId", "mediaType"], "metrics": ["nOffered"]}
    results = analytics.aggregates(body)["results"]
    groups = [(r["group"]["queueId"], r["group"]["mediaType"]) for r in results]

    assert groups == sorted(groups)
    assert len(groups) == len(QUEUES) * len(SLA_SECONDS)


def test_a_metric_without_data_is_left_out(analytics: Analytics, week: list[Conversation]) -> None:
    body = {"interval": WEEK, "groupBy": ["userId"], "metrics": ["tAbandon", "tTalk"]}
    results = analytics.aggregates(body)["results"]
    no_agent = next(r for r in results if r["group"] == {})
    with_agent = [r for r in results if r["group"]]

    # Abandoned conversations have no agent, so the group without a userId has no talk time.
    assert [m["metric"] for m in no_agent["data"][0]["metrics"]] == ["tAbandon"]
    assert no_agent["data"][0]["metrics"][0]["stats"]["count"] == sum(c.abandoned for c in week)
    assert all(m["metric"] == "tTalk" for r in with_agent for m in r["data"][0]["metrics"])
    # A group that lacks a dimension sorts before the groups that have it.
    assert results[0] is no_agent
    user_ids = [r["group"]["userId"] for r in with_agent]
    assert user_ids == sorted({c.user_id for c in week if c.user_id is not None})


def test_an_interval_without_conversations_has_no_results() -> None:
    quiet = Analytics(11, QUEUES, USERS, per_day=0)
    body = {"interval": WEEK, "metrics": ["nOffered"]}

    assert quiet.aggregates(body) == {"results": []}
    assert quiet.details({"interval": WEEK}) == {"totalHits": 0}


# ---- aggregates: buckets -----------------------------------------------------------------------


def test_hourly_buckets_are_aligned_to_the_interval_start(analytics: Analytics) -> None:
    start, end = at("2024-07-02T08:30:00Z"), at("2024-07-02T14:10:00Z")
    edges = [start + timedelta(hours=k) for k in range(6)] + [end]
    body = {"interval": span(start, end), "granularity": "PT1H", "metrics": ["nOffered"]}

    answer = offered_by_interval(analytics.aggregates(body))

    assert answer == count_between(analytics.conversations(start, end), edges)
    assert len(answer) == 6


def test_minute_buckets(analytics: Analytics) -> None:
    start, end = at("2024-07-02T09:00:00Z"), at("2024-07-02T11:00:00Z")
    edges = [start + timedelta(minutes=15 * k) for k in range(9)]
    body = {"interval": span(start, end), "granularity": "PT15M", "metrics": ["nOffered"]}

    answer = offered_by_interval(analytics.aggregates(body))

    assert answer == count_between(analytics.conversations(start, end), edges)


def test_daily_buckets_in_utc(analytics: Analytics, week: list[Conversation]) -> None:
    body = {"interval": WEEK, "granularity": "P1D", "metrics": ["nOffered"]}
    edges = [WEEK_START + timedelta(days=k) for k in range(8)]

    answer = offered_by_interval(analytics.aggregates(body))

    assert answer == count_between(week, edges)
    assert len(answer) == 7


def test_daily_buckets_break_at_local_midnight_across_a_dst_change(analytics: Analytics) -> None:
    zone = ZoneInfo("America/New_York")
    # 2024-03-10 is 23 hours long in New York.
    edges = [datetime(2024, 3, day, tzinfo=zone) for day in range(8, 13)]
    body = {
        "interval": span(edges[0], edges[-1]),
        "granularity": "P1D",
        "timeZone": "America/New_York",
        "metrics": ["nOffered"],
    }

    answer = offered_by_interval(analytics.aggregates(body))

    assert answer == count_between(analytics.conversations(edges[0], edges[-1]), edges)
    assert list(answer)[2] == "2024-03-10T05:00:00.000Z/2024-03-11T04:00:00.000Z"


def test_weekly_buckets_start_on_monday(analytics: Analytics) -> None:
    start, end = at("2024-07-03T00:00:00Z"), at("2024-07-20T00:00:00Z")
    edges = [start, at("2024-07-08T00:00:00Z"), at("2024-07-15T00:00:00Z"), end]
    body = {"interval": span(start, end), "granularity": "P1W", "metrics": ["nOffered"]}

    answer = offered_by_interval(analytics.aggregates(body))

    assert answer == count_between(analytics.conversations(start, end), edges)


def test_monthly_buckets_follow_calendar_months(analytics: Analytics) -> None:
    start, end = at("2024-01-15T00:00:00Z"), at("2024-04-10T00:00:00Z")
    months = [at(f"2024-0{m}-01T00:00:00Z") for m in (2, 3, 4)]
    body = {"interval": span(start, end), "granularity": "P1M", "metrics": ["nOffered"]}

    answer = offered_by_interval(analytics.aggregates(body))

    assert answer == count_between(analytics.conversations(start, end), [start, *months, end])
    assert len(answer) == 4


@pytest.mark.parametrize("granularity", ["PT1H", "P1D"])
def test_a_conversation_on_a_bucket_edge_belongs_to_the_later_bucket(
    analytics: Analytics, week: list[Conversation], granularity: str
) -> None:
    first, on_edge = week[100], week[101]
    if granularity == "PT1H":
        # The interval starts an hour before a conversation, so a bucket edge falls on it.
        start = on_edge.start - timedelta(hours=1)
        edges = [start + timedelta(hours=k) for k in range(49)]
    else:
        # The interval starts exactly at a conversation: the first bucket must hold it.
        start = first.start
        midnight = datetime.combine(start.date(), datetime.min.time(), UTC)
        edges = [start, midnight + timedelta(days=1), midnight + timedelta(days=2)]
        edges.append(start + timedelta(days=2))
    end = edges[-1]
    body = {"interval": span(start, end), "granularity": granularity, "metrics": ["nOffered"]}

    answer = offered_by_interval(analytics.aggregates(body))

    assert answer == count_between(analytics.conversations(start, end), edges)
    assert any(interval.startswith(render(on_edge.start)) for interval in answer) == (
        granularity == "PT1H"
    )


@settings(max_examples=25, deadline=None)
@given(
    start_minute=st.integers(0, 60 * 24 * 60),
    length_minutes=st.integers(1, 60 * 24 * 20),
    granularity=st.sampled_from(["PT30M", "PT1H", "PT6H", "P1D", "P2D", "P1W", "P1M"]),
)
def test_buckets_partition_the_interval(
    analytics: Analytics, start_minute: int, length_minutes: int, granularity: str
) -> None:
    start = at("2024-05-01T00:00:00Z") + timedelta(minutes=start_minute)
    end = start + timedelta(minutes=length_minutes)
    body = {"interval": span(start, end), "granularity": granularity, "metrics": ["nOffered"]}

    answer = offered_by_interval(analytics.aggregates(body))
    bounds = [tuple(at(part) for part in interval.split("/")) for interval in answer]

    assert sum(answer.values()) == len(analytics.conversations(start, end))
    assert all(start <= low < high <= end for low, high in bounds)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(bounds))


def test_interval_offsets_and_milliseconds_are_accepted(analytics: Analytics) -> None:
    same = [
        "2024-07-01T00:00:00Z/2024-07-02T00:00:00Z",
        "2024-07-01T00:00:00.000Z/2024-07-02T00:00:00.000Z",
        "2024-07-01T02:00:00+02:00/2024-07-01T20:00:00-04:00",
    ]
    answers = [analytics.aggregates({"interval": i, "metrics": ["nOffered"]}) for i in same]

    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["results"][0]["data"][0]["interval"] == (
        "2024-07-01T00:00:00.000Z/2024-07-02T00:00:00.000Z"
    )


# ---- aggregates: filters -----------------------------------------------------------------------


FilterCase = tuple[dict[str, Any], Callable[[Conversation], bool]]
FILTERS: dict[str, FilterCase] = {
    "dimension matches": (
        {"type": "and", "predicates": [{"type": "dimension", "dimension": "mediaType",
                                        "operator": "matches", "value": "chat"}]},
        lambda c: c.media_type == "chat",
    ),
    "matches is the default operator": (
        {"type": "and", "predicates": [{"dimension": "queueId", "value": "queue-b"}]},
        lambda c: c.queue_id == "queue-b",
    ),
    "dimension exists": (
        {"type": "and", "predicates": [{"dimension": "outboundCampaignId", "operator": "exists"}]},
        lambda c: c.campaign_id is not None,
    ),
    "dimension notExists": (
        {"type": "and", "predicates": [{"dimension": "userId", "operator": "notExists"}]},
        lambda c: c.user_id is None,
    ),
    "or over predicates": (
        {"type": "or", "predicates": [{"dimension": "mediaType", "value": "email"},
                                      {"dimension": "queueId", "value": "queue-a"}]},
        lambda c: c.media_type == "email" or c.queue_id == "queue-a",
    ),
    "or over and-clauses": (
        {"type": "or", "clauses": [
            {"type": "and", "predicates": [{"dimension": "queueId", "value": "queue-a"},
                                           {"dimension": "mediaType", "value": "voice"}]},
            {"type": "and", "predicates": [{"dimension": "queueId", "value": "queue-c"},
                                           {"dimension": "mediaType", "value": "email"}]},
        ]},
        lambda c: (c.queue_id, c.media_type) in {("queue-a", "voice"), ("queue-c", "email")},
    ),
    "and of a predicate and an or-clause": (
        {"type": "and",
         "predicates": [{"dimension": "direction", "value": "inbound"}],
         "clauses": [{"type": "or", "predicates": [{"dimension": "mediaType", "value": "chat"},
                                                   {"dimension": "mediaType", "value": "message"}]}]},
        lambda c: c.direction == "inbound" and c.media_type in {"chat", "message"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", FILTERS.values(), ids=FILTERS.keys())
def test_filters_select_what_they_say(
    analytics: Analytics, week: list[Conversation], case: FilterCase
) -> None:
    spec, keep = case
    body = {"interval": WEEK, "groupBy": ["queueId"], "metrics": ["nOffered", "tWait"],
            "filter": spec}  # fmt: skip
    selected = [c for c in week if keep(c)]
    expected = {
        q: expected_metrics([c for c in selected if c.queue_id == q], ["nOffered", "tWait"])
        for q in {c.queue_id for c in selected}
    }

    answer = {
        r["group"]["queueId"]: r["data"][0]["metrics"]
        for r in analytics.aggregates(body)["results"]
    }

    assert 0 < len(selected) < len(week)
    assert answer == expected


@pytest.mark.parametrize(
    "bounds", [("gt", "lt"), ("gte", "lte"), ("gt", "lte"), ("gte", "lt")], ids="-".join
)
def test_metric_ranges_respect_inclusive_and_exclusive_bounds(
    analytics: Analytics, week: list[Conversation], bounds: tuple[str, str]
) -> None:
    waits = sorted(c.wait_ms for c in week)
    # Bounds taken from the data, so that some conversations sit exactly on them.
    low, high = waits[len(waits) // 4], waits[len(waits) // 2]
    above = {"gt": lambda v: v > low, "gte": lambda v: v >= low}[bounds[0]]
    below = {"lt": lambda v: v < high, "lte": lambda v: v <= high}[bounds[1]]
    predicate = {"type": "metric", "metric": "tAcd", "range": {bounds[0]: low, bounds[1]: high}}
    body = {"interval": WEEK, "conversationFilters": [{"type": "and", "predicates": [predicate]}]}

    found = analytics.details(body)["totalHits"]

    assert found == sum(1 for c in week if above(c.wait_ms) and below(c.wait_ms))


# ---- details -----------------------------------------------------------------------------------


DAY = "2024-07-02T00:00:00Z/2024-07-03T00:00:00Z"
DAY_START, DAY_END = at("2024-07-02T00:00:00Z"), at("2024-07-03T00:00:00Z")


def all_pages(analytics: Analytics, body: dict[str, Any], size: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for number in range(1, 1000):
        page = analytics.details({**body, "paging": {"pageSize": size, "pageNumber": number}})
        if "conversations" not in page:
            return found
        assert len(page["conversations"]) <= size
        found += page["conversations"]
    raise AssertionError("paging never ended")


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_pages_concatenate_to_the_filtered_set(analytics: Analytics, order: str) -> None:
    body = {
        "interval": DAY,
        "order": order,
        "segmentFilters": [{"type": "or", "predicates": [
            {"dimension": "mediaType", "value": "chat"},
            {"dimension": "mediaType", "value": "email"}]}],
    }  # fmt: skip
    expected = [
        c.conversation_id
        for c in analytics.conversations(DAY_START, DAY_END)
        if c.media_type in {"chat", "email"}
    ]
    if order == "desc":
        expected.reverse()

    pages = all_pages(analytics, body, size=7)

    assert [c["conversationId"] for c in pages] == expected
    assert analytics.details(body)["totalHits"] == len(expected) > 7
    starts = [c["conversationStart"] for c in pages]
    assert starts == sorted(starts, reverse=order == "desc")


def test_default_page_is_the_first_25(analytics: Analytics) -> None:
    expected = [c.conversation_id for c in analytics.conversations(DAY_START, DAY_END)]

    answer = analytics.details({"interval": DAY})

    assert [c["conversationId"] for c in answer["conversations"]] == expected[:25]
    assert answer["totalHits"] == len(expected)


def test_a_page_past_the_end_has_no_conversations(analytics: Analytics) -> None:
    answer = analytics.details({"interval": DAY, "paging": {"pageSize": 100, "pageNumber": 50}})

    assert "conversations" not in answer
    assert answer["totalHits"] == len(analytics.conversations(DAY_START, DAY_END))


DetailCase = tuple[dict[str, Any], Callable[[Conversation], bool]]
DETAIL_FILTERS: dict[str, DetailCase] = {
    "originating direction": (
        {"conversationFilters": [{"type": "and", "predicates": [
            {"type": "dimension", "dimension": "originatingDirection", "value": "outbound"}]}]},
        lambda c: c.direction == "outbound",
    ),
    "agent in a queue": (
        {"segmentFilters": [{"type": "and", "predicates": [
            {"dimension": "purpose", "value": "agent"},
            {"dimension": "queueId", "value": "queue-b"}]}]},
        lambda c: c.user_id is not None and c.queue_id == "queue-b",
    ),
    "one user": (
        {"segmentFilters": [{"type": "and", "predicates": [
            {"dimension": "userId", "value": "user-03"}]}]},
        lambda c: c.user_id == "user-03",
    ),
    "a user exists": (
        {"segmentFilters": [{"type": "and", "predicates": [
            {"dimension": "userId", "operator": "exists"}]}]},
        lambda c: c.user_id is not None,
    ),
    "an acd segment without a queue": (
        {"segmentFilters": [{"type": "and", "predicates": [
            {"dimension": "purpose", "value": "acd"},
            {"dimension": "queueId", "operator": "notExists"}]}]},
        lambda c: False,
    ),
    "a metric range as a conversation filter": (
        {"conversationFilters": [{"type": "and", "predicates": [
            {"type": "metric", "metric": "tHandle", "range": {"gt": 300_000}}]}],
         "segmentFilters": [{"type": "and", "predicates": [
            {"dimension": "mediaType", "value": "voice"}]}]},
        lambda c: c.media_type == "voice" and not c.abandoned and c.handle_ms > 300_000,
    ),
    "metric range, both bounds": (
        {"conversationFilters": [{"type": "and", "predicates": [{"type": "metric",
            "metric": "tHandle", "range": {"gte": 120_000, "lt": 400_000}}]}]},
        lambda c: not c.abandoned and 120_000 <= c.handle_ms < 400_000,
    ),
    "metric range, exclusive bounds": (
        {"conversationFilters": [{"type": "and", "predicates": [{"type": "metric",
            "metric": "tAcd", "range": {"gt": 5_000, "lte": 20_000}}]}]},
        lambda c: 5_000 < c.wait_ms <= 20_000,
    ),
    "metric exists": (
        {"conversationFilters": [{"type": "and", "predicates": [
            {"type": "metric", "metric": "tHeld", "operator": "exists"}]}]},
        lambda c: c.hold_ms > 0,
    ),
    "metric notExists": (
        {"conversationFilters": [{"type": "and", "predicates": [
            {"type": "metric", "metric": "nOverSla", "operator": "notExists"}]}]},
        lambda c: c.wait_ms <= SLA_SECONDS[c.media_type] * 1000,
    ),
    "abandoned within 30 seconds": (
        {"conversationFilters": [{"type": "and", "predicates": [
            {"type": "metric", "metric": "tAbandon", "range": {"lt": 30_000}}]}]},
        lambda c: c.abandoned and c.wait_ms < 30_000,
    ),
    "all filters must hold": (
        {"segmentFilters": [{"type": "and", "predicates": [
            {"dimension": "mediaType", "value": "voice"}]}, {"type": "or", "predicates": [
            {"dimension": "queueId", "value": "queue-a"},
            {"dimension": "queueId", "value": "queue-d"}]}]},
        lambda c: c.media_type == "voice" and c.queue_id in {"queue-a", "queue-d"},
    ),
    "all filters of both levels must hold": (
        {"conversationFilters": [{"type": "and", "predicates": [
            {"dimension": "originatingDirection", "value": "inbound"}]}],
         "segmentFilters": [{"type": "or", "predicates": [
            {"dimension": "queueId", "value": "queue-a"},
            {"dimension": "queueId", "value": "queue-d"}]}]},
        lambda c: c.direction == "inbound" and c.queue_id in {"queue-a", "queue-d"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", DETAIL_FILTERS.values(), ids=DETAIL_FILTERS.keys())
def test_detail_filters_select_what_they_say(analytics: Analytics, case: DetailCase) -> None:
    filters, keep = case
    expected = [c.conversation_id for c in analytics.conversations(DAY_START, DAY_END) if keep(c)]

    found = all_pages(analytics, {"interval": DAY, **filters}, size=100)

    assert [c["conversationId"] for c in found] == expected


def test_a_conversation_id_finds_its_conversation(analytics: Analytics) -> None:
    wanted = analytics.conversations(DAY_START, DAY_END)[17]
    body = {"interval": DAY, "conversationFilters": [{"type": "and", "predicates": [
        {"dimension": "conversationId", "value": wanted.conversation_id}]}]}  # fmt: skip

    answer = analytics.details(body)

    assert answer["totalHits"] == 1
    assert answer["conversations"][0]["conversationId"] == wanted.conversation_id


def session_metrics(rendered: dict[str, Any], purpose: str) -> dict[str, int]:
    (participant,) = [p for p in rendered["participants"] if p["purpose"] == purpose]
    return {m["name"]: m["value"] for s in participant["sessions"] for m in s.get("metrics", [])}


def test_details_agree_with_the_flat_conversations(analytics: Analytics) -> None:
    flat = {c.conversation_id: c for c in analytics.conversations(DAY_START, DAY_END)}
    pages = all_pages(analytics, {"interval": DAY}, size=100)

    assert len(pages) == len(flat)
    for rendered in pages:
        c = flat[rendered["conversationId"]]
        assert rendered["conversationStart"] == c.start.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        assert at(rendered["conversationEnd"]) == c.end
        assert rendered["originatingDirection"] == c.direction
        purposes = [p["purpose"] for p in rendered["participants"]]
        assert purposes == (["customer", "acd"] if c.abandoned else ["customer", "acd", "agent"])
        for p in rendered["participants"]:
            assert [s["mediaType"] for s in p["sessions"]] == [c.media_type]
            segments = [seg for s in p["sessions"] for seg in s["segments"]]
            assert all(at(s["segmentStart"]) <= at(s["segmentEnd"]) for s in segments)
        acd = session_metrics(rendered, "acd")
        assert acd["nOffered"] == 1
        assert acd.get("tAbandon" if c.abandoned else "tAnswered") == c.wait_ms
        assert ("nOverSla" in acd) == c.over_sla
        if not c.abandoned:
            agent = next(p for p in rendered["participants"] if p["purpose"] == "agent")
            assert agent["userId"] == c.user_id
            expected = {"tTalk": c.talk_ms, "tAcw": c.acw_ms, "tHandle": c.handle_ms}
            expected |= {"tHeld": c.hold_ms} if c.hold_ms else {}
            expected |= {"nTransferred": 1} if c.transferred else {}
            assert session_metrics(rendered, "agent") == expected


def test_agent_segments_cover_talk_hold_and_wrapup(analytics: Analytics) -> None:
    held = next(
        c for c in analytics.conversations(DAY_START, DAY_END) if c.hold_ms and not c.abandoned
    )
    body = {"interval": DAY, "conversationFilters": [{"type": "and", "predicates": [
        {"dimension": "conversationId", "value": held.conversation_id}]}]}  # fmt: skip
    rendered = analytics.details(body)["conversations"][0]
    agent = next(p for p in rendered["participants"] if p["purpose"] == "agent")
    segments = agent["sessions"][0]["segments"]

    def total(kind: str) -> timedelta:
        return sum(
            (
                at(s["segmentEnd"]) - at(s["segmentStart"])
                for s in segments
                if s["segmentType"] == kind
            ),
            timedelta(),
        )

    assert total("interact") == timedelta(milliseconds=held.talk_ms)
    assert total("hold") == timedelta(milliseconds=held.hold_ms)
    assert total("wrapup") == timedelta(milliseconds=held.acw_ms)
    assert all(s["queueId"] == held.queue_id for s in segments)


# ---- 400s --------------------------------------------------------------------------------------


OK = {"interval": WEEK, "metrics": ["nOffered"]}
AGGREGATE_ERRORS: dict[str, tuple[dict[str, Any], str]] = {
    "unknown metric": ({**OK, "metrics": ["nOffered", "nBogus"]}, "metrics[1]"),
    "no metrics": ({"interval": WEEK}, "metrics"),
    "empty metrics": ({**OK, "metrics": []}, "metrics"),
    "unknown groupBy": ({**OK, "groupBy": ["queueId", "wrapUp"]}, "groupBy[1]"),
    "no interval": ({"metrics": ["nOffered"]}, "interval"),
    "not an interval": ({**OK, "interval": "2024-07-01T00:00:00Z"}, "interval"),
    "no offset": ({**OK, "interval": "2024-07-01T00:00:00/2024-07-02T00:00:00"}, "interval"),
    "backwards interval": ({**OK, "interval": "2024-07-02T00:00:00Z/2024-07-01T00:00:00Z"}, "interval"),
    "empty interval": ({**OK, "interval": "2024-07-01T00:00:00Z/2024-07-01T00:00:00Z"}, "interval"),
    "interval too long": ({**OK, "interval": "2023-01-01T00:00:00Z/2024-01-03T00:00:00Z"}, "interval"),
    "bad granularity": ({**OK, "granularity": "PT1S"}, "granularity"),
    "zero granularity": ({**OK, "granularity": "PT0H"}, "granularity"),
    "unknown time zone": ({**OK, "timeZone": "Mars/Olympus_Mons"}, "timeZone"),
    "a file that is no time zone": ({**OK, "timeZone": "zone.tab"}, "timeZone"),
    "a path for a time zone": ({**OK, "timeZone": "../../etc/passwd"}, "timeZone"),
    "huge granularity": ({**OK, "granularity": "PT9999999999H"}, "granularity"),
    "year out of range": ({**OK, "interval": "9999-12-31T00:00:00Z/9999-12-31T23:00:00Z"}, "interval"),
    "metric that is not a name": ({**OK, "metrics": [{"name": "nOffered"}]}, "metrics[0]"),
    "dimension that is not a name": (
        {**OK, "filter": {"type": "and", "predicates": [{"dimension": ["queueId"], "value": "x"}]}},
        "filter.predicates[0].dimension",
    ),
    "range that is not a number": (
        {**OK, "filter": {"type": "and", "predicates": [
            {"type": "dimension", "dimension": "queueId", "range": {"gt": "5"}}]}},
        "filter.predicates[0].value",
    ),
    "unknown filter dimension": (
        {**OK, "filter": {"type": "and", "predicates": [{"dimension": "queue", "value": "1"}]}},
        "filter.predicates[0].dimension",
    ),
    "unknown filter metric": (
        {**OK, "filter": {"type": "and", "predicates": [
            {"dimension": "queueId", "value": "queue-a"},
            {"type": "metric", "metric": "tBogus", "range": {"gt": 1}}]}},
        "filter.predicates[1].metric",
    ),
    "unknown operator": (
        {**OK, "filter": {"type": "or", "clauses": [{"type": "and", "predicates": [
            {"dimension": "queueId", "operator": "startsWith", "value": "q"}]}]}},
        "filter.clauses[0].predicates[0].operator",
    ),
    "matches without a value": (
        {**OK, "filter": {"type": "and", "predicates": [{"dimension": "queueId"}]}},
        "filter.predicates[0].value",
    ),
    "unknown range bound": (
        {**OK, "views": [{"target": "tWait", "name": "v", "function": "rangeBound",
                          "range": {"above": 5}}]},
        "views[0].range.above",
    ),
    "bad filter type": ({**OK, "filter": {"type": "xor", "predicates": []}}, "filter.type"),
    "unrecognized field": ({**OK, "groupBys": ["queue"]}, "groupBys"),
}  # fmt: skip


def assert_bad_request(call: Callable[[], object], field: str) -> None:
    with pytest.raises(ApiError) as caught:
        call()
    assert caught.value.status == 400
    assert [d["fieldName"] for d in caught.value.details] == [field]


@pytest.mark.parametrize("case", AGGREGATE_ERRORS.values(), ids=AGGREGATE_ERRORS.keys())
def test_aggregate_errors_name_the_field(
    analytics: Analytics, case: tuple[dict[str, Any], str]
) -> None:
    body, field = case
    assert_bad_request(lambda: analytics.aggregates(body), field)


def test_the_longest_aggregate_interval_is_accepted(analytics: Analytics) -> None:
    body = {**OK, "interval": "2023-01-01T00:00:00Z/2024-01-02T00:00:00Z"}

    assert analytics.aggregates(body)["results"]


DETAIL_ERRORS: dict[str, tuple[dict[str, Any], str]] = {
    "page too big": ({"interval": DAY, "paging": {"pageSize": 101}}, "paging.pageSize"),
    "page too small": ({"interval": DAY, "paging": {"pageSize": 0}}, "paging.pageSize"),
    "page zero": ({"interval": DAY, "paging": {"pageNumber": 0}}, "paging.pageNumber"),
    "interval too long": ({"interval": "2024-07-01T00:00:00Z/2024-08-02T00:00:00Z"}, "interval"),
    "bad order": ({"interval": DAY, "order": "sideways"}, "order"),
    "bad orderBy": ({"interval": DAY, "orderBy": "conversationLength"}, "orderBy"),
    "unknown segment dimension": (
        {"interval": DAY, "segmentFilters": [{"type": "and", "predicates": [
            {"dimension": "purpose", "value": "agent"}, {"dimension": "wrapUp", "value": "x"}]}]},
        "segmentFilters[0].predicates[1].dimension",
    ),
    "segment dimension as a conversation filter": (
        {"interval": DAY, "conversationFilters": [{"type": "and", "predicates": [
            {"dimension": "queueId", "value": "queue-a"}]}]},
        "conversationFilters[0].predicates[0].dimension",
    ),
    "metrics sent to the details query": ({"interval": DAY, "metrics": ["nOffered"]}, "metrics"),
}  # fmt: skip


@pytest.mark.parametrize("case", DETAIL_ERRORS.values(), ids=DETAIL_ERRORS.keys())
def test_detail_errors_name_the_field(
    analytics: Analytics, case: tuple[dict[str, Any], str]
) -> None:
    body, field = case
    assert_bad_request(lambda: analytics.details(body), field)


def test_page_size_100_and_31_days_are_accepted(analytics: Analytics) -> None:
    body = {"interval": "2024-07-01T00:00:00Z/2024-08-01T00:00:00Z", "paging": {"pageSize": 100}}

    assert len(analytics.details(body)["conversations"]) == 100


# ---- any body gets an answer or a 400 ----------------------------------------------------------


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
DIMENSIONS = [
    "queueId",
    "mediaType",
    "direction",
    "userId",
    "outboundCampaignId",
    "purpose",
    "conversationId",
    "originatingDirection",
    "wrapUpCode",
]
PREDICATE = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["dimension", "metric", "segment"]) | JSON,
        "dimension": st.sampled_from(DIMENSIONS) | JSON,
        "metric": st.sampled_from([*ALL_METRICS, "tBogus"]) | JSON,
        "operator": st.sampled_from(["matches", "exists", "notExists", "like"]) | JSON,
        "value": st.sampled_from(["queue-a", "voice", "inbound", "user-01"]) | JSON,
        "range": st.dictionaries(
            st.sampled_from(["gt", "gte", "lt", "lte", "eq"]), JSON, max_size=3
        ),
    },
)
GROUP = st.fixed_dictionaries(
    {"type": st.sampled_from(["and", "or", "nor"])},
    optional={"predicates": st.lists(PREDICATE, max_size=3)},
)
INTERVAL = (
    st.sampled_from(
        [
            DAY,
            "2024-07-02T00:00:00+02:00/2024-07-02T03:00:00.5Z",
            "0001-01-01T00:00:00Z/0001-01-02T00:00:00Z",
            "9999-12-30T00:00:00Z/9999-12-31T00:00:00Z",
            "2024-07-02/2024-07-03",
            "P1D",
        ]
    )
    | JSON
)
AGGREGATE_BODY = st.fixed_dictionaries(
    {},
    optional={
        "interval": INTERVAL,
        "metrics": st.lists(st.sampled_from([*ALL_METRICS, "nBogus"]), max_size=4) | JSON,
        "groupBy": st.lists(st.sampled_from(DIMENSIONS), max_size=3) | JSON,
        "granularity": st.sampled_from(
            ["PT1H", "PT7M", "P1D", "P1W", "P1M", "P0D", "P1Y", "PT9999999999H", "P99999D"]
        )
        | JSON,
        "timeZone": st.sampled_from(["UTC", "Asia/Kolkata", "Nowhere", "", "zone.tab"]) | JSON,
        "filter": st.fixed_dictionaries(
            {"type": st.sampled_from(["and", "or"]) | JSON},
            optional={
                "predicates": st.lists(PREDICATE, max_size=3),
                "clauses": st.lists(GROUP, max_size=2),
            },
        )
        | JSON,
        "groupBys": JSON,
    },
)
DETAIL_BODY = st.fixed_dictionaries(
    {},
    optional={
        "interval": INTERVAL,
        "order": st.sampled_from(["asc", "desc", "random"]) | JSON,
        "orderBy": st.sampled_from(["conversationStart", "conversationEnd"]) | JSON,
        "paging": st.fixed_dictionaries(
            {},
            optional={
                "pageSize": st.integers(-1, 120) | JSON,
                "pageNumber": st.integers(-1, 9) | JSON,
            },
        )
        | JSON,
        "conversationFilters": st.lists(GROUP, max_size=2) | JSON,
        "segmentFilters": st.lists(GROUP, max_size=2) | JSON,
    },
)


SMALL = Analytics(2, QUEUES, USERS, CAMPAIGNS, per_day=24)


def answer_or_400(call: Callable[[], dict[str, Any]]) -> None:
    try:
        answer = call()
    except ApiError as error:
        assert error.status == 400
        assert len(error.details) == 1 and error.details[0]["fieldName"]
    else:
        assert isinstance(answer, dict)


@settings(max_examples=300, deadline=None)
@given(body=AGGREGATE_BODY)
def test_any_aggregates_body_gets_an_answer_or_a_400(body: dict[str, Any]) -> None:
    answer_or_400(lambda: SMALL.aggregates(body))


@settings(max_examples=300, deadline=None)
@given(body=DETAIL_BODY)
def test_any_details_body_gets_an_answer_or_a_400(body: dict[str, Any]) -> None:
    answer_or_400(lambda: SMALL.details(body))
