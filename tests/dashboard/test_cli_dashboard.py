"""`reconcile dashboard` as a user starts and stops it."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.dashboard.conftest import child, fetched


def test_ctrl_c_stops_it_with_130_and_one_line(repo: Path) -> None:
    with child(repo, None, "--sandbox") as dashboard:
        (index,) = fetched(dashboard.url, "/")
        code, err = dashboard.interrupt()

    assert index.status_code == 200
    assert dashboard.url.startswith("http://127.0.0.1:")
    assert (code, err) == (130, "error: interrupted by SIGINT\n")


def test_serving_beyond_loopback_says_so(repo: Path) -> None:
    with child(repo, None, "--sandbox", "--host", "0.0.0.0") as dashboard:
        port = dashboard.url.rsplit(":", 1)[1]
        (index,) = fetched(f"http://127.0.0.1:{port}", "/")
        _, err = dashboard.interrupt()

    assert index.status_code == 200
    assert err.startswith(
        "warning: serving on 0.0.0.0: anyone who can reach this machine can read the org's "
        "analytics, as the pages have no sign-in; omit --host to serve on 127.0.0.1 only\n"
    )


def test_help_shows_examples(run) -> None:
    result = run("dashboard", "--help")

    assert result.code == 0
    assert "reconcile dashboard --sandbox --port 8000" in result.out
    assert "--cache redis://HOST:PORT[/DB]" in result.out


def test_a_cache_that_is_not_redis_is_a_one_line_error(run, repo: Path) -> None:
    result = run("dashboard", "--sandbox", "--cache", "memcached://user:pw@cachehost:11211")

    assert result.code == 1
    assert result.err == ("error: --cache 'cachehost:11211': give a redis://HOST:PORT[/DB] URL\n")


def test_a_mistyped_since_stops_it_before_it_serves(run, repo: Path) -> None:
    result = run("dashboard", "--sandbox", "--since", "a week")

    assert (result.code, result.out) == (1, "")
    assert result.err == "error: --since 'a week' is not a duration such as 12h, 7d or 2w\n"


def test_a_repository_without_segments_is_told_so(run, repo: Path) -> None:
    for path in (repo / "segments").iterdir():
        path.unlink()

    result = run("dashboard", "--sandbox")

    assert result.code == 1
    assert "holds no AnalyticsSegment: add one under segments/ first" in result.err


def test_a_port_out_of_range_is_refused_before_anything_starts(run, repo: Path) -> None:
    result = run("dashboard", "--sandbox", "--port", "70000")

    assert result.code == 1
    assert "Invalid value for '--port': 70000 is not in the range 0<=x<=65535." in result.err
    assert "internal error" not in result.err


def test_a_port_in_use_is_a_one_line_error(run, repo: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("dashboard", "--sandbox", "--port", str(port))

    assert result.code == 1
    assert result.err == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
