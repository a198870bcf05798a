"""The HTTP server: waitress (a pure-Python, production WSGI server from PyPI) serving the app.

waitress reads requests itself, and reads them right: chunked bodies are de-chunked, a Content-Length that is
not digits is a 400, one above the body limit is refused before the body is read, idle connections are
closed after `idle_timeout`, requests run on a fixed pool of `threads` (connections wait in its event loop,
not in threads), HTTP/1.1 keeps connections open. What it answers itself (framing errors) is rendered
here in the service's error shape instead of waitress's plain text (`_ServiceErrorTask`).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Iterable, TextIO

from .._mock import MockImageBuilder
from ._app import DEFAULT_MAX_BODY_SIZE, ServerApp, _request_id, body_too_large

SERVER_HEADER = "imagebuilder-mock"
DEFAULT_THREADS = 8
DEFAULT_IDLE_TIMEOUT = 60


def create(app: ServerApp, host: str, port: int, *, threads: int = DEFAULT_THREADS,
           idle_timeout: float = DEFAULT_IDLE_TIMEOUT, connection_limit: int = 1000) -> Any:
    """A bound (not yet running) waitress server for `app`; `.effective_port` is its port."""
    import waitress.server

    # Any: the server carries `imagebuilder_app` and our channel class, which waitress's stubs do not know.
    server: Any = waitress.server.create_server(
        app, host=host, port=port, threads=threads, ident=SERVER_HEADER, channel_timeout=idle_timeout,
        cleanup_interval=max(1, min(30, idle_timeout / 2)), connection_limit=connection_limit,
        max_request_body_size=app.max_body_size + 1, expose_tracebacks=False, asyncore_use_poll=True,
        clear_untrusted_proxy_headers=True)
    if not hasattr(server, "effective_port"):
        server.close()
        raise ValueError(f"--host {host!r} names more than one address; give one (e.g. 127.0.0.1)")
    server.channel_class = _channel_class()
    server.imagebuilder_app = app  # waitress may wrap the application it was given: the error task reads this
    return server


def _channel_class() -> type[Any]:
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class _ServiceErrorTask(ErrorTask):
        """waitress's answer to a request it could not read, as the service renders errors."""

        # waitress's stubs type `request` as its Error (it is the request parser, whose `.error` that is),
        # and do not know the `imagebuilder_app` that `create` sets on the channel's server.
        request: Any
        channel: Any
        response_headers: list[tuple[str, str]]

        def execute(self) -> None:
            error = self.request.error
            app = self.channel.server.imagebuilder_app
            limit = app.max_body_size
            if error.code == 413:
                message = body_too_large(limit)
            elif error.code < 500:
                message = f"The request could not be read: {error.body}."
            else:
                message = "The request could not be read."
            code, status = ("InvalidRequestException", 400) if error.code < 500 else ("ServiceException", 500)
            body = json.dumps({"message": message}).encode()
            self.status = f"{status} {'Bad Request' if status == 400 else 'Internal Server Error'}"
            self.response_headers.extend([("Content-Type", "application/json"), ("x-amzn-RequestId", _request_id()),
                                          ("x-amzn-ErrorType", code)])
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)
            if app.log is not None:
                request = self.request
                app.write_log(f"{getattr(request, 'command', None) or '-'} {getattr(request, 'path', None) or '-'} "
                              f"- {status} -")

    class _Channel(HTTPChannel):
        error_task_class = _ServiceErrorTask

    return _Channel


class Runner:
    """Runs a waitress server's event loop until `stop()`, then finishes the requests in flight."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self._stopping = threading.Event()

    def run(self) -> None:
        server = self.server
        try:
            while not self._stopping.is_set():
                server.asyncore.loop(timeout=1.0, map=server._map, use_poll=True, count=1)
            server.accepting = False  # no new connections; the requests in flight are answered and sent
            deadline = time.monotonic() + 5
            while self._busy() and time.monotonic() < deadline:
                server.asyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
        finally:
            server.task_dispatcher.shutdown(cancel_pending=False, timeout=5)
            server.asyncore.close_all(server._map)

    def _busy(self) -> bool:
        """A connection has a request being answered or an answer not yet sent."""
        return any(getattr(channel, "requests", None) or getattr(channel, "total_outbufs_len", 0)
                   for channel in list(self.server._map.values()) if channel is not self.server)

    def stop(self) -> None:
        """Ask the loop to end (from any thread or a signal handler): it wakes at once."""
        self._stopping.set()
        try:
            self.server.trigger.pull_trigger()
        except OSError:  # already closed
            pass


class ImageBuilderServer:
    """An Image Builder mock served over HTTP from a thread, for tests of non-boto3 code:

        with ImageBuilderServer(port=0) as server:
            client = boto3.client("imagebuilder", endpoint_url=server.endpoint_url, ...)
            server.mock.clock.advance(hours=1)

    `settings` are `mock_imagebuilder`'s (account_id, progression, ...); `.mock` is the handle.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, threads: int = DEFAULT_THREADS,
                 max_body_size: int = DEFAULT_MAX_BODY_SIZE, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
                 cors_origins: Iterable[str] = ("*",), log: TextIO | None = None, **settings: Any) -> None:
        self.mock = MockImageBuilder(**settings)
        self.app = ServerApp(self.mock, cors_origins=cors_origins, max_body_size=max_body_size, log=log)
        self._options: dict[str, Any] = dict(threads=threads, idle_timeout=idle_timeout)
        self.host, self.port = host, port
        self._runner: Runner | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("the server is not running: call start() first")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> "ImageBuilderServer":
        if self._runner is not None:
            raise RuntimeError("the server is already running")
        server = create(self.app, self.host, self.port, **self._options)
        self.port = int(server.effective_port)
        self._runner = Runner(server)
        self._thread = threading.Thread(target=self._runner.run, name=f"imagebuilder-mock:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._runner is None:
            return
        self._runner.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._runner = self._thread = None

    def __enter__(self) -> "ImageBuilderServer":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
