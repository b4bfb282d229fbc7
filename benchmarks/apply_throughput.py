"""How fully `reconcile apply` spends the rate limit, and whether a 429 ever costs a change.

    python benchmarks/apply_throughput.py [--changes 500] [--limit 300] [--json FILE]
    (JSON to benchmarks/results/apply_throughput.json; about 4 minutes at the default limit)

`reconcile apply --auto-approve` creates CHANGES segments (segments need no index wait, so the
rate limit is all that paces them) in a sandbox in its own process: 25 ms latency a request,
LIMIT requests a minute. Two scenarios, each with a fresh sandbox, the client as shipped:

- fixed: the sandbox enforces LIMIT as a token bucket and reports no budget, so the client
  paces itself at its default, 270 requests a minute;
- budget: the sandbox enforces LIMIT per token and minute and reports the budget in
  `inin-ratelimit-*` headers on every answer, as the platform does; the client spends it.

From the journal: API requests and 429s; the share of the allowance used, over the minutes
(from the run's first API request, when the token's window opens) that the run filled before
its last request: accepted requests in them / (LIMIT a minute); failed changes from the exit
status and the audit log; wall time. Prints a markdown table; writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import generate
from harness import SandboxProcess, reconcile, table, write_json

LATENCY_MS = 25
DEFAULT_JSON = Path(__file__).parent / "results" / "apply_throughput.json"
SEGMENTS = "/api/v2/analytics/segments"
WINDOW = 60.0  # seconds: the platform's rate-limit window


@dataclass(frozen=True)
class Scenario:
    name: str
    model: str  # the sandbox's rate-limit model: "bucket" reports no budget, "window" does
    setup: str


SCENARIOS = (
    Scenario("fixed", "bucket", "no budget reported: the client paces at 270/min"),
    Scenario("budget", "window", "budget reported per token and minute: the client spends it"),
)


def repository(root: Path, changes: int) -> Path:
    """CHANGES segment files, and a reconcile.yaml leaving the client's pacing as shipped."""
    generate.write_segments(root / "segments", changes)
    generate.write_config(root, ["segments"], None)
    return root


def outcomes(audit_log: Path) -> tuple[dict[str, int], list[str]]:
    """How many changes ended in each outcome, and why those that failed did, from the audit
    trail."""
    found: dict[str, int] = {}
    errors = []
    for line in audit_log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if event.get("event") == "change.result":
            found[event["outcome"]] = found.get(event["outcome"], 0) + 1
            if "error" in event:
                errors.append(f"{event['name']}: {event['error']}")
    return found, errors


def seconds(entry: dict[str, Any]) -> float:
    return datetime.fromisoformat(entry["at"]).timestamp()


def allowance_share(entries: Sequence[dict[str, Any]], limit: int) -> tuple[float | None, int]:
    """The share of the allowance the run used in the minutes it filled (windows from its
    first API request that ended before its last one), and how many minutes those were."""
    start, end = seconds(entries[0]), seconds(entries[-1])
    full = int((end - start) // WINDOW)
    if not full:
        return None, 0
    accepted = sum(e["status"] != 429 and seconds(e) < start + full * WINDOW for e in entries)
    return accepted / (limit * full), full


def run_scenario(scenario: Scenario, changes: int, limit: int, root: Path) -> dict[str, Any]:
    directory = repository(root / scenario.name, changes)
    audit_log = directory / "audit.jsonl"
    options = ["--latency", str(LATENCY_MS), "--rate-limit", str(limit)]
    with SandboxProcess(*options, "--rate-limit-model", scenario.model) as box:
        args = ["apply", "--auto-approve", "--audit-log", str(audit_log)]
        run = reconcile(args, directory, box.env())
        entries = [e for e in box.journal()["entries"] if e["path"].startswith("/api/")]
        org = box.admin.get("/_sandbox/state").json()
    created = {s["name"] for s in org["segments"] if s["name"].startswith("Bench Segment")}
    ended, errors = outcomes(audit_log)
    share, minutes = allowance_share(entries, limit)
    return {
        "scenario": scenario.name,
        "setup": scenario.setup,
        "exitCode": run.code,
        "wall": run.wall,
        "apiRequests": len(entries),
        "throttled": sum(e["status"] == 429 for e in entries),
        "allowanceShare": share,
        "fullMinutes": minutes,
        "apiSpan": seconds(entries[-1]) - seconds(entries[0]),
        "outcomes": ended,
        "failed": changes - ended.get("applied", 0) - ended.get("adopted", 0),
        "inOrg": len(created),
        "errors": errors,
    }


def report(results: Sequence[dict[str, Any]], changes: int, limit: int) -> str:
    notes = (
        f"{changes} segment creates; sandbox limit {limit} requests a minute, {LATENCY_MS} ms "
        "latency. The allowance share counts accepted requests in the minutes the run filled, "
        "from its first API request (planning included)."
    )
    rows = [
        [
            r["scenario"],
            r["setup"],
            r["apiRequests"],
            r["throttled"],
            "n/a" if r["allowanceShare"] is None else f"{r['allowanceShare']:.1%}",
            r["fullMinutes"],
            f"{r['failed']} (exit {r['exitCode']})",
            r["inOrg"],
            f"{r['apiSpan']:.1f}",
            f"{r['wall']:.1f}",
        ]
        for r in results
    ]
    headers = [
        "pacing",
        "setup",
        "API requests",
        "429s",
        "allowance used",
        "minutes filled",
        "failed changes",
        "created in org",
        "API span s",
        "wall s",
    ]
    return notes + "\n\n" + table(headers, rows, right=2)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=500)
    parser.add_argument("--limit", type=int, default=300, help="the sandbox's requests a minute")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="FILE")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="apply-throughput-") as tmp:
        for scenario in SCENARIOS:
            print(f"{scenario.name}: {scenario.setup}", file=sys.stderr, flush=True)
            results.append(run_scenario(scenario, args.changes, args.limit, Path(tmp)))
    print(report(results, args.changes, args.limit))
    write_json(args.json, {"changes": args.changes, "limit": args.limit, "results": results})
    print(f"JSON: {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
