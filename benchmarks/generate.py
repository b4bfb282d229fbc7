"""A large repository of desired-state files, and a sandbox org holding the same resources.

    python benchmarks/generate.py DIR [--segments N] [--campaigns M] [--drift SHARE] [--seed S]
    (defaults: 800 segments, 200 campaign segmentations, drift 0.1, seed 0)

Writes DIR/segments/*.yaml, DIR/campaigns/*.yaml, DIR/reconcile.yaml and DIR/org.json, a
sandbox state file. The org holds every resource the files describe, campaigns grouped ten to a
contact list with audiences that never overlap, plus the demo org's queues and agents.
round(SHARE x (N + M)) of the resources, chosen by the seed in proportion to each kind, differ
in the org: a segment's description or a predicate's value, a campaign's exclusion rule. So a
plan in DIR shows exactly that many updates and nothing else:

    reconcile sandbox serve --state DIR/org.json --port 0      # prints its URL
    cd DIR && GENESYS_API_URL=URL GENESYS_LOGIN_URL=URL \\
        GENESYS_CLIENT_ID=sandbox-client GENESYS_CLIENT_SECRET=sandbox-secret reconcile plan

Import it to build other layouts: `write_segments`, `write_campaigns`, `org_state`.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genesys_reconcile.kinds.base import file_stem_for
from genesys_reconcile.rules.compiler import ContactList, compile_rules
from genesys_reconcile.rules.model import from_document
from genesys_reconcile.sandbox import demo
from genesys_reconcile.sandbox.state import OrgState, save

NOW = "2024-10-01T00:00:00.000Z"
CAMPAIGNS_PER_LIST = 10  # campaigns sharing one contact list, each with its own age band
CHANNELS = ("voice", "chat", "email", "message")
TIME_GROUPS = ("hour", "day", "week", "month")
DIALING_MODES = ("progressive", "predictive", "power", "preview", "agentless")
REGIONS = ("NW", "CA", "TX", "NY", "FL", "WA")

Entity = dict[str, Any]


@dataclass(frozen=True)
class Generated:
    """What was written: how many of each kind, and the names of the drifted resources."""

    directory: Path
    segments: int
    campaigns: int
    drifted_segments: frozenset[str]
    drifted_campaigns: frozenset[str]

    @property
    def drifted(self) -> int:
        return len(self.drifted_segments) + len(self.drifted_campaigns)


def segment_name(i: int) -> str:
    return f"Bench Segment {i:05d}"


def campaign_name(j: int) -> str:
    return f"Bench Campaign {j:05d}"


def list_name(k: int) -> str:
    return f"Bench Leads {k:04d}"


# -- desired state ---------------------------------------------------------------------------


def segment_data(i: int) -> Entity:
    """The body of segment i, as its file holds it (and the API, apart from server fields)."""
    month = 1 + i % 6
    numeric = ("callDuration", "holdDuration", "wrapUpDuration")[i % 3]
    return {
        "name": segment_name(i),
        "description": f"Benchmark segment {i}: {CHANNELS[i % 4]} conversations by queue",
        "type": "conversation",
        "query": {
            "timeGroup": TIME_GROUPS[i % 4],
            "timeWindow": {
                "start": f"2024-{month:02d}-01T00:00:00Z",
                "end": f"2024-{month + 2:02d}-28T23:59:59Z",
            },
            "filter": {
                "type": "AND",
                "predicates": [
                    {"type": "EQUAL", "field": "conversation.channel", "value": CHANNELS[i % 4]},
                    {
                        "type": "GREATERTHAN",
                        "field": f"conversation.metrics.{numeric}",
                        "value": 10 + i % 600,
                    },
                ],
            },
            "aggregations": [
                {"type": "SUM", "field": "conversation.metrics.callDuration"},
                {"type": "AVG", "field": "conversation.metrics.holdDuration"},
            ],
            "groupBy": ["queue.name", "user.name"] if i % 2 else ["queue.name"],
        },
    }


def campaign_data(j: int) -> Entity:
    """The segmentation file of campaign j: one list shared with nine others, a six-year age
    band of its own (so no two campaigns on a list can dial the same contact)."""
    low = 18 + 6 * (j % CAMPAIGNS_PER_LIST)
    return {
        "kind": "CampaignSegmentation",
        "campaign": campaign_name(j),
        "lists": [list_name(j // CAMPAIGNS_PER_LIST)],
        "demographics": {
            "age": {"min": low, "max": low + 5},
            "region": {"allowed": sorted({REGIONS[j % 6], REGIONS[(j + 2) % 6]})},
        },
        "exclusions": [
            {"attribute": "do_not_call", "operator": "=", "value": True},
            {"attribute": "recently_contacted", "operator": ">", "value": 7 + j % 30},
        ],
        "useOnlyOnce": j % 2 == 0,
        "dialingMode": DIALING_MODES[j % len(DIALING_MODES)],
    }


def segment_yaml(data: Entity) -> str:
    query = data["query"]
    flow = json.dumps  # JSON is YAML: every value is spelt exactly once, and quoted as needed
    predicates = "".join(f"      - {flow(p)}\n" for p in query["filter"]["predicates"])
    aggregations = "".join(f"    - {flow(a)}\n" for a in query["aggregations"])
    return (
        "# yaml-language-server: $schema=../schemas/analytics-segment.schema.json\n"
        "kind: AnalyticsSegment\n"
        f"name: {data['name']}\n"
        f"description: {flow(data['description'])}\n"
        f"type: {data['type']}\n"
        "query:\n"
        f"  timeGroup: {query['timeGroup']}\n"
        f"  timeWindow: {{start: {query['timeWindow']['start']}, "
        f"end: {query['timeWindow']['end']}}}\n"
        "  filter:\n"
        f"    type: {query['filter']['type']}\n"
        "    predicates:\n"
        f"{predicates}"
        "  aggregations:\n"
        f"{aggregations}"
        f"  groupBy: {flow(query['groupBy'])}\n"
    )


def campaign_yaml(data: Entity) -> str:
    flow = json.dumps
    demographics = "".join(f"  {k}: {flow(v)}\n" for k, v in data["demographics"].items())
    exclusions = "".join(f"  - {flow(e)}\n" for e in data["exclusions"])
    return (
        "# yaml-language-server: $schema=../schemas/campaign-segmentation.schema.json\n"
        "kind: CampaignSegmentation\n"
        f"campaign: {data['campaign']}\n"
        f"lists: {flow(data['lists'])}\n"
        "demographics:\n"
        f"{demographics}"
        "exclusions:\n"
        f"{exclusions}"
        f"useOnlyOnce: {flow(data['useOnlyOnce'])}\n"
        f"dialingMode: {data['dialingMode']}\n"
    )


def write_segments(directory: Path, count: int) -> None:
    """`count` segment files in `directory`, each named after its segment."""
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        path = directory / f"{file_stem_for(segment_name(i))}.yaml"
        path.write_text(segment_yaml(segment_data(i)), encoding="utf-8")


def write_campaigns(directory: Path, count: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for j in range(count):
        path = directory / f"{file_stem_for(campaign_name(j))}.yaml"
        path.write_text(campaign_yaml(campaign_data(j)), encoding="utf-8")


def write_config(directory: Path, paths: Sequence[str], rate_per_minute: float | None) -> None:
    """reconcile.yaml: the paths, and the client's own rate limit when one is given."""
    lines = [f"paths: {json.dumps(list(paths))}"]
    if rate_per_minute is not None:
        lines += ["api:", f"  rateLimitPerMinute: {rate_per_minute:g}"]
    (directory / "reconcile.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- live state ------------------------------------------------------------------------------


def live_segment(i: int, drifted: bool) -> Entity:
    body = segment_data(i)
    if drifted and i % 2:
        body["query"]["filter"]["predicates"][1]["value"] += 1  # a threshold someone moved
    elif drifted:
        body["description"] += " (edited in the admin console)"
    ident = demo.entity_id("segment", body["name"])
    server = {"version": 1 + i % 3, "createdDate": NOW, "modifiedDate": NOW}
    return {"id": ident, **body, **server, "selfUri": f"/api/v2/analytics/segments/{ident}"}


def contact_list(k: int) -> Entity:
    return demo.contact_list(list_name(k), 1_000 + 37 * k, NOW)


def live_campaign(j: int, drifted: bool, lists: Sequence[ContactList]) -> Entity:
    """Campaign j as the org holds it: exactly the compiled rules, or (drifted) with its
    recently-contacted exclusion removed."""
    data = campaign_data(j)
    if drifted:
        data["exclusions"] = data["exclusions"][:1]
    rules = compile_rules(from_document(data), lists)
    name = data["campaign"]
    ident = demo.entity_id("campaign", name)
    return {
        "id": ident,
        "name": name,
        "version": 1 + j % 4,
        "dialingMode": data["dialingMode"],
        "useOnlyOnce": data["useOnlyOnce"],
        "rules": rules,
        "contactFilters": rules,
        "indexStatus": "ready",
        "createdDate": NOW,
        "modifiedDate": NOW,
        "selfUri": f"/api/v2/outbound/campaigns/{ident}",
    }


def org_state(
    segments: int, campaigns: int, drifted_segments: set[int], drifted_campaigns: set[int]
) -> OrgState:
    """An org holding every generated resource, the drifted ones changed."""
    lists = [contact_list(k) for k in range(-(-campaigns // CAMPAIGNS_PER_LIST))]
    catalog = [ContactList.from_wire(e["_extension"]) for e in lists]
    base = demo.org(NOW)
    org = {
        "segments": [live_segment(i, i in drifted_segments) for i in range(segments)],
        "contactLists": lists,
        "campaigns": [
            live_campaign(j, j in drifted_campaigns, [catalog[j // CAMPAIGNS_PER_LIST]])
            for j in range(campaigns)
        ],
        "queues": base["queues"],
        "users": base["users"],
    }
    return OrgState.from_json(org)


def drift_counts(segments: int, campaigns: int, share: float) -> tuple[int, int]:
    """round(share x total) drifted resources, split between the kinds in proportion."""
    total = round(share * (segments + campaigns))
    in_segments = min(segments, round(share * segments))
    in_campaigns = min(campaigns, total - in_segments)
    return total - in_campaigns, in_campaigns


def generate(
    directory: Path,
    segments: int,
    campaigns: int,
    drift: float = 0.1,
    seed: int = 0,
    rate_per_minute: float | None = None,
) -> Generated:
    """Write the files, reconcile.yaml and org.json under `directory`."""
    rng = random.Random(seed)
    drifting_segments, drifting_campaigns = drift_counts(segments, campaigns, drift)
    chosen_segments = set(rng.sample(range(segments), drifting_segments))
    chosen_campaigns = set(rng.sample(range(campaigns), drifting_campaigns))
    directory.mkdir(parents=True, exist_ok=True)
    write_segments(directory / "segments", segments)
    write_campaigns(directory / "campaigns", campaigns)
    write_config(directory, ["segments", "campaigns"], rate_per_minute)
    state = org_state(segments, campaigns, chosen_segments, chosen_campaigns)
    save(state, directory / "org.json")
    return Generated(
        directory,
        segments,
        campaigns,
        frozenset(segment_name(i) for i in chosen_segments),
        frozenset(campaign_name(j) for j in chosen_campaigns),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--segments", type=int, default=800, metavar="N")
    parser.add_argument("--campaigns", type=int, default=200, metavar="M")
    parser.add_argument("--drift", type=float, default=0.1, metavar="SHARE")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    made = generate(args.directory, args.segments, args.campaigns, args.drift, args.seed)
    print(
        f"{made.segments} segments, {made.campaigns} campaign segmentations, "
        f"{made.drifted} drifted ({len(made.drifted_segments)} segments, "
        f"{len(made.drifted_campaigns)} campaigns) in {made.directory}"
    )


if __name__ == "__main__":
    main()
