"""The repository's segments, each under a URL-safe slug, and their previews on demand."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.errors import GenesysError
from genesys_reconcile.kinds.analytics_segment import AnalyticsSegment
from genesys_reconcile.preview.anomalies import Baseline
from genesys_reconcile.preview.cache import AnswerCache
from genesys_reconcile.preview.query import PreviewError, Window
from genesys_reconcile.preview.query import since as window_since
from genesys_reconcile.preview.run import Preview, preview
from genesys_reconcile.preview.source import Analytics
from genesys_reconcile.redaction import redact
from genesys_reconcile.settings import Settings
from genesys_reconcile.text_safety import visible
from genesys_reconcile.validation import InvalidFiles, Resource, validate


@dataclass(frozen=True)
class Segment:
    slug: str  # its URL: /segments/<slug>
    resource: Resource

    @property
    def name(self) -> str:
        return self.resource.name


@dataclass(frozen=True)
class Failure:
    """A segment whose preview could not be made, and why, in one line fit to show."""

    segment: Segment
    message: str
    status: int  # 502 when the org failed, 500 when the segment cannot be previewed


def slug_of(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "segment"


def with_slugs(resources: list[Resource]) -> list[Segment]:
    """Each segment under the slug of its name; names that slug alike get -2, -3, … in name
    order, so a segment keeps its URL from one start to the next."""
    taken: set[str] = set()
    segments = []
    for resource in sorted(resources, key=lambda r: r.name):
        base = slug = slug_of(resource.name)
        number = 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        segments.append(Segment(slug, resource))
    return segments


def load_segments(settings: Settings) -> list[Segment]:
    """The repository's analytics segments, validated as `reconcile validate` would."""
    report = validate(list(settings.paths), settings)
    if report.failed():
        raise InvalidFiles(report, "the files are invalid; the dashboard was not started")
    found = [r for r in report.resources if isinstance(r.kind, AnalyticsSegment)]
    if not found:
        raise PreviewError(
            f"the repository holds no {AnalyticsSegment.kind}: add one under segments/ first"
        )
    return with_slugs(found)


class Board:
    """The segments and the org they are previewed against. Previews are made one at a time:
    two pages asking at once for the same answer then send one query, and the second reads
    the cache."""

    def __init__(
        self,
        segments: list[Segment],
        client: GenesysClient,
        cache: AnswerCache | None,
        since: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.segments = segments
        self._client = client
        self._cache = cache
        self._since = since
        self._now = now
        self._lock = threading.Lock()
        self.window()  # a mistyped --since fails at start, not on the first page

    def find(self, slug: str) -> Segment | None:
        return next((s for s in self.segments if s.slug == slug), None)

    def window(self) -> Window | None:
        """--since's window as of now (it ends at the last whole hour, so its cache entries
        stay fresh within the hour), or None for each segment's own."""
        return window_since(self._since, self._now()) if self._since else None

    def preview_of(self, segment: Segment) -> Preview | Failure:
        """The segment's preview, or what stopped it (an org that refused the query, say)."""
        with self._lock:
            try:
                analytics = Analytics(self._client, self._cache)
                return preview(analytics, segment.resource, self.window(), Baseline())
            except ReconcileError as exc:
                status = 502 if isinstance(exc, GenesysError) else 500
                return Failure(segment, visible(redact(str(exc))), status)
