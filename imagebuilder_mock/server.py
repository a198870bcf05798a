"""The same engine behind a WSGI server, for non-Python callers (AWS CLI, Terraform, other SDKs).

    python -m imagebuilder_mock.server --port 5000
    aws imagebuilder list-components --endpoint-url http://127.0.0.1:5000

Requires werkzeug (`pip install imagebuilder-mock[server]`).
"""

from __future__ import annotations

import argparse
import http
from typing import Callable, Iterable
from urllib.parse import quote

from ._mock import MockImageBuilder


def make_app(mock: MockImageBuilder | None = None) -> Callable:
    """A WSGI application answering Image Builder requests from `mock`'s state (a new mock if None)."""
    mock = mock or MockImageBuilder()

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        # The raw path keeps %2F inside ARNs (tag operations); PATH_INFO has it decoded.
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        path = raw.split("?", 1)[0] if raw else quote(environ.get("PATH_INFO", "/"))
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, out_headers, out_body = mock.engine.handle(
            environ["REQUEST_METHOD"], path, environ.get("QUERY_STRING", ""), headers, body)
        out_headers = dict(out_headers, **{"Content-Length": str(len(out_body))})
        start_response(f"{status} {_reason(status)}", list(out_headers.items()))
        return [out_body]

    app.mock = mock  # type: ignore[attr-defined]
    return app


def _reason(status: int) -> str:
    """The HTTP reason phrase of `status` ("Status" for a code the standard does not name)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def main(argv: list[str] | None = None) -> None:
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description="Serve a mocked EC2 Image Builder over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--account-id", default="123456789012")
    args = parser.parse_args(argv)
    run_simple(args.host, args.port, make_app(MockImageBuilder(args.account_id)), threaded=True)


if __name__ == "__main__":
    main()
