"""How fast `reconcile sandbox serve` is ready: to its URL line, and to its first answer.

python benchmarks/sandbox_startup.py [RUNS]     (default: 10)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import httpx


def one_start() -> tuple[float, float]:
    start = time.perf_counter()
    command = [sys.executable, "-m", "genesys_reconcile", "sandbox", "serve", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        printed = time.perf_counter() - start
        answer = httpx.post(
            url + "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("sandbox-client", "sandbox-secret"),
        )
        answer.raise_for_status()
        return printed, time.perf_counter() - start
    finally:
        process.terminate()
        process.wait()


def main(runs: int) -> None:
    printed, answered = zip(*(one_start() for _ in range(runs)), strict=True)
    print("| ready | median ms | max ms |")
    print("|---|---:|---:|")
    for label, times in (("URL printed", printed), ("first token answered", answered)):
        print(f"| {label} | {statistics.median(times) * 1000:.0f} | {max(times) * 1000:.0f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
