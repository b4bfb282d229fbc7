"""The dashboard over HTTP: the standard library's threading server, one thread a request."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from genesys_reconcile import log
from genesys_reconcile.dashboard.board import Board
from genesys_reconcile.dashboard.routes import Reply, reply_to
from genesys_reconcile.errors import ConfigError
from genesys_reconcile.loopback import is_loopback

_log = log.get("dashboard")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "reconcile-dashboard"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        reply = self._reply()
        body = reply.body.encode()
        self.send_response(reply.status)
        headers = {
            "Content-Type": reply.content_type,
            "Content-Length": str(len(body)),
            # Each answer is as fresh as the analytics cache; a browser keeping its own copy
            # would show figures older than the TTL promises.
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            **reply.headers,
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _reply(self) -> Reply:
        if not self.server.accepts(self.headers.get("Host", "")):
            # A web page elsewhere could point a name of its own at 127.0.0.1 (DNS rebinding)
            # and read the org's figures; a loopback dashboard answers only to loopback names.
            message = "this dashboard answers only to localhost and 127.0.0.1\n"
            return Reply(421, "text/plain; charset=utf-8", message)
        try:
            return reply_to(self.server.board, self.path)
        except Exception:  # a bug: one failed page, not a stopped dashboard
            _log.exception("dashboard page failed", path=self.path)
            return Reply(500, "text/plain; charset=utf-8", "internal error; see the log\n")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: stderr is for what the user must act on."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], board: Board) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.board = board
        self.loopback = is_loopback(address[0])
        super().__init__(address, _Handler)

    def accepts(self, host_header: str) -> bool:
        return not self.loopback or is_loopback(_hostname(host_header))


def _hostname(host_header: str) -> str:
    if host_header.startswith("["):  # [::1]:8000
        return host_header[1:].partition("]")[0]
    return host_header.partition(":")[0]


class DashboardServer:
    """A dashboard bound to `host:port`; `url` is its base URL. `serve_forever` serves in this
    thread until interrupted; `start` serves in another, until `close`."""

    def __init__(self, board: Board, host: str = "127.0.0.1", port: int = 0) -> None:
        try:
            self.httpd = _Server((host, port), board)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        bound_host, bound_port = self.httpd.socket.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
        self.url = f"http://{shown}:{bound_port}"
        self._thread: threading.Thread | None = None

    def start(self) -> DashboardServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def close(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> DashboardServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
