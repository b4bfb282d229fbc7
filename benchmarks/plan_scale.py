"""What a plan costs as the org grows, against readers that fetch one resource per request.

    python benchmarks/plan_scale.py [N ...] [--json FILE] [--full-naive] [--impact]
    (default: 100 1000 5000 10000; JSON to benchmarks/results/plan_scale.json)

For each N, `generate.py` writes N resources (80% segments, 20% campaign segmentations, ten
campaigns to a contact list), 10% of them drifted, and a sandbox in its own process holds them,
with 25 ms latency on every request. Against it:

- ours: `reconcile plan` as a user runs it (a subprocess, `--no-impact`), the sandbox limiting
  each token to the platform's 300 requests a minute and reporting the budget in
  `inin-ratelimit-*` headers, as the platform does: wall time, requests per route and 429s
  from the sandbox journal, CPU and peak memory of that process; its plan must show exactly
  the drift (`--impact` adds a run with the impact preview on: up to 40 analytics queries
  more);
- ours, fixed pacing: the same plan against a sandbox that reports no budget, so the client
  paces itself at 270 requests a minute (its pacing where no budget is reported);
- phases: in a fresh process, the live state fetched once (its CPU shown apart), then the CPU
  time (time.process_time) of load, validate, diff and render, calling the library as the CLI
  does; "local CPU" is their sum;
- naive: one GET per resource, one at a time (ids known, as from a state file); in full up to
  1,000 resources, above that extrapolated from 200 GETs spread over the org (`--full-naive`
  measures every N in full: 4 minutes more at 10,000);
- terraform-like: every listing, then one GET per resource with 10 workers.

The readers are not paced; a real org allows 300 requests a minute per token, so "at 300/min"
is the least time each would take there (a minute for each 300 requests beyond the first 300),
and the ratios compare time at that limit (the larger of measured and least time). Prints
markdown tables; writes the numbers as JSON.
"""

from __future__ import annotations

import argparse
import functools
import math
import multiprocessing
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import generate
from harness import SandboxProcess, reconcile, table, write_json

from genesys_reconcile import validation
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.genesys.regions import endpoints
from genesys_reconcile.genesys.transport import Policy, Transport
from genesys_reconcile.manifest.yaml import load_file
from genesys_reconcile.plan import text
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.plan.run import safety
from genesys_reconcile.redaction import Secret
from genesys_reconcile.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from genesys_reconcile.sandbox.demo import entity_id
from genesys_reconcile.settings import load_settings

CAMPAIGNS = "/api/v2/outbound/campaigns"
CONTACT_LISTS = "/api/v2/outbound/lists"
SEGMENTS = "/api/v2/analytics/segments"

SIZES = [100, 1_000, 5_000, 10_000]
SEGMENT_SHARE = 0.8
DRIFT = 0.1
LATENCY_MS = 25
PLATFORM_LIMIT = 300  # requests a minute per token
NAIVE_FULL_UP_TO = 1_000
NAIVE_SAMPLE = 200
TERRAFORM_WORKERS = 10
DEFAULT_JSON = Path(__file__).parent / "results" / "plan_scale.json"
_SUMMARY = re.compile(r"Plan: (\d+) to create, (\d+) to update, (\d+) to delete\.")


@dataclass
class Reader:
    """One way of reading the org: requests it sent and how long it took."""

    requests: int
    wall: float
    extrapolated: bool = False

    @property
    def least(self) -> float:
        """Seconds a real org's rate limit makes it take at least: each token may send
        PLATFORM_LIMIT requests a minute, so every minute's worth beyond the first waits for
        the next window."""
        return (math.ceil(self.requests / PLATFORM_LIMIT) - 1) * 60.0

    @property
    def at_limit(self) -> float:
        return max(self.wall, self.least)


# -- ours --------------------------------------------------------------------------------------


def plan_run(
    sandbox: SandboxProcess, directory: Path, flags: list[str], drift: int, limit: int
) -> dict[str, Any]:
    """`reconcile plan` in `directory`, the sandbox limiting each token to `limit` requests a
    minute and reporting the budget (0: no limit, nothing reported): its cost, and proof it
    planned exactly the drift."""
    sandbox.set_faults(rate_limit=limit, rate_limit_model="window")
    sandbox.clear_journal()
    run = reconcile(["plan", *flags], directory, sandbox.env())
    journal = sandbox.journal()
    sandbox.set_faults(rate_limit=0)  # the other readers are not paced
    counts = journal["counts"]
    found = _SUMMARY.search(run.stdout)
    if run.code != 0 or found is None:
        raise RuntimeError(f"plan failed ({run.code}): {run.stderr[-2000:]}")
    created, updated, deleted = (int(g) for g in found.groups())
    if (created, updated, deleted) != (0, drift, 0):
        raise RuntimeError(f"expected {drift} updates, the plan says {found.group(0)}")
    return {
        "wall": run.wall,
        "cpu": run.cpu,
        "peakMiB": run.peak_mib,
        "requests": sum(counts.values()),
        "apiRequests": sum(n for route, n in counts.items() if " /api/" in route),
        "throttled": sum(e["status"] == 429 for e in journal["entries"]),
        "routes": counts,
        "updates": updated,
    }


def client_for(url: str, concurrency: int = 8) -> GenesysClient:
    """A client without pacing: these measure paging and CPU, not the rate limit."""
    hosts = endpoints(api_url=url, login_url=url)
    policy = Policy(concurrency=concurrency, rate_per_minute=1e9)
    return GenesysClient(Transport(hosts, DEFAULT_CLIENT_ID, Secret(DEFAULT_CLIENT_SECRET), policy))


class CpuMeter:
    """Wraps a function and adds up the CPU time spent inside it."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function, self.seconds = function, 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.process_time() - start


def phases(directory: str, url: str) -> dict[str, float]:
    """CPU seconds of each step of a plan, the live state fetched first. Runs in a fresh
    process, so one size's garbage does not weigh on the next."""
    settings = load_settings(Path(directory) / "reconcile.yaml")
    # validate() loads each file through this name: wrapped, it counts the loading apart.
    loads = CpuMeter(load_file)
    validation.load_file = loads  # type: ignore[attr-defined]
    with client_for(url) as client:
        live = LiveState(client)
        start = time.process_time()
        for listing in (SEGMENTS, CAMPAIGNS, CONTACT_LISTS):
            live.listing(listing)
        fetched = time.process_time()
        report = validation.validate(list(settings.paths), settings, live)
        validated = time.process_time()
        plan = make_plan(report.resources, live, safety=safety(settings))
        planned = time.process_time()
        text.render(plan)
        rendered = time.process_time()
    return {
        "fetch": fetched - start,
        "load": loads.seconds,
        "validate": validated - fetched - loads.seconds,
        "diff": planned - validated,
        "render": rendered - planned,
        "local": rendered - fetched,
    }


def phases_in_fresh_process(directory: Path, url: str) -> dict[str, float]:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(phases, str(directory), url).result()


# -- one request per resource ------------------------------------------------------------------


def resource_reads(made: generate.Generated) -> list[str]:
    """The path of every managed resource, ids known as a state file would know them."""
    segments = [
        f"/api/v2/analytics/segments/{entity_id('segment', generate.segment_name(i))}"
        for i in range(made.segments)
    ]
    campaigns = [
        f"/api/v2/outbound/campaigns/{entity_id('campaign', generate.campaign_name(j))}"
        for j in range(made.campaigns)
    ]
    return segments + campaigns


def naive(sandbox: SandboxProcess, made: generate.Generated, full: bool) -> Reader:
    """One GET per resource, in sequence; above NAIVE_FULL_UP_TO (unless `full`), timed on an
    evenly spread sample and scaled up."""
    paths = resource_reads(made)
    sample = (
        paths if full or len(paths) <= NAIVE_FULL_UP_TO else paths[:: len(paths) // NAIVE_SAMPLE]
    )
    with client_for(sandbox.url, concurrency=1) as client:
        client.transport.tokens.get()  # the token is not part of the reading
        start = time.perf_counter()
        for path in sample:
            client.transport.request("GET", path, idempotent=True)
        wall = time.perf_counter() - start
    scale = len(paths) / len(sample)
    return Reader(len(paths) + 1, wall * scale, extrapolated=scale != 1)


def terraform_like(sandbox: SandboxProcess, made: generate.Generated) -> Reader:
    """List each kind, then GET every resource, ten at a time."""
    sandbox.clear_journal()
    with client_for(sandbox.url, concurrency=TERRAFORM_WORKERS) as client:
        client.transport.tokens.get()
        start = time.perf_counter()
        found = client.list_all(SEGMENTS) + client.list_all(CAMPAIGNS)
        paths = [
            f"/api/v2/analytics/segments/{e['id']}"
            if e["selfUri"].startswith("/api/v2/analytics")
            else f"/api/v2/outbound/campaigns/{e['id']}"
            for e in found
        ]

        def read(path: str) -> None:
            client.transport.request("GET", path, idempotent=True)

        with ThreadPoolExecutor(max_workers=TERRAFORM_WORKERS) as pool:
            list(pool.map(read, paths))
        wall = time.perf_counter() - start
    return Reader(sum(sandbox.journal()["counts"].values()), wall)


# -- one size ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    impact_row: bool  # also run the plan with its impact preview on
    full_naive: bool


def measure(n: int, options: Options, root: Path) -> dict[str, Any]:
    segments = round(n * SEGMENT_SHARE)
    made = generate.generate(root / f"org-{n}", segments, n - segments, DRIFT, seed=n)
    say(f"N={n:,}: generated; starting the sandbox")
    result: dict[str, Any] = {"n": n, "segments": segments, "campaigns": made.campaigns}
    with SandboxProcess("--latency", str(LATENCY_MS), state=made.directory / "org.json") as box:
        say(f"N={n:,}: reconcile plan")
        plan = functools.partial(plan_run, box, made.directory, drift=made.drifted)
        result["ours"] = plan(["--no-impact"], limit=PLATFORM_LIMIT)
        say(f"N={n:,}: reconcile plan, fixed pacing")
        result["oursFixed"] = plan(["--no-impact"], limit=0)
        if options.impact_row:
            say(f"N={n:,}: reconcile plan, impact preview on")
            result["oursWithImpact"] = plan([], limit=PLATFORM_LIMIT)
        say(f"N={n:,}: CPU by phase")
        result["phases"] = phases_in_fresh_process(made.directory, box.url)
        say(f"N={n:,}: naive reader")
        slow = naive(box, made, options.full_naive)
        say(f"N={n:,}: terraform-like reader")
        tf = terraform_like(box, made)
    result["naive"] = asdict(slow) | {"atLimit": slow.at_limit}
    result["terraformLike"] = asdict(tf) | {"atLimit": tf.at_limit}
    return result | {"drifted": made.drifted}


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# -- output ------------------------------------------------------------------------------------


def readers_of(r: dict[str, Any]) -> dict[str, Reader]:
    found = {"reconcile plan": Reader(r["ours"]["requests"], r["ours"]["wall"])}
    if "oursWithImpact" in r:
        impact = r["oursWithImpact"]
        found["reconcile plan, impact on"] = Reader(impact["requests"], impact["wall"])
    naive_run, tf = r["naive"], r["terraformLike"]
    found["naive"] = Reader(naive_run["requests"], naive_run["wall"], naive_run["extrapolated"])
    found["terraform-like"] = Reader(tf["requests"], tf["wall"])
    return found


def reader_rows(results: Sequence[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for r in results:
        for name, reader in readers_of(r).items():
            wall = f"{reader.wall:,.1f}" + (" (extrapolated)" if reader.extrapolated else "")
            rows.append([f"{r['n']:,}", name, f"{reader.requests:,}", wall, f"{reader.least:,.0f}"])
    return rows


def ratio_rows(results: Sequence[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for r in results:
        found = readers_of(r)
        ours, slow, tf = found["reconcile plan"], found["naive"], found["terraform-like"]
        rows.append(
            [
                f"{r['n']:,}",
                f"{slow.requests / ours.requests:,.0f}x",
                f"{tf.requests / ours.requests:,.0f}x",
                f"{slow.at_limit / ours.at_limit:,.1f}x",
                f"{tf.at_limit / ours.at_limit:,.1f}x",
            ]
        )
    return rows


PACINGS = {"ours": "reported budget", "oursFixed": "fixed, 270/min"}


def plan_rows(results: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            f"{r['n']:,}",
            pacing,
            routes(r[key]["routes"]),
            f"{r[key]['throttled']}",
            f"{r[key]['apiRequests'] / PLATFORM_LIMIT:.0%}",
            f"{r[key]['wall']:.1f}",
            f"{r[key]['cpu']:.1f}",
            f"{r[key]['peakMiB']:,.0f}",
        ]
        for r in results
        for key, pacing in PACINGS.items()
    ]


def phase_rows(results: Sequence[dict[str, Any]]) -> list[list[str]]:
    keys = ("load", "validate", "diff", "render", "local", "fetch")
    return [[f"{r['n']:,}"] + [f"{r['phases'][k]:.2f}" for k in keys] for r in results]


def routes(counts: dict[str, int]) -> str:
    """`GET segments 80, ...`: requests per route, the common prefix left out."""
    short = {k.replace("/api/v2/", "").replace("analytics/", ""): v for k, v in counts.items()}
    return ", ".join(f"{route} {n}" for route, n in sorted(short.items()))


def report(results: Sequence[dict[str, Any]], impact: str) -> str:
    notes = (
        f"N resources: {SEGMENT_SHARE:.0%} segments, {1 - SEGMENT_SHARE:.0%} campaign "
        f"segmentations, {DRIFT:.0%} drifted; sandbox latency {LATENCY_MS} ms a request; "
        f"reconcile plan: {impact}; the sandbox limits a token to {PLATFORM_LIMIT} requests a "
        "minute and reports the budget (fixed pacing: it reports none). "
        "Requests include the token request. The readers are not paced; the least time at "
        "the platform's 300 requests a minute is beside, and the time ratios use the larger."
    )
    ratios = [
        "N",
        "requests: naive / ours",
        "terraform-like / ours",
        "time at 300/min: naive / ours",
        "terraform-like / ours",
    ]
    plan = [
        "N",
        "pacing",
        "reconcile plan: requests per route",
        "429s",
        "share of a minute's allowance",
        "wall s",
        "CPU s",
        "peak RSS MiB",
    ]
    phases = ["N", "load", "validate", "diff", "render", "local CPU s", "fetch CPU s"]
    readers = ["N", "reader", "requests", "wall s", "least s at 300/min"]
    return "\n\n".join(
        [
            notes,
            table(readers, reader_rows(results), right=2),
            table(ratios, ratio_rows(results)),
            table(plan, plan_rows(results), right=3),
            table(phases, phase_rows(results)),
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, metavar="N", default=SIZES)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, metavar="FILE")
    parser.add_argument("--full-naive", action="store_true", help="no extrapolation")
    parser.add_argument("--impact", action="store_true", help="also plan with impact lines")
    args = parser.parse_args(argv)
    options = Options(args.impact, args.full_naive)
    impact = "--no-impact"
    with tempfile.TemporaryDirectory(prefix="plan-scale-") as tmp:
        results = [measure(n, options, Path(tmp)) for n in args.sizes]
    print(report(results, impact))
    write_json(args.json, {"plan": impact, "latencyMs": LATENCY_MS, "results": results})
    say(f"JSON: {args.json}")


if __name__ == "__main__":
    main()
