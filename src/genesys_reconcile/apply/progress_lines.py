"""The words of apply's progress: a finished change's line, the status line's counts and
timings, a line cut to a terminal's width, and the summary of a run stopped by a signal."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from genesys_reconcile.apply.outcomes import Outcome
from genesys_reconcile.plan.model import Action, Change
from genesys_reconcile.text_safety import visible

DONE = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "deleted"}


def logged(outcome: Outcome) -> str:
    """A finished change as a CI log shows it: its sign, what it is, and its outcome."""
    change = outcome.change
    said = f"{change.action.sign} {change.kind} {change.name!r}: {outcome.status}"
    if not outcome.ok:
        return visible(f"{said}: {outcome.detail}")
    return visible(f"{said} ({outcome.detail})" if outcome.detail else said)


def scrolled(outcome: Outcome, seconds: float) -> str:
    """A finished change as the terminal's scrollback keeps it: what was done and how long
    it took; a failure says so and why, on the one line."""
    change = outcome.change
    said = f"{change.action.sign} {change.kind} {change.name!r}: {done(outcome)}"
    if not outcome.ok:
        return visible(f"{said} after {span(seconds)}: {outcome.detail}")
    how = f" ({outcome.detail})" if outcome.detail else ""
    return visible(f"{said} in {span(seconds)}{how}")


def done(outcome: Outcome) -> str:
    """What became of a change, in one word: created, updated, deleted, adopted, failed..."""
    return DONE[outcome.change.action] if outcome.status == "applied" else outcome.status


def status(finished: int, total: int, elapsed: float, note: str = "") -> str:
    """The status line: counts, time elapsed, rate and time left, then what is being waited
    for, if anything."""
    rate = finished / elapsed if elapsed > 0 else 0.0
    left = span((total - finished) / rate) if rate else "?"
    line = f"[{finished}/{total}] {span(elapsed)} elapsed, {per(rate)}, ETA {left}"
    return line + (f"; {visible(note)}" if note else "")


def tally(finished: int, total: int, elapsed: float) -> str:
    """The status line's last word, left on the screen once the run ends."""
    rate = finished / elapsed if elapsed > 0 else 0.0
    return f"[{finished}/{total}] {span(elapsed)} elapsed, {per(rate)}"


def per(rate: float) -> str:
    """Changes per second, or per minute when fewer than one a second."""
    if not rate:
        return "-/s"
    if rate >= 1:
        return f"{_number(rate)}/s"
    return f"{_number(rate * 60)}/min"


def span(seconds: float) -> str:
    """A duration as people read it: 0.4 s, 12 s, 3 min 05 s, 1 h 02 min."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def fitted(line: str, width: int) -> str:
    """`line` cut to fit in a row `width` columns wide, with room to spare for the cursor:
    a line reaching the last column wraps on some terminals, and a wrapped row is out of
    reach of the carriage return that redraws it."""
    room = max(width - 1, 1)
    if _columns(line) <= room:
        return line
    cut, used = [], 0
    ellipsis = "..." if room > 3 else ""
    for character in line:
        cells = _cells(character)
        if used + cells > room - len(ellipsis):
            break
        cut.append(character)
        used += cells
    return "".join(cut) + ellipsis


def _columns(text: str) -> int:
    return sum(_cells(c) for c in text)


def _cells(character: str) -> int:
    """Columns a character takes: none for an accent on the one before, two for the wide
    characters of East Asian scripts (and most emoji)."""
    if unicodedata.combining(character):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def stopped(outcomes: Sequence[Outcome], not_started: Sequence[Change], audit: Path) -> str:
    """What a run stopped by a signal did, per kind and outcome; what it never started; and
    where its audit trail is, which records each change that started."""
    total = len(outcomes) + len(not_started)
    lines = [
        f"Stopped: {len(outcomes)} of {total} changes finished, {len(not_started)} not started."
    ]
    kinds = dict.fromkeys(o.change.kind for o in outcomes)  # in the order they were applied
    for kind in kinds:
        counts = Counter(done(o) for o in outcomes if o.change.kind == kind)
        lines.append(f"  {kind}: " + ", ".join(f"{n} {word}" for word, n in counts.items()))
    lines += [visible(f"  not started: {c.action.sign} {c.kind} {c.name!r}") for c in not_started]
    lines.append(visible(f"  audit trail: {audit}"))
    return "\n".join(lines) + "\n"
