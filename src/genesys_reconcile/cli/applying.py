"""`reconcile apply`: a fresh or a reviewed plan, confirmed, written and summarised."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from genesys_reconcile import pipes
from genesys_reconcile.apply.audit import DEFAULT_PATH as AUDIT_LOG
from genesys_reconcile.apply.lock import run_lock
from genesys_reconcile.apply.outcomes import summary
from genesys_reconcile.apply.progress import Progress
from genesys_reconcile.apply.reviewed import reviewed
from genesys_reconcile.apply.run import apply_plan, settle_earlier_runs, webhook_secret
from genesys_reconcile.cli.group import (
    ORG_ENV,
    cli,
    epilog,
    selection,
    settings,
    to_stderr,
    use_color,
)
from genesys_reconcile.connection import connect
from genesys_reconcile.errors import (
    EXIT_FAILURE,
    EXIT_OK,
    ReconcileError,
)
from genesys_reconcile.plan import text
from genesys_reconcile.plan.model import Change
from genesys_reconcile.plan.run import (
    Selection,
    check_safety,
    planned,
)


@cli.command(
    name="apply",
    epilog=epilog(
        [
            "reconcile plan --out plan.json && reconcile apply plan.json --auto-approve",
            "reconcile apply --sandbox --prune",
        ],
        (*ORG_ENV, "RECONCILE_WEBHOOK_SECRET (or the variable reconcile.yaml's webhook names)"),
    ),
)
@click.argument(
    "plan_file", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option("--sandbox", is_flag=True, help="Apply to the embedded sandbox org.")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="With PLAN_FILE: apply the changes that still hold, refusing the rest by name "
    "(exits 1 when any is refused).",
)
@click.option("--auto-approve", is_flag=True, help="Apply without asking (for CI).")
@selection
@click.option(
    "--audit-log",
    type=click.Path(path_type=Path, dir_okay=False),
    default=AUDIT_LOG,
    show_default=True,
    help="Append the run's audit trail (JSON lines) here.",
)
@click.option(
    "--settle-timeout",
    "--index-timeout",  # its name before kinds other than campaigns settled
    "settle_timeout",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="Seconds to wait for a written resource to be ready, such as a campaign's index rebuild.",
)
@click.pass_context
def apply_command(
    ctx: click.Context,
    plan_file: Path | None,
    sandbox: bool,
    allow_partial: bool,
    auto_approve: bool,
    prune: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    force: bool,
    audit_log: Path,
    settle_timeout: float,
) -> int:
    """Make the org match the files: plan, show, confirm, write.

    With PLAN_FILE (from `plan --out`), apply exactly that reviewed plan: it is refused if it
    was made for another org (by id) or the files changed since; apply plans again from the
    files and the org (with this command's --prune, --target and --exclude) and applies only
    the saved changes that the fresh plan makes identically, refusing the others by name.
    Asks for confirmation on a terminal; in CI, pass --auto-approve (it never prompts without
    a terminal). Segments are written before campaign segmentation; a failed change does not
    stop the others, and a re-run converges. Exits 0 only when every change was applied and
    read back as planned.
    """
    config = settings(ctx)
    color = use_color(sys.stdout)
    chosen = Selection(prune, targets, excludes)
    secret = webhook_secret(config)  # before anything starts: a missing one changes nothing
    with run_lock(audit_log), connect(config, sandbox=sandbox) as client:
        if plan_file:
            ready = reviewed(config, client, plan_file, chosen, allow_partial, say=to_stderr)
        else:
            ready = planned(config, client, chosen)
        for notice in ready.notices:
            to_stderr(notice)
        if not pipes.echoed(text.render(ready.plan, color), color):
            raise ReconcileError("stdout was closed before the plan was shown; nothing was applied")
        if not ready.plan.has_changes:
            for line in settle_earlier_runs(config, client, ready, secret, audit_log):
                to_stderr(f"settled: {line}")
            click.echo(_refusals(ready.refused), nl=False)
            return EXIT_FAILURE if ready.refused else EXIT_OK
        check_safety(ready.plan, force)
        confirm(auto_approve)
        progress = Progress(len(ready.plan.changes), sys.stderr, live=sys.stderr.isatty())
        result = apply_plan(
            config, client, ready, chosen, audit_log, settle_timeout, secret, progress
        )
    for line in result.settled:
        to_stderr(f"settled: {line}")
    report = "\n" + summary(result.outcomes, result.not_started) + "\n"
    report += f"{result.owned}\n" if result.owned else ""
    report += _refusals(ready.refused)
    report += "".join(f"  {line}\n" for line in result.read_back())
    report += f"{result.webhooks}\n" if result.webhooks else ""
    if not pipes.echoed(report):  # the reader went away during the apply: the log still gets it
        click.echo(report, nl=False, err=True)
    if result.stopped:
        raise result.stopped
    return EXIT_OK if result.ok and not ready.refused else EXIT_FAILURE


def _refusals(refused: list[tuple[Change, str]]) -> str:
    """The reviewed changes that were not applied: part of the summary, never left out."""
    if not refused:
        return ""
    lines = [f"Refused: {len(refused)} change(s) of the saved plan were not applied."]
    lines += [f"  refused: {c.kind} {c.name!r}: {reason}" for c, reason in refused]
    return "\n".join(lines) + "\n"


def confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ReconcileError(
            "apply asks before changing the org, and there is no terminal; pass --auto-approve"
        )
    if not click.confirm("Apply these changes?", default=False):
        raise ReconcileError("nothing was applied")
