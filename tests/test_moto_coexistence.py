"""imagebuilder-mock beside moto's mock_aws, in either nesting order."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from imagebuilder_mock import mock_imagebuilder

import factories


def _instance_profile():
    """factories.infrastructure's instance profile, in moto's IAM: under moto the mock checks that it
    exists (docs/aws-integration.md)."""
    boto3.client("iam", region_name="us-east-1").create_instance_profile(InstanceProfileName="ib-role")


def _exercise_both():
    _instance_profile()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="golden-artifacts")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["golden-artifacts"]
    ib = boto3.client("imagebuilder", region_name="us-east-1")
    arn = factories.infrastructure(ib, name="beside-moto")
    assert ib.get_infrastructure_configuration(infrastructureConfigurationArn=arn)[
        "infrastructureConfiguration"]["name"] == "beside-moto"


def test_imagebuilder_mock_inside_mock_aws():
    with mock_aws():
        with mock_imagebuilder():
            _exercise_both()


def test_mock_aws_inside_imagebuilder_mock():
    with mock_imagebuilder():
        with mock_aws():
            _exercise_both()


@mock_aws
@mock_imagebuilder
def test_stacked_decorators():
    _exercise_both()


def test_after_imagebuilder_mock_stops_moto_keeps_working():
    with mock_aws():
        with mock_imagebuilder():
            _instance_profile()
            factories.infrastructure(boto3.client("imagebuilder", region_name="us-east-1"))
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="still-moto")
        assert s3.list_buckets()["Buckets"][0]["Name"] == "still-moto"
        # moto alone does not know imagebuilder: it answers with its catch-all 404
        with pytest.raises(Exception):
            boto3.client("imagebuilder", region_name="us-east-1").list_infrastructure_configurations()
