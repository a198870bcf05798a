"""The same engine behind an HTTP server, for non-Python callers (AWS CLI, Terraform, other SDKs) and for
Python tests of code that takes an endpoint URL (docs/server.md).

    imagebuilder-mock-server --port 0        # or: python -m imagebuilder_mock.server --port 5000
    aws imagebuilder list-components --endpoint-url http://127.0.0.1:5000

    with ImageBuilderServer(port=0) as server:
        boto3.client("imagebuilder", endpoint_url=server.endpoint_url, ...)

Requires waitress (`pip install imagebuilder-mock[server]`); `make_app` alone is a plain WSGI application.
"""

from ._app import CONTROL_PREFIX, make_app
from ._cli import main
from ._http import ImageBuilderServer

__all__ = ["CONTROL_PREFIX", "ImageBuilderServer", "main", "make_app"]
