"""The field paths a segment's query may name: each one's type, and how the analytics API reads
it. Validation types predicates with it; the preview translates them through it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Level = Literal["conversation", "segment"]


@dataclass(frozen=True)
class Field:
    """A segment field path, and how it reads in the analytics API."""

    dimension: str | None = None  # the aggregates dimension, for text fields
    # For durations (the segment says seconds): the metric holding the value of an answered
    # conversation, and the one holding it for an abandoned conversation, when it has one.
    metric: str | None = None
    abandoned: str | None = None
    detail: str = ""  # the details query's dimension, when it differs from `dimension`
    level: Level = "conversation"  # where a details query filters on it
    lookup: str | None = None  # "queues" or "users": names are matched through their ids
    values: tuple[str, ...] = ()  # every value a text field can take, when the API fixes them
    # Accepted in segments without a word in reconcile.yaml; the others are previewable once
    # `kinds.AnalyticsSegment.fields` declares them.
    builtin: bool = True

    @property
    def name(self) -> str:
        return self.dimension or self.metric or ""

    @property
    def type(self) -> str:
        """The type validation checks values against: a metric is a number, else text."""
        return "number" if self.metric else "text"


MEDIA_TYPES = ("voice", "chat", "email", "message", "callback")
DIRECTIONS = ("inbound", "outbound")

# The one table of segment field paths, documented in the README. A path missing here cannot be
# previewed, even when `kinds.AnalyticsSegment.fields` in reconcile.yaml allows it in segments.
FIELDS: Mapping[str, Field] = {
    # mediaType is an aggregates dimension and a segment dimension of the details query, not a
    # conversation-level one.
    "conversation.channel": Field(dimension="mediaType", level="segment", values=MEDIA_TYPES),
    "conversation.direction": Field(
        dimension="direction", detail="originatingDirection", values=DIRECTIONS, builtin=False
    ),
    "queue.name": Field(dimension="queueId", level="segment", lookup="queues"),
    "user.name": Field(dimension="userId", level="segment", lookup="users"),
    # A call's duration is its handle time once answered, and its wait until the caller hung
    # up when abandoned: so "calls under 30 seconds" counts early hang-ups too.
    "conversation.metrics.callDuration": Field(metric="tHandle", abandoned="tAbandon"),
    "conversation.metrics.talkDuration": Field(metric="tTalk", builtin=False),
    "conversation.metrics.holdDuration": Field(metric="tHeld"),
    "conversation.metrics.wrapUpDuration": Field(metric="tAcw"),
    # tWait cannot filter a details query; tAnswered and tAbandon split the same waits.
    "conversation.metrics.waitDuration": Field(
        metric="tAnswered", abandoned="tAbandon", builtin=False
    ),
}

# The paths segments may name with no declaration, with their types;
# `kinds.AnalyticsSegment.fields` in reconcile.yaml adds more.
BUILTIN_FIELDS: Mapping[str, str] = {
    path: field.type for path, field in FIELDS.items() if field.builtin
}

# What the analytics aggregates query cannot count: its views count one duration condition,
# ANDed with the filter's other predicates. Validation warns of both; the preview refuses them.
DURATION_IN_AN_OR = (
    "the analytics aggregates query counts a duration only ANDed with the other predicates, not "
    "in an OR; make the filter an AND, or list the matches with reconcile preview --conversations"
)
SECOND_DURATION = (
    "the analytics aggregates query counts one duration condition; keep one in this segment (one "
    "segment per duration), or list the matches with reconcile preview --conversations"
)


def is_duration(path: object) -> bool:
    return isinstance(path, str) and path in FIELDS and FIELDS[path].metric is not None


def uncountable(kinds: list[bool], combination: str) -> tuple[int, str] | None:
    """The predicate (by index; `kinds` says which of the filter's predicates are durations)
    that the aggregates query cannot count, and why; None when it counts them all."""
    durations = [i for i, duration in enumerate(kinds) if duration]
    if durations and combination.upper() == "OR" and len(kinds) > 1:
        return durations[0], DURATION_IN_AN_OR
    if len(durations) > 1:
        return durations[1], SECOND_DURATION
    return None
