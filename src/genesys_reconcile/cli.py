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
from pathlib import Path
from typing import Any

import click

from genesys_reconcile import __version__, log
from genesys_reconcile.apply.applier import Applier, moved, summary
from genesys_reconcile.apply.audit import DEFAULT_PATH as AUDIT_LOG
from genesys_reconcile.apply.audit import Audit, run_context
from genesys_reconcile.apply.webhooks import Webhooks
from genesys_reconcile.errors import (
    EXIT_CHANGES,
    EXIT_FAILURE,
    EXIT_INTERNAL,
    EXIT_OK,
    ConfigError,
    ReconcileError,
)
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.connection import connect
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.genesys.regions import checked_url
from genesys_reconcile.kinds import KINDS
from genesys_reconcile.manifest import diagnostics
from genesys_reconcile.manifest.validation import Resource, discover, validate
from genesys_reconcile.plan import document, markdown, text
from genesys_reconcile.plan.model import Plan, Safety, Selector
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.redaction import Secret, redact
from genesys_reconcile.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_TOKEN_TTL
from genesys_reconcile.sandbox.server import serve
from genesys_reconcile.settings import Settings, load_settings


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
) -> int:
    """Show what apply would change in the org, field by field.

    Reads the org with one listing per kind (read-only credentials suffice), checks the
    files against it, and prints the creates, updates and deletes. Nothing is changed.
    """
    config = settings(ctx)
    with connect(config, sandbox=sandbox) as client:
        plan, _, _ = planned(config, client, prune, targets, excludes)
        api_url = client.origin
    inputs = input_files(config)
    if out:
        write_atomically(out, document.render(plan, api_url, inputs))
    color = use_color(sys.stdout)
    if output_format == "json":
        click.echo(document.render(plan, api_url, inputs), nl=False)
    elif output_format == "markdown":
        click.echo(markdown.render(plan), nl=False)
    else:
        click.echo(text.render(plan, color), nl=False, color=color)
    if plan.violations() and not force:
        raise ReconcileError("the plan exceeds the safety thresholds; review it, then use --force")
    return EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK


def planned(
    config: Settings,
    client: GenesysClient,
    prune: bool,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
) -> tuple[Plan, list[Resource], LiveState]:
    """Validate the files against the org, then plan; invalid files stop here, with reasons."""
    live = LiveState(client)
    report = validate(list(config.paths), config, live)
    if report.failed():
        output = diagnostics.render_text(report.diagnostics, report.files, use_color(sys.stderr))
        click.echo(output, err=True)
        raise ReconcileError("the files are invalid; nothing was planned")
    plan = make_plan(
        report.resources,
        live,
        prune=prune,
        targets=[selector(t) for t in targets],
        excludes=[selector(e) for e in excludes],
        safety=safety(config),
    )
    return plan, report.resources, live


@cli.command(name="apply")
@click.argument(
    "plan_file", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option("--sandbox", is_flag=True, help="Apply to the embedded sandbox org.")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="With PLAN_FILE: apply what still holds, refusing only what moved since the plan.",
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
    was made against another org, if the files changed since, or, per resource, if the live
    version moved. Asks for confirmation on a terminal; in CI, pass --auto-approve (it never
    prompts without a terminal). Segments are written before campaign segmentation; a failed
    change does not stop the others, and a re-run converges. Exits 0 only when every change
    was applied and read back as planned.
    """
    config = settings(ctx)
    color = use_color(sys.stdout)
    secret = webhook_secret(config)  # before anything starts: a missing one changes nothing
    with connect(config, sandbox=sandbox) as client:
        if plan_file:
            plan, resources, live = reviewed(config, client, plan_file, allow_partial)
        else:
            plan, resources, live = planned(config, client, prune, targets, excludes)
        click.echo(text.render(plan, color), nl=False, color=color)
        if not plan.has_changes:
            if secret:  # deliveries that failed before still go out
                with Audit(audit_log) as audit:
                    outbox = Webhooks(str(config.webhook_url), secret, audit)
                    outbox.retry_outbox()
                    outbox.close()
            return EXIT_OK
        if plan.violations() and not force:
            raise ReconcileError(
                "the plan exceeds the safety thresholds; review it, then use --force"
            )
        confirm(auto_approve)
        with Audit(audit_log) as audit:
            changes = document.to_document(plan, client.origin, [])["changes"]
            audit.event("run.start", **run_context(), planChecksum=document.checksum(changes))
            hooks = Webhooks(str(config.webhook_url), secret, audit) if secret else None
            try:
                applier = Applier(client, live, resources, audit, index_timeout, webhooks=hooks)
                applier.progress = lambda line: click.echo(line, err=True)
                outcomes = applier.run(plan)
            finally:
                if hooks:
                    hooks.close()
            again, _, _ = planned(config, client, False, targets, excludes)
            applied = {(o.change.kind, o.change.name) for o in outcomes if o.ok}
            drifted = [c for c in again.changes if (c.kind, c.name) in applied]
            audit.event(
                "run.end",
                applied=len(applied),
                failed=len(outcomes) - len(applied),
                readBackMismatches=len(drifted),
            )
    click.echo("\n" + summary(outcomes))
    for change in drifted:
        click.echo(
            f"  read back differs: {change.kind} {change.name!r}: "
            + ", ".join(f.path for f in change.fields)
        )
    return EXIT_OK if len(applied) == len(outcomes) and not drifted else EXIT_FAILURE


def reviewed(
    config: Settings, client: GenesysClient, plan_file: Path, allow_partial: bool
) -> tuple[Plan, list[Resource], LiveState]:
    """A saved plan, if it still holds: same org, same files, and no resource moved."""
    plan, data = document.load(plan_file)
    if data["apiUrl"] != client.origin:
        raise ReconcileError(f"the plan was made against {data['apiUrl']}, not {client.origin}")
    inputs = input_files(config)
    if document.input_digest(inputs) != data["inputDigest"]:
        raise ReconcileError("the files changed since the plan was made; plan again")
    live = LiveState(client)
    report = validate(list(config.paths), config, live)
    if report.failed():
        raise ReconcileError("the files are no longer valid against the org; plan again")
    plan.safety = safety(config)
    stale = moved(plan, live)
    for change, reason in stale:
        click.echo(f"refused: {change.kind} {change.name!r} {reason}", err=True)
    if stale and not allow_partial:
        raise ReconcileError(
            f"{len(stale)} planned change(s) no longer hold; nothing was applied "
            "(plan again, or --allow-partial to apply the rest)"
        )
    refused = {id(change) for change, _ in stale}
    plan.changes = [c for c in plan.changes if id(c) not in refused]
    return plan, report.resources, live


def webhook_secret(config: Settings) -> Secret | None:
    """The webhook's signing secret, when a webhook is configured (its URL checked too)."""
    if not config.webhook_url:
        return None
    checked_url(config.webhook_url, "webhook.url")
    secret = os.environ.get(config.webhook_secret_env, "")
    if not secret:
        raise ConfigError(f"set {config.webhook_secret_env} to the webhook's signing secret")
    return Secret(secret)


def confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ReconcileError(
            "apply asks before changing the org, and there is no terminal; pass --auto-approve"
        )
    if not click.confirm("Apply these changes?", default=False):
        raise ReconcileError("nothing was applied")


def input_files(config: Settings) -> list[Path]:
    """What a plan is made from, for its digest: the desired-state files and reconcile.yaml."""
    return [*discover(config.paths), *([config.config_file] if config.config_file else [])]


def selector(text: str) -> Selector:
    kind, _, name = text.partition("/")
    if kind not in KINDS or not name:
        known = ", ".join(sorted(KINDS))
        raise click.BadParameter(f"'{text}' is not KIND/NAME with KIND one of {known}")
    return Selector(kind, name)


def safety(config: Settings) -> Safety:
    defaults = Safety()
    return Safety(
        updates=config.safety.get("updates", defaults.updates),
        deletes=config.safety.get("deletes", defaults.deletes),
        min_existing=int(config.safety.get("minExisting", defaults.min_existing)),
    )


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
    type=_COUNT,
    show_default=True,
    help="Token lifetime, s.",
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


def write_atomically(path: Path, content: str) -> None:
    """Write a whole file or nothing: a crash never leaves half a plan."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(content, encoding="utf-8")
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="reconcile", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_FAILURE
    except click.ClickException as exc:
        exc.show()
        return EXIT_FAILURE
    except ReconcileError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except Exception as exc:  # a bug: keep the traceback out of the way, but keep it
        log = _crash_log(exc)
        click.echo(f"internal error ({type(exc).__name__}); details in {log}", err=True)
        return EXIT_INTERNAL
    # --help and --version return None; a command returns its exit code.
    return result if isinstance(result, int) else EXIT_OK


def _crash_log(exc: Exception) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    with tempfile.NamedTemporaryFile(
        "w", prefix=f"reconcile-crash-{stamp}-", suffix=".log", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(redact("".join(traceback.format_exception(exc))))
    return handle.name
