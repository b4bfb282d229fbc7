"""Serving the sandbox over HTTP with the standard library's WSGI server, one thread a request."""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import IO, Any, cast
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from genesys_reconcile.errors import ConfigError
from genesys_reconcile.sandbox.app import DEFAULT_CLIENT_SECRET, DropConnection, Sandbox
from genesys_reconcile.sandbox.faults import FaultSettings


class _Handler(ServerHandler):
    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DropConnection):
            raise
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    def handle(self) -> None:
        """wsgiref's handle(), but a DropConnection closes the socket without an answer."""
        self.raw_requestline = self.rfile.readline(65537)
        if not self.parse_request():
            return
        output = cast(IO[bytes], self.wfile)
        handler = _Handler(self.rfile, output, self.get_stderr(), self.get_environ())
        handler.request_handler = self  # type: ignore[attr-defined]
        try:
            handler.run(self.server.get_app())  # type: ignore[attr-defined]
        except DropConnection:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the journal at /_sandbox/journal records every request."""


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class SandboxServer:
    """A running sandbox; `url` is its base URL. Use as a context manager, or call `close`."""

    def __init__(self, app: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.httpd = _Server((host, port), _RequestHandler)
        self.httpd.set_app(app)
        bound_host, bound_port = self.httpd.socket.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
        self.url = f"http://{shown}:{bound_port}"
        self.thread: threading.Thread | None = None

    def start(self) -> SandboxServer:
        # A short poll interval: shutdown() waits for it, and tests start many servers.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(
    host: str,
    port: int,
    state_file: Path | None,
    *,
    client_id: str,
    client_secret: str | None,
    token_ttl: int,
    seed: int,
    latency: int,
    rate_limit: int,
    rate_limit_model: str = "window",
    error_rate: float,
    drop_rate: float,
    index_delay: float,
    index_failure_rate: float,
    api: str = "demo",
) -> SandboxServer:
    """A sandbox server bound to `host:port`, not yet serving."""
    faults = FaultSettings(
        latency_ms=latency,
        rate_limit=rate_limit,
        rate_limit_model=rate_limit_model,
        error_rate=error_rate,
        drop_rate=drop_rate,
        index_delay=index_delay,
        index_failure_rate=index_failure_rate,
    )
    try:
        app = Sandbox(
            state_file=state_file,
            client_id=client_id,
            client_secret=client_secret or DEFAULT_CLIENT_SECRET,
            token_ttl=token_ttl,
            faults=faults,
            seed=seed,
            api=api,
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"cannot use {state_file} as the sandbox's state: {exc}") from None
    try:
        return SandboxServer(app, host, port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
