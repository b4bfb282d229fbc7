"""The audit trail: one JSON line per event, each on disk before the next write to the API.

Events: `run.start` (run id, git commit, CI run URL, plan checksum), `change.intent`,
`change.result` (outcome, HTTP status, correlation id, latency, versions, and the webhook event
of an applied change), `change.step` (a step of a write, such as stopping a campaign),
`settle.wait`, `webhook.delivered` / `webhook.failed`, `run.end`
(summary). Every line passes through redaction; no secret is ever written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import structlog

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.log import redact_event

DEFAULT_PATH = Path(".reconcile") / "audit.jsonl"


class AuditUnwritable(ReconcileError):
    """The trail cannot be written: no change may start without its intent on record."""

    def __init__(self, path: Path, error: OSError, event: str = "") -> None:
        super().__init__(f"cannot write the audit trail {path}: {error.strerror or error}")
        self.event = event  # the event that failed, if any


class Audit:
    def __init__(self, path: Path) -> None:
        self.path = path
        _finish_last_line(path)
        self.run_id = str(uuid.uuid4())
        self.failed = False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.handle: IO[str] = path.open("a", encoding="utf-8")
        except OSError as exc:
            raise AuditUnwritable(path, exc) from None
        self.lock = threading.Lock()
        self.log = structlog.wrap_logger(
            structlog.WriteLogger(self.handle),
            wrapper_class=structlog.BoundLogger,  # never filtered by the log level
            processors=[
                structlog.processors.TimeStamper(fmt="iso", utc=True, key="at"),
                redact_event,
                structlog.processors.JSONRenderer(sort_keys=True),
            ],
        ).bind(run=self.run_id)

    def event(self, event: str, /, **fields: Any) -> None:
        with self.lock:  # changes apply in parallel; their lines must not interleave
            try:
                self.log.msg(event, **fields)
                self.handle.flush()
                os.fsync(self.handle.fileno())  # on disk before the next mutation
            except OSError as exc:
                self.failed = True
                raise AuditUnwritable(self.path, exc, event) from None

    def close(self) -> None:
        try:
            self.handle.close()
        except OSError as exc:
            if not self.failed:  # else already reported; closing retries the same write
                raise AuditUnwritable(self.path, exc) from None

    def __enter__(self) -> Audit:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


def _finish_last_line(path: Path) -> None:
    """End a line cut short by a crash, so it stays one damaged line of its own instead of
    swallowing this run's first."""
    try:
        with path.open("rb+") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size == 0:
                return
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                handle.write(b"\n")
    except FileNotFoundError:
        return


def run_context(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The git commit and CI run this apply belongs to, where the environment tells."""
    env = os.environ if env is None else env
    context = {"commit": env.get("GITHUB_SHA") or _git_head()}
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        context["ciRun"] = (
            f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
        )
    return {k: v for k, v in context.items() if v}


def _git_head() -> str:
    git = shutil.which("git")
    if git is None:
        return ""
    try:
        answer = subprocess.run(  # noqa: S603 (fixed arguments)
            [git, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return answer.stdout.strip() if answer.returncode == 0 else ""
