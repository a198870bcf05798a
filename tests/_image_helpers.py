"""Small builders shared by the image tests (recipes without components keep them independent of
the components family)."""

from __future__ import annotations

import json
import re

import boto3
import pytest

from factories import AL2, unique

BUILD_ARN = re.compile(r"^arn:aws:imagebuilder:us-east-1:123456789012:image/[a-z0-9-_]+/\d+\.\d+\.\d+/\d+$")
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
AMI_ID = re.compile(r"^ami-[0-9a-f]{17}$")


def recipe(ib, name: str | None = None, version: str = "1.0.0", region: str = "us-east-1", **kw) -> str:
    return ib.create_image_recipe(name=name or unique("recipe"), semanticVersion=version,
                                  parentImage=AL2.format(region=region), **kw)["imageRecipeArn"]


def container_recipe(ib, name: str | None = None, repository: str = "my-repo") -> str:
    return ib.create_container_recipe(
        containerType="DOCKER", name=name or unique("crecipe"), semanticVersion="1.0.0",
        parentImage="amazonlinux:latest", platformOverride="Linux",
        dockerfileTemplateData="FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n"
                               "{{{ imagebuilder:components }}}\n",
        targetRepository={"service": "ECR", "repositoryName": repository})["containerRecipeArn"]


def infra(ib, name: str | None = None) -> str:
    return ib.create_infrastructure_configuration(name=name or unique("infra"),
                                                  instanceProfileName="ib-role")["infrastructureConfigurationArn"]


def dist(ib, distributions: list[dict], name: str | None = None) -> str:
    return ib.create_distribution_configuration(name=name or unique("dist"),
                                                distributions=distributions)["distributionConfigurationArn"]


def ami_dist(*regions: str, **settings) -> list[dict]:
    return [{"region": r, "amiDistributionConfiguration": {"name": "golden-{{ imagebuilder:buildDate }}", **settings}}
            for r in regions]


def build(ib, recipe_arn: str | None = None, infra_arn: str | None = None, **kw) -> str:
    return ib.create_image(imageRecipeArn=recipe_arn or recipe(ib), infrastructureConfigurationArn=infra_arn or infra(ib),
                           **kw)["imageBuildVersionArn"]


def status(ib, arn: str) -> str:
    return ib.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"]


def error(exc_info) -> tuple[str, int]:
    response = exc_info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def share_policy(arn: str, account: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{account}:root"]},
        "Action": ["imagebuilder:GetImage", "imagebuilder:ListImages"], "Resource": [arn]}]})


def client_as(mock, account: str, region: str = "us-east-1"):
    key = f"AKIA{account}"
    mock.register_access_key(key, account)
    return boto3.client("imagebuilder", region_name=region, aws_access_key_id=key, aws_secret_access_key="x")


def raises(code: str, status_code: int):
    """`with raises("X", 400) as exc:`: the error code and HTTP status are checked on exit."""
    return _Raises(code, status_code)


class _Raises:
    def __init__(self, code: str, status_code: int) -> None:
        self.code, self.status_code = code, status_code

    def __enter__(self):
        from botocore.exceptions import ClientError

        self._ctx = pytest.raises(ClientError)
        self.value = self._ctx.__enter__()
        return self.value

    def __exit__(self, *exc):
        suppressed = self._ctx.__exit__(*exc)
        if suppressed:
            assert error(self.value) == (self.code, self.status_code), self.value.value.response
        return suppressed
