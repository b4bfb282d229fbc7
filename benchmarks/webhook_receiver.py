"""What a webhook receiver that never answers costs an apply: the wall time of creating N
segments with no webhook, with a receiver that answers, and with one that hangs.

Deliveries run beside the writes and the end of a run waits a bounded time for them, so a hung
receiver adds at most that bound, not a timeout per change; its events stay pending in the
audit trail and go out with the next apply.

    python benchmarks/webhook_receiver.py [N]    # default 8 creates, 100 ms API latency
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from harness import SandboxProcess, reconcile, table

ROOT = Path(__file__).resolve().parents[1]
SECRET_ENV = "BENCH_WEBHOOK_SECRET"
SEGMENT = """kind: AnalyticsSegment
name: Bench Segment {n}
description: A segment made to be created
type: conversation
query:
  timeGroup: day
  timeWindow: {{start: 2024-07-01T00:00:00Z, end: 2024-07-31T00:00:00Z}}
  filter:
    type: AND
    predicates:
      - {{type: EQUAL, field: conversation.channel, value: voice}}
  aggregations:
    - {{type: SUM, field: conversation.metrics.callDuration}}
  groupBy: [queue.name]
"""


def repository(where: Path, count: int, webhook: str | None) -> Path:
    (where / "segments").mkdir(parents=True)
    shutil.copytree(ROOT / "schemas", where / "schemas")
    for n in range(count):
        path = where / "segments" / f"bench-segment-{n}.yaml"
        path.write_text(SEGMENT.format(n=n), encoding="utf-8")
    settings = "paths: [segments]\n"
    if webhook:
        settings += f"webhook:\n  url: {webhook}\n  secretEnv: {SECRET_ENV}\n"
    (where / "reconcile.yaml").write_text(settings, encoding="utf-8")
    return where


def one(count: int, receiver: str) -> tuple[float, int, str]:
    """Wall seconds, exit code and the pending-events line of one apply of `count` creates."""
    with tempfile.TemporaryDirectory() as scratch, SandboxProcess("--latency", "100") as org:
        webhook = None if receiver == "none" else f"{org.url}/_sandbox/webhooks"
        if receiver == "hung":
            org.set_faults(webhook_delay=3600)
        repo = repository(Path(scratch), count, webhook)
        env = org.env() | {SECRET_ENV: "bench-secret"}
        run = reconcile(["apply", "--auto-approve"], repo, env)
        pending = next((line for line in run.stderr.splitlines() if "not delivered" in line), "")
        org.set_faults(webhook_delay=0)  # release the held deliveries before the server stops
        return run.wall, run.code, pending


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    rows = []
    for receiver in ("none", "answering", "hung"):
        wall, code, pending = one(count, receiver)
        rows.append([receiver, pending or "-", f"{wall:.1f} s", code])
    print(f"{count} creates at 100 ms latency")
    print(table(["receiver", "stderr", "apply wall time", "exit"], rows, right=2))


if __name__ == "__main__":
    main()
