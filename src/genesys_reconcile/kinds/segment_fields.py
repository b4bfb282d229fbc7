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
    metric: str | None = None  # the metric, for durations (the segment says seconds)
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
    "conversation.channel": Field(dimension="mediaType", values=MEDIA_TYPES),
    "conversation.direction": Field(
        dimension="direction", detail="originatingDirection", values=DIRECTIONS, builtin=False
    ),
    "queue.name": Field(dimension="queueId", level="segment", lookup="queues"),
    "user.name": Field(dimension="userId", level="segment", lookup="users"),
    "conversation.metrics.callDuration": Field(metric="tHandle"),
    "conversation.metrics.talkDuration": Field(metric="tTalk", builtin=False),
    "conversation.metrics.holdDuration": Field(metric="tHeld"),
    "conversation.metrics.wrapUpDuration": Field(metric="tAcw"),
    "conversation.metrics.waitDuration": Field(metric="tWait", builtin=False),
}

# The paths segments may name with no declaration, with their types;
# `kinds.AnalyticsSegment.fields` in reconcile.yaml adds more.
BUILTIN_FIELDS: Mapping[str, str] = {
    path: field.type for path, field in FIELDS.items() if field.builtin
}
