"""The mock served over HTTP for real clients (the AWS CLI, the JS SDK), on 127.0.0.1 and a free port.

`mock_server` is the one place that starts it: the packaged `ImageBuilderServer` (waitress) in a thread.
"""

from __future__ import annotations

import os

import pytest
from .served import ACCOUNT, REGION, MockServer


@pytest.fixture(scope="module")
def mock_server():
    """One served mock per test module; tests `reset()` it for a clean state."""
    pytest.importorskip("waitress", reason="the server needs waitress (pip install imagebuilder-mock[server])")
    from imagebuilder_mock.server import ImageBuilderServer

    with ImageBuilderServer(account_id=ACCOUNT) as server:
        yield MockServer(server.mock, server.endpoint_url)


@pytest.fixture(scope="module")
def client_env(tmp_path_factory):
    """Environment variables for a real client process: fake credentials, config files in a temp folder,
    no instance metadata, no pager; nothing of the user's own AWS configuration."""
    tmp_path = tmp_path_factory.mktemp("aws-config")
    config = tmp_path / "config"
    config.write_text(f"[default]\nregion = {REGION}\noutput = json\ncli_timestamp_format = iso8601\n")
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIATESTTESTTESTTEST\n"
                           "aws_secret_access_key = testing-secret\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(credentials),
               AWS_ACCESS_KEY_ID="AKIATESTTESTTESTTEST", AWS_SECRET_ACCESS_KEY="testing-secret",
               AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="",
               AWS_MAX_ATTEMPTS="1", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    return env
