"""The sandbox's org across restarts: ids never repeat within one state, so a create never
replaces what an earlier run made."""

from __future__ import annotations

import copy
from pathlib import Path

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.server import SandboxServer
from tests.sandbox.conftest import Api, FakeClock
from tests.sandbox.test_segments_api import BASE, SEGMENT


def create(app: Sandbox, name: str) -> str:
    with SandboxServer(app) as running:
        api = Api(running.url)
        answer = api.post(BASE, SEGMENT | {"name": name})
        assert answer.status_code == 201, answer.text
        ident: str = answer.json()["id"]
        api.http.close()
    return ident


def names(app: Sandbox) -> list[str]:
    return sorted(s["name"] for s in app.state.segments.values())


def test_creates_after_each_restart_all_survive(tmp_path: Path, clock: FakeClock) -> None:
    state = tmp_path / "org.json"
    made = [create(Sandbox(state_file=state, clock=clock), name) for name in ("A", "B", "C")]
    assert len(set(made)) == 3
    assert {"A", "B", "C"} <= set(names(Sandbox(state_file=state, clock=clock)))


def test_an_out_of_band_create_after_a_restart_replaces_nothing(
    tmp_path: Path, clock: FakeClock
) -> None:
    state = tmp_path / "org.json"
    create(Sandbox(state_file=state, clock=clock), "A")
    with SandboxServer(Sandbox(state_file=state, clock=clock)) as running:
        edit = {"resource": "segments", "action": "create", "set": {"name": "Console"}}
        Api(running.url, credentials=None).admin("POST", "edit", edit)
    assert {"A", "Console"} <= set(names(Sandbox(state_file=state, clock=clock)))


def test_a_create_never_takes_an_id_already_in_the_org(clock: FakeClock) -> None:
    first = Sandbox(clock=clock)
    taken = create(first, "A")
    # An org that already holds that id, as a state file from an older sandbox may.
    second = Sandbox(clock=clock)
    second.state.segments[taken] = copy.deepcopy(first.state.segments[taken])
    assert create(second, "B") != taken
    assert {"A", "B"} <= set(names(second))


def test_a_fresh_org_with_a_given_seed_hands_out_the_same_ids(clock: FakeClock) -> None:
    assert create(Sandbox(clock=clock, seed=7), "A") == create(Sandbox(clock=clock, seed=7), "A")
    assert create(Sandbox(clock=clock, seed=7), "A") != create(Sandbox(clock=clock, seed=8), "A")
