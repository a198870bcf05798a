"""The served mock the conformance tests drive: constants, the handle and how it is started."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import boto3
import pytest

from imagebuilder_mock import MockImageBuilder

REGION = "us-west-2"  # the AWS CLI's examples are in us-west-2
ACCOUNT = "123456789012"


@dataclass
class MockServer:
    mock: MockImageBuilder
    endpoint_url: str

    def client(self, region: str = REGION):
        """A boto3 client of the served mock (fake credentials; loopback only)."""
        return boto3.client("imagebuilder", region_name=region, endpoint_url=self.endpoint_url,
                            aws_access_key_id="AKIATESTTESTTESTTEST", aws_secret_access_key="testing-secret")


def serve(mock: MockImageBuilder):
    pytest.importorskip("werkzeug", reason="the server needs werkzeug (pip install imagebuilder-mock[server])")
    from werkzeug.serving import make_server

    from imagebuilder_mock.server import make_app

    server = make_server("127.0.0.1", 0, make_app(mock), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="imagebuilder-mock-server", daemon=True)
    thread.start()
    return server, thread
