"""Posting the plan where reviewers read it: one pull-request comment, updated in place, and one
drift issue, through the GitHub REST API.

The comment and the issue are found again by a hidden marker, so a pull request never gets a
second plan comment per push and drift never opens a second issue.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from genesys_reconcile import __version__
from genesys_reconcile.errors import ConfigError, ReconcileError
from genesys_reconcile.plan.markdown import COMMENT_LIMIT, MARKER
from genesys_reconcile.redaction import Secret

DRIFT_LABEL = "reconcile-drift"
_TRUNCATED = (
    "\n\n> [!WARNING]\n> Cut at GitHub's comment limit; the full text is in the job's artifacts.\n"
)


class GitHub:
    def __init__(
        self,
        repo: str,
        token: Secret,
        api_url: str = "https://api.github.com",
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.repo = repo
        self.http = httpx.Client(
            base_url=api_url,
            timeout=30,
            transport=transport,
            headers={
                "Authorization": f"Bearer {token.reveal()}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": f"genesys-reconcile/{__version__}",
            },
        )

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str] | None = None, transport: httpx.BaseTransport | None = None
    ) -> GitHub:
        env = os.environ if env is None else env
        token, repo = env.get("GITHUB_TOKEN", ""), env.get("GITHUB_REPOSITORY", "")
        if not token:
            raise ConfigError(
                "set GITHUB_TOKEN (the workflow's token) to post to GitHub; "
                "pull requests from forks have none, so skip the step there"
            )
        if "/" not in repo:
            raise ConfigError("set GITHUB_REPOSITORY to OWNER/NAME")
        return cls(
            repo, Secret(token), env.get("GITHUB_API_URL", "https://api.github.com"), transport
        )

    def close(self) -> None:
        self.http.close()

    def upsert_comment(self, number: int, body: str) -> str:
        """Update this tool's comment on the pull request, or create it; returns which."""
        body = fit(marked(body))
        for comment in self._pages(f"/repos/{self.repo}/issues/{number}/comments"):
            if MARKER in str(comment.get("body", "")):
                self._send(
                    "PATCH", f"/repos/{self.repo}/issues/comments/{comment['id']}", {"body": body}
                )
                return "updated"
        self._send("POST", f"/repos/{self.repo}/issues/{number}/comments", {"body": body})
        return "created"

    def upsert_drift_issue(self, title: str, body: str) -> str:
        """Update the open drift issue, or open one; returns which."""
        body = fit(marked(body))
        for issue in self._drift_issues():
            self._send(
                "PATCH",
                f"/repos/{self.repo}/issues/{issue['number']}",
                {"title": title, "body": body},
            )
            return "updated"
        self._send(
            "POST",
            f"/repos/{self.repo}/issues",
            {"title": title, "body": body, "labels": [DRIFT_LABEL]},
        )
        return "created"

    def close_drift_issue(self, body: str) -> str:
        """Close the open drift issue, with `body` (the plan that found the org matching) as
        its last comment; returns what was done."""
        body = fit(marked(body))
        for issue in self._drift_issues():
            path = f"/repos/{self.repo}/issues/{issue['number']}"
            self._send("POST", f"{path}/comments", {"body": body})
            self._send("PATCH", path, {"state": "closed", "state_reason": "completed"})
            return f"closed #{issue['number']},"
        return "found no open"

    def _drift_issues(self) -> Iterator[dict[str, Any]]:
        issues = self._pages(f"/repos/{self.repo}/issues", {"state": "open", "labels": DRIFT_LABEL})
        return (issue for issue in issues if MARKER in str(issue.get("body", "")))

    def _pages(
        self, path: str, params: Mapping[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            answer = self._send(
                "GET", path, params={**(params or {}), "per_page": "100", "page": str(page)}
            )
            items = answer if isinstance(answer, list) else []
            yield from items
            if len(items) < 100:
                return
            page += 1

    def _send(
        self, method: str, path: str, body: Any = None, params: Mapping[str, str] | None = None
    ) -> Any:
        try:
            answer = self.http.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            raise ReconcileError(
                f"{method} {path}: GitHub did not answer ({type(exc).__name__})"
            ) from None
        if answer.status_code >= 400:
            hint = (
                "; the workflow needs `pull-requests: write` or `issues: write`"
                if answer.status_code in (403, 404)
                else ""
            )
            raise ReconcileError(f"{method} {path}: GitHub answered {answer.status_code}{hint}")
        return answer.json() if answer.content else None


def marked(body: str) -> str:
    """`body` when it is a plan; a body without the plan's marker (an empty file, say, from a
    plan step that failed) must not replace the comment or issue that is found by it."""
    if MARKER not in body:
        raise ReconcileError(
            "the file holds no plan (it lacks the marker that `plan --format markdown` writes "
            "first); did the plan step fail or write nothing?"
        )
    return body


def fit(body: str) -> str:
    """The body within GitHub's limit, cut with a notice if it is longer."""
    if len(body) <= COMMENT_LIMIT:
        return body
    return body[: COMMENT_LIMIT - len(_TRUNCATED)] + _TRUNCATED


def pull_request_number(env: Mapping[str, str] | None = None) -> int:
    """The pull request an Actions run belongs to, from its event payload."""
    env = os.environ if env is None else env
    event_path = env.get("GITHUB_EVENT_PATH")
    if not event_path:
        raise ConfigError("not a pull-request run: pass --pr NUMBER")
    event = _event(event_path)
    pull_request = event.get("pull_request") if isinstance(event, dict) else None
    number = pull_request.get("number") if isinstance(pull_request, dict) else None
    if not isinstance(number, int) or isinstance(number, bool):
        raise ConfigError(
            f"GITHUB_EVENT_PATH {event_path} is not a pull-request event "
            "(no pull_request.number); pass --pr NUMBER"
        )
    return number


def _event(event_path: str) -> Any:
    """The event payload Actions wrote, or a one-line reason it cannot be read."""
    try:
        text = Path(event_path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read GITHUB_EVENT_PATH {event_path}: {exc.strerror}; pass --pr NUMBER"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"GITHUB_EVENT_PATH {event_path} is not JSON (not UTF-8); pass --pr NUMBER"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"GITHUB_EVENT_PATH {event_path} is not JSON (line {exc.lineno}, column {exc.colno}); "
            "pass --pr NUMBER"
        ) from None
