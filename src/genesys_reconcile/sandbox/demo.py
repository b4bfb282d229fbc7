"""The demo org every sandbox starts with.

It matches the repository's example files with deliberate differences, so a first plan shows
each kind of change:
- "Voice Calls Over 5 Minutes Q3" differs (threshold 240 s instead of 300, description);
- "Short Voice Calls" is identical (no change);
- "Long Holds in Support" and "Chat Wrap-Up Over a Minute" are missing (creates);
- "Abandoned Callbacks" exists only here (unmanaged, and not owned: --prune leaves it alone);
- the campaigns exist with older segmentation (updates); "Holiday Promo" is not segmented,
  and its settings differ from its `CampaignSettings` file (one DNC list, no time set);
- the rule set "Do-not-call safety" is identical, "Holiday Promo exclusions" is missing (a
  create) and "Legacy wrap-up retries" exists only here (unmanaged);
- the contact list filter "Renewals audience" differs (engagement from 40, not 50); "Holiday
  Promo audience" is missing (a create); "Old Spring test" exists only here (unmanaged).
Ids are derived from names, so they are the same in every sandbox.
"""

from __future__ import annotations

from typing import Any

from genesys_reconcile.sandbox.demo_outbound import FILTERS, RULE_SETS
from genesys_reconcile.sandbox.ids import entity_id as entity_id  # where callers find it
from genesys_reconcile.sandbox.journey_demo import journey_segments

QUEUES = ("Support", "Sales", "Billing", "Retention", "Collections")
AGENTS = (
    "Ada Brooks",
    "Ben Carter",
    "Chloe Diaz",
    "Dev Patel",
    "Elena Rossi",
    "Farid Haddad",
    "Grace Kim",
    "Hugo Martin",
)
LIST_ATTRIBUTES = (
    ("age", "number"),
    ("region", "string"),
    ("engagement_score", "number"),
    ("do_not_call", "boolean"),
    ("recently_contacted", "number"),
    ("last_purchase", "date"),
)
# Each list column's type as the real API specifies it (`columnDataTypeSpecifications`); the
# demo extension's view of a list (`attributes`) is derived from it.
COLUMN_TYPES = {"number": "NUMERIC", "string": "TEXT", "boolean": "TEXT", "date": "DATETIME"}
PHONE_COLUMN = "phone"
DNC_LISTS = {"Internal DNC": ("rds", "Phone"), "National DNC": ("rds", "Any")}
CALLABLE_TIME_SETS = {"US business hours": "America/Chicago", "EU business hours": "Europe/Dublin"}
WRAPUP_CODES = ("Sale", "Not interested", "Call back later", "Wrong number")
LISTS = {
    "Primary Leads": 48_210,
    "Secondary Leads": 19_877,
    "Renewals Due": 7_420,
    "Lapsed Customers": 12_056,
}


def org(now: str) -> dict[str, Any]:
    return {
        "segments": [_segment(name, body, now) for name, body in _SEGMENTS.items()],
        "contactLists": [contact_list(name, size, now) for name, size in LISTS.items()],
        "dncLists": [_dnc_list(name, *spec, now) for name, spec in DNC_LISTS.items()],
        "callableTimeSets": [
            _time_set(name, zone, now) for name, zone in CALLABLE_TIME_SETS.items()
        ],
        "wrapupCodes": [
            _named("wrapupcode", n, "/api/v2/routing/wrapupcodes") for n in WRAPUP_CODES
        ],
        "campaigns": [_campaign(name, spec, now) for name, spec in _CAMPAIGNS.items()],
        "contactListFilters": [contact_filter(name, *spec, now) for name, spec in FILTERS.items()],
        "queues": [_named("queue", name, "/api/v2/routing/queues") for name in QUEUES],
        "users": [_named("user", name, "/api/v2/users") for name in AGENTS],
        "ruleSets": [rule_set(name, spec, now) for name, spec in RULE_SETS.items()],
        "journeySegments": journey_segments(now),
    }


def _named(kind: str, name: str, base: str) -> dict[str, Any]:
    ident = entity_id(kind, name)
    return {"id": ident, "name": name, "selfUri": f"{base}/{ident}"}


def _segment(name: str, body: dict[str, Any], now: str) -> dict[str, Any]:
    ident = entity_id("segment", name)
    return {
        "id": ident,
        "name": name,
        **body,
        "version": 1,
        "createdDate": now,
        "modifiedDate": now,
        "selfUri": f"/api/v2/analytics/segments/{ident}",
    }


def contact_list(name: str, size: int, now: str) -> dict[str, Any]:
    ident = entity_id("list", name)
    return {
        **_real("list", name, "/api/v2/outbound/contactlists", now),
        "columnNames": [PHONE_COLUMN, *(a for a, _ in LIST_ATTRIBUTES)],
        "phoneColumns": [{"columnName": PHONE_COLUMN, "type": "cell"}],
        "columnDataTypeSpecifications": [
            {"columnName": a, "columnDataType": COLUMN_TYPES[t]} for a, t in LIST_ATTRIBUTES
        ],
        "size": size,
        # The demo extension's view of the list (`/api/v2/outbound/lists`).
        "_extension": {
            "id": ident,
            "name": name,
            "attributes": [{"name": a, "type": t} for a, t in LIST_ATTRIBUTES],
            "size": size,
            "selfUri": f"/api/v2/outbound/lists/{ident}",
        },
    }


def _real(kind: str, name: str, base: str, now: str) -> dict[str, Any]:
    """The fields every real outbound entity has."""
    ident = entity_id(kind, name)
    return {
        "id": ident,
        "name": name,
        "version": 1,
        "dateCreated": now,
        "dateModified": now,
        "selfUri": f"{base}/{ident}",
    }


def _dnc_list(name: str, source: str, method: str, now: str) -> dict[str, Any]:
    entity = _real("dnclist", name, "/api/v2/outbound/dnclists", now)
    return {**entity, "dncSourceType": source, "contactMethod": method, "size": 0}


def _time_set(name: str, zone: str, now: str) -> dict[str, Any]:
    weekdays = [
        {"startTime": "09:00:00.000", "stopTime": "17:00:00.000", "day": d} for d in range(1, 6)
    ]
    entity = _real("timeset", name, "/api/v2/outbound/callabletimesets", now)
    return {**entity, "callableTimes": [{"timeSlots": weekdays, "timeZoneId": zone}]}


def contact_filter(
    name: str, list_name: str, predicates: list[dict[str, Any]], now: str
) -> dict[str, Any]:
    contact_list = _real("list", list_name, "/api/v2/outbound/contactlists", now)
    return {
        **_real("contactlistfilter", name, "/api/v2/outbound/contactlistfilters", now),
        "sourceType": "ContactList",
        "contactList": {k: contact_list[k] for k in ("id", "name", "selfUri")},
        "filterType": "AND",
        "clauses": [{"filterType": "AND", "predicates": predicates}],
    }


def _campaign(name: str, spec: dict[str, Any], now: str) -> dict[str, Any]:
    ident = entity_id("campaign", name)
    rules = [_rule("list", f"listId = '{entity_id('list', n)}'") for n in spec["lists"]]
    rules += [_rule("contact", e) for e in spec["include"]]
    rules += [_rule("contact", e, "exclude") for e in spec["exclude"]]
    return {
        "id": ident,
        "name": name,
        "version": 1,
        "dialingMode": spec["dialingMode"],
        "useOnlyOnce": spec["useOnlyOnce"],
        "rules": rules,
        "contactFilters": rules,
        "indexStatus": "ready",
        "createdDate": now,
        "modifiedDate": now,
        "selfUri": f"/api/v2/outbound/campaigns/{ident}",
        **real_campaign(name, spec["lists"][0], spec["dialingMode"], now),
    }


def real_campaign(name: str, first_list: str, dialing_mode: str, now: str) -> dict[str, Any]:
    """The real platform's fields of a demo campaign (SDK `Campaign`) beside the extension's:
    it dials its first list; a campaign unknown to the demo gets the defaults."""
    spec = _REAL_CAMPAIGNS.get(name, {})

    def ref(kind: str, entity: str, base: str) -> dict[str, str]:
        ident = entity_id(kind, entity)
        return {"id": ident, "name": entity, "selfUri": f"{base}/{ident}"}

    dnc = [ref("dnclist", n, "/api/v2/outbound/dnclists") for n in spec.get("dncLists", [])]
    time_set = spec.get("callableTimeSet")
    fields: dict[str, Any] = {
        "contactList": ref("list", first_list, "/api/v2/outbound/contactlists"),
        "queue": ref("queue", spec.get("queue", "Sales"), "/api/v2/routing/queues"),
        "dialingMode": dialing_mode,
        "phoneColumns": [{"columnName": PHONE_COLUMN, "type": "cell"}],
        "callerName": spec.get("callerName", "Acme"),
        "callerAddress": spec.get("callerAddress", "+15551230000"),
        "campaignStatus": spec.get("campaignStatus", "off"),
        "contactListFilters": [],
        "ruleSets": [],
        "dncLists": dnc,
        "abandonRate": spec.get("abandonRate", 5.0),
        "priority": spec.get("priority", 5),
        "outboundLineCount": 10,
        "noAnswerTimeout": 30,
        "dateCreated": now,
        "dateModified": now,
        "errors": [],
    }
    if time_set:
        fields["callableTimeSet"] = ref("timeset", time_set, "/api/v2/outbound/callabletimesets")
    return fields


def rule_set(name: str, spec: dict[str, Any], now: str) -> dict[str, Any]:
    entity = _real("ruleset", name, "/api/v2/outbound/rulesets", now)
    for key, (kind, base) in (("contactList", ("list", _LISTS)), ("queue", ("queue", _QUEUES))):
        if key in spec:
            ident = entity_id(kind, spec[key])
            entity[key] = {"id": ident, "name": spec[key], "selfUri": f"{base}/{ident}"}
    rules = [
        {"id": entity_id("rule", f"{name}:{rule['name']}"), **rule, "order": order}
        for order, rule in enumerate(spec["rules"])
    ]
    return {**entity, "rules": rules}


_LISTS, _QUEUES = "/api/v2/outbound/contactlists", "/api/v2/routing/queues"


def _rule(kind: str, expression: str, action: str = "include") -> dict[str, Any]:
    return {
        "type": kind,
        "expression": expression,
        "filter": {"type": kind, "expression": expression},
        "actions": [{"type": action}],
    }


def _window(start: str, end: str) -> dict[str, str]:
    return {"start": start, "end": end}


_SEGMENTS: dict[str, dict[str, Any]] = {
    "Voice Calls Over 5 Minutes Q3": {
        "description": "Long voice conversations",
        "type": "conversation",
        "query": {
            "timeGroup": "hour",
            "timeWindow": _window("2024-07-01T00:00:00Z", "2024-09-30T23:59:59Z"),
            "filter": {
                "type": "AND",
                "predicates": [
                    {"type": "EQUAL", "field": "conversation.channel", "value": "voice"},
                    {
                        "type": "GREATERTHAN",
                        "field": "conversation.metrics.callDuration",
                        "value": 240,
                    },
                ],
            },
            "aggregations": [{"type": "SUM", "field": "conversation.metrics.callDuration"}],
            "groupBy": ["queue.name"],
        },
    },
    "Short Voice Calls": {
        "description": "Voice calls under 30 seconds, a sign of misroutes and early hang-ups",
        "type": "conversation",
        "query": {
            "timeGroup": "day",
            "timeWindow": _window("2024-08-01T00:00:00Z", "2024-10-31T23:59:59Z"),
            "filter": {
                "type": "AND",
                "predicates": [
                    {"type": "EQUAL", "field": "conversation.channel", "value": "voice"},
                    {"type": "LESSTHAN", "field": "conversation.metrics.callDuration", "value": 30},
                ],
            },
            "aggregations": [{"type": "COUNT", "field": "conversation.metrics.callDuration"}],
            "groupBy": ["queue.name"],
        },
    },
    "Abandoned Callbacks": {
        "description": "Callbacks that waited over two minutes; created in the admin console",
        "type": "conversation",
        "query": {
            "timeGroup": "day",
            "timeWindow": _window("2024-06-01T00:00:00Z", "2024-08-31T23:59:59Z"),
            "filter": {
                "type": "AND",
                "predicates": [
                    {"type": "EQUAL", "field": "conversation.channel", "value": "callback"},
                    {
                        "type": "GREATERTHAN",
                        "field": "conversation.metrics.waitDuration",
                        "value": 120,
                    },
                ],
            },
            "aggregations": [{"type": "COUNT", "field": "conversation.metrics.waitDuration"}],
            "groupBy": ["queue.name"],
        },
    },
}

_CAMPAIGNS: dict[str, dict[str, Any]] = {
    "Spring Outreach": {
        "lists": ["Primary Leads"],
        "include": ["age >= 21 AND age <= 55 AND region IN ('NW', 'CA', 'TX')"],
        "exclude": ["do_not_call = true"],
        "useOnlyOnce": True,
        "dialingMode": "predictive",
    },
    "Policy Renewal Reminders": {
        "lists": ["Renewals Due"],
        "include": ["age >= 18 AND engagement_score >= 40"],
        "exclude": ["do_not_call = true"],
        "useOnlyOnce": False,
        "dialingMode": "preview",
    },
    "Lapsed Customer Win-Back": {
        "lists": ["Lapsed Customers", "Primary Leads"],
        "include": ["region IN ('CA', 'TX', 'NY') AND engagement_score >= 20"],
        "exclude": ["do_not_call = true OR recently_contacted < 7"],
        "useOnlyOnce": True,
        "dialingMode": "predictive",
    },
    "Holiday Promo": {
        "lists": ["Secondary Leads"],
        "include": ["engagement_score >= 50"],
        "exclude": ["do_not_call = true"],
        "useOnlyOnce": False,
        "dialingMode": "power",
    },
}

# The real settings of the demo campaigns; "Holiday Promo" differs from its example file.
_REAL_CAMPAIGNS: dict[str, dict[str, Any]] = {
    "Spring Outreach": {
        "queue": "Sales",
        "campaignStatus": "on",
        "dncLists": ["Internal DNC", "National DNC"],
        "callableTimeSet": "US business hours",
        "abandonRate": 3.0,
        "priority": 3,
    },
    "Policy Renewal Reminders": {"queue": "Retention", "dncLists": ["Internal DNC"]},
    "Lapsed Customer Win-Back": {"queue": "Retention", "callableTimeSet": "US business hours"},
    "Holiday Promo": {
        "queue": "Sales",
        "callerName": "Acme",
        "callerAddress": "+15551234567",
        "dncLists": ["Internal DNC"],
    },
}
