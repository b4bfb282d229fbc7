"""Which webhook events are still to be delivered, read back from the audit trail.

An applied change's event is written into its `change.result` line, so the event is on disk
before anything is sent and before the next write; `webhook.delivered` lines record what went
out. A small cursor file beside the audit log (`audit.webhooks.json`) keeps the byte offset
before which every event is known delivered, so a run reads only the tail, and it is replaced
atomically, never removed and rewritten. A crash between a delivery and its `webhook.delivered`
line sends that event again: delivery is at least once, and receivers drop repeats by id.

A damaged line (invalid JSON, or cut short by a crash) is reported with its file:line and
skipped: it never stops an apply.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.files import write_atomically

# Where earlier versions kept failed deliveries; moved into the audit trail once.
OLD_OUTBOX = Path(".reconcile") / "webhook-outbox.jsonl"

Warn = Callable[[str], None]


def cursor_path(audit_log: Path) -> Path:
    return audit_log.with_suffix(".webhooks.json")


def is_event(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("eventId"), str)


@dataclass(frozen=True)
class Pending:
    offset: int  # where its line starts in the audit trail
    line: int  # its line number, from 1
    body: dict[str, Any]


class Backlog:
    """The events of an audit trail not known to be delivered, in the order written."""

    def __init__(self, audit_log: Path, warn: Warn) -> None:
        self.path, self.warn = audit_log, warn
        self.cursor = cursor_path(audit_log)
        self.mark = self._saved_mark()  # (offset, lines before it): all delivered before it
        self.offset, self.line = self.mark  # how far this run has read
        self.events: dict[str, Pending] = {}
        self.delivered: set[str] = set()

    def read(self) -> None:
        """Take in the complete lines written since the last read; a line still being
        written is left for the next."""
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            for raw in handle:
                if not raw.endswith(b"\n"):
                    return
                self.line += 1
                self._take(raw, self.offset, self.line)
                self.offset += len(raw)

    def pending(self) -> list[dict[str, Any]]:
        return [p.body for p in self.events.values()]

    def done(self, event_id: str) -> None:
        self.delivered.add(event_id)
        self.events.pop(event_id, None)

    def save(self) -> None:
        """Move the cursor up to the first event still pending (or all that was read)."""
        first = min(self.events.values(), key=lambda p: p.offset, default=None)
        mark = (first.offset, first.line - 1) if first else (self.offset, self.line)
        if mark != self.mark:
            cursor = {"offset": mark[0], "line": mark[1]}
            write_atomically(self.cursor, json.dumps(cursor) + "\n")
            self.mark = mark

    def _take(self, raw: bytes, offset: int, number: int) -> None:
        if not raw.strip():
            return
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if not isinstance(record, dict) or (
            "webhook" in record and not is_event(record["webhook"])
        ):
            self.warn(f"warning: {self.path}:{number}: not a JSON line; skipped")
            return
        if "webhook" in record:
            event_id = record["webhook"]["eventId"]
            if event_id not in self.delivered and event_id not in self.events:
                self.events[event_id] = Pending(offset, number, record["webhook"])
        elif record.get("event") == "webhook.delivered" and isinstance(record.get("eventId"), str):
            self.done(record["eventId"])

    def _saved_mark(self) -> tuple[int, int]:
        try:
            saved = json.loads(self.cursor.read_text(encoding="utf-8"))
            mark = (int(saved["offset"]), int(saved["line"]))
        except FileNotFoundError:
            return 0, 0
        except (OSError, ValueError, KeyError, TypeError):
            self.warn(f"warning: {self.cursor} is damaged; reading {self.path} from its start")
            return 0, 0
        return mark if self._at_line_start(mark[0]) else (0, 0)

    def _at_line_start(self, offset: int) -> bool:
        """Whether `offset` can be where a line of this audit trail starts: a cursor left
        from a trail since replaced or cut must not skip anything."""
        if offset == 0:
            return True
        try:
            with self.path.open("rb") as handle:
                handle.seek(offset - 1)
                return handle.read(1) == b"\n"
        except OSError:
            return False


def migrate_outbox(audit: Audit, warn: Warn, outbox: Path = OLD_OUTBOX) -> None:
    """Events an earlier version left in its outbox file, moved into the audit trail (each
    line on disk there before the file goes), to be delivered like any pending event."""
    if not outbox.exists():
        return
    lines = outbox.read_text(encoding="utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError:
            event = None
        if is_event(event):
            audit.event("webhook.migrated", webhook=event)
        else:
            warn(f"warning: {outbox}:{number}: not a JSON event; skipped")
    outbox.unlink()
