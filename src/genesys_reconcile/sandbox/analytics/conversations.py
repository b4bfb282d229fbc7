"""The synthetic conversation generator: an infinite, deterministic contact-centre history.

Each UTC day's conversations come from `random.Random(f"{seed}:{day}")`, so any interval (last
week or 2024) has data, and a day looks the same whichever query asked for it. Days have more
traffic on weekdays and in business hours (UTC); queues differ in volume, abandon rate, wait and
handle time; media types are mostly voice, then chat, email, message and callback. With
campaigns, part of the voice traffic is outbound and belongs to a campaign. Answered
conversations have an agent from the queue, a wait, talk, sometimes hold, and after-call work;
abandoned ones have only a wait. A few answered ones are transferred, some of them inbound voice
calls that reached the wrong queue and last only seconds.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

SLA_MS: Mapping[str, int] = {
    "voice": 20_000,
    "callback": 20_000,
    "chat": 60_000,
    "message": 60_000,
    "email": 3_600_000,
}


@dataclass(frozen=True, slots=True)
class _Media:
    weight: float
    mean_wait_s: float
    median_talk_s: float
    abandon_factor: float
    hold_share: float


# Mean waits sit near 60% of the SLA threshold, which gives the familiar "80/20"-ish service level.
_MEDIA: Mapping[str, _Media] = {
    "voice": _Media(0.62, 12, 300, 1.0, 0.25),
    "chat": _Media(0.14, 30, 540, 0.8, 0.0),
    "email": _Media(0.10, 1800, 420, 0.1, 0.0),
    "message": _Media(0.09, 35, 480, 0.6, 0.0),
    "callback": _Media(0.05, 10, 240, 0.3, 0.15),
}


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(sum(weights[: i + 1]) for i in range(len(weights)))


_MEDIA_NAMES = tuple(_MEDIA)
_MEDIA_CUM = _cumulative([m.weight for m in _MEDIA.values()])
# Relative traffic per UTC hour: quiet nights, a morning ramp, a lunch dip, an evening tail.
_HOUR_WEIGHTS = (
    (0.2,) * 7 + (1.0, 3.0, 6.0, 6.0, 6.0, 5.0, 5.0, 6.0, 6.0, 6.0, 4.0, 2.5, 1.5, 1.5)
) + (0.5,) * 3
_HOUR_CUM = _cumulative(_HOUR_WEIGHTS)
# Five weekdays at 1.2 and two weekend days at 0.5 keep the weekly mean at `per_day`.
_WEEKDAY_FACTOR, _WEEKEND_FACTOR = 1.2, 0.5
_OUTBOUND_SHARE = 0.2
_OUTBOUND_ABANDON = 0.03
_TRANSFER_SHARE = 0.07
_MISROUTE_SHARE = 0.04  # inbound voice calls answered and transferred within seconds


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation, flat: what the aggregates engine counts and the details engine renders."""

    conversation_id: str
    start: datetime
    end: datetime
    queue_id: str
    media_type: str
    direction: str
    user_id: str | None
    campaign_id: str | None
    wait_ms: int
    talk_ms: int
    hold_ms: int
    acw_ms: int
    abandoned: bool
    transferred: bool

    @property
    def handle_ms(self) -> int:
        return self.talk_ms + self.hold_ms + self.acw_ms

    @property
    def over_sla(self) -> bool:
        return self.wait_ms > SLA_MS[self.media_type]


# What the queries read conversations through: those that start in [start, end), in start order.
ConversationsIn = Callable[[datetime, datetime], list[Conversation]]


@dataclass(frozen=True, slots=True)
class _Queue:
    queue_id: str
    weight: float
    abandon_rate: float
    wait_factor: float
    handle_factor: float
    members: tuple[str, ...]


def queue_profiles(
    seed: int, queues: Sequence[Mapping[str, str]], users: Sequence[Mapping[str, str]]
) -> tuple[_Queue, ...]:
    user_ids = [u["id"] for u in users]
    profiles = []
    for qi, queue in enumerate(queues):
        # Seeded by the queue's id so that a queue's character survives edits to the queue list.
        rng = random.Random(f"{seed}:queue:{queue['id']}")  # noqa: S311 - synthetic data
        members = [uid for ui, uid in enumerate(user_ids) if ui % len(queues) == qi]
        members += [uid for uid in user_ids if uid not in members and rng.random() < 0.3]
        if not members:
            members = [user_ids[qi % len(user_ids)]]
        profiles.append(
            _Queue(
                queue_id=queue["id"],
                weight=rng.lognormvariate(0, 0.6),
                abandon_rate=rng.uniform(0.03, 0.15),
                wait_factor=rng.uniform(0.6, 1.6),
                handle_factor=rng.uniform(0.7, 1.4),
                members=tuple(sorted(members)),
            )
        )
    return tuple(profiles)


def _conversation_id(seed: int, day: date, index: int) -> str:
    # Formatted by hand rather than through uuid.UUID: this runs for every generated conversation.
    h = hashlib.sha256(f"{seed}:{day.isoformat()}:{index}".encode()).hexdigest()
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


class DayGenerator:
    """Draws one day's conversations; every random draw comes from that day's own generator."""

    def __init__(
        self,
        seed: int,
        queues: tuple[_Queue, ...],
        campaigns: Sequence[Mapping[str, str]],
        per_day: int,
    ) -> None:
        self._seed = seed
        self._queues = queues
        self._queue_cum = _cumulative([q.weight for q in queues])
        self._campaigns = tuple(c["id"] for c in campaigns)
        # A campaign dials for one queue, as an outbound campaign does in Genesys Cloud.
        self._campaign_queue = {c: queues[i % len(queues)] for i, c in enumerate(self._campaigns)}
        self._per_day = per_day

    def day(self, day: date) -> list[Conversation]:
        rng = random.Random(f"{self._seed}:{day.isoformat()}")  # noqa: S311 - synthetic data
        mean = self._per_day * (_WEEKDAY_FACTOR if day.weekday() < 5 else _WEEKEND_FACTOR)
        count = max(0, round(rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0
        offsets = sorted(self._offset_ms(rng) for _ in range(count))
        midnight = datetime.combine(day, time(), tzinfo=UTC)
        return [
            self._conversation(rng, _conversation_id(self._seed, day, i), midnight, offset)
            for i, offset in enumerate(offsets)
        ]

    @staticmethod
    def _offset_ms(rng: random.Random) -> int:
        hour = bisect.bisect_right(_HOUR_CUM, rng.random() * _HOUR_CUM[-1])
        return min(hour, 23) * 3_600_000 + int(rng.random() * 3_600_000)

    def _conversation(
        self, rng: random.Random, cid: str, midnight: datetime, offset_ms: int
    ) -> Conversation:
        media_name = _MEDIA_NAMES[
            min(bisect.bisect_right(_MEDIA_CUM, rng.random() * _MEDIA_CUM[-1]), 4)
        ]
        media = _MEDIA[media_name]
        campaign = None
        if media_name == "voice" and self._campaigns and rng.random() < _OUTBOUND_SHARE:
            campaign = self._campaigns[rng.randrange(len(self._campaigns))]
            queue = self._campaign_queue[campaign]
            abandon_p = _OUTBOUND_ABANDON
        else:
            queue = self._pick_queue(rng)
            abandon_p = queue.abandon_rate * media.abandon_factor
        wait = max(500, int(rng.expovariate(1 / (media.mean_wait_s * queue.wait_factor)) * 1000))
        abandoned = rng.random() < abandon_p
        talk = hold = acw = 0
        agent, transferred = None, False
        if not abandoned:
            talk = max(5_000, int(rng.lognormvariate(0, 0.6) * media.median_talk_s * 1000))
            talk = int(talk * queue.handle_factor)
            hold = int(rng.uniform(10, 150) * 1000) if rng.random() < media.hold_share else 0
            acw = int(rng.uniform(5, 90) * 1000)
            agent = queue.members[int(rng.random() * len(queue.members))]
            transferred = rng.random() < _TRANSFER_SHARE
            if media_name == "voice" and campaign is None and rng.random() < _MISROUTE_SHARE:
                # Answered by the wrong queue and passed on within seconds.
                talk, hold, acw = int(rng.uniform(3, 15) * 1000), 0, int(rng.uniform(0, 8) * 1000)
                transferred = True
        start = midnight + timedelta(milliseconds=offset_ms)
        return Conversation(
            conversation_id=cid,
            start=start,
            end=start + timedelta(milliseconds=wait + talk + hold + acw),
            queue_id=queue.queue_id,
            media_type=media_name,
            direction="outbound" if campaign else "inbound",
            user_id=agent,
            campaign_id=campaign,
            wait_ms=wait,
            talk_ms=talk,
            hold_ms=hold,
            acw_ms=acw,
            abandoned=abandoned,
            transferred=transferred,
        )

    def _pick_queue(self, rng: random.Random) -> _Queue:
        index = bisect.bisect_right(self._queue_cum, rng.random() * self._queue_cum[-1])
        return self._queues[min(index, len(self._queues) - 1)]
