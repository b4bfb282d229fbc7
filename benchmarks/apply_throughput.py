"""How fully `reconcile apply` spends the rate limit, and whether a 429 ever costs a change.

    python benchmarks/apply_throughput.py [--changes 500] [--limit 300] [--json FILE]
    (JSON to benchmarks/results/apply_throughput.json; about 4 minutes at the default limit.
    `--limit 3000` takes under a minute, but the sandbox's bursts, a tenth of a minute's
    requests, are then most of the run and inflate the shares: a smoke test, not a result.)

`reconcile apply --auto-approve` creates CHANGES segments (segments need no index wait, so the
rate limit is all that paces them) in a sandbox in its own process: 25 ms latency a request,
`--rate-limit LIMIT` requests a minute. Two scenarios, each with a fresh sandbox:

- paced: the client at its default share of the limit (rateLimitPerMinute 90% of LIMIT: 270
  for the platform's 300), while the sandbox answers 429 (Retry-After: 1) to the next create
  every 25 requests' worth of time at the limit (every 5 s at 300 a minute; at least 2 s), as a
  platform under load from other clients does;
- eager: the client configured at 110% of LIMIT, so the sandbox's own token bucket answers 429
  whenever the client outruns it.

From the journal: API requests, 429s, and the rate of accepted requests (all but the 429s) over
the run's API span, as a share of LIMIT; failed changes from the exit status and the audit log;
wall time against the floor, API requests / LIMIT. Prints a markdown table; writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import generate
from harness import SandboxProcess, reconcile, table, write_json

LATENCY_MS = 25
INJECT_EVERY = 25  # requests' worth of time at the limit between two injected 429s
# ...but never closer than this, in seconds: a create retried after Retry-After (1 s) must not
# meet the next injected 429 every time, or the last create of a run would be throttled alone.
INJECT_MIN_PERIOD = 2.0
DEFAULT_JSON = Path(__file__).parent / "results" / "apply_throughput.json"
SEGMENTS = "/api/v2/analytics/segments"


@dataclass(frozen=True)
class Scenario:
    name: str
    client_share: float  # the client's rateLimitPerMinute as a share of the sandbox's limit
    inject: bool  # scripted 429s on top of the sandbox's own limit

    def describe(self, limit: int) -> str:
        client = f"client at {self.client_share:.0%} ({self.client_share * limit:g}/min)"
        return client + (f", one 429 every {period(limit):g} s" if self.inject else "")


def period(limit: int) -> float:
    """Seconds between two injected 429s."""
    return max(INJECT_EVERY / (limit / 60), INJECT_MIN_PERIOD)


SCENARIOS = (Scenario("paced", 0.9, inject=True), Scenario("eager", 1.1, inject=False))


class Injector:
    """Scripts a 429 (Retry-After: 1) for the next create, every `period` seconds."""

    def __init__(self, sandbox: SandboxProcess, period: float) -> None:
        self.sandbox, self.period = sandbox, period
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        fault = {"action": "status", "status": 429, "method": "POST", "path": SEGMENTS}
        while not self.stopped.wait(self.period):
            self.sandbox.set_faults(script=[fault | {"times": 1, "retryAfter": 1}])

    def __enter__(self) -> Injector:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()


def repository(root: Path, changes: int, client_rate: float) -> Path:
    """CHANGES segment files and a reconcile.yaml that sets the client's rate."""
    generate.write_segments(root / "segments", changes)
    generate.write_config(root, ["segments"], client_rate)
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


def api_span(entries: Sequence[dict[str, Any]]) -> float:
    """Seconds from the first API request to the last, by the sandbox's clock."""
    times = [datetime.fromisoformat(e["at"]) for e in entries]
    return (max(times) - min(times)).total_seconds()


def run_scenario(scenario: Scenario, changes: int, limit: int, root: Path) -> dict[str, Any]:
    directory = repository(root / scenario.name, changes, scenario.client_share * limit)
    audit_log = directory / "audit.jsonl"
    options = ["--latency", str(LATENCY_MS), "--rate-limit", str(limit)]
    with SandboxProcess(*options) as box:
        args = ["apply", "--auto-approve", "--audit-log", str(audit_log)]
        if scenario.inject:
            with Injector(box, period(limit)):
                run = reconcile(args, directory, box.env())
        else:
            run = reconcile(args, directory, box.env())
        entries = [e for e in box.journal()["entries"] if e["path"].startswith("/api/")]
        org = box.admin.get("/_sandbox/state").json()
    created = {s["name"] for s in org["segments"] if s["name"].startswith("Bench Segment")}
    ended, errors = outcomes(audit_log)
    accepted = sum(e["status"] != 429 for e in entries)
    span = api_span(entries)
    floor = len(entries) / (limit / 60)
    return {
        "scenario": scenario.name,
        "setup": scenario.describe(limit),
        "exitCode": run.code,
        "wall": run.wall,
        "apiRequests": len(entries),
        "throttled": len(entries) - accepted,
        "acceptedShare": accepted / span * 60 / limit,
        "sentShare": len(entries) / span * 60 / limit,
        "apiSpan": span,
        "floor": floor,
        "outcomes": ended,
        "failed": changes - ended.get("applied", 0) - ended.get("adopted", 0),
        "inOrg": len(created),
        "errors": errors,
    }


def report(results: Sequence[dict[str, Any]], changes: int, limit: int) -> str:
    notes = (
        f"{changes} segment creates; sandbox limit {limit} requests a minute, bursts of "
        f"{limit // 10}, {LATENCY_MS} ms latency. "
        "Rates are over the API span (first to last API request, planning and read-back "
        "included); the burst lets a client that keeps up pass 100% over a short run."
    )
    rows = [
        [
            r["scenario"],
            r["setup"],
            r["apiRequests"],
            r["throttled"],
            f"{r['acceptedShare']:.0%}",
            f"{r['sentShare']:.0%}",
            f"{r['failed']} (exit {r['exitCode']})",
            f"{r['inOrg']}",
            f"{r['apiSpan']:.1f} / {r['wall']:.1f}",
            f"{r['floor']:.1f}",
            f"{r['apiSpan'] / r['floor']:.2f}",
        ]
        for r in results
    ]
    headers = [
        "scenario",
        "setup",
        "API requests",
        "429s",
        "accepted rate / limit",
        "sent rate / limit",
        "failed changes",
        "created in org",
        "API span / wall s",
        "floor s",
        "span / floor",
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
            print(f"{scenario.name}: {scenario.describe(args.limit)}", file=sys.stderr, flush=True)
            results.append(run_scenario(scenario, args.changes, args.limit, Path(tmp)))
    print(report(results, args.changes, args.limit))
    write_json(args.json, {"changes": args.changes, "limit": args.limit, "results": results})
    print(f"JSON: {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
