"""Logs go to stderr, as JSON lines when stderr is not a terminal, and never to stdout."""

from __future__ import annotations

import json
import subprocess
import sys


def test_logs_go_to_stderr_as_json_by_default_and_redacted() -> None:
    program = (
        "from genesys_reconcile import log\n"
        "from genesys_reconcile.redaction import Secret\n"
        "Secret('a-registered-secret')\n"
        "log.get('x').warning('hello', detail='uses a-registered-secret', authorization='Basic abc')\n"
        "log.get('x').debug('not shown at the default level')\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=30, check=True
    )
    assert answer.stdout == ""
    event = json.loads(answer.stderr)
    assert (event["event"], event["level"]) == ("hello", "warning")
    assert event["detail"] == "uses <hidden>" and event["authorization"] == "<hidden>"
