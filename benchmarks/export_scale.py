"""What exporting an org and planning the export cost, for the real outbound kinds.

    python benchmarks/export_scale.py [N ...] [--json FILE]
    (default: 1000 10000; JSON to benchmarks/results/export_scale.json)

For each N, `sandbox/generated.py` builds an org of N contact list filters, rule sets and
campaigns (2:2:1) beside the demo org's, served by `reconcile sandbox serve --api genesys` in
its own process with 25 ms latency on every request, limiting each token to the platform's 300
requests a minute and reporting the budget as the platform does. Against it:

- `reconcile export` into an empty directory, as a user runs it: wall time, requests (from the
  sandbox journal), 429s; every resource must be written;
- `reconcile plan --no-impact` in that directory: it must say "No changes"; its requests per
  1,000 resources;
- one GET per resource (what an exporter that reads each resource sends): its request count,
  and the least time the platform's limit allows it (a minute for each 300 requests beyond the
  first 300), against which export's wall time is compared.

Prints a markdown table; writes the numbers as JSON.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import SandboxProcess, reconcile, table, write_json

from genesys_reconcile.sandbox import generated
from genesys_reconcile.sandbox.state import OrgState, save

SIZES = [1_000, 10_000]
LATENCY_MS = 25
PLATFORM_LIMIT = 300  # requests a minute per token
NOW = "2024-10-01T00:00:00.000Z"
DEFAULT_JSON = Path(__file__).parent / "results" / "export_scale.json"


def least_seconds(requests: int) -> float:
    return (math.ceil(requests / PLATFORM_LIMIT) - 1) * 60.0


def measured(box: SandboxProcess, args: list[str], directory: Path) -> dict[str, Any]:
    box.clear_journal()
    run = reconcile(args, directory, box.env())
    if run.code != 0:
        raise RuntimeError(f"{args[0]} failed ({run.code}): {run.stderr[-2000:]}")
    journal = box.journal()
    return {
        "wall": run.wall,
        "cpu": run.cpu,
        "peakMiB": run.peak_mib,
        "requests": sum(journal["counts"].values()),
        "throttled": sum(e["status"] == 429 for e in journal["entries"]),
        "routes": journal["counts"],
        "changes": "No changes" not in run.stdout,
    }


def one_size(n: int) -> dict[str, Any]:
    state = generated.org(n, NOW)
    resources = sum(len(state[k]) for k in ("contactListFilters", "ruleSets", "campaigns"))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        save(OrgState.from_json(state), root / "org.json")
        (root / "repo").mkdir()
        options = ("--api", "genesys", "--latency", str(LATENCY_MS))
        with SandboxProcess(*options, state=root / "org.json") as box:
            box.set_faults(rate_limit=PLATFORM_LIMIT, rate_limit_model="window")
            print(f"N={n:,}: reconcile export", file=sys.stderr)
            export = measured(box, ["export"], root / "repo")
            print(f"N={n:,}: reconcile plan", file=sys.stderr)
            plan = measured(box, ["plan", "--no-impact"], root / "repo")
            if plan["changes"]:
                raise RuntimeError("the plan after the export shows changes")
        files = sum(1 for _ in (root / "repo").rglob("*.yaml"))
    if files != resources:
        raise RuntimeError(f"{files} files written for {resources} resources")
    naive = resources + 1  # one GET per resource, and the token
    return {
        "n": n,
        "resources": resources,
        "export": export,
        "plan": plan,
        "naiveRequests": naive,
        "naiveLeastSeconds": least_seconds(naive),
    }


def report(results: list[dict[str, Any]]) -> str:
    rows = []
    for r in results:
        export, plan = r["export"], r["plan"]
        ratio = r["naiveLeastSeconds"] / export["wall"] if r["naiveLeastSeconds"] else math.nan
        rows.append(
            [
                f"{r['resources']:,}",
                f"{export['requests']:,}",
                f"{export['wall']:.1f}",
                f"{export['throttled']}",
                f"{r['naiveRequests']:,}",
                f"{r['naiveLeastSeconds']:,.0f}",
                f"{ratio:,.0f}x",
                f"{plan['requests']:,}",
                f"{1000 * plan['requests'] / r['resources']:.1f}",
            ]
        )
    headers = [
        "resources",
        "export requests",
        "export s",
        "429s",
        "one GET each: requests",
        "its least s at 300/min",
        "ratio",
        "plan requests",
        "plan requests per 1,000",
    ]
    return table(headers, rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=SIZES, metavar="N")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    results = [one_size(n) for n in args.sizes]
    print(report(results))
    write_json(args.json, results)


if __name__ == "__main__":
    main()
