"""The served mock with an endpoint for the other services (`ImageBuilderServer(aws_endpoint_url=...)`,
`--aws-endpoint-url`) acting on a moto server: the golden pipeline, driven by boto3 clients pointed at
the served mock, lands its AMIs, launch template version, SSM parameter and SNS message in the moto
server, as the account moto's STS says the caller is (docs/aws-integration.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from _aws_scenarios import OWNER, assumed, check_golden_outputs, golden_setup, instance_profile, wait

moto_server = pytest.importorskip("moto.server", reason="the moto server needs moto[server] (the `test` extra)",
                                  exc_type=ImportError)
waitress = pytest.importorskip("waitress", reason="ImageBuilderServer needs waitress (the `server` extra)")

from imagebuilder_mock.server import ImageBuilderServer  # noqa: E402

REGION = "us-east-1"
#: the account the test's credentials (from the moto server's STS AssumeRole) belong to
CALLER_ACCOUNT = "111122223333"
_KEYS = {"aws_access_key_id": "AKIAUSERKEY000000000", "aws_secret_access_key": "secret"}


@pytest.fixture(scope="module")
def moto_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def endpoints(moto_endpoint):
    """(moto server URL, served mock URL): a fresh moto state and a fresh mock pointed at it."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).close()
    with ImageBuilderServer(port=0, aws_endpoint_url=moto_endpoint) as served:
        yield moto_endpoint, served.endpoint_url


def _moto_clients(moto_url, **credentials):
    """A `client(service, region)` factory of clients pointed at the moto server."""
    credentials = credentials or _KEYS

    def client(service, region=REGION):
        return boto3.client(service, region_name=region, endpoint_url=moto_url, **credentials)

    return client


def _assumed_credentials(moto_url, account):
    creds = _moto_clients(moto_url)("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/builder",
                                                       RoleSessionName="builder")["Credentials"]
    return {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}


def test_served_pipeline_lands_its_outputs_in_the_moto_server_as_the_callers_account(endpoints):
    moto_url, mock_url = endpoints
    credentials = _assumed_credentials(moto_url, CALLER_ACCOUNT)
    client = _moto_clients(moto_url, **credentials)
    assert client("sts").get_caller_identity()["Account"] == CALLER_ACCOUNT
    ib = boto3.client("imagebuilder", region_name=REGION, endpoint_url=mock_url, **credentials)

    pipeline, template_id, url = golden_setup(ib, client, owner=CALLER_ACCOUNT)
    assert pipeline.split(":")[4] == CALLER_ACCOUNT  # the served mock asked the moto server's STS
    arn = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    image = wait(ib, arn)
    amis = check_golden_outputs(image, template_id, url, client, owner=CALLER_ACCOUNT,
                                as_account=lambda account, service: assumed(client, account, service,
                                                                            endpoint_url=moto_url))
    # nothing landed in moto's default account
    default_ec2 = _moto_clients(moto_url)("ec2")
    assert default_ec2.describe_images(Filters=[{"Name": "image-id", "Values": list(amis.values())}])["Images"] == []


def test_served_mock_refuses_a_missing_instance_profile_and_keeps_its_account_for_unknown_keys(endpoints):
    moto_url, mock_url = endpoints
    ib = boto3.client("imagebuilder", region_name=REGION, endpoint_url=mock_url, **_KEYS)
    with pytest.raises(ClientError) as caught:
        ib.create_infrastructure_configuration(name="infra-x", instanceProfileName="nonexistent-profile")
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "The provided instance profile does not exist" in caught.value.response["Error"]["Message"]

    profile = instance_profile(client=_moto_clients(moto_url))
    arn = ib.create_infrastructure_configuration(name="infra-x", instanceProfileName=profile)[
        "infrastructureConfigurationArn"]
    assert arn.split(":")[4] == OWNER  # a key moto does not know: the mock's own account_id


def test_the_command_line_flag_points_the_server_at_the_moto_server(moto_endpoint):
    process = subprocess.Popen([sys.executable, "-m", "imagebuilder_mock.server", "--port", "0", "--quiet",
                                "--aws-endpoint-url", moto_endpoint], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        url = process.stdout.readline().strip()
        ib = boto3.client("imagebuilder", region_name=REGION, endpoint_url=url, **_KEYS)
        with pytest.raises(ClientError) as caught:
            ib.create_infrastructure_configuration(name="infra-cli", instanceProfileName="nonexistent-profile")
        assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"
        profile = instance_profile("cli-profile", client=_moto_clients(moto_endpoint))
        assert ib.create_infrastructure_configuration(name="infra-cli", instanceProfileName=profile)[
            "infrastructureConfigurationArn"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)
    assert process.returncode == 0
