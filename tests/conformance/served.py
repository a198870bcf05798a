"""The served mock the conformance tests drive: constants, the handle and how it is started."""

from __future__ import annotations

from dataclasses import dataclass

import boto3

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

