"""The CLI as separate processes, as a shell or CI runs it: a sandbox server in one, the
command under test in another, pointed at it through the environment."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

COMMAND = [sys.executable, "-m", "genesys_reconcile"]


@contextlib.contextmanager
def served(*flags: str) -> Iterator[dict[str, str]]:
    """`reconcile sandbox serve` in a child process; yields the environment that points
    commands at it."""
    process = subprocess.Popen(
        [*COMMAND, "sandbox", "serve", "--port", "0", *flags], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        yield os.environ | {
            "GENESYS_API_URL": url,
            "GENESYS_LOGIN_URL": url,
            "GENESYS_CLIENT_ID": "sandbox-client",
            "GENESYS_CLIENT_SECRET": "sandbox-secret",
            "NO_COLOR": "1",
        }
    finally:
        process.terminate()
        process.wait(timeout=10)


def reconcile(env: dict[str, str], *args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    """A command run to its end; its output captured unless `options` redirect it."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | options
    return subprocess.run([*COMMAND, *args], env=env, text=True, timeout=120, **streams)


def audit_events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    """Poll until `condition` holds; fail the test if it never does within `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)
