"""A dashboard in this process or in a child one, and a real Redis server for it to share."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from genesys_reconcile.dashboard.caching import answer_cache
from genesys_reconcile.dashboard.run import opened
from genesys_reconcile.kinds import DIRECTORIES
from genesys_reconcile.preview.cache import AnswerCache
from genesys_reconcile.settings import load_settings
from tests.processes import COMMAND, wait_for

AGGREGATES = "POST /api/v2/analytics/conversations/aggregates/query"


@contextlib.contextmanager
def in_process(root: Path, cache: AnswerCache | None = None) -> Iterator[str]:
    """The dashboard over the embedded sandbox, as `reconcile dashboard --sandbox` wires it;
    yields its base URL."""
    config = load_settings(cwd=root, default_paths=DIRECTORIES)
    cache = cache or answer_cache(None, root, 1800, print)
    with opened(config, sandbox=True, cache=cache) as server:
        server.start()
        yield server.url


@dataclass
class Running:
    process: subprocess.Popen[str]
    url: str

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C: the exit code and everything the dashboard wrote to stderr."""
        self.process.send_signal(signal.SIGINT)
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err


@contextlib.contextmanager
def child(cwd: Path, env: dict[str, str] | None, *flags: str) -> Iterator[Running]:
    """`reconcile dashboard --port 0 FLAGS` in a child process, serving once it printed its URL."""
    process = subprocess.Popen(
        [*COMMAND, "dashboard", "--port", "0", *flags],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://"), process.communicate(timeout=30)[1]
        yield Running(process, url)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class RedisServer:
    url: str
    process: subprocess.Popen[bytes]
    client: redis.Redis

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


def start_redis(port: int, directory: Path) -> RedisServer:
    """A real redis-server on `port` of loopback, its files in `directory`, answering."""
    binary = shutil.which("redis-server")
    if binary is None:  # CI installs it (.ci/run); a machine without it cannot run these tests
        pytest.fail("redis-server is not installed: apt-get install redis-server")
    directory.mkdir(exist_ok=True)
    flags = ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    flags += ["--save", "", "--appendonly", "no"]
    process = subprocess.Popen([binary, *flags], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    try:
        wait_for(_answers(client), seconds=30)
    except BaseException:
        client.close()
        process.kill()
        raise
    return RedisServer(f"redis://127.0.0.1:{port}/0", process, client)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server on a free port; killed, if the test has not, when it ends."""
    server = start_redis(free_port(), tmp_path / "redis")
    try:
        yield server
    finally:
        server.client.close()
        if server.process.poll() is None:
            server.kill()


def _answers(client: redis.Redis) -> Callable[[], bool]:
    def ping() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    return ping


def fetched(url: str, *paths: str) -> list[httpx.Response]:
    with httpx.Client(base_url=url, timeout=60) as http:
        return [http.get(path) for path in paths]


def routes(url: str) -> list[str]:
    """Every route of a dashboard: the index, the metrics, and each segment's three."""
    metrics = fetched(url, "/api/dashboard/metrics")[0].json()
    links = [link for s in metrics["segments"] for link in s["links"].values()]
    return ["/", "/api/dashboard/metrics", *links]
