"""Ids of the demo org's entities: derived from kind and name, so the same in every sandbox."""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6f1c2a34-5b7d-4e8f-9a0b-1c2d3e4f5a6b")


def entity_id(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))
