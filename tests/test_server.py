"""The engine behind a real WSGI server on loopback, driven by an ordinary boto3 client."""

from __future__ import annotations

import threading

import boto3
import pytest
from werkzeug.serving import make_server

from imagebuilder_mock import MockImageBuilder
from imagebuilder_mock.server import make_app


@pytest.fixture
def served():
    mock = MockImageBuilder()
    server = make_server("127.0.0.1", 0, make_app(mock))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield mock, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_boto3_over_http_gets_the_same_answers(served):
    mock, url = served
    client = boto3.client("imagebuilder", region_name="eu-west-1", endpoint_url=url,
                          aws_access_key_id="AKIASERVERTEST000001", aws_secret_access_key="s")
    arn = client.create_infrastructure_configuration(name="Over HTTP", instanceProfileName="p",
                                                     tags={"team": "images"})["infrastructureConfigurationArn"]
    assert arn == "arn:aws:imagebuilder:eu-west-1:123456789012:infrastructure-configuration/over-http"
    client.tag_resource(resourceArn=arn, tags={"stage": "prod"})
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "images", "stage": "prod"}
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_infrastructure_configuration(infrastructureConfigurationArn=arn + "-missing")
    # the server's state is the mock's state
    assert list(mock.backend.store("123456789012", "eu-west-1").infrastructure_configurations) == [arn]
