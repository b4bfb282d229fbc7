"""The sandbox as users run it: `reconcile sandbox serve`, its state file, its documentation."""

from __future__ import annotations

import ast
import contextlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import httpx

from genesys_reconcile.sandbox import segments
from genesys_reconcile.sandbox.app import ADMIN_ROUTES, API_ROUTES, TOKEN_ROUTE, Sandbox
from genesys_reconcile.sandbox.faults import FaultSettings
from genesys_reconcile.sandbox.server import SandboxServer
from tests.conftest import ROOT
from tests.sandbox.conftest import CREDENTIALS, Api, FakeClock
from tests.sandbox.test_segments_api import BASE, SEGMENT

DOCS = (ROOT / "docs" / "sandbox.md").read_text(encoding="utf-8")


@contextlib.contextmanager
def running(*flags: str) -> Iterator[str]:
    """`reconcile sandbox serve` in a child process; yields its base URL."""
    command = [sys.executable, "-m", "genesys_reconcile", "sandbox", "serve", "--port", "0", *flags]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_prints_its_url_first_and_answers(tmp_path: Path) -> None:
    with running("--state", str(tmp_path / "org.json"), "--rate-limit", "600") as url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        api = Api(url)
        assert api.get(BASE).json()["total"] == 3
        assert api.admin("GET", "faults")["rate_limit"] == 600


def test_state_survives_a_restart_of_the_server(tmp_path: Path) -> None:
    state = tmp_path / "org.json"
    command = [
        sys.executable,
        "-m",
        "genesys_reconcile",
        "sandbox",
        "serve",
        "--port",
        "0",
        "--state",
        str(state),
    ]
    for expected in (201, 409):  # the second server already has the segment
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        api = Api(process.stdout.readline().strip())
        assert api.post(BASE, SEGMENT).status_code == expected
        process.terminate()
        process.wait(timeout=10)
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["formatVersion"] == 2
    assert "Transfers" in [s["name"] for s in saved["segments"]]
    assert [p.name for p in tmp_path.iterdir()] == ["org.json"]  # no temporary file left


def test_two_sandboxes_on_one_state_file_see_each_others_changes(
    tmp_path: Path, clock: FakeClock
) -> None:
    state = tmp_path / "org.json"
    with SandboxServer(Sandbox(state_file=state, clock=clock)) as first:
        Api(first.url).post(BASE, SEGMENT)
    with SandboxServer(Sandbox(state_file=state, clock=clock)) as second:
        assert Api(second.url).named(BASE, "Transfers")["version"] == 1


def test_bad_flags_are_usage_errors(tmp_path: Path) -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "genesys_reconcile", "sandbox", "serve", "--error-rate", "2"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert answer.returncode == 1
    assert "--error-rate" in answer.stderr and "Traceback" not in answer.stderr


def test_the_sandbox_mounts_in_process(clock: FakeClock) -> None:
    transport = httpx.WSGITransport(app=Sandbox(clock=clock))
    with httpx.Client(transport=transport, base_url="http://sandbox") as http:
        token = http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=CREDENTIALS
        ).json()["access_token"]
        listing = http.get(BASE, headers={"Authorization": f"Bearer {token}"})
    assert listing.json()["total"] == 3


def test_the_documented_routes_are_exactly_the_served_routes() -> None:
    documented = set(
        re.findall(r"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \|", DOCS, re.MULTILINE)
    )
    served = (
        {(r.method, r.template) for r in API_ROUTES} | set(ADMIN_ROUTES) | {("POST", TOKEN_ROUTE)}
    )
    assert documented == served


def test_every_fault_setting_and_segment_field_is_documented() -> None:
    documented = set(re.findall(r"^\| `(\w+)` \|", DOCS, re.MULTILINE))
    assert {f.name for f in fields(FaultSettings)} <= documented
    for path in segments.FIELDS:
        assert path.rsplit(".", 1)[-1] in DOCS, path


def _raised_codes(source: str) -> set[str]:
    """Error codes given to ApiError (second argument) and bad_request (third, or error_code)."""
    codes = set()
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        position, keyword = {"ApiError": (1, "code"), "bad_request": (2, "error_code")}.get(
            node.func.id, (-1, "")
        )
        named = {k.arg: k.value for k in node.keywords}
        argument = named.get(keyword) or (
            node.args[position] if 0 <= position < len(node.args) else None
        )
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            codes.add(argument.value)
    return codes


def test_every_error_code_the_sandbox_raises_is_documented() -> None:
    sources = (ROOT / "src/genesys_reconcile/sandbox").glob("*.py")
    raised = set().union(*(_raised_codes(p.read_text(encoding="utf-8")) for p in sources))
    assert {"version.mismatch", "expression.syntax", "too.many.requests.retry.after"} <= raised
    assert sorted(code for code in raised if f"`{code}`" not in DOCS) == []


def test_a_state_file_that_is_not_one_is_a_clear_error(tmp_path: Path) -> None:
    state = tmp_path / "org.json"
    state.write_text("{not json", encoding="utf-8")
    answer = subprocess.run(
        [sys.executable, "-m", "genesys_reconcile", "sandbox", "serve", "--state", str(state)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert answer.returncode == 1
    assert answer.stderr.startswith(f"error: cannot use {state} as the sandbox's state")


def test_fault_flags_reach_the_running_sandbox() -> None:
    flags = [
        "--latency",
        "5",
        "--error-rate",
        "0.25",
        "--drop-rate",
        "0.1",
        "--index-delay",
        "3",
        "--index-failure-rate",
        "0.5",
        "--seed",
        "4",
        "--token-ttl",
        "120",
    ]
    with running(*flags) as url:
        faults = httpx.get(f"{url}/_sandbox/faults").json()
        token = httpx.post(
            f"{url}/oauth/token", data={"grant_type": "client_credentials"}, auth=CREDENTIALS
        ).json()
    assert {
        k: faults[k]
        for k in ("latency_ms", "error_rate", "drop_rate", "index_delay", "index_failure_rate")
    } == {
        "latency_ms": 5,
        "error_rate": 0.25,
        "drop_rate": 0.1,
        "index_delay": 3.0,
        "index_failure_rate": 0.5,
    }
    assert token["expires_in"] == 120
