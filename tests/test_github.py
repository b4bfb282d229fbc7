"""Posting to GitHub, against a small in-process stand-in for its REST API: one comment per
pull request, updated in place; one drift issue; clear errors without a token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from genesys_reconcile.errors import ConfigError, ReconcileError
from genesys_reconcile.github import DRIFT_LABEL, GitHub, fit, pull_request_number
from genesys_reconcile.plan.markdown import COMMENT_LIMIT, MARKER
from genesys_reconcile.redaction import Secret

TOKEN = "ghs_token_for_tests_123"


class FakeGitHub:
    """Comments and issues in memory, paged 100 at a time as GitHub pages them."""

    def __init__(self) -> None:
        self.comments: list[dict[str, Any]] = [
            {"id": i, "body": f"chatter {i}"} for i in range(150)
        ]
        self.issues: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        path, method = request.url.path, request.method
        self.requests.append((method, path))
        body = json.loads(request.content) if request.content else None
        if path == "/repos/acme/cx/issues/7/comments" and method == "GET":
            page = int(request.url.params["page"])
            return httpx.Response(200, json=self.comments[(page - 1) * 100 : page * 100])
        if path.endswith("/comments") and method == "POST":
            number = int(path.split("/")[-2])
            made = {"id": 1000 + len(self.comments), "body": body["body"], "issue": number}
            self.comments.append(made)
            return httpx.Response(201, json=made)
        if path.startswith("/repos/acme/cx/issues/comments/") and method == "PATCH":
            comment = next(c for c in self.comments if c["id"] == int(path.rsplit("/", 1)[1]))
            comment["body"] = body["body"]
            return httpx.Response(200, json=comment)
        if path == "/repos/acme/cx/issues" and method == "GET":
            label, state = request.url.params["labels"], request.url.params["state"]
            found = [i for i in self.issues if label in i["labels"] and i["state"] == state]
            return httpx.Response(200, json=found)
        if path == "/repos/acme/cx/issues" and method == "POST":
            self.issues.append({"number": 40 + len(self.issues), "state": "open", **body})
            return httpx.Response(201, json=self.issues[-1])
        if path.startswith("/repos/acme/cx/issues/") and method == "PATCH":
            issue = next(i for i in self.issues if i["number"] == int(path.rsplit("/", 1)[1]))
            issue.update(body)
            return httpx.Response(200, json=issue)
        return httpx.Response(404, json={"message": "Not Found"})


@pytest.fixture
def fake() -> FakeGitHub:
    return FakeGitHub()


def hub(fake: FakeGitHub) -> GitHub:
    return GitHub("acme/cx", Secret(TOKEN), transport=httpx.MockTransport(fake))


def test_the_first_push_creates_the_comment_and_later_ones_update_it(fake: FakeGitHub) -> None:
    client = hub(fake)
    assert client.upsert_comment(7, f"{MARKER}\nPlan: 1 to create") == "created"
    assert client.upsert_comment(7, f"{MARKER}\nPlan: 2 to create") == "updated"
    ours = [c for c in fake.comments if MARKER in c["body"]]
    assert [c["body"] for c in ours] == [f"{MARKER}\nPlan: 2 to create"]
    assert fake.requests.count(("GET", "/repos/acme/cx/issues/7/comments")) == 4  # two pages, twice


def test_drift_opens_one_issue_and_then_keeps_it_current(fake: FakeGitHub) -> None:
    client = hub(fake)
    assert client.upsert_drift_issue("Drift", f"{MARKER}\none") == "created"
    assert client.upsert_drift_issue("Drift again", f"{MARKER}\ntwo") == "updated"
    assert fake.issues == [
        {
            "number": 40,
            "state": "open",
            "title": "Drift again",
            "body": f"{MARKER}\ntwo",
            "labels": [DRIFT_LABEL],
        }
    ]


def test_drift_that_is_gone_closes_the_issue_with_the_plan_as_its_last_comment(
    fake: FakeGitHub,
) -> None:
    client = hub(fake)
    assert client.close_drift_issue(f"{MARKER}\nNo changes.") == "found no open"
    client.upsert_drift_issue("Drift", f"{MARKER}\none")
    assert client.close_drift_issue(f"{MARKER}\nNo changes.") == "closed #40,"
    assert fake.issues[0]["state"] == "closed"
    assert fake.comments[-1] == {"id": 1150, "body": f"{MARKER}\nNo changes.", "issue": 40}
    assert client.upsert_drift_issue("Drift", f"{MARKER}\nagain") == "created"  # a new one


@pytest.mark.parametrize("body", ["", "Plan: 1 to create"])
def test_a_body_that_is_not_a_plan_never_replaces_the_comment_or_issue(
    fake: FakeGitHub, body: str
) -> None:
    client = hub(fake)
    client.upsert_comment(7, f"{MARKER}\nPlan: 1 to create")
    for post in (
        lambda: client.upsert_comment(7, body),
        lambda: client.upsert_drift_issue("Drift", body),
        lambda: client.close_drift_issue(body),
    ):
        with pytest.raises(ReconcileError, match="the file holds no plan"):
            post()
    assert [c["body"] for c in fake.comments if MARKER in c["body"]] == [
        f"{MARKER}\nPlan: 1 to create"
    ]


def test_a_body_over_the_limit_is_cut_with_a_notice() -> None:
    body = fit("x" * (COMMENT_LIMIT + 10))
    assert len(body) <= COMMENT_LIMIT and body.endswith(
        "the full text is in the job's artifacts.\n"
    )
    assert fit("short") == "short"


def test_without_a_token_the_error_says_what_to_do() -> None:
    with pytest.raises(ConfigError, match="set GITHUB_TOKEN"):
        GitHub.from_environment({"GITHUB_REPOSITORY": "acme/cx"})


def test_a_refusal_names_the_missing_permission() -> None:
    forbidden = httpx.MockTransport(
        lambda request: httpx.Response(403, json={"message": "Resource not accessible"})
    )
    client = GitHub("acme/cx", Secret(TOKEN), transport=forbidden)
    with pytest.raises(
        Exception, match="GitHub answered 403; the workflow needs `pull-requests: write`"
    ):
        client.upsert_comment(7, f"{MARKER}\nbody")


def test_the_pull_request_comes_from_the_event_payload(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 42}}), encoding="utf-8")
    assert pull_request_number({"GITHUB_EVENT_PATH": str(event)}) == 42
    with pytest.raises(ConfigError, match="pass --pr NUMBER"):
        pull_request_number({})


def test_the_cli_posts_the_markdown_plan(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeGitHub
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/cx")
    real_init = GitHub.__init__

    def with_fake(
        self: GitHub, repo: str, token: Secret, api_url: str = "", transport: Any = None
    ) -> None:
        real_init(self, repo, token, api_url or "https://api.github.com", httpx.MockTransport(fake))

    monkeypatch.setattr(GitHub, "__init__", with_fake)
    body = tmp_path / "plan.md"
    body.write_text(f"{MARKER}\n### Plan: 0 to create", encoding="utf-8")
    result = run("github", "comment", str(body), "--pr", "7")
    assert (result.code, result.out) == (0, "created the plan comment on #7\n")
    assert TOKEN not in result.out + result.err


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "is not JSON (line 1, column 2)"),
        (b"\xff\xfe", "is not JSON (not UTF-8)"),
        (b"[1, 2]", "is not a pull-request event (no pull_request.number)"),
        (b'{"pull_request": null}', "is not a pull-request event (no pull_request.number)"),
    ],
    ids=["syntax", "encoding", "list", "null"],
)
def test_a_broken_event_payload_is_one_line_naming_the_file(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, problem: str
) -> None:
    event = tmp_path / "event.json"
    event.write_bytes(content)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/cx")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    body = tmp_path / "plan.md"
    body.write_text("plan", encoding="utf-8")
    result = run("github", "comment", str(body))
    assert (result.code, result.out) == (1, "")
    assert result.err == f"error: GITHUB_EVENT_PATH {event} {problem}; pass --pr NUMBER\n"


def test_a_missing_event_payload_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "gone.json"
    with pytest.raises(ConfigError) as raised:
        pull_request_number({"GITHUB_EVENT_PATH": str(missing)})
    assert str(raised.value) == (
        f"cannot read GITHUB_EVENT_PATH {missing}: No such file or directory; pass --pr NUMBER"
    )
