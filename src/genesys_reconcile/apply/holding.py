"""Whether the org already holds what a change would make.

Asked of a change whose result is not known from its own write: one a stopped run started but
never recorded, or one of a reviewed plan that a fresh plan no longer needs (applied by an
earlier run of the same plan). It compares the org as just read with what the files ask, and
with what the change itself would have made, recognised by a digest.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from genesys_reconcile.kinds import KINDS
from genesys_reconcile.plan.planner import differences
from genesys_reconcile.plan.run import Planned


def after_digest(after: dict[str, Any] | None) -> str | None:
    """What a change would make, in brief: to recognise it later."""
    if after is None:
        return None
    canonical = json.dumps(after, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def holds(
    ready: Planned, kind_name: str, name: str, action: str, ident: str | None, digest: str | None
) -> tuple[str | None, bool]:
    """The resource's id, and whether the org holds what the change would have made: a delete
    is gone; a create or update is what the files ask, and that is what the change made
    (`digest`; None when unknown)."""
    kind = KINDS.get(kind_name)
    if kind is None:
        return ident, False
    if action == "delete":
        return ident, kind.with_id(ready.live, ident) is None
    entity = kind.named(ready.live, name)
    resource = next(
        (r for r in ready.resources if (r.kind.kind, r.name) == (kind_name, name)), None
    )
    if entity is None or resource is None:
        return ident, False
    after = kind.desired(resource.document.data, ready.live)
    if digest is not None and digest != after_digest(after):
        return kind.id_of(entity), False  # the files ask for something else now
    current = kind.current(entity, after, ready.live)
    held = not differences(current, after) and kind.unconverged(entity) is None
    return kind.id_of(entity), held
