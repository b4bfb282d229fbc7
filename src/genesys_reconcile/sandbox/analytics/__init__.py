"""Synthetic contact-centre conversations and the two analytics queries that read them.

The sandbox org's conversation history is generated, not stored (`conversations`); the
aggregates query (`aggregates`) and the details query (`details`) read the bodies of their
requests through `wire`, filter with `predicates`, and `engine.Analytics` ties them together
with a cache of generated days. Invalid bodies raise `ApiError` 400s whose detail names the
offending field by its dotted path.
"""

from __future__ import annotations

from genesys_reconcile.sandbox.analytics.conversations import SLA_MS, Conversation
from genesys_reconcile.sandbox.analytics.engine import Analytics

__all__ = ["SLA_MS", "Analytics", "Conversation"]
