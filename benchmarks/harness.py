"""What the benchmarks share: a sandbox in its own process, the real CLI run as a user runs it
(wall time, CPU and peak memory of that one process), and markdown tables.

Not a benchmark itself; `plan_scale.py` and `apply_throughput.py` import it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from genesys_reconcile.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

RECONCILE = [sys.executable, "-m", "genesys_reconcile"]


class SandboxProcess:
    """`reconcile sandbox serve` on a free port, in its own process, with its admin API."""

    def __init__(self, *options: str, state: Path | None = None) -> None:
        command = [*RECONCILE, "sandbox", "serve", "--port", "0", *options]
        if state is not None:
            command += ["--state", str(state)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http"):
            self.close()
            raise RuntimeError("the sandbox did not start")
        self.admin = httpx.Client(base_url=self.url, timeout=60)

    def journal(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.admin.get("/_sandbox/journal").json()
        return answer

    def clear_journal(self) -> None:
        self.admin.delete("/_sandbox/journal").raise_for_status()

    def set_faults(self, **settings: Any) -> None:
        self.admin.post("/_sandbox/faults", json=settings).raise_for_status()

    def env(self) -> dict[str, str]:
        """The environment that points the CLI at this sandbox, with its default client."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GENESYS_", "RECONCILE_"))}
        return env | {
            "GENESYS_API_URL": self.url,
            "GENESYS_LOGIN_URL": self.url,
            "GENESYS_CLIENT_ID": DEFAULT_CLIENT_ID,
            "GENESYS_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
            "NO_COLOR": "1",
        }

    def close(self) -> None:
        if hasattr(self, "admin"):
            self.admin.close()
        self.process.terminate()
        self.process.wait()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


@dataclass(frozen=True)
class Run:
    """One finished CLI run."""

    code: int
    stdout: str
    stderr: str
    wall: float  # seconds
    cpu: float  # user + system seconds of the CLI process alone
    peak_mib: float  # its peak resident memory


def reconcile(args: Sequence[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run `reconcile ARGS` in `cwd`; the CPU and memory are that process's own (wait4), not
    the sandbox's or this script's."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen([*RECONCILE, *args], cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    cpu = usage.ru_utime + usage.ru_stime
    return Run(process.returncode, stdout, stderr, wall, cpu, usage.ru_maxrss / 1024)


def peak_mib_self() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], right: int = 1) -> str:
    """A markdown table; columns from `right` on are right-aligned numbers."""
    align = ["---" if i < right else "---:" for i in range(len(headers))]
    lines = [headers, align, *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
