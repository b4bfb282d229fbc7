"""Impact lines: what a created or changed segment matches, before and after, in plan."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.plan import text
from genesys_reconcile.plan.run import Impact, planned
from genesys_reconcile.preview.query import Window
from genesys_reconcile.preview.source import Analytics
from genesys_reconcile.sandbox.analytics import Conversation
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.settings import Settings, load_settings
from tests.conftest import ROOT
from tests.preview.helpers import data_set, queue_names
from tests.sandbox.conftest import Api

WINDOW = Window(datetime(2025, 3, 3, tzinfo=UTC), datetime(2025, 3, 10, tzinfo=UTC))
AGGREGATES = "POST /api/v2/analytics/conversations/aggregates/query"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)
    for name in ("segments", "campaigns", "outbound", "journeys"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "reconcile.yaml", tmp_path)
    return load_settings(cwd=tmp_path)


def impacts(
    config: Settings, client: GenesysClient, budget: int | None = None
) -> dict[str, str | None]:
    impact = Impact(Analytics(client, budget=budget), WINDOW)
    plan = planned(config, client, impact=impact).plan
    return {c.name: c.impact for c in plan.changes}


def count(sandbox: Sandbox, keep: Callable[[Conversation], bool]) -> int:
    return sum(keep(c) for c in data_set(sandbox).conversations(WINDOW.start, WINDOW.end))


def test_impact_lines_count_what_the_filters_select(
    config: Settings, client: GenesysClient, sandbox: Sandbox
) -> None:
    support = next(q for q, n in queue_names(sandbox).items() if n == "Support")

    def long_voice(seconds: int) -> Callable[[Conversation], bool]:
        # A call's duration: its handle time once answered, its wait when abandoned.
        return lambda c: (
            c.media_type == "voice" and (c.wait_ms if c.abandoned else c.handle_ms) > seconds * 1000
        )

    after, before = count(sandbox, long_voice(300)), count(sandbox, long_voice(240))
    chats = count(
        sandbox, lambda c: c.media_type == "chat" and not c.abandoned and c.acw_ms >= 60_000
    )
    holds = count(sandbox, lambda c: c.queue_id == support and c.hold_ms > 120_000)

    found = impacts(config, client)

    assert found["Voice Calls Over 5 Minutes Q3"] == (
        f"matches {after:,} conversations in the last 7 days "
        f"(was {before:,}, {(after - before) / before:+.0%})"
    )
    assert (
        found["Chat Wrap-Up Over a Minute"] == f"matches {chats:,} conversations in the last 7 days"
    )
    assert found["Long Holds in Support"] == f"matches {holds:,} conversations in the last 7 days"
    assert 0 < after < before and chats > 0 and holds > 0
    assert found["Spring Outreach"] is None  # campaign changes have no impact line


def test_a_change_that_keeps_the_filter_has_no_impact_line(
    config: Settings, client: GenesysClient, sandbox: Sandbox
) -> None:
    short = next(s for s in sandbox.state.segments.values() if s["name"] == "Short Voice Calls")
    short["description"] = "Edited in the console"

    found = impacts(config, client)

    assert "Short Voice Calls" in found
    assert found["Short Voice Calls"] is None


def test_a_failing_query_never_fails_the_plan(
    config: Settings, client: GenesysClient, admin: Api
) -> None:
    admin.admin(
        "POST",
        "faults",
        {
            "script": [
                {"action": "status", "path": AGGREGATES.split()[1], "status": 403, "times": 99}
            ]
        },
    )

    found = impacts(config, client)

    assert found["Voice Calls Over 5 Minutes Q3"] is not None
    assert found["Voice Calls Over 5 Minutes Q3"].startswith("not available: ")
    assert "403" in found["Voice Calls Over 5 Minutes Q3"]
    assert found.keys() == {c.name for c in planned(config, client).plan.changes}


def test_the_query_budget_caps_the_cost_of_a_large_plan(
    config: Settings, client: GenesysClient, admin: Api
) -> None:
    found = impacts(config, client, budget=2)

    assert found["Chat Wrap-Up Over a Minute"] is not None
    assert found["Chat Wrap-Up Over a Minute"].startswith("matches ")
    assert found["Long Holds in Support"] is not None
    assert found["Long Holds in Support"].startswith("matches ")
    assert found["Voice Calls Over 5 Minutes Q3"] == (
        "not available: this run's 2 analytics queries are spent"
    )
    assert admin.counts()[AGGREGATES] == 2


def test_the_text_plan_shows_the_impact_under_its_change(
    config: Settings, client: GenesysClient
) -> None:
    plan = planned(config, client, impact=Impact(Analytics(client), WINDOW)).plan

    lines = text.render(plan).splitlines()
    header = lines.index(
        '~ AnalyticsSegment "Voice Calls Over 5 Minutes Q3" will be updated in place'
        "  (segments/voice-calls-over-5-minutes-q3.yaml:3:1)"
    )
    assert lines[header + 1].startswith("    impact: matches ")


def test_without_impact_no_analytics_query_is_sent(
    config: Settings, client: GenesysClient, admin: Api
) -> None:
    plan = planned(config, client).plan

    assert all(c.impact is None for c in plan.changes)
    assert AGGREGATES not in admin.counts()
