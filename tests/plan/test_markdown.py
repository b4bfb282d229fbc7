"""`reconcile plan --format markdown`: the pull-request comment, as GitHub renders it. What a
reviewer reads in it: where the plan comes from, each change in the file's own terms with the
words that changed marked, links to the files, and what happens next."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from genesys_reconcile.plan import markdown
from genesys_reconcile.plan.comment import Context, Occasion
from genesys_reconcile.plan.model import Action, Change, FieldChange, Plan
from tests.plan.test_plan import GOLDEN, masked
from tests.test_workflows import runs, steps

SERVER, REPOSITORY = "https://github.com", "acme/cx-config"
HEAD = "0123456789abcdef0123456789abcdef01234567"  # the pull request's head: what was pushed
MERGE = "fedcba9876543210fedcba9876543210fedcba98"  # the merge commit Actions checks out
RUN = f"{SERVER}/{REPOSITORY}/actions/runs/4242"
FILES = f"{SERVER}/{REPOSITORY}/blob/{HEAD}/"


def rendered(comment: str) -> str:
    """The comment as GitHub renders it (cmark-gfm; GitHub then drops HTML it disallows)."""
    return cmarkgfm.github_flavored_markdown_to_html(comment, options=Options.CMARK_OPT_UNSAFE)


def masked_comment(text: str) -> str:
    """The golden comment without what differs by run: the sandbox org and the time."""
    text = re.sub(r"Sandbox [0-9a-f]{8} \(`[0-9a-f-]{36}`\)", "ORG (`ORG-ID`)", text)
    return re.sub(r"planned \d{4}-\d\d-\d\d \d\d:\d\d UTC", "planned TIME", masked(text))


@pytest.fixture
def laptop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan made outside GitHub Actions (whatever runs these tests)."""
    for name in ("SERVER_URL", "REPOSITORY", "SHA", "RUN_ID", "EVENT_NAME", "EVENT_PATH"):
        monkeypatch.delenv(f"GITHUB_{name}", raising=False)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.delenv("RECONCILE_ENVIRONMENT", raising=False)
    monkeypatch.delenv("RECONCILE_PLAN_FOR", raising=False)


@pytest.fixture
def pull_request(laptop: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The plan workflow's run for a pull request, as Actions sets it up."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": HEAD}}}), "utf-8")
    for name, value in {
        "SERVER_URL": SERVER,
        "REPOSITORY": REPOSITORY,
        "SHA": MERGE,
        "RUN_ID": "4242",
        "EVENT_NAME": "pull_request",
        "EVENT_PATH": str(event),
    }.items():
        monkeypatch.setenv(f"GITHUB_{name}", value)
    monkeypatch.setenv("RECONCILE_ENVIRONMENT", "production")


def test_the_demo_comment_reads_like_the_golden_file(run, repo: Path, pull_request: None) -> None:
    result = run("plan", "--sandbox", "--format", "markdown")
    assert (result.code, result.err) == (0, "")
    assert masked_comment(result.out) == (GOLDEN / "demo-plan.md").read_text(encoding="utf-8")


def test_github_shows_the_golden_comment_as_a_reviewer_needs_it() -> None:
    html = rendered((GOLDEN / "demo-plan.md").read_text(encoding="utf-8"))
    # The header: environment, org, commit and run, linked.
    assert "<strong>production</strong> · org ORG (<code>ORG-ID</code>)" in html
    assert f'<a href="{SERVER}/{REPOSITORY}/commit/{HEAD}"><code>0123456</code></a>' in html
    assert f'<a href="{RUN}">workflow run</a>' in html
    # Words removed and added marked in the text, where GitHub shows them, not in a code block.
    assert "<code>Long voice conversations <ins>in the third quarter, by queue</ins></code>" in html
    assert "<code><del>240</del></code> → <code><ins>300</ins></code>" in html
    blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", html, flags=re.DOTALL)
    assert blocks and not any("<del>" in b or "<ins>" in b for b in blocks)
    # No sideways scrolling: the created resources' YAML is folded short.
    assert max(len(line) for b in blocks for line in b.splitlines()) <= 100
    assert f'<a href="{FILES}segments/long-holds-in-support.yaml#L3">' in html
    assert html.count("<details") == 10
    assert "On merge, apply.yml plans main again and applies it after approval" in html
    assert html.rstrip().endswith("this comment.</p>")  # the footer comes last


def test_a_changed_word_in_a_long_text_is_marked_in_place(run, repo: Path, laptop: None) -> None:
    path = repo / "segments/voice-calls-over-5-minutes-q3.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("description:")
    end = text.index("\n", start)
    path.write_text(text[:start] + "description: Short voice conversations" + text[end:], "utf-8")

    html = rendered(run("plan", "--sandbox", "--no-impact", "--format", "markdown").out)

    assert "<code><del>Long</del> <ins>Short</ins> voice conversations</code>" in html


def test_the_header_names_the_environment_org_commit_time_and_run(
    run, repo: Path, pull_request: None
) -> None:
    comment = run(
        "plan",
        "--sandbox",
        "--no-impact",
        "--format",
        "markdown",
        "--environment",
        "staging",
        "--out",
        "plan.json",
    ).out
    saved = json.loads((repo / "plan.json").read_text("utf-8"))
    org, made = saved["org"], datetime.fromisoformat(saved["createdAt"])

    assert comment.splitlines()[3] == (
        f"**staging** · org {org['name']} (`{org['id']}`) · commit "
        f"[`0123456`]({SERVER}/{REPOSITORY}/commit/{HEAD}) · "
        f"planned {made:%Y-%m-%d %H:%M} UTC · [workflow run]({RUN})"
    )
    assert MERGE not in comment  # links outlive the merge commit when they name the head


def test_outside_actions_the_comment_names_the_org_and_time_without_links(
    run, repo: Path, laptop: None
) -> None:
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    comment = run("plan", "--sandbox", "--no-impact", "--format", "markdown").out
    header = comment.splitlines()[3]
    org, _, planned = header.partition(" · planned ")
    assert re.fullmatch(r"org \*\*Sandbox [0-9a-f]{8}\*\* \(`[0-9a-f-]{36}`\)", org)
    when = datetime.strptime(planned, "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)
    assert before <= when <= datetime.now(UTC)
    assert "href" not in comment and "](" not in comment
    assert comment.endswith(
        "**What happens next:** nothing has been changed. `reconcile apply` applies this plan "
        "after asking; `reconcile apply plan.json` applies exactly a plan saved with `--out`.\n"
    )


@pytest.mark.parametrize(
    ("variables", "next_step"),
    [
        ({"GITHUB_EVENT_NAME": "schedule"}, "this issue means the org no longer matches main"),
        ({"RECONCILE_PLAN_FOR": "drift"}, "this issue means the org no longer matches main"),
        ({"GITHUB_EVENT_NAME": "push"}, "an approver of the genesys-production environment"),
        ({"RECONCILE_PLAN_FOR": "pull-request"}, "nothing has been changed yet. On merge"),
    ],
    ids=["scheduled-drift", "drift-by-hand", "merge", "pull-request"],
)
def test_the_footer_says_what_happens_next(
    run,
    repo: Path,
    laptop: None,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    next_step: str,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    comment = run("plan", "--sandbox", "--no-impact", "--format", "markdown").out
    assert comment.splitlines()[-1].startswith(f"**What happens next:** {next_step}")


def test_an_unknown_occasion_is_one_line_saying_the_choices(
    run, repo: Path, laptop: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECONCILE_PLAN_FOR", "release")
    result = run("plan", "--sandbox", "--no-impact", "--format", "markdown")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "error: RECONCILE_PLAN_FOR is 'release': set it to one of pull-request, merge, drift, "
        "or unset it\n"
    )


def test_a_saved_plan_shows_with_the_org_and_time_it_was_made_for(
    run, repo: Path, pull_request: None
) -> None:
    run("plan", "--sandbox", "--no-impact", "--out", "plan.json")
    saved = json.loads((repo / "plan.json").read_text("utf-8"))
    (repo / "plan.json").write_text(json.dumps(saved | {"createdAt": "2026-01-02T03:04:05Z"}))

    comment = run("show", "plan.json", "--format", "markdown").out

    org = saved["org"]
    assert f"org {org['name']} (`{org['id']}`)" in comment
    assert "· planned 2026-01-02 03:04 UTC ·" in comment
    assert f"[workflow run]({RUN})" in comment


def test_hostile_text_cannot_act_as_markdown_or_html(run, repo: Path, laptop: None) -> None:
    hostile = (
        "Evil [click](https://evil.example/x) ![i](https://evil.example/i.png) **loud** "
        "<img src=x onerror=alert(1)> </code></details> | cell | @everyone www.evil.example "
        "`tick` ~~gone~~ _slant_"
    )
    path = repo / "segments/voice-calls-over-5-minutes-q3.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("description:")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"description: {json.dumps(hostile)}" + text[end:], "utf-8")
    created = repo / "segments/evil|*loud*|[x](https:||evil.example).yaml"
    created.write_text(
        (repo / "segments/long-holds-in-support.yaml")
        .read_text(encoding="utf-8")
        .replace("name: Long Holds in Support", f"name: {json.dumps(hostile)}"),
        encoding="utf-8",
    )

    html = rendered(run("plan", "--sandbox", "--no-impact", "--format", "markdown").out)

    assert "evil.example" in html  # shown, as text
    shown = unescape(html)  # as the browser shows it
    assert shown.count("segments/evil|*loud*|[x](https:||evil.example).yaml:3") == 2  # whole
    assert not re.search(r"<(a|img)[^>]*evil", html)
    assert all(f in html for f in ("**loud**", "~~gone~~", "_slant_", "`tick`"))
    assert not re.search(r"<(strong|em|del)>(loud|gone|slant)<", html)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<details") == html.count("</details>") == 11
    # GitHub links (and notifies) an @name in text after rendering: a name must not be one.
    outside_code = re.sub(r"<(code|pre)\b.*?</\1>", "", shown, flags=re.DOTALL)
    assert "@everyone" not in outside_code and "@\u200beveryone" in outside_code
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.DOTALL):
        assert row.count("<td") in (0, 3, 4)  # no cell forged by a `|`


def test_a_comment_over_the_limit_keeps_its_header_and_footer() -> None:
    changes = [
        Change(
            "AnalyticsSegment",
            f"Segment {i:03d}",
            Action.UPDATE,
            tuple(FieldChange(f"f{j}", "x" * 100, "y" * 100) for j in range(40)),
            source=f"segments/segment-{i:03d}.yaml:3:1",
        )
        for i in range(30)
    ]
    context = Context(
        "Acme",
        "org-1",
        "production",
        datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        run_url=RUN,
        file_base=FILES,
        occasion=Occasion.PULL_REQUEST,
    )
    comment = markdown.render(Plan(changes=changes), context)
    assert len(comment) <= markdown.COMMENT_LIMIT
    assert comment.splitlines()[3].startswith("**production** · org Acme (`org-1`)")
    shown = comment.count("<details")
    assert 0 < shown < 30
    assert f"> {30 - shown} resources not shown: this comment is limited to 65,536" in comment
    assert comment.splitlines()[-1].startswith("**What happens next:** nothing has been")


@pytest.mark.parametrize(("name", "occasion"), [("drift", "drift"), ("apply", "merge")])
def test_the_workflows_say_what_their_plan_is_for(name: str, occasion: str) -> None:
    # Run by hand (workflow_dispatch), the event would not say it.
    planning = next(s for s in steps(name) if "reconcile plan" in runs(s))
    assert planning["env"]["RECONCILE_PLAN_FOR"] == occasion


def test_a_drift_plan_without_changes_says_the_issue_is_closed(
    run, repo: Path, laptop: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECONCILE_PLAN_FOR", "drift")
    comment = run(
        "plan", "--sandbox", "--no-impact", "--format", "markdown", "--target", "RuleSet/None"
    ).out
    assert "### No changes. The org matches the repository." in comment
    assert comment.endswith(
        "**What happens next:** nothing: the org matches main again, so this issue is closed.\n"
    )


def test_a_change_in_the_apis_terms_says_why_and_marks_the_words_that_changed() -> None:
    before = "region IN ('CA', 'TX') AND engagement_score >= 20"
    after = "region IN ('CA', 'TX', 'WA') AND engagement_score >= 20"
    change = Change(
        "CampaignSegmentation",
        "Spring Outreach",
        Action.UPDATE,
        (FieldChange("rules[0].condition", before, after), FieldChange("priority", 5, 3)),
        source="campaigns/spring-outreach.yaml:3:1",
        shown_note="the live rules do not read back as the file's segmentation",
    )
    html = rendered(markdown.render(Plan(changes=[change])))

    assert "<p>Note: the live rules do not read back as the file's segmentation</p>" in html
    assert (
        "<code>region IN ('CA', <del>'TX')</del> <ins>'TX', 'WA')</ins> AND "
        "engagement_score &gt;= 20</code>"
    ) in html
    assert "<code><del>5</del></code> → <code><ins>3</ins></code>" in html
