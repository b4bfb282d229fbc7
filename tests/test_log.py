"""Logs go to stderr, as JSON lines when stderr is not a terminal, and never to stdout."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from genesys_reconcile import log


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


def test_the_default_log_follows_stderr_when_it_is_swapped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    log.configure("warning")
    first.close()  # as a test runner closes one test's captured stderr
    monkeypatch.setattr(sys, "stderr", second)

    log.get("x").warning("still.heard")

    assert "still.heard" in second.getvalue()
    log.configure()
