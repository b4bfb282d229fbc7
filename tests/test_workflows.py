"""The GitHub workflows keep their promises: least privilege, read-only credentials for plans,
write credentials only for apply, no secrets for pull requests from forks, applies never
overlapping or cancelled."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from genesys_reconcile.apply.audit import DEFAULT_PATH as AUDIT_LOG
from genesys_reconcile.apply.pending import cursor_path
from genesys_reconcile.plan.markdown import MARKER
from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8"))
    return loaded


def steps(name: str) -> list[dict[str, Any]]:
    jobs = workflow(name)["jobs"]
    return [step for job in jobs.values() for step in job["steps"]]


def runs(step: dict[str, Any]) -> str:
    """What a step runs: its script, or the reconcile command it gives this repository's
    action (`uses: ./`)."""
    if step.get("uses") == "./":
        return "reconcile " + step["with"]["command"]
    return str(step.get("run", ""))


def action_step(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return next(s for s in loaded["runs"]["steps"] if s.get("name", "").startswith(name))


def secrets_used(name: str) -> set[str]:
    text = (WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8")
    return {part.split("}}")[0].strip() for part in text.split("secrets.")[1:]}


ALL = ["ci", "plan", "apply", "drift", "release"]


@pytest.mark.parametrize("name", ALL)
def test_every_workflow_declares_least_privilege(name: str) -> None:
    assert workflow(name)["permissions"] == {}  # the workflow grants nothing; each job its own
    for job_name, job in workflow(name)["jobs"].items():
        permissions = job["permissions"]
        if (name, job_name) == ("release", "publish"):
            assert permissions == {"id-token": "write"}  # trusted publishing, nothing else
            continue
        assert permissions["contents"] == "read"
        assert set(permissions.values()) <= {"read", "write"}
        assert all(key in {"contents", "pull-requests", "issues"} for key in permissions)


def test_a_release_is_built_checked_and_published_without_a_stored_token() -> None:
    assert secrets_used("release") == set()
    on = workflow("release").get("on") or workflow("release")[True]
    assert on == {"push": {"tags": ["v*"]}}
    build = " ".join(runs(s) for s in workflow("release")["jobs"]["build"]["steps"])
    assert "python -m build" in build and "twine check --strict" in build
    publish = workflow("release")["jobs"]["publish"]
    assert publish["environment"] == "pypi" and publish["needs"] == "build"
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")


@pytest.mark.parametrize("name", ALL)
def test_actions_are_pinned_and_checkouts_keep_no_credentials(name: str) -> None:
    for step in steps(name):
        if "uses" in step and step["uses"] != "./":  # ./ is this repository's own action
            assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize(("code", "fails"), [(0, False), (2, False), (1, True), (3, True)])
def test_the_actions_step_fails_on_errors_and_crashes_and_passes_on_changes(
    tmp_path: Path, code: int, fails: bool
) -> None:
    fake = tmp_path / "bin" / "reconcile"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho planned\nexit {code}\n", "utf-8")
    fake.chmod(0o755)
    env = {
        "PATH": f"{fake.parent}:{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "RUNNER_TEMP": str(tmp_path),
        "COMMAND": "plan --detailed-exitcode",
    }
    script = action_step("reconcile")["run"]
    ran = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, check=False)
    assert (ran.returncode != 0) is fails
    outputs = (tmp_path / "output").read_text("utf-8").splitlines()
    assert f"exit-code={code}" in outputs  # drift and callers read it
    assert (tmp_path / "reconcile-output").read_text("utf-8") == "planned\n"


def test_an_unsafe_or_failed_plan_is_still_shown() -> None:
    for name in ("Show the output in the job summary", "Post the plan comment"):
        assert action_step(name)["if"].startswith("always() && ")


def test_plans_use_read_credentials_and_apply_the_write_ones() -> None:
    assert secrets_used("plan") == {"GENESYS_READ_CLIENT_ID", "GENESYS_READ_CLIENT_SECRET"}
    assert secrets_used("drift") == {"GENESYS_READ_CLIENT_ID", "GENESYS_READ_CLIENT_SECRET"}
    assert secrets_used("apply") == {
        "GENESYS_READ_CLIENT_ID",  # its plan job
        "GENESYS_READ_CLIENT_SECRET",
        "GENESYS_WRITE_CLIENT_ID",
        "GENESYS_WRITE_CLIENT_SECRET",
        "RECONCILE_WEBHOOK_SECRET",
    }


def test_pull_requests_from_forks_are_validated_but_get_no_secrets() -> None:
    plan = next(s for s in steps("plan") if s.get("name") == "Plan")
    assert plan["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    validate = next(s for s in steps("plan") if s.get("name", "").startswith("Validate"))
    assert "if" not in validate and "env" not in validate


def test_applies_never_overlap_and_are_never_cancelled_midway() -> None:
    apply = workflow("apply")
    assert apply["concurrency"] == {"group": "genesys-org", "cancel-in-progress": False}
    assert workflow("drift")["concurrency"] == apply["concurrency"]  # drift waits for apply
    assert apply["jobs"]["apply"]["environment"] == "genesys-production"


def test_apply_writes_exactly_the_plan_the_approver_was_shown() -> None:
    jobs = workflow("apply")["jobs"]
    planning = next(s for s in jobs["plan"]["steps"] if "reconcile plan" in runs(s))
    assert "--out plan.json" in runs(planning)
    assert planning["with"]["summary"] == "true"  # what the approver reads before approving
    assert "WRITE" not in str(jobs["plan"])  # the plan job reads with read-only credentials
    assert jobs["apply"]["needs"] == "plan" and "environment" not in jobs["plan"]
    apply_steps = jobs["apply"]["steps"]
    download = next(s for s in apply_steps if "download-artifact" in s.get("uses", ""))
    assert download["with"]["name"] == "plan"
    applying = next(s for s in apply_steps if "reconcile apply" in runs(s))
    assert runs(applying) == (
        "reconcile apply plan.json --auto-approve ${{ inputs.force && '--force' || '' }}"
    )
    inputs = (
        workflow("apply")["on"]["workflow_dispatch"]["inputs"]
        if "on" in workflow("apply")
        else workflow("apply")[True]["workflow_dispatch"]["inputs"]
    )
    assert inputs["force"]["default"] is False


def test_drift_closes_its_issue_once_the_org_matches_again() -> None:
    by_name = {s.get("name"): s for s in steps("drift")}
    assert "--detailed-exitcode" in runs(by_name["Plan"])
    assert by_name["Report drift"]["if"] == "steps.plan.outputs.exit-code == '2'"
    closing = by_name["Close the drift issue, the org matching again"]
    assert closing["if"] == "steps.plan.outputs.exit-code == '0'"
    assert closing["run"] == 'reconcile github issue --close "$PLAN"'
    assert closing["env"]["PLAN"] == "${{ steps.plan.outputs.output-file }}"


def test_the_plan_is_posted_once_and_kept_as_artifacts() -> None:
    by_name = {s.get("name"): s for s in steps("plan")}
    assert runs(by_name["Validate (annotations on the changed lines)"]) == (
        "reconcile validate --format github"
    )
    planning = by_name["Plan"]
    assert runs(planning) == "reconcile plan --format markdown --out plan.json --detailed-exitcode"
    assert planning["with"]["comment"] == planning["with"]["summary"] == "true"
    assert "reconcile show plan.json > plan.txt" in runs(
        by_name["The plan as text, for the artifact"]
    )
    upload = next(
        s for s in steps("plan") if s.get("uses", "").startswith("actions/upload-artifact")
    )
    assert upload["with"]["path"].split() == ["plan.json", "plan.txt"]


def test_apply_carries_the_audit_trail_and_its_pending_webhooks_to_the_next_run() -> None:
    order = workflow("apply")["jobs"]["apply"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in order]
    restore = order[uses.index("actions/cache/restore")]
    save = order[uses.index("actions/cache/save")]
    apply = next(i for i, s in enumerate(order) if "reconcile apply" in runs(s))
    assert uses.index("actions/cache/restore") < apply < uses.index("actions/cache/save")
    kept = {str(AUDIT_LOG), str(cursor_path(AUDIT_LOG))}
    assert set(restore["with"]["path"].split()) == set(save["with"]["path"].split()) == kept
    assert save["if"] == "always()"  # a failed apply's events are kept too
    key = save["with"]["key"]
    assert "${{ github.run_id }}" in key and restore["with"]["key"] == key  # one entry a run
    assert key.startswith(restore["with"]["restore-keys"])  # so the newest earlier one restores
    upload = order[uses.index("actions/upload-artifact")]
    assert upload["if"] == "always()" and upload["with"]["path"] == str(AUDIT_LOG)


def approver_sees(tmp_path: Path, output: str, errors: str, code: int) -> str:
    """The job summary the action writes for a command's output, errors and exit code."""
    (tmp_path / "out").write_text(output, encoding="utf-8")
    (tmp_path / "errors").write_text(errors, encoding="utf-8")
    summary = tmp_path / "summary"
    summary.write_text("", encoding="utf-8")
    env = {
        "PATH": os.environ["PATH"],
        "OUT": str(tmp_path / "out"),
        "ERRORS": str(tmp_path / "errors"),
        "CODE": str(code),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    script = action_step("Show the output in the job summary")["run"]
    subprocess.run(["bash", "-e", "-c", script], env=env, check=True)
    return summary.read_text(encoding="utf-8")


def test_an_approver_sees_a_safe_an_unsafe_and_a_failed_plan_of_the_demo_org(
    run, repo: Path, tmp_path: Path
) -> None:
    safe = run("plan", "--sandbox", "--no-impact", "--format", "markdown")
    shown = approver_sees(tmp_path, safe.out, safe.err, safe.code)
    assert shown == safe.out and shown.startswith(MARKER)
    assert "### Plan: 4 to create, 6 to update, 0 to delete." in shown

    (repo / "reconcile.yaml").write_text("safety: {updates: 0.1, minExisting: 1}\n", "utf-8")
    unsafe = run("plan", "--sandbox", "--no-impact", "--format", "markdown")
    shown = approver_sees(tmp_path, unsafe.out, unsafe.err, unsafe.code)
    assert unsafe.code == 1 and shown.startswith(MARKER)  # still the plan, to review and fix
    assert "_UNSAFE: " in shown and "Apply refuses this plan without --force._" in shown

    (repo / "segments/short-voice-calls.yaml").write_text("kind: AnalyticsSegment\n", "utf-8")
    failed = run("plan", "--sandbox", "--no-impact", "--format", "markdown")
    shown = approver_sees(tmp_path, failed.out, failed.err, failed.code)
    assert (failed.code, failed.out) == (1, "")  # nothing to post: the comment stays as it was
    assert shown.startswith(
        "\n**reconcile failed (exit 1):**\n\n```\nsegments/short-voice-calls.yaml:1:1: error: "
    )
    assert shown.endswith("error: the files are invalid; nothing was planned\n```\n")
