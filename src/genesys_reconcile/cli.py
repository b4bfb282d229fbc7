"""The command line: parse, build settings, call one function, print its result.

`main` is the one place where errors become exit codes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from genesys_reconcile import __version__, log, pipes, signals
from genesys_reconcile.apply.applier import summary
from genesys_reconcile.apply.audit import DEFAULT_PATH as AUDIT_LOG
from genesys_reconcile.apply.lock import run_lock
from genesys_reconcile.apply.progress import Progress
from genesys_reconcile.apply.reviewed import reviewed
from genesys_reconcile.apply.run import apply_plan, settle_earlier_runs, webhook_secret
from genesys_reconcile.errors import (
    EXIT_CHANGES,
    EXIT_FAILURE,
    EXIT_INTERNAL,
    EXIT_OK,
    ConfigError,
    ReconcileError,
)
from genesys_reconcile.files import write_atomically
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.connection import connect
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.github import GitHub, pull_request_number
from genesys_reconcile.manifest import diagnostics
from genesys_reconcile.manifest.validation import validate
from genesys_reconcile.plan import document, markdown, text
from genesys_reconcile.plan.model import Change
from genesys_reconcile.plan.run import (
    IMPACT_QUERIES,
    IMPACT_SINCE,
    Impact,
    Selection,
    check_safety,
    planned,
)
from genesys_reconcile.preview.anomalies import Baseline
from genesys_reconcile.preview.cache import DEFAULT_TTL, Cache
from genesys_reconcile.preview.cache import DIRECTORY as CACHE_DIRECTORY
from genesys_reconcile.preview.html import render_html
from genesys_reconcile.preview.query import since as window_since
from genesys_reconcile.preview.render import (
    render_conversations,
    render_csv,
    render_json,
    render_table,
)
from genesys_reconcile.preview.run import conversations as list_conversations
from genesys_reconcile.preview.run import load_segment, preview
from genesys_reconcile.preview.source import Analytics
from genesys_reconcile.redaction import redact
from genesys_reconcile.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_TOKEN_TTL
from genesys_reconcile.sandbox.server import serve
from genesys_reconcile.settings import Settings, load_settings

PREVIEW_RENDERERS = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}


def impact_reader(config: Settings, client: GenesysClient) -> Impact:
    cache = Cache(config.root / CACHE_DIRECTORY)
    analytics = Analytics(client, cache, budget=IMPACT_QUERIES)
    return Impact(analytics, window_since(IMPACT_SINCE, datetime.now(UTC)))


def use_color(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconcile")
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="RECONCILE_CONFIG",
    help="Settings file. Default: reconcile.yaml in the current directory, if present.",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="warning",
    envvar="RECONCILE_LOG_LEVEL",
    show_default=True,
    help="Log events to stderr from this level up; JSON lines when stderr is not a terminal.",
)
@click.option("-v", "--verbose", is_flag=True, help="Same as --log-level debug: every request.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, log_level: str, verbose: bool) -> None:
    """Manage Genesys Cloud analytics segments and outbound campaign segmentation as YAML.

    Desired state lives in segments/*.yaml and campaigns/*.yaml; JSON Schemas in schemas/
    describe the files. Exit codes: 0 success, 1 failure, 2 changes pending (plan
    --detailed-exitcode only), 3 internal error.
    """
    log.configure("debug" if verbose else log_level)
    ctx.obj = config


def settings(ctx: click.Context) -> Settings:
    return load_settings(ctx.find_root().obj)


@cli.command(name="validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people; json for tools; github for pull-request annotations.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--online",
    is_flag=True,
    help="Also check against the org: campaigns and contact lists exist, and attributes exist "
    "in every list with fitting types. Reads only.",
)
@click.option("--sandbox", is_flag=True, help="Check online against the embedded sandbox org.")
@click.pass_context
def validate_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output_format: str,
    strict: bool,
    online: bool,
    sandbox: bool,
) -> int:
    """Check desired-state files: YAML, schema and semantic rules, offline by default.

    PATHS are files or directories (searched for *.yaml and *.yml); by default the paths in
    reconcile.yaml, else segments/ and campaigns/. Every problem is reported with its file,
    line and column. Exits 1 when any file is invalid.
    """
    config = settings(ctx)
    targets = list(paths) or list(config.paths)
    if online or sandbox:
        with connect(config, sandbox=sandbox) as client:
            report = validate(targets, config, LiveState(client))
    else:
        report = validate(targets, config)
    color = use_color(sys.stdout)
    if output_format == "json":
        output = diagnostics.render_json(report.diagnostics)
    elif output_format == "github":
        output = diagnostics.render_github(report.diagnostics)
    else:
        output = diagnostics.render_text(report.diagnostics, report.files, color)
    if output:
        click.echo(output, color=color)
    return EXIT_FAILURE if report.failed(strict) else EXIT_OK


def selection(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose what a plan covers, shared by plan and apply."""
    options = [
        click.option(
            "--prune", is_flag=True, help="Also delete live resources the repository lacks."
        ),
        click.option(
            "--target",
            "targets",
            multiple=True,
            metavar="KIND/NAME",
            help="Only these resources (repeatable; NAME may use * and ?). The plan is partial.",
        ),
        click.option(
            "--exclude",
            "excludes",
            multiple=True,
            metavar="KIND/NAME",
            help="Leave these out (repeatable; NAME may use * and ?). The plan is partial.",
        ),
        click.option("--force", is_flag=True, help="Accept a plan over the safety thresholds."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command(name="plan")
@click.option("--sandbox", is_flag=True, help="Plan against the embedded sandbox org.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for people; markdown for a pull-request comment; json for tools.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also save the plan as JSON, for review and for `apply PLAN_FILE`.",
)
@selection
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing would change, 2 when something would, 1 on error.",
)
@click.option(
    "--no-impact",
    is_flag=True,
    help="Leave out the impact lines (conversations a created or changed segment matches "
    "in the last 7 days, before and after), and their analytics queries.",
)
@click.pass_context
def plan_command(
    ctx: click.Context,
    sandbox: bool,
    output_format: str,
    out: Path | None,
    prune: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    force: bool,
    detailed_exitcode: bool,
    no_impact: bool,
) -> int:
    """Show what apply would change in the org, field by field.

    Reads the org with one listing per kind (read-only credentials suffice), checks the
    files against it, and prints the creates, updates and deletes. For each created or
    changed segment filter, an impact line says how many conversations it matches in the
    last 7 days, before and after (at most 40 analytics queries, cached; a failing query
    never fails the plan). Nothing is changed.
    """
    config = settings(ctx)
    with connect(config, sandbox=sandbox) as client:
        impact = None if no_impact else impact_reader(config, client)
        ready = planned(config, client, Selection(prune, targets, excludes), impact)
        saving = bool(out) or output_format == "json"
        org = client.organization() if saving else None
        origin = client.origin
    plan = ready.plan
    saved = document.render(plan, org, origin, ready.inputs) if org else ""
    if out:
        write_atomically(out, saved)
    color = use_color(sys.stdout)
    if output_format == "json":
        click.echo(saved, nl=False)
    elif output_format == "markdown":
        click.echo(markdown.render(plan), nl=False)
    else:
        click.echo(text.render(plan, color), nl=False, color=color)
    check_safety(plan, force)
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK


@cli.command(name="preview")
@click.argument("segment", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sandbox", is_flag=True, help="Query the embedded sandbox org's synthetic data.")
@click.option(
    "--since",
    metavar="DURATION",
    help="Look at the last DURATION (such as 12h, 7d or 2w, up to the last whole hour) "
    "instead of the segment's time window.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json", "html"]),
    default="table",
    show_default=True,
    help="table for people; csv and json for tools; html for one page with charts.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the output to this file instead of stdout.",
)
@click.option(
    "--conversations",
    is_flag=True,
    help="List the matching conversations (the details query) instead of the aggregates.",
)
@click.option(
    "--limit",
    type=click.IntRange(1, 100_000),
    default=100,
    show_default=True,
    help="With --conversations: list at most this many.",
)
@click.option("--no-cache", is_flag=True, help="Query the org even if a recent answer is cached.")
@click.option(
    "--cache-ttl",
    type=click.FloatRange(min=0),
    default=DEFAULT_TTL,
    show_default=True,
    help="Seconds a cached answer (in .reconcile/cache/analytics) stays fresh.",
)
@click.option(
    "--baseline",
    "baseline_window",
    type=click.IntRange(2, 1000),
    default=Baseline.window,
    show_default=True,
    help="Anomalies: compare each bucket with up to this many preceding ones (for hourly "
    "buckets, the same hour on preceding days).",
)
@click.option(
    "--min-samples",
    type=click.IntRange(2, 1000),
    default=Baseline.min_samples,
    show_default=True,
    help="Anomalies: judge a bucket only with at least this many baseline values.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(min=0, min_open=True),
    default=Baseline.threshold,
    show_default=True,
    help="Anomalies: flag a bucket whose z-score is at least this far from 0.",
)
@click.pass_context
def preview_command(
    ctx: click.Context,
    segment: Path,
    sandbox: bool,
    since: str | None,
    output_format: str,
    out: Path | None,
    conversations: bool,
    limit: int,
    no_cache: bool,
    cache_ttl: float,
    baseline_window: int,
    min_samples: int,
    threshold: float,
) -> int:
    """Show what an analytics segment selects: conversations by queue and media type.

    Runs the segment's filter as an analytics aggregates query over its time window (or
    --since) and prints offered, answered and abandoned conversations, abandonment and SLA
    breach rates, and average handle and wait times per queue and media type, with buckets
    that stand out from their baseline. Reads only.
    """
    config = settings(ctx)
    if conversations and output_format == "html":
        raise ConfigError("--conversations prints table, csv or json, not html")
    if min_samples > baseline_window:
        raise ConfigError("--min-samples must not exceed --baseline")
    resource = load_segment(segment, config)
    window = window_since(since, datetime.now(UTC)) if since else None
    cache = None if no_cache else Cache(config.root / CACHE_DIRECTORY, cache_ttl)
    with connect(config, sandbox=sandbox) as client:
        analytics = Analytics(client, cache)
        if conversations:
            found = list_conversations(analytics, resource, window, limit)
            output = render_conversations(found, output_format)
        else:
            baseline = Baseline(baseline_window, min_samples, threshold)
            result = preview(analytics, resource, window, baseline)
            output = PREVIEW_RENDERERS[output_format](result)
    output = output if output.endswith("\n") else output + "\n"
    if out:
        write_atomically(out, output)
    else:
        click.echo(output, nl=False)
    return EXIT_OK


@cli.command(name="apply")
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
    "--index-timeout",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="Seconds to wait for a campaign's index rebuild.",
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
    index_timeout: float,
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

    \b
    Examples:
      reconcile plan --out plan.json && reconcile apply plan.json --auto-approve
      reconcile apply --sandbox --prune
    """
    config = settings(ctx)
    color = use_color(sys.stdout)
    chosen = Selection(prune, targets, excludes)
    secret = webhook_secret(config)  # before anything starts: a missing one changes nothing
    with run_lock(audit_log), connect(config, sandbox=sandbox) as client:
        if plan_file:
            ready = reviewed(config, client, plan_file, chosen, allow_partial, refused=_to_stderr)
        else:
            ready = planned(config, client, chosen)
        if not pipes.echoed(text.render(ready.plan, color), color):
            raise ReconcileError("stdout was closed before the plan was shown; nothing was applied")
        if not ready.plan.has_changes:
            for line in settle_earlier_runs(config, client, ready, secret, audit_log):
                _to_stderr(f"settled: {line}")
            click.echo(_refusals(ready.refused), nl=False)
            return EXIT_FAILURE if ready.refused else EXIT_OK
        check_safety(ready.plan, force)
        confirm(auto_approve)
        progress = Progress(len(ready.plan.changes), sys.stderr, live=sys.stderr.isatty())
        result = apply_plan(
            config, client, ready, chosen, audit_log, index_timeout, secret, progress
        )
    for line in result.settled:
        _to_stderr(f"settled: {line}")
    report = "\n" + summary(result.outcomes, result.not_started) + "\n"
    report += _refusals(ready.refused)
    report += "".join(f"  {line}\n" for line in result.read_back())
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


def _to_stderr(line: str) -> None:
    click.echo(line, err=True)


def confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ReconcileError(
            "apply asks before changing the org, and there is no terminal; pass --auto-approve"
        )
    if not click.confirm("Apply these changes?", default=False):
        raise ReconcileError("nothing was applied")


@cli.group(name="github")
def github_group() -> None:
    """Post plans to GitHub: one pull-request comment, one drift issue (GITHUB_TOKEN)."""


@github_group.command(name="comment")
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


@github_group.command(name="issue")
@click.argument("body_file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--title", default="Drift: the org differs from the repository", show_default=True)
def github_issue(body_file: Path, title: str) -> None:
    """Open the drift issue with BODY_FILE, or update the one already open."""
    hub = GitHub.from_environment()
    try:
        done = hub.upsert_drift_issue(title, body_file.read_text(encoding="utf-8"))
    finally:
        hub.close()
    click.echo(f"{done} the drift issue")


_COUNT = click.IntRange(min=0)
_SHARE = click.FloatRange(0, 1)


@cli.group()
def sandbox() -> None:
    """The embedded Genesys Cloud simulator (see docs/sandbox.md)."""


@sandbox.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=0, show_default=True, help="Port; 0 picks a free one.")
@click.option(
    "--state",
    "state_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Keep the org in this JSON file, so restarts and other runs see its changes.",
)
@click.option("--client-id", default=DEFAULT_CLIENT_ID, show_default=True)
@click.option(
    "--client-secret",
    envvar="RECONCILE_SANDBOX_CLIENT_SECRET",
    help="The client secret clients must present. Default: the documented sandbox secret.",
)
@click.option(
    "--token-ttl",
    default=DEFAULT_TOKEN_TTL,
    type=click.IntRange(min=1),  # a token granted for no time fails every client, as expired
    show_default=True,
    help="Token lifetime, s (at least 1).",
)
@click.option(
    "--latency", default=0, type=_COUNT, show_default=True, help="Added to every request, ms."
)
@click.option(
    "--rate-limit", default=0, type=_COUNT, show_default=True, help="Requests a minute; 0: none."
)
@click.option(
    "--error-rate", default=0.0, type=_SHARE, show_default=True, help="Share answered 503."
)
@click.option(
    "--drop-rate", default=0.0, type=_SHARE, show_default=True, help="Share of connections dropped."
)
@click.option(
    "--index-delay",
    default=0.0,
    type=click.FloatRange(min=0),
    show_default=True,
    help="Index rebuild time, s.",
)
@click.option(
    "--index-failure-rate",
    default=0.0,
    type=_SHARE,
    show_default=True,
    help="Share of rebuilds that fail.",
)
@click.option("--seed", default=0, show_default=True, help="Seed for random faults and ids.")
def sandbox_serve(host: str, port: int, state_file: Path | None, **options: Any) -> None:
    """Run the simulator as an HTTP server until interrupted.

    The first line on stdout is the base URL; point any command at it with GENESYS_API_URL
    and GENESYS_LOGIN_URL. Faults can also be changed while it runs, through /_sandbox/faults.
    """
    server = serve(host, port, state_file, **options)
    click.echo(server.url)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    with signals.graceful():
        try:
            return _invoked(sys.argv[1:] if argv is None else argv)
        except KeyboardInterrupt as exc:
            return _interrupted(exc)
        except click.exceptions.Exit as exc:  # --help and --version
            return exc.exit_code
        except click.exceptions.Abort as exc:
            if isinstance(exc.__context__, KeyboardInterrupt):  # Ctrl-C at a prompt
                return _interrupted(exc.__context__)
            click.echo("Aborted.", err=True)
            return EXIT_FAILURE
        except click.ClickException as exc:
            exc.show()
            return EXIT_FAILURE
        except BrokenPipeError:
            pipes.silence_stdout()
            click.echo("error: stdout was closed before all the output was written", err=True)
            return EXIT_FAILURE
        except ReconcileError as exc:
            if exc.preface:
                click.echo(exc.preface, err=True)
            click.echo(f"error: {exc}", err=True)
            return exc.exit_code
        except Exception as exc:  # a bug: keep the traceback out of the way, but keep it
            log = _crash_log(exc)
            click.echo(f"internal error ({type(exc).__name__}); details in {log}", err=True)
            return EXIT_INTERNAL


def _invoked(args: list[str]) -> int:
    # Not click's own main: it turns Ctrl-C into a plain Abort (exit 1) and a closed stdout
    # into a silent exit 1, where these must be told apart.
    with cli.make_context("reconcile", list(args)) as ctx:
        result = cli.invoke(ctx)
    # --help and --version return None; a command returns its exit code.
    return result if isinstance(result, int) else EXIT_OK


def _interrupted(interrupt: KeyboardInterrupt) -> int:
    click.echo(f"error: interrupted by {signals.signal_of(interrupt).name}", err=True)
    return signals.exit_code(interrupt)


def _crash_log(exc: Exception) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    with tempfile.NamedTemporaryFile(
        "w", prefix=f"reconcile-crash-{stamp}-", suffix=".log", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(redact("".join(traceback.format_exception(exc))))
    return handle.name
