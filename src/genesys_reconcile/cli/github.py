"""`reconcile github`: plans posted to a pull request or a drift issue."""

from __future__ import annotations

from pathlib import Path

import click

from genesys_reconcile.cli.group import cli, epilog
from genesys_reconcile.github import GitHub, pull_request_number


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
