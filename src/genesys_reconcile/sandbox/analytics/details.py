"""The details query: filtered, ordered pages of conversations in their nested wire shape.

Answers `POST /api/v2/analytics/conversations/details/query`. Conversation filters test the
conversation; segment filters test its participants' segments, as Genesys Cloud does. Each
conversation is rendered in Genesys Cloud's participant/session/segment shape, with ids derived
from the conversation's so that a page reads the same every time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from genesys_reconcile.sandbox.analytics import vocabulary
from genesys_reconcile.sandbox.analytics.conversations import Conversation, ConversationsIn
from genesys_reconcile.sandbox.analytics.predicates import (
    Predicate,
    Vocabulary,
    combine,
    predicate,
)
from genesys_reconcile.sandbox.analytics.wire import (
    array,
    choice,
    interval,
    iso,
    mapping,
    optional,
    reject_unknown,
    required,
)
from genesys_reconcile.sandbox.errors import bad_request

_CONVERSATION_NS = uuid.UUID("6f1c3b0e-6a44-4c1e-9d8a-2f0b7c5e9a11")
_CONVERSATION = Vocabulary(
    "a details conversation filter",
    vocabulary.CONVERSATION_DIMENSIONS,
    vocabulary.CONVERSATION_METRICS,
    {"conversationId": "conversation_id", "originatingDirection": "direction"},
)


@dataclass(frozen=True, slots=True)
class _Segment:
    """What a segment filter can see of one participant's segments."""

    purpose: str
    queue_id: str | None
    media_type: str
    direction: str
    user_id: str | None


_SEGMENT = Vocabulary(
    "a details segment filter",
    vocabulary.SEGMENT_DIMENSIONS,
    vocabulary.SEGMENT_METRICS,
    {
        "queueId": "queue_id",
        "mediaType": "media_type",
        "direction": "direction",
        "userId": "user_id",
        "purpose": "purpose",
    },
    frozenset(
        {"type", "dimension", "propertyType", "property", "metric", "operator", "value", "range"}
    ),
)


def _segments(c: Conversation) -> tuple[_Segment, ...]:
    customer = _Segment("customer", None, c.media_type, c.direction, None)
    acd = _Segment("acd", c.queue_id, c.media_type, c.direction, None)
    if c.user_id is None:
        return customer, acd
    return customer, acd, _Segment("agent", c.queue_id, c.media_type, c.direction, c.user_id)


_SegmentPredicate = Callable[[_Segment], bool]


def _detail_filters(body: Mapping[str, Any]) -> list[Predicate]:
    tests: list[Predicate] = []
    for i, spec in enumerate(
        array(optional(body, "conversationFilters", []), "conversationFilters")
    ):
        path = f"conversationFilters[{i}]"
        kind, predicates = _detail_filter(spec, path)
        # Conversation filters take metric predicates too (durations such as tHandle).
        parts = [
            predicate(p, f"{path}.predicates[{j}]", _CONVERSATION) for j, p in enumerate(predicates)
        ]
        tests.append(combine(kind, parts))
    for i, spec in enumerate(array(optional(body, "segmentFilters", []), "segmentFilters")):
        tests.append(_segment_filter(spec, f"segmentFilters[{i}]"))
    return tests


def _detail_filter(raw: Any, path: str) -> tuple[str, list[Any]]:
    spec = mapping(raw, path)
    kind = choice(required(spec, "type", f"{path}.type"), ("and", "or"), f"{path}.type")
    predicates = array(required(spec, "predicates", f"{path}.predicates"), f"{path}.predicates")
    if not predicates:
        raise bad_request("a filter needs predicates", f"{path}.predicates")
    return kind, predicates


def _segment_filter(spec: Any, path: str) -> Predicate:
    # Like Genesys Cloud, an "and" filter must hold on one segment, not across several.
    kind, predicates = _detail_filter(spec, path)
    parts: list[_SegmentPredicate] = []
    for j, p in enumerate(predicates):
        parts.append(predicate(p, f"{path}.predicates[{j}]", _SEGMENT))
    if kind == "and":
        return lambda c: any(all(p(s) for p in parts) for s in _segments(c))
    return lambda c: any(p(s) for s in _segments(c) for p in parts)


def _sub_id(conversation_id: str, part: str) -> str:
    return str(uuid.uuid5(_CONVERSATION_NS, f"{conversation_id}:{part}"))


def _metric(name: str, value: int, at: datetime) -> dict[str, Any]:
    return {"name": name, "value": value, "emitDate": iso(at)}


def _segment(kind: str, start: datetime, end: datetime, **extra: str | None) -> dict[str, Any]:
    segment: dict[str, Any] = {"segmentStart": iso(start), "segmentEnd": iso(end)}
    segment["segmentType"] = kind
    segment.update({k: v for k, v in extra.items() if v is not None})
    return segment


def _session(
    c: Conversation, part: str, segments: list[dict[str, Any]], metrics: list[dict[str, Any]]
) -> dict[str, Any]:
    session: dict[str, Any] = {
        "sessionId": _sub_id(c.conversation_id, f"{part}:session"),
        "mediaType": c.media_type,
        "direction": c.direction,
    }
    if c.campaign_id is not None:
        session["outboundCampaignId"] = c.campaign_id
    session["segments"] = segments
    if metrics:
        session["metrics"] = metrics
    return session


def _ms(moment: datetime, ms: int) -> datetime:
    return moment + timedelta(milliseconds=ms)


def _customer(c: Conversation) -> dict[str, Any]:
    hang_up = c.end if c.abandoned else _ms(c.start, c.wait_ms + c.talk_ms + c.hold_ms)
    segment = _segment("interact", c.start, hang_up, disconnectType="endpoint")
    return {
        "participantId": _sub_id(c.conversation_id, "customer"),
        "purpose": "customer",
        "sessions": [_session(c, "customer", [segment], [])],
    }


def _acd(c: Conversation, queue_name: str | None) -> dict[str, Any]:
    answered_at = _ms(c.start, c.wait_ms)
    disconnect = "peer" if c.abandoned else "transfer"
    segment = _segment(
        "interact", c.start, answered_at, queueId=c.queue_id, disconnectType=disconnect
    )
    metrics = [_metric("nOffered", 1, c.start)]
    metrics.append(_metric("tAbandon" if c.abandoned else "tAnswered", c.wait_ms, answered_at))
    if c.over_sla:
        metrics.append(_metric("nOverSla", 1, answered_at))
    participant: dict[str, Any] = {"participantId": _sub_id(c.conversation_id, "acd")}
    if queue_name is not None:
        participant["participantName"] = queue_name
    participant["purpose"] = "acd"
    participant["sessions"] = [_session(c, "acd", [segment], metrics)]
    return participant


def _agent_segments(c: Conversation) -> list[dict[str, Any]]:
    # The agent is alerted during the last seconds of the wait and holds halfway through the talk.
    answered = _ms(c.start, c.wait_ms)
    alert = _segment("alert", _ms(answered, -min(c.wait_ms, 4_000)), answered, queueId=c.queue_id)
    first = c.talk_ms // 2 if c.hold_ms else c.talk_ms
    segments = [alert, _segment("interact", answered, _ms(answered, first), queueId=c.queue_id)]
    cursor = _ms(answered, first)
    if c.hold_ms:
        held = _ms(cursor, c.hold_ms)
        segments.append(_segment("hold", cursor, held, queueId=c.queue_id))
        rest = c.talk_ms - first
        segments.append(_segment("interact", held, _ms(held, rest), queueId=c.queue_id))
        cursor = _ms(held, rest)
    segments[-1]["disconnectType"] = "transfer" if c.transferred else "peer"
    segments.append(_segment("wrapup", cursor, c.end, queueId=c.queue_id))
    return segments


def _agent(c: Conversation, user_name: str | None) -> dict[str, Any]:
    talked = _ms(c.start, c.wait_ms + c.talk_ms + c.hold_ms)
    metrics = [_metric("tTalk", c.talk_ms, talked)]
    if c.hold_ms:
        metrics.append(_metric("tHeld", c.hold_ms, talked))
    metrics += [_metric("tAcw", c.acw_ms, c.end), _metric("tHandle", c.handle_ms, c.end)]
    if c.transferred:
        metrics.append(_metric("nTransferred", 1, talked))
    participant: dict[str, Any] = {"participantId": _sub_id(c.conversation_id, "agent")}
    if user_name is not None:
        participant["participantName"] = user_name
    participant.update({"purpose": "agent", "userId": c.user_id})
    participant["sessions"] = [_session(c, "agent", _agent_segments(c), metrics)]
    return participant


# Fields of the SDK's ConversationQuery the sandbox does not simulate.
_UNSIMULATED = frozenset(
    {"evaluationFilters", "surveyFilters", "resolutionFilters", "aggregations"}
)
_DETAIL_FIELDS = frozenset(
    {"interval", "conversationFilters", "segmentFilters", "order", "orderBy", "paging"}
)


def answer(
    body: Mapping[str, Any],
    conversations: ConversationsIn,
    queue_names: Mapping[str, str],
    user_names: Mapping[str, str],
) -> dict[str, Any]:
    """Answer a details query: one page of matching conversations, nested, and the total."""
    body = mapping(body, "")
    reject_unknown(body, _DETAIL_FIELDS, unsimulated=_UNSIMULATED)
    start, end = interval(body, 31)
    order = choice(optional(body, "order", "asc"), sorted(vocabulary.ORDERS), "order")
    descending = order == "desc"
    by = choice(
        optional(body, "orderBy", "conversationStart"), sorted(vocabulary.ORDER_BY), "orderBy"
    )
    size, number = _paging(body)
    tests = _detail_filters(body)
    hits = [c for c in conversations(start, end) if all(t(c) for t in tests)]
    ends = by in ("conversationEnd", "segmentEnd")
    hits.sort(key=attrgetter("end" if ends else "start", "conversation_id"), reverse=descending)
    page = hits[(number - 1) * size : number * size]
    found: dict[str, Any] = {}
    if page:
        found["conversations"] = [_render(c, queue_names, user_names) for c in page]
    found["totalHits"] = len(hits)
    return found


def _render(
    c: Conversation, queue_names: Mapping[str, str], user_names: Mapping[str, str]
) -> dict[str, Any]:
    participants = [_customer(c), _acd(c, queue_names.get(c.queue_id))]
    if c.user_id is not None:
        participants.append(_agent(c, user_names.get(c.user_id)))
    return {
        "conversationId": c.conversation_id,
        "conversationStart": iso(c.start),
        "conversationEnd": iso(c.end),
        "originatingDirection": c.direction,
        "participants": participants,
    }


def _paging(body: Mapping[str, Any]) -> tuple[int, int]:
    raw = body.get("paging")
    paging = {} if raw is None else mapping(raw, "paging")
    size = optional(paging, "pageSize", 25)
    number = optional(paging, "pageNumber", 1)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 100:
        raise bad_request("paging.pageSize must be an integer from 1 to 100", "paging.pageSize")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise bad_request("paging.pageNumber must be an integer of at least 1", "paging.pageNumber")
    return size, number
