"""The demo org's plan comment as a reviewer sees it on a pull request: its size against
GitHub's limit, and a screenshot of it rendered by GitHub's markdown engine (cmark-gfm).

python benchmarks/plan_comment.py [PNG]     (default: plan-comment.png)

Plans a copy of the example repository against the embedded sandbox as the plan workflow
would for a pull request, renders the comment to HTML with a stylesheet close to GitHub's,
and draws it with headless chromium: as posted (updates open, creates folded) in PNG, and
with every section opened, as a reviewer clicks through it, in PNG's `-open` sibling.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options

from genesys_reconcile.plan.markdown import COMMENT_LIMIT

ROOT = Path(__file__).resolve().parents[1]
HEAD = "3f9c2a71b8e4d05c6a1f7e92b4c8d3a5e6f70812"

# GitHub's comment styles, as far as a reviewer notices them: its font, code, tables, details.
STYLE = """
body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans",
  Helvetica, Arial, sans-serif; color: #1f2328; }
.comment { width: 860px; margin: 16px auto; background: #fff; border: 1px solid #d1d9e0;
  border-radius: 6px; }
.comment-head { padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0;
  border-radius: 6px 6px 0 0; color: #59636e; }
.markdown-body { padding: 16px; overflow-wrap: break-word; }
.markdown-body > :first-child { margin-top: 0; }
h3 { font-size: 1.25em; font-weight: 600; margin: 24px 0 16px; }
p, table, pre, details { margin: 0 0 16px; }
a { color: #0969da; text-decoration: none; }
code { font: 85% ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; padding: .2em .4em;
  background: rgba(129, 139, 152, .12); border-radius: 6px; white-space: break-spaces; }
pre { padding: 16px; overflow: auto; background: #f6f8fa; border-radius: 6px;
  font: 85%/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre code { padding: 0; background: transparent; font-size: 100%; white-space: pre; }
table { border-spacing: 0; border-collapse: collapse; display: block; width: max-content;
  max-width: 100%; overflow: auto; }
td, th { padding: 6px 13px; border: 1px solid #d1d9e0; }
tr:nth-child(2n) { background: #f6f8fa; }
th { font-weight: 600; }
details summary { cursor: pointer; display: list-item; }
hr { height: .25em; margin: 24px 0; background: #d1d9e0; border: 0; }
sub { font-size: 75%; }
"""


def planned_comment(workdir: Path) -> str:
    """`reconcile plan --format markdown` in a copy of the example repository, as the plan
    workflow runs it for a pull request."""
    for name in ("segments", "campaigns", "outbound", "journeys", "schemas"):
        shutil.copytree(ROOT / name, workdir / name)
    for name in ("reconcile.yaml", "reconcile.owned.yaml"):
        shutil.copy(ROOT / name, workdir)
    event = workdir / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12, "head": {"sha": HEAD}}}))
    env = {
        **os.environ,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/cx-config",
        "GITHUB_SHA": "0" * 40,
        "GITHUB_RUN_ID": "13795511",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "RECONCILE_ENVIRONMENT": "production",
    }
    env.pop("GITHUB_WORKSPACE", None)
    command = [sys.executable, "-m", "genesys_reconcile", "plan", "--sandbox", "--format"]
    done = subprocess.run(
        [*command, "markdown"], cwd=workdir, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def page(comment: str, opened: bool) -> str:
    # GitHub keeps the HTML it allows (details, del, ins, sub, code, a); UNSAFE lets it through.
    body = cmarkgfm.github_flavored_markdown_to_html(comment, options=Options.CMARK_OPT_UNSAFE)
    if opened:
        body = body.replace("<details>", "<details open>")
    return (
        f'<!doctype html><meta charset="utf-8"><style>{STYLE}</style><div class="comment">'
        '<div class="comment-head"><b>github-actions</b> bot commented</div>'
        f'<div class="markdown-body">{body}</div></div>'
    )


def screenshot(html: Path, png: Path, height: int) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("draws the comment in a browser: apt-get install chromium")
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={png}",
            f"--window-size=1000,{height}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )


def main(png: Path) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        comment = planned_comment(workdir)
        shots = {png: False, png.with_name(f"{png.stem}-open{png.suffix}"): True}
        for shot, opened in shots.items():
            html = workdir / "comment.html"
            html.write_text(page(comment, opened), encoding="utf-8")
            # Opened, the whole comment down to its footer: twice the height.
            screenshot(html, shot.resolve(), 4000 if opened else 2000)
    size = len(comment)
    print(f"comment: {size:,} characters, {size / COMMENT_LIMIT:.0%} of GitHub's {COMMENT_LIMIT:,}")
    print("screenshots: " + ", ".join(str(shot) for shot in shots))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("plan-comment.png"))
