"""A large org of the real outbound kinds, for scale tests and benchmarks: the demo org plus
`count` generated contact list filters, rule sets and campaigns (two fifths, two fifths and
one fifth), each of varied shape, the same for the same count and seed.

    OrgState.from_json(generated.org(1_000, now))
"""

from __future__ import annotations

import copy
import random
from typing import Any

from genesys_reconcile.sandbox import demo
from genesys_reconcile.sandbox.demo_outbound import RULE_SETS, predicate
from genesys_reconcile.sandbox.ids import entity_id

_LISTS = tuple(demo.LISTS)
_REGIONS = ("NW", "CA", "TX", "NY", "FL", "WA")


def org(count: int, now: str, seed: int = 0) -> dict[str, Any]:
    """The demo org's state with `count` generated real resources added."""
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    state = demo.org(now)
    filters, rule_sets = (2 * count) // 5, (2 * count) // 5
    campaigns = count - filters - rule_sets
    state["contactListFilters"] += [_filter(i, rng, now) for i in range(filters)]
    state["ruleSets"] += [_rule_set(i, rng, now) for i in range(rule_sets)]
    state["campaigns"] += [_campaign(i, rng, filters, rule_sets, now) for i in range(campaigns)]
    return state


def filter_name(i: int) -> str:
    return f"Audience {i:05d}"


def _filter(i: int, rng: random.Random, now: str) -> dict[str, Any]:
    low = rng.randrange(18, 60)
    predicates = [predicate("age", "numeric", "BETWEEN", _between(low, low + rng.randrange(5, 30)))]
    if rng.random() < 0.7:
        regions = sorted(rng.sample(_REGIONS, rng.randrange(1, 4)))
        predicates.append(predicate("region", "alphabetic", "IN", {"inSet": regions}))
    if rng.random() < 0.6:
        predicates.append(predicate("do_not_call", "alphabetic", "EQUALS", "true", True))
    if rng.random() < 0.3:
        predicates.append(predicate("last_purchase", "alphabetic", "AFTER", "P-90DT00H00M"))
    return demo.contact_filter(filter_name(i), rng.choice(_LISTS), predicates, now)


def _between(low: int, high: int) -> dict[str, Any]:
    return {"min": str(low), "max": str(high), "minInclusive": True, "maxInclusive": True}


def _rule_set(i: int, rng: random.Random, now: str) -> dict[str, Any]:
    rules = [_do_not_call_rule()]
    if rng.random() < 0.5:
        rules.append(_callback_rule(rng.choice((5, 30, 60, 1440))))
    return demo.rule_set(f"Rules {i:05d}", {"contactList": rng.choice(_LISTS), "rules": rules}, now)


def _do_not_call_rule() -> dict[str, Any]:
    """The demo's do-not-call rule, as the server holds it."""
    return copy.deepcopy(RULE_SETS["Do-not-call safety"]["rules"][0])


def _callback_rule(minutes: int) -> dict[str, Any]:
    return {
        "name": "Retry busy lines",
        "category": "DIALER_WRAPUP",
        "conditions": [
            {
                "type": "callAnalysisCondition",
                "operator": "EQUALS",
                "value": "disposition.classification.callable.busy",
                "valueType": "STRING",
                "inverted": False,
            }
        ],
        "actions": [
            {
                "type": "Action",
                "actionTypeName": "SCHEDULE_CALLBACK",
                "properties": {"callbackOffset": str(minutes)},
            }
        ],
    }


def _campaign(i: int, rng: random.Random, filters: int, rule_sets: int, now: str) -> dict[str, Any]:
    name = f"Campaign {i:05d}"
    ident = entity_id("campaign", name)
    campaign = demo.real_campaign(name, rng.choice(_LISTS), rng.choice(("preview", "power")), now)
    campaign |= {"id": ident, "name": name, "version": 1}
    # The demo extension's fields, which the sandbox keeps on every campaign: no segmentation.
    campaign |= {"rules": [], "contactFilters": [], "useOnlyOnce": False, "indexStatus": "ready"}
    campaign["selfUri"] = f"/api/v2/outbound/campaigns/{ident}"
    if filters:
        campaign["contactListFilters"] = [_ref("contactlistfilter", filter_name(i % filters))]
    if rule_sets:
        campaign["ruleSets"] = [_ref("ruleset", f"Rules {i % rule_sets:05d}")]
    campaign["priority"] = rng.randrange(1, 6)
    return campaign


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"id": entity_id(kind, name), "name": name}
