"""Builders of valid resources through boto3, for tests that need a chain of them."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

LINUX_DOC = """name: hello
description: Says hello.
schemaVersion: 1.0
parameters:
  - Greeting:
      type: string
      default: hello
      description: What to say.
phases:
  - name: build
    steps:
      - name: SayHello
        action: ExecuteBash
        inputs:
          commands:
            - echo "{{ Greeting }}"
  - name: validate
    steps:
      - name: CheckHello
        action: ExecuteBash
        inputs:
          commands:
            - echo ok
"""

AL2 = "arn:aws:imagebuilder:{region}:aws:image/amazon-linux-2-x86/x.x.x"


#: Server-side errors every operation's model lists, with their HTTP statuses.
SERVER_ERRORS = [("ServiceException", 500), ("ServiceUnavailableException", 503), ("ForbiddenException", 403),
                 ("CallRateLimitExceededException", 429), ("ClientException", 400)]


def error(exc) -> tuple[str, int]:
    """(code, HTTP status) of a `pytest.raises(ClientError)` result."""
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def error_detail(exc) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a `pytest.raises(ClientError)` result."""
    response = exc.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def injected_error(mock, operation: str, code: str, call) -> tuple[str, int]:
    """(code, HTTP status) that `call(client)` fails with once `code` is injected into `operation`
    (a client that tries once, so retryable errors surface)."""
    client = boto3.client("imagebuilder", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
    mock.inject_error(operation, code)
    with pytest.raises(ClientError) as exc:
        call(client)
    return error(exc)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def component(ib, name: str | None = None, version: str = "1.0.0", data: str = LINUX_DOC, **kw) -> str:
    return ib.create_component(name=name or unique("comp"), semanticVersion=version, platform="Linux",
                               data=data, **kw)["componentBuildVersionArn"]


def image_recipe(ib, name: str | None = None, version: str = "1.0.0", components: list[str] | None = None,
                 region: str = "us-east-1", **kw) -> str:
    comps = components if components is not None else [component(ib)]
    return ib.create_image_recipe(name=name or unique("recipe"), semanticVersion=version,
                                  parentImage=AL2.format(region=region),
                                  components=[{"componentArn": c} for c in comps], **kw)["imageRecipeArn"]


def infrastructure(ib, name: str | None = None, **kw) -> str:
    return ib.create_infrastructure_configuration(name=name or unique("infra"), instanceProfileName="ib-role",
                                                  **kw)["infrastructureConfigurationArn"]


def distribution(ib, name: str | None = None, regions: tuple[str, ...] = ("us-east-1",), **kw) -> str:
    dists = [{"region": r, "amiDistributionConfiguration": {"name": "golden-{{ imagebuilder:buildDate }}"}}
             for r in regions]
    return ib.create_distribution_configuration(name=name or unique("dist"), distributions=dists,
                                                **kw)["distributionConfigurationArn"]


def pipeline(ib, name: str | None = None, recipe: str | None = None, infra: str | None = None,
             dist: str | None = None, **kw) -> str:
    args = dict(name=name or unique("pipe"), imageRecipeArn=recipe or image_recipe(ib),
                infrastructureConfigurationArn=infra or infrastructure(ib), **kw)
    if dist is not False:
        args["distributionConfigurationArn"] = dist or distribution(ib)
    return ib.create_image_pipeline(**args)["imagePipelineArn"]


# -- recipes and configurations family (additive) ------------------------------------------------
DOCKERFILE = "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\n"


def container_recipe(ib, name: str | None = None, version: str = "1.0.0", components: list[str] | None = None,
                     **kw) -> str:
    args = dict(containerType="DOCKER", name=name or unique("crecipe"), semanticVersion=version,
                parentImage="amazonlinux:latest", targetRepository={"service": "ECR", "repositoryName": "repo"})
    if components:
        args["components"] = [{"componentArn": c} for c in components]
    if "dockerfileTemplateUri" not in kw:
        args["dockerfileTemplateData"] = DOCKERFILE
    args.update(kw)
    return ib.create_container_recipe(**args)["containerRecipeArn"]


def pipeline_record(mock, arn_suffix: str = "pipe", account: str = "123456789012", region: str = "us-east-1",
                    **references) -> str:
    """A bare pipeline entry in the store that references other resources (e.g. imageRecipeArn=...),
    for dependency tests that must not rely on the pipeline operations."""
    arn = f"arn:aws:imagebuilder:{region}:{account}:image-pipeline/{arn_suffix}"
    mock.backend.store(account, region).image_pipelines[arn] = dict(arn=arn, name=arn_suffix, **references)
    return arn


def sharing_policy(arn: str, actions: list[str], principals: list[str] | str, **statement) -> str:
    """A resource policy (JSON) with one Allow statement: `principals` may do `actions` on `arn`;
    `statement` adds or replaces elements of the statement."""
    body = {"Effect": "Allow", "Principal": {"AWS": principals if isinstance(principals, str) else list(principals)},
            "Action": actions, "Resource": [arn]}
    body.update(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": [body]})


def share(mock, arn: str, with_account: str, owner: str = "123456789012", region: str = "us-east-1") -> None:
    """Give `arn` (owned by `owner`) a resource policy that shares it with `with_account`."""
    mock.backend.store(owner, region).policies[arn] = sharing_policy(arn, ["imagebuilder:GetImageRecipe"],
                                                                     [with_account])


def client_for(mock, account: str, region: str = "us-east-1"):
    """A boto3 imagebuilder client that acts as another account."""
    key = f"AKIA{account}"
    mock.register_access_key(key, account)
    return boto3.client("imagebuilder", region_name=region, aws_access_key_id=key, aws_secret_access_key="x")
