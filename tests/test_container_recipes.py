"""Container recipes through boto3: Dockerfile templates, parents, platforms, listing, deletion."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import factories
from factories import error_detail
from _model_features import needs_filter_value

ACCOUNT = "123456789012"
OTHER = "210987654321"
PREFIX = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:container-recipe"
AL2 = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
WINDOWS = "arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x"
UPDATE_LINUX = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
REPO = {"service": "ECR", "repositoryName": "team-a/app"}


def _create(ib, name="crecipe-a", version="1.0.0", parent="amazonlinux:latest", **kw):
    if "dockerfileTemplateUri" not in kw and "dockerfileTemplateData" not in kw:
        kw["dockerfileTemplateData"] = factories.DOCKERFILE
    kw.setdefault("targetRepository", REPO)
    return ib.create_container_recipe(containerType="DOCKER", name=name, semanticVersion=version,
                                      parentImage=parent, **kw)


def _get(ib, arn):
    return ib.get_container_recipe(containerRecipeArn=arn)


def _recipes(ib, **kw):
    return ib.list_container_recipes(**kw)["containerRecipeSummaryList"]


def test_create_response_and_references(ib):
    out = _create(ib, name="My_Container Recipe", version="3.1.4", clientToken="tok")
    arn = f"{PREFIX}/my-container-recipe/3.1.4"
    assert out["containerRecipeArn"] == arn and out["clientToken"] == "tok" and out["requestId"]
    assert out["latestVersionReferences"]["latestMinorVersionArn"] == f"{PREFIX}/my-container-recipe/3.1.x"
    assert _get(ib, arn)["latestVersionReferences"] == out["latestVersionReferences"]


def test_every_member_round_trips(ib):
    component = factories.component(ib)
    members = dict(
        description="a container recipe",
        components=[{"componentArn": component}, {"componentArn": UPDATE_LINUX}],
        instanceConfiguration={"image": "ami-0123456789abcdef0",
                               "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50}}]},
        dockerfileTemplateData="FROM {{{ imagebuilder:parentImage }}}\nRUN echo hi\n",
        workingDirectory="/build",
        kmsKeyId=f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/ib",
        tags={"env": "dev"},
    )
    arn = _create(ib, name="full-crecipe", parent=AL2, **members)["containerRecipeArn"]
    recipe = _get(ib, arn)["containerRecipe"]
    for key, value in members.items():
        assert recipe[key] == value, key
    assert recipe["containerType"] == "DOCKER" and recipe["targetRepository"] == REPO
    assert recipe["encrypted"] is True and recipe["platform"] == "Linux" and recipe["owner"] == ACCOUNT
    assert recipe["parentImage"] == AL2 and recipe["version"] == "1.0.0"
    assert recipe["dateCreated"].endswith("Z")


def test_minimal_defaults(ib):
    recipe = _get(ib, _create(ib)["containerRecipeArn"])["containerRecipe"]
    assert recipe["tags"] == {} and recipe["encrypted"] is True and recipe["platform"] == "Linux"
    for absent in ("components", "instanceConfiguration", "kmsKeyId", "workingDirectory", "description"):
        assert absent not in recipe


def test_template_from_a_missing_object_is_the_services_error(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, dockerfileTemplateUri="s3://my-bucket/docker/template.txt")
    code, message = exc.value.response["Error"]["Code"], exc.value.response["Error"]["Message"]
    assert code == "InvalidParameterValueException"
    assert "dockerfileTemplateUri" in message and "s3://my-bucket/docker/template.txt" in message
    assert ib.list_container_recipes()["containerRecipeSummaryList"] == []


@pytest.mark.imagebuilder_mock(s3_objects={"s3://my-bucket/docker/template.txt": b"FROM {{{ imagebuilder:parentImage }}}\n"})
def test_template_from_uri_is_returned_as_data(ib):
    recipe = _get(ib, _create(ib, dockerfileTemplateUri="s3://my-bucket/docker/template.txt")[
        "containerRecipeArn"])["containerRecipe"]
    assert "dockerfileTemplateUri" not in recipe
    assert recipe["dockerfileTemplateData"] == "FROM {{{ imagebuilder:parentImage }}}\n"


@pytest.mark.imagebuilder_mock(s3_objects={"s3://my-bucket/t.txt": "FROM {{{ imagebuilder:parentImage }}}\nRUN x\n"})
def test_template_from_uri_uses_the_configured_object_content(ib):
    recipe = _get(ib, _create(ib, dockerfileTemplateUri="s3://my-bucket/t.txt")["containerRecipeArn"])[
        "containerRecipe"]
    assert recipe["dockerfileTemplateData"] == "FROM {{{ imagebuilder:parentImage }}}\nRUN x\n"


def test_template_data_and_uri_together_are_rejected(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, dockerfileTemplateData=factories.DOCKERFILE, dockerfileTemplateUri="s3://b/k")
    code, message, status = error_detail(exc)
    assert status == 400 and code == "InvalidRequestException"
    assert "dockerfileTemplateData" in message and "dockerfileTemplateUri" in message
    assert _recipes(ib) == []


def test_template_neither_data_nor_uri_is_rejected(imagebuilder_mock):
    loose = boto3.client("imagebuilder", region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        loose.create_container_recipe(containerType="DOCKER", name="no-template", semanticVersion="1.0.0",
                                      parentImage="amazonlinux:latest", targetRepository=REPO, clientToken="t")
    assert error_detail(exc)[0::2] == ("InvalidRequestException", 400)


@pytest.mark.parametrize("uri", ["https://example.com/Dockerfile", "s3://bucket-only", "file:///tmp/Dockerfile"])
def test_template_uri_must_be_s3(ib, uri):
    with pytest.raises(ClientError) as exc:
        _create(ib, dockerfileTemplateUri=uri)
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "dockerfileTemplateUri" in message


def test_ecr_public_parent_needs_a_platform_override(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, parent="public.ecr.aws/amazonlinux/amazonlinux:latest")
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == ("The value supplied for parameter 'parentImage' is not valid. You must specify a platform "
                       "override when using ECR Public Repositories as your parent image.")
    arn = _create(ib, parent="public.ecr.aws/amazonlinux/amazonlinux:latest", platformOverride="Linux",
                  imageOsVersionOverride="Amazon Linux 2023")["containerRecipeArn"]
    assert _get(ib, arn)["containerRecipe"]["platform"] == "Linux"


def test_platform_override_sets_the_platform(ib):
    arn = _create(ib, parent="mcr.microsoft.com/windows/servercore:ltsc2022", platformOverride="Windows")[
        "containerRecipeArn"]
    assert _get(ib, arn)["containerRecipe"]["platform"] == "Windows"


def test_platform_override_macos_is_rejected(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, platformOverride="macOS")
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "platformOverride" in message


def test_platform_from_an_image_builder_parent(ib):
    arn = _create(ib, parent=WINDOWS)["containerRecipeArn"]
    assert _get(ib, arn)["containerRecipe"]["platform"] == "Windows"


def test_missing_parent_image_is_not_found(ib):
    parent = "arn:aws:imagebuilder:us-east-1:aws:image/no-such-image/x.x.x"
    with pytest.raises(ClientError) as exc:
        _create(ib, parent=parent)
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"The following required resource 'Image' cannot be found: '{parent}'."


def test_instance_image_must_be_an_ami_or_ssm_parameter(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, instanceConfiguration={"image": "amazonlinux"})
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "instanceConfiguration.image" in message
    assert _create(ib, instanceConfiguration={"image": "ssm:/aws/service/ecs/optimized-ami"})["containerRecipeArn"]


@pytest.mark.parametrize("member, value", [
    ("containerType", "PODMAN"),
    ("targetRepository", {"service": "DOCKERHUB", "repositoryName": "r"}),
])
def test_enums_are_checked(ib, member, value):
    args = {"name": "enum-check", "semanticVersion": "1.0.0", "parentImage": "amazonlinux:latest",
            "containerType": "DOCKER", "targetRepository": REPO, "dockerfileTemplateData": factories.DOCKERFILE}
    args[member] = value
    with pytest.raises(ClientError) as exc:
        ib.create_container_recipe(**args)
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


def test_duplicate_is_already_exists(ib):
    arn = _create(ib)["containerRecipeArn"]
    with pytest.raises(ClientError) as exc:
        _create(ib, name="CRECIPE_A")
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceAlreadyExistsException", 400)
    assert message == f"The following resource 'ContainerRecipe' already exists: '{arn}'."


def test_auto_increment(ib):
    _create(ib, version="2.3.4")
    assert _create(ib, version="2.3.x")["containerRecipeArn"] == f"{PREFIX}/crecipe-a/2.3.5"
    assert _create(ib, version="2.x.0")["containerRecipeArn"] == f"{PREFIX}/crecipe-a/2.4.0"


def test_components_once_and_existing(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, components=[{"componentArn": UPDATE_LINUX}, {"componentArn": UPDATE_LINUX}])
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)
    ghost = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:component/ghost/x.x.x"
    with pytest.raises(ClientError) as exc:
        _create(ib, components=[{"componentArn": ghost}])
    assert error_detail(exc)[0::2] == ("ResourceNotFoundException", 404)
    assert _recipes(ib) == []


def test_get_with_wildcard_and_missing(ib):
    _create(ib, version="1.0.0")
    _create(ib, version="1.2.0")
    assert _get(ib, f"{PREFIX}/crecipe-a/1.x.x")["containerRecipe"]["version"] == "1.2.0"
    with pytest.raises(ClientError) as exc:
        _get(ib, f"{PREFIX}/crecipe-a/3.x.x")
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert "'ContainerRecipe'" in message


@needs_filter_value("*")
def test_list_summaries_filters_and_owners(ib, imagebuilder_mock):
    plain = _create(ib, name="plain-one")["containerRecipeArn"]
    with_instance = _create(ib, name="instance-one", instanceConfiguration={"image": "ami-12345678"},
                            parent="public.ecr.aws/x/y:1", platformOverride="Windows")["containerRecipeArn"]
    summaries = {s["arn"]: s for s in _recipes(ib)}
    assert set(summaries) == {plain, with_instance}
    assert summaries[with_instance]["instanceImage"] == "ami-12345678"
    assert "instanceImage" not in summaries[plain]
    assert summaries[plain]["containerType"] == "DOCKER" and summaries[plain]["owner"] == ACCOUNT
    assert [s["arn"] for s in _recipes(ib, filters=[{"name": "platform", "values": ["Windows"]}])] == [with_instance]
    assert [s["arn"] for s in _recipes(ib, filters=[{"name": "containerType", "values": ["DOCKER"]},
                                                    {"name": "name", "values": ["plain*"]}])] == [plain]
    assert [s["arn"] for s in _recipes(ib, filters=[{"name": "parentImage",
                                                     "values": ["amazonlinux:latest"]}])] == [plain]
    assert _recipes(ib, owner="Amazon") == []
    other = factories.client_for(imagebuilder_mock, OTHER)
    factories.share(imagebuilder_mock, plain, OTHER)
    assert [s["arn"] for s in other.list_container_recipes(owner="Shared")["containerRecipeSummaryList"]] == [plain]


@pytest.mark.parametrize("owner", ["ThirdParty", "AWSMarketplace"])
def test_list_owner_values_are_self_shared_amazon_only(ib, owner):
    with pytest.raises(ClientError) as exc:
        _recipes(ib, owner=owner)
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "owner" in message


def test_list_unsupported_filter_and_pagination(ib):
    arns = [_create(ib, version=f"1.0.{i}")["containerRecipeArn"] for i in range(3)]
    with pytest.raises(ClientError) as exc:
        _recipes(ib, filters=[{"name": "version", "values": ["1.0.0"]}])
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)
    first = ib.list_container_recipes(maxResults=2)
    second = ib.list_container_recipes(maxResults=2, nextToken=first["nextToken"])
    assert [s["arn"] for s in first["containerRecipeSummaryList"] + second["containerRecipeSummaryList"]] == arns
    with pytest.raises(ClientError) as exc:
        ib.list_container_recipes(nextToken="junk")
    assert error_detail(exc)[0::2] == ("InvalidPaginationTokenException", 400)


def test_delete_and_its_errors(ib, imagebuilder_mock):
    used = _create(ib, version="1.0.0")["containerRecipeArn"]
    shared = _create(ib, version="1.0.1")["containerRecipeArn"]
    free = _create(ib, version="1.0.2")["containerRecipeArn"]
    factories.pipeline_record(imagebuilder_mock, containerRecipeArn=used)
    factories.share(imagebuilder_mock, shared, OTHER)
    for arn in (used, shared):
        with pytest.raises(ClientError) as exc:
            ib.delete_container_recipe(containerRecipeArn=arn)
        code, message, status = error_detail(exc)
        assert (code, status) == ("ResourceDependencyException", 400)
        assert message == f"Resource dependency error: The resource ARN '{arn}' has other resources depended on it."
    out = ib.delete_container_recipe(containerRecipeArn=free)
    assert out["containerRecipeArn"] == free and out["requestId"]
    with pytest.raises(ClientError) as exc:
        ib.delete_container_recipe(containerRecipeArn=free)
    assert error_detail(exc)[0::2] == ("ResourceNotFoundException", 404)
    assert [s["arn"] for s in _recipes(ib)] == [used, shared]


def test_dry_run_and_idempotency(ib):
    with pytest.raises(ClientError) as exc:
        _create(ib, dryRun=True)
    assert error_detail(exc)[0::2] == ("DryRunOperationException", 412)
    assert _recipes(ib) == []
    first = _create(ib, clientToken="tok")["containerRecipeArn"]
    assert _create(ib, clientToken="tok")["containerRecipeArn"] == first
    with pytest.raises(ClientError) as exc:
        _create(ib, version="9.9.9", clientToken="tok")
    assert error_detail(exc)[0::2] == ("IdempotentParameterMismatchException", 400)
    assert len(_recipes(ib)) == 1
