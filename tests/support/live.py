"""The app served over real HTTP on 127.0.0.1, in a background thread, for browser tests."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wsgi import FileWrapper

from .net import LOOPBACK
from .outbox import SmsOutbox


def read_files_at_once(app: Any) -> Any:
    """WSGI middleware: a file response (static files) is read and closed before sending.

    werkzeug's development server skips closing the response when the browser drops the
    connection mid-send (its clean-up reads the reset socket first and raises), which
    leaves the file open for the garbage collector to warn about. Generators still stream.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = app(environ, start_response)
        if not isinstance(body, FileWrapper):
            return body
        try:
            return [b"".join(body)]
        finally:
            body.close()

    return wsgi


class LiveServer:
    """werkzeug's threaded server around `app`; `.url` has no trailing slash."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not started"
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def outbox_path(self) -> Path:
        return Path(self.app.config["SMS_OUTBOX"])

    @property
    def outbox(self) -> SmsOutbox:
        return SmsOutbox(self.outbox_path)

    def start(self) -> LiveServer:
        # Port 0: the kernel picks a free port, so two runs never race for one.
        self._server = make_server(LOOPBACK, 0, read_files_at_once(self.app), threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="live-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
