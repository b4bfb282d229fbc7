"""The sandbox org's analytics: its conversation history, cached by day, and both queries.

Generating a day is the expensive part of a query, and preview asks for the same days again
and again, so the most recently used days are kept (`_CACHE_DAYS`, about a year).
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter
from typing import Any

from genesys_reconcile.sandbox.analytics import aggregates, details
from genesys_reconcile.sandbox.analytics.conversations import (
    Conversation,
    DayGenerator,
    queue_profiles,
)

_CACHE_DAYS = 400


class Analytics:
    """The sandbox org's conversation history and the analytics queries over it."""

    def __init__(
        self,
        seed: int,
        queues: Sequence[Mapping[str, str]],
        users: Sequence[Mapping[str, str]],
        campaigns: Sequence[Mapping[str, str]] = (),
        per_day: int = 240,
    ) -> None:
        if not queues or not users:
            raise ValueError("analytics needs at least one queue and one user")
        if per_day < 0:
            raise ValueError("per_day must not be negative")
        profiles = queue_profiles(seed, queues, users)
        self._generator = DayGenerator(seed, profiles, campaigns, per_day)
        self._queue_names = {q["id"]: q["name"] for q in queues}
        self._user_names = {u["id"]: u["name"] for u in users}
        self._days: OrderedDict[date, list[Conversation]] = OrderedDict()
        self._lock = threading.Lock()

    def conversations(self, start: datetime, end: datetime) -> list[Conversation]:
        """Conversations that start in [start, end), in start order."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        found: list[Conversation] = []
        day = start.date()
        while datetime.combine(day, time(), tzinfo=UTC) < end:
            conversations = self._day(day)
            low = bisect.bisect_left(conversations, start, key=attrgetter("start"))
            high = bisect.bisect_left(conversations, end, key=attrgetter("start"))
            found += conversations[low:high]
            day += timedelta(days=1)
        return found

    def _day(self, day: date) -> list[Conversation]:
        with self._lock:
            if day in self._days:
                self._days.move_to_end(day)
                return self._days[day]
        # Generated outside the lock: a race only computes the same deterministic day twice.
        conversations = self._generator.day(day)
        with self._lock:
            self._days[day] = conversations
            while len(self._days) > _CACHE_DAYS:
                self._days.popitem(last=False)
        return conversations

    def aggregates(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Answer an aggregates query: metrics per group and per time bucket."""
        return aggregates.answer(body, self.conversations)

    def details(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Answer a details query: one page of matching conversations, nested, and the total."""
        return details.answer(body, self.conversations, self._queue_names, self._user_names)
