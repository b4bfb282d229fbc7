"""What the kind tests share: a plan of the repository against a client, as `reconcile plan`
makes one, and the bodies the client sends to a kind's routes, as the sandbox receives them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import pytest

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.ownership import Ownership
from genesys_reconcile.plan.model import Plan
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.sandbox import routes
from genesys_reconcile.sandbox.http import Handler, Org, Request, Response
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import Report, validate


def planned(
    client: GenesysClient, prune: bool = True, owned: Iterable[tuple[str, str]] = ()
) -> tuple[Report, LiveState, Plan]:
    """The working directory's files planned against the org; `owned` recorded as the
    repository's besides its reconcile.owned.yaml."""
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    record = Ownership.load(settings.root)
    record.add(owned)
    return report, live, make_plan(report.resources, live, prune=prune, ownership=record)


def recording(
    monkeypatch: pytest.MonkeyPatch, base: str, methods: tuple[str, ...]
) -> list[tuple[str, Any]]:
    """Every body sent with `methods` to the routes under `base`, as (method, body)."""
    bodies: list[tuple[str, Any]] = []

    def recorded(handler: Handler) -> Handler:
        def record(org: Org, request: Request) -> Response:
            bodies.append((request.method, request.body))
            return handler(org, request)

        return record

    wrapped = tuple(
        dataclasses.replace(r, handler=recorded(r.handler))
        if r.template.startswith(base) and r.method in methods
        else r
        for r in routes.API_ROUTES
    )
    monkeypatch.setattr(routes, "API_ROUTES", wrapped)
    return bodies
