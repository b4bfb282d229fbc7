"""`reconcile github`: plans posted to a pull request or a drift issue."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from genesys_reconcile.cli.group import cli, epilog
from genesys_reconcile.errors import ConfigError
from genesys_reconcile.genesys.client import Organization
from genesys_reconcile.github import GitHub, pull_request_number
from genesys_reconcile.plan.comment import Context, Occasion

# What the markdown plan reads to say where it comes from and to link to it.
CONTEXT_ENV = (
    "RECONCILE_ENVIRONMENT (the label the markdown plan shows; default: the org's name)",
    "RECONCILE_PLAN_FOR (pull-request, merge or drift: what the markdown plan says happens "
    "next; default: from GITHUB_EVENT_NAME)",
    "GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_RUN_ID, GITHUB_EVENT_PATH "
    "(links to the files, commit and run)",
)
_EVENTS = {
    "pull_request": Occasion.PULL_REQUEST,
    "pull_request_target": Occasion.PULL_REQUEST,
    "push": Occasion.MERGE,
    "schedule": Occasion.DRIFT,
}

environment_option = click.option(
    "--environment",
    envvar="RECONCILE_ENVIRONMENT",
    metavar="LABEL",
    help="The environment the markdown plan names (such as production). Default: the org.",
)


def comment_context(
    org: Organization,
    planned_at: datetime,
    environment: str | None,
    env: Mapping[str, str] | None = None,
) -> Context:
    """Where a plan comes from, for the markdown plan's header, links and footer: the org and
    time from the plan, the repository, commit and run from GitHub Actions' variables."""
    env = os.environ if env is None else env
    repository = _repository_url(env)
    commit = _commit(env)
    run_id = env.get("GITHUB_RUN_ID", "")
    known = repository is not None and commit is not None
    return Context(
        org_name=org.name,
        org_id=org.id,
        environment=environment or org.name,
        planned_at=planned_at,
        commit=commit,
        commit_url=f"{repository}/commit/{commit}" if known else None,
        run_url=f"{repository}/actions/runs/{run_id}" if repository and run_id.isdigit() else None,
        file_base=f"{repository}/blob/{commit}/{_checkout_prefix(env)}" if known else None,
        occasion=_occasion(env),
    )


def _repository_url(env: Mapping[str, str]) -> str | None:
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo = env.get("GITHUB_REPOSITORY", "")
    if not re.fullmatch(r"https?://[\w.:-]+", server) or not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        return None
    return f"{server}/{repo}"


def _commit(env: Mapping[str, str]) -> str | None:
    """The commit the files were planned at. For a pull request, its head: Actions checks out
    a merge commit that no link outlives, while the head is what the author pushed."""
    sha = _pull_request_head(env.get("GITHUB_EVENT_PATH", "")) or env.get("GITHUB_SHA", "")
    return sha if re.fullmatch(r"[0-9a-f]{7,64}", sha) else None


def _pull_request_head(event_path: str) -> str:
    if not event_path:
        return ""
    try:
        event: Any = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""  # the header then names GITHUB_SHA; a plan never fails for a link
    head = event.get("pull_request", {}).get("head", {}) if isinstance(event, dict) else {}
    sha = head.get("sha") if isinstance(head, dict) else None
    return sha if isinstance(sha, str) else ""


def _checkout_prefix(env: Mapping[str, str]) -> str:
    """Where the working directory is in the repository, as file paths are relative to it."""
    workspace = env.get("GITHUB_WORKSPACE")
    if not workspace:
        return ""
    try:
        inside = Path.cwd().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:
        return ""
    return "" if inside == "." else f"{inside}/"


def _occasion(env: Mapping[str, str]) -> Occasion | None:
    chosen = env.get("RECONCILE_PLAN_FOR")
    if chosen:
        try:
            return Occasion(chosen)
        except ValueError:
            names = ", ".join(o.value for o in Occasion)
            raise ConfigError(
                f"RECONCILE_PLAN_FOR is {chosen!r}: set it to one of {names}, or unset it"
            ) from None
    return _EVENTS.get(env.get("GITHUB_EVENT_NAME", ""))


@cli.group(name="github")
def github_group() -> None:
    """Post plans to GitHub: one pull-request comment, one drift issue (GITHUB_TOKEN)."""


@github_group.command(
    name="comment",
    epilog=epilog(
        ["reconcile plan --format markdown > plan.md && reconcile github comment plan.md"],
        ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GITHUB_API_URL"),
    ),
)
@click.argument("body_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--pr", type=int, help="The pull request. Default: the one this Actions run is for.")
def github_comment(body_file: Path, pr: int | None) -> None:
    """Post BODY_FILE (such as `plan --format markdown`) as the pull request's plan comment,
    updating the earlier one in place rather than adding another."""
    hub = GitHub.from_environment()
    try:
        number = pr or pull_request_number()
        done = hub.upsert_comment(number, body_file.read_text(encoding="utf-8"))
    finally:
        hub.close()
    click.echo(f"{done} the plan comment on #{number}")


@github_group.command(
    name="issue",
    epilog=epilog(
        [
            "reconcile plan --format markdown > drift.md; reconcile github issue drift.md",
            "reconcile github issue --close drift.md",
        ],
        ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL"),
    ),
)
@click.argument("body_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--title", default="Drift: the org differs from the repository", show_default=True)
@click.option(
    "--close",
    is_flag=True,
    help="The org matches again: comment BODY_FILE on the open drift issue and close it.",
)
def github_issue(body_file: Path, title: str, close: bool) -> None:
    """Open the drift issue with BODY_FILE, or update the one already open; with --close,
    close it."""
    hub = GitHub.from_environment()
    body = body_file.read_text(encoding="utf-8")
    try:
        done = hub.close_drift_issue(body) if close else hub.upsert_drift_issue(title, body)
    finally:
        hub.close()
    click.echo(f"{done} the drift issue")
