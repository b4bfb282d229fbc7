"""How long `validate` takes on many files, and how fast hostile YAML is refused.

    python benchmarks/validate_scale.py [N ...]     (default: 100 1000 10000)

Prints a markdown table: files, wall and CPU seconds, microseconds of CPU per file, and the
process's peak memory. Run it on an idle machine; numbers are for comparison between versions.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from genesys_reconcile.errors import ManifestError
from genesys_reconcile.manifest.yaml import load_text
from genesys_reconcile.settings import Settings
from genesys_reconcile.validation import validate

SEGMENT = """\
# yaml-language-server: $schema=../schemas/analytics-segment.schema.json
kind: AnalyticsSegment
name: Segment {i}
description: Long voice conversations, variant {i}
type: conversation
query:
  timeGroup: hour
  timeWindow: {{start: 2024-07-01T00:00:00Z, end: 2024-09-30T23:59:59Z}}
  filter:
    type: AND
    predicates:
      - {{type: EQUAL, field: conversation.channel, value: voice}}
      - {{type: GREATERTHAN, field: conversation.metrics.callDuration, value: {i}}}
  aggregations:
    - {{type: SUM, field: conversation.metrics.callDuration}}
    - {{type: AVG, field: conversation.metrics.holdDuration}}
  groupBy: [queue.name, user.name]
"""
CAMPAIGN = """\
# yaml-language-server: $schema=../schemas/campaign-segmentation.schema.json
kind: CampaignSegmentation
campaign: Campaign {i}
lists: [Leads {i}]
demographics:
  age: {{min: 25, max: 55}}
  region: {{allowed: [NW, CA, TX]}}
exclusions:
  - {{attribute: do_not_call, operator: "=", value: true}}
  - {{attribute: recently_contacted, operator: ">", value: 30}}
useOnlyOnce: true
dialingMode: progressive
"""


def scale(n: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for directory in ("segments", "campaigns"):
            (root / directory).mkdir()
        for i in range(n):
            template, directory = (SEGMENT, "segments") if i % 2 else (CAMPAIGN, "campaigns")
            stem = f"segment-{i}" if i % 2 else f"campaign-{i}"
            (root / directory / f"{stem}.yaml").write_text(template.format(i=i), encoding="utf-8")
        paths = (root / "segments", root / "campaigns")
        wall, cpu = time.perf_counter(), time.process_time()
        report = validate(paths, Settings(root=root, paths=paths))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert report.files == n and not report.diagnostics, report.diagnostics[:3]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"| {n:,} | {wall:.2f} | {cpu:.2f} | {cpu / n * 1e6:,.0f} | {peak_mib:,.0f} |"


LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)
HOSTILE = {
    "billion laughs (9 levels of 9 aliases)": LAUGHS,
    "100,000-deep nesting": "a: " + "[" * 100_000 + "]" * 100_000,
    "one 1 MiB list (at the size cap)": "a: [" + "1, " * 349_000 + "1]",
}


def hostile(name: str, text: str) -> str:
    start = time.perf_counter()
    try:
        load_text(text, "hostile.yaml")
        outcome = "loaded"
    except ManifestError as exc:
        outcome = exc.message[:50]
    return f"| {name} | {(time.perf_counter() - start) * 1000:.1f} | {outcome} |"


def main(sizes: list[int]) -> None:
    print("| files | wall s | CPU s | CPU µs per file | peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        print(scale(n), flush=True)
    print("\n| hostile input | ms to answer | outcome |")
    print("|---|---:|---|")
    for name, text in HOSTILE.items():
        print(hostile(name, text))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 10_000])
