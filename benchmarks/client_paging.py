"""What a full listing costs: requests and time, one page at a time against concurrent pages.

    python benchmarks/client_paging.py [N ...]     (default: 1000 5000)

A sandbox (in its own process) with N segments and 25 ms latency per request; the client reads
every segment with one request in flight, then with its default concurrency. Prints a markdown
table.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.regions import endpoints
from genesys_reconcile.genesys.transport import Policy, Transport
from genesys_reconcile.redaction import Secret
from genesys_reconcile.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Sandbox
from genesys_reconcile.sandbox.state import save

SEGMENTS = "/api/v2/analytics/segments"

LATENCY_MS = 25


def listing(n: int, concurrency: int, state: Path) -> tuple[int, float]:
    """(GET requests sent, seconds) to list n segments from a sandbox in its own process."""
    command = [sys.executable, "-m", "genesys_reconcile", "sandbox", "serve", "--port", "0"]
    command += ["--state", str(state), "--latency", str(LATENCY_MS)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        hosts = endpoints(api_url=url, login_url=url)
        # No client-side pacing here: this measures paging, not the rate limit.
        policy = Policy(concurrency=concurrency, rate_per_minute=1e9)
        transport = Transport(hosts, DEFAULT_CLIENT_ID, Secret(DEFAULT_CLIENT_SECRET), policy)
        with GenesysClient(transport) as client:
            start = time.perf_counter()
            found = client.list_all(SEGMENTS)
            elapsed = time.perf_counter() - start
        counts = httpx.get(f"{url}/_sandbox/journal").json()["counts"]
    finally:
        process.terminate()
        process.wait()
    assert len(found) == n
    return counts["GET /api/v2/analytics/segments"], elapsed


def org_with(n: int, directory: Path) -> Path:
    """A sandbox state file holding n segments."""
    path = directory / f"org-{n}.json"
    app = Sandbox(state_file=path)
    template = next(iter(app.state.segments.values()))
    for i in range(n - len(app.state.segments)):
        app.state.segments[f"bulk-{i}"] = dict(template, id=f"bulk-{i}", name=f"Bulk {i:05d}")
    save(app.state, path)
    return path


def main(sizes: list[int]) -> None:
    print(
        f"| segments | requests | 1 in flight, s | {Policy().concurrency} in flight, s | speed-up |"
    )
    print("|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            state = org_with(n, Path(tmp))
            requests, sequential = listing(n, 1, state)
            _, concurrent = listing(n, Policy().concurrency, state)
            ratio = sequential / concurrent
            print(f"| {n:,} | {requests} | {sequential:.2f} | {concurrent:.2f} | {ratio:.1f}x |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 5000])
