"""One apply at a time in a directory: two at once could both create what the plan lacks, and
would both send the same pending webhook events."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from genesys_reconcile.errors import ReconcileError


def lock_path(audit_log: Path) -> Path:
    return audit_log.with_suffix(".lock")


@contextlib.contextmanager
def run_lock(audit_log: Path) -> Iterator[None]:
    """Hold the lock file beside the audit log for the whole run, or refuse at once.

    The kernel drops an flock when its process ends, however it ends, so a killed run leaves
    the file behind but never the lock: nobody has to clean up before the next run.
    """
    path = lock_path(audit_log)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReconcileError(
                f"another apply is running in this directory (lock {path}); wait for it"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
