"""Image operations through boto3: CreateImage, GetImage, ListImages, ListImageBuildVersions,
DeleteImage, CancelImageCreation, RetryImage, ImportVmImage, ImportDiskImage, DistributeImage."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from factories import unique
from _image_helpers import (AMI_ID, BUILD_ARN, ISO_MILLIS, ami_dist, build, client_as, container_recipe, dist,
                            infra, raises, recipe, share_policy, status)
from _model_features import collect, needs_filter_value

ACCOUNT = "123456789012"
REGION = "us-east-1"
AL2_LATEST = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
poll = pytest.mark.imagebuilder_mock(progression="poll")


@pytest.fixture
def raw(imagebuilder_mock):
    """A client without botocore's own parameter validation (to reach the service's checks)."""
    return boto3.client("imagebuilder", region_name=REGION, config=Config(parameter_validation=False))


# -- CreateImage -------------------------------------------------------------------------------
def test_create_image_returns_build_arn_and_references(ib):
    recipe_arn = recipe(ib, name="My Golden_Image")
    out = ib.create_image(imageRecipeArn=recipe_arn, infrastructureConfigurationArn=infra(ib))
    arn = out["imageBuildVersionArn"]
    assert arn == f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/my-golden-image/1.0.0/1"
    base = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/my-golden-image/"
    assert out["latestVersionReferences"] == {
        "latestVersionArn": base + "x.x.x", "latestMajorVersionArn": base + "1.x.x",
        "latestMinorVersionArn": base + "1.0.x", "latestPatchVersionArn": base + "1.0.0"}
    assert out["clientToken"] and out["requestId"]


def test_build_numbers_increment_per_recipe_version(ib):
    recipe_arn, infra_arn = recipe(ib, name="numbered"), infra(ib)
    arns = [build(ib, recipe_arn, infra_arn) for _ in range(3)]
    assert [a.rsplit("/", 1)[1] for a in arns] == ["1", "2", "3"]
    other = build(ib, recipe(ib, name="numbered", version="2.0.0"), infra_arn)
    assert other.endswith("/numbered/2.0.0/1")


def test_get_image_returns_the_documented_members(ib):
    recipe_arn, infra_arn = recipe(ib, name="golden", description="The golden image"), infra(ib)
    dist_arn = dist(ib, ami_dist(REGION))
    arn = build(ib, recipe_arn, infra_arn, distributionConfigurationArn=dist_arn, tags={"team": "infra"})
    out = ib.get_image(imageBuildVersionArn=arn)
    image = out["image"]
    assert image["arn"] == arn and BUILD_ARN.match(arn)
    assert image["name"] == "golden" and image["version"] == "1.0.0/1"
    assert image["type"] == "AMI" and image["platform"] == "Linux" and image["osVersion"] == "Amazon Linux 2"
    assert image["enhancedImageMetadataEnabled"] is True
    assert image["imageTestsConfiguration"] == {"imageTestsEnabled": True, "timeoutMinutes": 720}
    assert image["buildType"] == "USER_INITIATED" and image["imageSource"] == "AMAZON_MANAGED"
    assert image["tags"] == {"team": "infra"}
    assert ISO_MILLIS.match(image["dateCreated"])
    assert image["imageRecipe"]["arn"] == recipe_arn and image["imageRecipe"]["description"] == "The golden image"
    assert image["infrastructureConfiguration"]["arn"] == infra_arn
    assert image["distributionConfiguration"]["arn"] == dist_arn
    assert image["distributionConfiguration"]["timeoutMinutes"] == 720
    assert "containerRecipe" not in image and "sourcePipelineArn" not in image
    assert out["latestVersionReferences"]["latestPatchVersionArn"] == arn.rsplit("/", 1)[0]


def test_create_image_keeps_the_optional_members(ib):
    arn = build(ib, imageTestsConfiguration={"imageTestsEnabled": False, "timeoutMinutes": 90},
                enhancedImageMetadataEnabled=False, executionRole="ib-exec",
                loggingConfiguration={"logGroupName": "/custom/logs"},
                imageScanningConfiguration={"imageScanningEnabled": False})
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["imageTestsConfiguration"] == {"imageTestsEnabled": False, "timeoutMinutes": 90}
    assert image["enhancedImageMetadataEnabled"] is False
    assert image["executionRole"] == "ib-exec"
    assert image["loggingConfiguration"] == {"logGroupName": "/custom/logs"}
    assert image["imageScanningConfiguration"] == {"imageScanningEnabled": False}


def test_image_embeds_configurations_as_they_were_at_build_time(ib):
    infra_arn = infra(ib)
    arn = build(ib, infra_arn=infra_arn)
    ib.update_infrastructure_configuration(infrastructureConfigurationArn=infra_arn, instanceProfileName="other-role",
                                           description="changed")
    embedded = ib.get_image(imageBuildVersionArn=arn)["image"]["infrastructureConfiguration"]
    assert embedded["instanceProfileName"] == "ib-role" and "description" not in embedded


def test_create_image_from_wildcard_recipe_arn_uses_latest_version(ib):
    recipe(ib, name="wild", version="1.0.0")
    recipe(ib, name="wild", version="1.2.0")
    recipe(ib, name="wild", version="2.0.0")
    base = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image-recipe/wild/"
    assert build(ib, base + "1.x.x").endswith("image/wild/1.2.0/1")
    assert build(ib, base + "x.x.x").endswith("image/wild/2.0.0/1")


def test_container_image_is_docker_with_the_container_recipe(ib):
    recipe_arn = container_recipe(ib, name="web")
    arn = ib.create_image(containerRecipeArn=recipe_arn, infrastructureConfigurationArn=infra(ib))["imageBuildVersionArn"]
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["type"] == "DOCKER" and image["containerRecipe"]["arn"] == recipe_arn
    assert "imageRecipe" not in image


def test_create_image_idempotency(ib):
    recipe_arn, infra_arn = recipe(ib), infra(ib)
    first = ib.create_image(imageRecipeArn=recipe_arn, infrastructureConfigurationArn=infra_arn, clientToken="tok-1")
    again = ib.create_image(imageRecipeArn=recipe_arn, infrastructureConfigurationArn=infra_arn, clientToken="tok-1")
    assert again["imageBuildVersionArn"] == first["imageBuildVersionArn"]
    assert len(ib.list_image_build_versions()["imageSummaryList"]) == 1
    with raises("IdempotentParameterMismatchException", 400):
        ib.create_image(imageRecipeArn=recipe_arn, infrastructureConfigurationArn=infra_arn, clientToken="tok-1",
                        tags={"a": "b"})


def test_create_image_needs_exactly_one_recipe(ib):
    infra_arn = infra(ib)
    with raises("InvalidRequestException", 400):
        ib.create_image(infrastructureConfigurationArn=infra_arn)
    with raises("InvalidRequestException", 400):
        ib.create_image(imageRecipeArn=recipe(ib), containerRecipeArn=container_recipe(ib),
                        infrastructureConfigurationArn=infra_arn)
    assert ib.list_image_build_versions()["imageSummaryList"] == []


@pytest.mark.parametrize("member,arn_type", [
    ("imageRecipeArn", "image-recipe/nope/1.0.0"),
    ("containerRecipeArn", "container-recipe/nope/1.0.0"),
    ("infrastructureConfigurationArn", "infrastructure-configuration/nope"),
    ("distributionConfigurationArn", "distribution-configuration/nope"),
])
def test_create_image_with_missing_references_is_not_found(ib, member, arn_type):
    params = {"imageRecipeArn": recipe(ib), "infrastructureConfigurationArn": infra(ib)}
    if member == "containerRecipeArn":
        params.pop("imageRecipeArn")
    params[member] = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:{arn_type}"
    with raises("ResourceNotFoundException", 404) as exc:
        ib.create_image(**params)
    assert params[member] in exc.value.response["Error"]["Message"]
    assert ib.list_image_build_versions()["imageSummaryList"] == []


def test_create_image_with_a_malformed_arn_is_invalid(raw):
    with raises("InvalidParameterValueException", 400):
        raw.create_image(imageRecipeArn="arn:aws:imagebuilder:us-east-1:123456789012:component/x/1.0.0/1",
                         infrastructureConfigurationArn="arn:aws:imagebuilder:us-east-1:123456789012:"
                                                        "infrastructure-configuration/x", clientToken="t")


def test_create_image_with_a_resource_of_another_region_is_not_found(ib):
    west = boto3.client("imagebuilder", region_name="us-west-2")
    infra_west = infra(west)
    with raises("ResourceNotFoundException", 404):
        ib.create_image(imageRecipeArn=recipe(ib), infrastructureConfigurationArn=infra_west)


def test_create_image_option_rules(ib):
    recipe_arn, infra_arn = recipe(ib), infra(ib)
    workflow = [{"workflowArn": f"arn:aws:imagebuilder:{REGION}:aws:workflow/build/build-image/1.0.0"}]
    with raises("InvalidParameterValueException", 400) as exc:
        ib.create_image(imageRecipeArn=recipe_arn, infrastructureConfigurationArn=infra_arn, workflows=workflow)
    assert "executionRole" in exc.value.response["Error"]["Message"]
    with raises("InvalidParameterValueException", 400):
        ib.create_image(imageRecipeArn=recipe_arn, infrastructureConfigurationArn=infra_arn,
                        loggingConfiguration={"logGroupName": "/elsewhere/logs"})
    with raises("InvalidParameterValueException", 400):
        ib.create_image(imageRecipeArn=recipe_arn, infrastructureConfigurationArn=infra_arn,
                        imageTestsConfiguration={"imageTestsEnabled": False},
                        imageScanningConfiguration={"imageScanningEnabled": True})
    assert ib.list_image_build_versions()["imageSummaryList"] == []


# -- GetImage ----------------------------------------------------------------------------------
def test_get_image_not_found(ib):
    with raises("ResourceNotFoundException", 404):
        ib.get_image(imageBuildVersionArn=f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/nope/1.0.0/1")


def test_get_image_rejects_a_malformed_arn(raw):
    with raises("InvalidParameterValueException", 400):
        raw.get_image(imageBuildVersionArn=f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image-recipe/x/1.0.0")
    with raises("InvalidVersionNumberException", 400):  # a wildcard with a number right of it (UG: "not valid")
        raw.get_image(imageBuildVersionArn=f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/x/1.x.0")


def test_get_image_of_an_aws_managed_image(ib):
    image = ib.get_image(imageBuildVersionArn=AL2_LATEST)["image"]
    # its display name (the provider's image_data_source_test.go, run against AWS; docs/catalog.md)
    assert image["name"] == "Amazon Linux 2 x86" and image["state"]["status"] == "AVAILABLE"
    assert AMI_ID.match(image["outputResources"]["amis"][0]["image"])


@poll
def test_version_arn_resolves_only_to_available_builds(ib):
    recipe_arn, infra_arn = recipe(ib, name="versioned"), infra(ib)
    first = build(ib, recipe_arn, infra_arn)
    version_arn = first.rsplit("/", 1)[0]
    with raises("ResourceNotFoundException", 404):
        ib.get_image(imageBuildVersionArn=version_arn)
    while status(ib, first) != "AVAILABLE":
        pass
    second = build(ib, recipe_arn, infra_arn)  # still in progress: the version ARN keeps naming the first
    for arn in (version_arn, version_arn.replace("1.0.0", "x.x.x"), version_arn.replace("1.0.0", "1.0.x")):
        assert ib.get_image(imageBuildVersionArn=arn)["image"]["arn"] == first
    assert ib.get_image(imageBuildVersionArn=second)["image"]["state"]["status"] == "PENDING"


# -- ListImages --------------------------------------------------------------------------------
def test_list_images_returns_one_version_arn_per_version(ib):
    infra_arn = infra(ib)
    r1 = recipe(ib, name="alpha")
    build(ib, r1, infra_arn)
    build(ib, r1, infra_arn)
    build(ib, recipe(ib, name="alpha", version="1.1.0"), infra_arn)
    build(ib, recipe(ib, name="beta"), infra_arn)
    versions = ib.list_images()["imageVersionList"]
    base = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/"
    assert sorted(v["arn"] for v in versions) == [base + "alpha/1.0.0", base + "alpha/1.1.0", base + "beta/1.0.0"]
    entry = next(v for v in versions if v["arn"] == base + "beta/1.0.0")
    assert entry["name"] == "beta" and entry["version"] == "1.0.0" and entry["owner"] == ACCOUNT
    assert entry["type"] == "AMI" and entry["platform"] == "Linux" and entry["osVersion"] == "Amazon Linux 2"
    assert entry["buildType"] == "USER_INITIATED" and ISO_MILLIS.match(entry["dateCreated"])
    by_name = ib.list_images(byName=True)["imageVersionList"]
    assert sorted((v["name"], v["version"]) for v in by_name) == [("alpha", "1.1.0"), ("beta", "1.0.0")]


@needs_filter_value("*")
def test_list_images_filters(ib):
    infra_arn = infra(ib)
    build(ib, recipe(ib, name="app-web"), infra_arn)
    build(ib, recipe(ib, name="app-db", version="2.0.0"), infra_arn)
    build(ib, recipe(ib, name="tools"), infra_arn)

    def names(**kw):
        return sorted(v["name"] for v in ib.list_images(**kw)["imageVersionList"])

    assert names(filters=[{"name": "name", "values": ["app-*"]}]) == ["app-db", "app-web"]
    assert names(filters=[{"name": "version", "values": ["2.0.0"]}]) == ["app-db"]
    assert names(filters=[{"name": "platform", "values": ["Windows"]}]) == []
    assert names(filters=[{"name": "type", "values": ["AMI"]}, {"name": "osVersion", "values": ["Amazon Linux 2"]},
                          {"name": "name", "values": ["*ool*"]}]) == ["tools"]


def test_list_images_rejects_unsupported_filters_and_byname_with_version(ib):
    with raises("InvalidParameterValueException", 400):
        ib.list_images(filters=[{"name": "status", "values": ["AVAILABLE"]}])
    with raises("InvalidRequestException", 400):
        ib.list_images(byName=True, filters=[{"name": "version", "values": ["1.0.0"]}])


def test_list_images_owner_amazon_and_pagination(ib):
    amazon = collect(ib, "list_images", "imageVersionList", owner="Amazon")
    assert amazon and all(v["owner"] == "Amazon" and ":aws:image/" in v["arn"] for v in amazon)
    page = ib.list_images(owner="Amazon", maxResults=2)
    assert len(page["imageVersionList"]) == 2 and page["nextToken"]
    rest = collect(ib, "list_images", "imageVersionList", owner="Amazon", starting_token=page["nextToken"])
    assert len(rest) == len(amazon) - 2
    with raises("InvalidPaginationTokenException", 400):
        ib.list_images(owner="Amazon", nextToken="garbage")
    assert ib.list_images(owner="ThirdParty")["imageVersionList"] == []


def test_list_images_shared_shows_images_shared_with_the_caller(imagebuilder_mock, ib):
    arn = build(ib, recipe(ib, name="shared-one"))
    build(ib, recipe(ib, name="private-one"))
    ib.get_image(imageBuildVersionArn=arn)
    ib.put_image_policy(imageArn=arn, policy=share_policy(arn, "210987654321"))
    other = client_as(imagebuilder_mock, "210987654321")
    shared = other.list_images(owner="Shared")["imageVersionList"]
    assert [(v["name"], v["owner"]) for v in shared] == [("shared-one", ACCOUNT)]
    assert other.list_images()["imageVersionList"] == []
    assert other.get_image(imageBuildVersionArn=arn)["image"]["arn"] == arn


# -- ListImageBuildVersions --------------------------------------------------------------------
def test_list_image_build_versions(ib):
    recipe_arn, infra_arn = recipe(ib, name="builds"), infra(ib)
    arns = [build(ib, recipe_arn, infra_arn, tags={"n": str(i)}) for i in range(3)]
    build(ib, recipe(ib, name="other"), infra_arn)
    version_arn = arns[0].rsplit("/", 1)[0]
    summaries = ib.list_image_build_versions(imageVersionArn=version_arn)["imageSummaryList"]
    assert sorted(s["arn"] for s in summaries) == sorted(arns)
    first = next(s for s in summaries if s["arn"] == arns[0])
    assert first["version"] == "1.0.0/1" and first["state"] == {"status": "AVAILABLE"} and first["owner"] == ACCOUNT
    assert first["tags"] == {"n": "0"} and first["outputResources"]["amis"]
    assert len(ib.list_image_build_versions()["imageSummaryList"]) == 4
    page = ib.list_image_build_versions(imageVersionArn=version_arn, maxResults=2)
    assert len(page["imageSummaryList"]) == 2 and page["nextToken"]


def test_list_image_build_versions_of_an_unknown_version_is_empty(ib):
    unknown = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/nothing/1.0.0"
    assert ib.list_image_build_versions(imageVersionArn=unknown)["imageSummaryList"] == []


def test_list_image_build_versions_rejects_wildcards_and_bad_filters(ib):
    with raises("InvalidParameterValueException", 400):
        ib.list_image_build_versions(imageVersionArn=f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/x/1.x.x")
    with raises("InvalidParameterValueException", 400):
        ib.list_image_build_versions(filters=[{"name": "owner", "values": ["Self"]}])


# -- DeleteImage -------------------------------------------------------------------------------
def test_delete_image(ib):
    arn = build(ib)
    ib.get_image(imageBuildVersionArn=arn)
    out = ib.delete_image(imageBuildVersionArn=arn)
    assert out["imageBuildVersionArn"] == arn and out["requestId"]
    with raises("ResourceNotFoundException", 404):
        ib.get_image(imageBuildVersionArn=arn)
    with raises("ResourceNotFoundException", 404):
        ib.delete_image(imageBuildVersionArn=arn)


@poll
def test_delete_image_is_refused_while_building(ib):
    arn = build(ib)
    with raises("ResourceDependencyException", 400):  # code INFERRED (docs/notes/images.md)
        ib.delete_image(imageBuildVersionArn=arn)
    ib.cancel_image_creation(imageBuildVersionArn=arn)
    ib.delete_image(imageBuildVersionArn=arn)


def test_delete_image_is_refused_while_shared(ib):
    arn = build(ib)
    ib.get_image(imageBuildVersionArn=arn)
    ib.put_image_policy(imageArn=arn, policy=share_policy(arn, "210987654321"))
    with raises("ResourceDependencyException", 400) as exc:
        ib.delete_image(imageBuildVersionArn=arn)
    assert arn in exc.value.response["Error"]["Message"]


def test_delete_image_needs_a_build_arn(raw):
    with raises("InvalidParameterValueException", 400):
        raw.delete_image(imageBuildVersionArn=f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/x/1.0.0")


def test_build_numbers_are_not_reused_after_delete(ib):
    recipe_arn, infra_arn = recipe(ib), infra(ib)
    first = build(ib, recipe_arn, infra_arn)
    ib.get_image(imageBuildVersionArn=first)
    ib.delete_image(imageBuildVersionArn=first)
    assert build(ib, recipe_arn, infra_arn).endswith("/2")


# -- CancelImageCreation / RetryImage ----------------------------------------------------------
@poll
def test_cancel_image_creation(ib):
    arn = build(ib)
    status(ib, arn)
    assert status(ib, arn) == "CREATING"
    out = ib.cancel_image_creation(imageBuildVersionArn=arn)
    assert out["imageBuildVersionArn"] == arn and out["clientToken"] and out["requestId"]
    assert status(ib, arn) == "CANCELLED"
    with raises("ResourceInUseException", 400):  # code INFERRED
        ib.cancel_image_creation(imageBuildVersionArn=arn)


def test_cancel_of_a_finished_build_or_a_missing_one(ib):
    arn = build(ib)
    assert status(ib, arn) == "AVAILABLE"
    with raises("ResourceInUseException", 400):
        ib.cancel_image_creation(imageBuildVersionArn=arn)
    with raises("ResourceNotFoundException", 404):
        ib.cancel_image_creation(imageBuildVersionArn=arn.replace("/1.0.0/1", "/1.0.0/9"))


def test_retry_image_resumes_a_failed_build_in_place(imagebuilder_mock, ib):
    imagebuilder_mock.fail_builds(reason="Distribution failed", at="DISTRIBUTING")
    arn = build(ib)
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"]["status"] == "FAILED"
    out = ib.retry_image(imageBuildVersionArn=arn)
    assert out["imageBuildVersionArn"] == arn and out["clientToken"]
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"] == {"status": "AVAILABLE"}
    assert len(ib.list_image_build_versions()["imageSummaryList"]) == 1


def test_retry_image_state_rules(ib):
    arn = build(ib)
    assert status(ib, arn) == "AVAILABLE"
    with raises("ResourceInUseException", 400):  # code INFERRED
        ib.retry_image(imageBuildVersionArn=arn)
    with raises("ResourceNotFoundException", 404):
        ib.retry_image(imageBuildVersionArn=arn.replace("/1.0.0/1", "/1.0.0/5"))


@poll
def test_retry_is_only_for_ami_images(ib):
    arn = ib.create_image(containerRecipeArn=container_recipe(ib),
                          infrastructureConfigurationArn=infra(ib))["imageBuildVersionArn"]
    ib.cancel_image_creation(imageBuildVersionArn=arn)
    with raises("InvalidRequestException", 400):
        ib.retry_image(imageBuildVersionArn=arn)


def test_create_image_with_workflows_checks_them_and_keeps_them(ib):
    workflows = [{"workflowArn": f"arn:aws:imagebuilder:{REGION}:aws:workflow/build/build-image/x.x.x"}]
    arn = build(ib, workflows=workflows, executionRole="arn:aws:iam::123456789012:role/ib-exec")
    assert ib.get_image(imageBuildVersionArn=arn)["image"]["workflows"] == workflows
    missing = [{"workflowArn": f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:workflow/build/nope/1.0.0"}]
    with raises("ResourceNotFoundException", 404):
        build(ib, workflows=missing, executionRole="ib-exec")
    assert len(ib.list_image_build_versions()["imageSummaryList"]) == 1


def test_list_images_keeps_own_deprecated_builds_and_hides_deleted_ones(imagebuilder_mock, ib):
    deprecated, deleted = build(ib, recipe(ib, name="old")), build(ib, recipe(ib, name="gone"))
    ib.list_images()
    images = imagebuilder_mock.backend.store(ACCOUNT, REGION).images
    images[deprecated]["state"] = {"status": "DEPRECATED"}  # as a lifecycle policy action leaves them
    images[deleted]["state"] = {"status": "DELETED"}
    assert [v["name"] for v in ib.list_images()["imageVersionList"]] == ["old"]
    assert [s["arn"] for s in ib.list_image_build_versions()["imageSummaryList"]] == [deprecated]


def test_list_image_build_versions_of_an_aws_managed_version(ib):
    version_arn = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/2025.11.4"
    summaries = ib.list_image_build_versions(imageVersionArn=version_arn)["imageSummaryList"]
    assert [s["arn"] for s in summaries] == [version_arn + "/1"]
    assert summaries[0]["owner"] == "Amazon"


def test_another_accounts_unshared_image_is_not_found(imagebuilder_mock, ib):
    arn = build(ib)
    other = client_as(imagebuilder_mock, "210987654321")
    with raises("ResourceNotFoundException", 404):
        other.get_image(imageBuildVersionArn=arn)
    with raises("ResourceNotFoundException", 404):
        other.delete_image(imageBuildVersionArn=arn)
    with raises("ResourceNotFoundException", 404):
        other.cancel_image_creation(imageBuildVersionArn=arn)
    assert other.list_image_build_versions(imageVersionArn=arn.rsplit("/", 1)[0])["imageSummaryList"] == []


def test_create_image_raw_http_without_a_recipe(imagebuilder_mock, ib):
    infra_arn = infra(ib)
    status_code, headers, body = imagebuilder_mock.engine.handle(
        "PUT", "/CreateImage", "", {"content-type": "application/json"},
        f'{{"infrastructureConfigurationArn": "{infra_arn}", "clientToken": "raw-1"}}')
    assert status_code == 400 and headers["x-amzn-ErrorType"] == "InvalidRequestException"
    assert b"imageRecipeArn" in body


# -- imageSource and scanState (docs/notes/images.md §3, §8) -------------------------------------
def _build_from(ib, parent: str, infra_arn: str, **kw) -> dict:
    recipe_arn = ib.create_image_recipe(name=unique("from"), semanticVersion="1.0.0",
                                        parentImage=parent)["imageRecipeArn"]
    return ib.get_image(imageBuildVersionArn=build(ib, recipe_arn, infra_arn, **kw))["image"]


def test_image_source_follows_the_parent_image(ib):
    infra_arn = infra(ib)
    amazon = ib.get_image(imageBuildVersionArn="arn:aws:imagebuilder:us-east-1:aws:image/ubuntu-server-22-lts-x86/"
                                               "x.x.x")["image"]
    amazon_ami = amazon["outputResources"]["amis"][0]["image"]
    from_ami = _build_from(ib, amazon_ami, infra_arn)
    # an AMI id of an AWS-managed image: the image it came from tells the origin and the OS
    assert (from_ami["imageSource"], from_ami["osVersion"]) == ("AMAZON_MANAGED", "Ubuntu 22")
    own_ami = from_ami["outputResources"]["amis"][0]["image"]
    from_own = _build_from(ib, own_ami, infra_arn)
    assert (from_own["imageSource"], from_own["osVersion"]) == ("CUSTOM", "Ubuntu 22")
    from_own_arn = _build_from(ib, from_ami["arn"], infra_arn)
    assert from_own_arn["imageSource"] == "CUSTOM"
    unknown = _build_from(ib, "ami-0123456789abcdef0", infra_arn)
    assert unknown["imageSource"] == "CUSTOM" and "osVersion" not in unknown
    marketplace = _build_from(ib, "prod-abcdefgh12345", infra_arn)
    assert marketplace["imageSource"] == "AWS_MARKETPLACE"
    imported = ib.import_vm_image(name="imported-base", semanticVersion="1.0.0", platform="Linux",
                                  osVersion="Ubuntu 22", vmImportTaskId="import-ami-0123456789abcdef0")["imageArn"]
    ib.get_image(imageBuildVersionArn=imported)
    assert _build_from(ib, imported, infra_arn)["imageSource"] == "IMPORTED"
    listed = {i["name"]: i["imageSource"] for i in ib.list_images()["imageVersionList"]}
    assert listed["imported-base"] == "IMPORTED"


def test_scan_state_only_for_builds_with_image_scanning(ib):
    infra_arn = infra(ib)
    plain = ib.get_image(imageBuildVersionArn=build(ib, recipe(ib), infra_arn))["image"]
    assert "scanState" not in plain
    scanned = ib.get_image(imageBuildVersionArn=build(
        ib, recipe(ib), infra_arn, imageScanningConfiguration={"imageScanningEnabled": True}))["image"]
    assert scanned["state"]["status"] == "AVAILABLE" and scanned["scanState"] == {"status": "COMPLETED"}
    off = ib.get_image(imageBuildVersionArn=build(
        ib, recipe(ib), infra_arn, imageScanningConfiguration={"imageScanningEnabled": False}))["image"]
    assert "scanState" not in off


@poll
def test_scan_state_follows_the_build_and_is_abandoned_when_it_stops(imagebuilder_mock, ib):
    infra_arn = infra(ib)
    scanning = {"imageScanningEnabled": True}
    arn = build(ib, recipe(ib), infra_arn, imageScanningConfiguration=scanning)
    seen = [(i["state"]["status"], i["scanState"]["status"])
            for i in (ib.get_image(imageBuildVersionArn=arn)["image"] for _ in range(7))]
    assert seen == [("PENDING", "PENDING"), ("CREATING", "PENDING"), ("BUILDING", "PENDING"),
                    ("TESTING", "SCANNING"), ("DISTRIBUTING", "COLLECTING"), ("INTEGRATING", "COMPLETED"),
                    ("AVAILABLE", "COMPLETED")]

    cancelled = build(ib, recipe(ib), infra_arn, imageScanningConfiguration=scanning)
    for _ in range(4):
        ib.get_image(imageBuildVersionArn=cancelled)  # TESTING, SCANNING
    ib.cancel_image_creation(imageBuildVersionArn=cancelled)
    scan = ib.get_image(imageBuildVersionArn=cancelled)["image"]["scanState"]
    assert scan["status"] == "ABANDONED" and "CANCELLED" in scan["reason"]

    imagebuilder_mock.fail_builds(reason="Test failed", at="TESTING")
    failed = build(ib, recipe(ib), infra_arn, imageScanningConfiguration=scanning)
    for _ in range(5):
        image = ib.get_image(imageBuildVersionArn=failed)["image"]
    assert image["state"]["status"] == "FAILED" and image["scanState"]["status"] == "ABANDONED"
    ib.retry_image(imageBuildVersionArn=failed)  # resumes the tests: the scan runs again
    image = ib.get_image(imageBuildVersionArn=failed)["image"]
    assert (image["state"]["status"], image["scanState"]) == ("TESTING", {"status": "SCANNING"})
    for _ in range(3):
        image = ib.get_image(imageBuildVersionArn=failed)["image"]
    assert (image["state"]["status"], image["scanState"]) == ("AVAILABLE", {"status": "COMPLETED"})


def test_delete_image_used_as_a_recipe_parent_is_allowed(ib):
    """INFERRED (docs/notes/images.md §2): a recipe's parentImage is a reference the recipe keeps as
    given, not a dependency DeleteImage checks."""
    infra_arn = infra(ib)
    parent = build(ib, recipe(ib), infra_arn)
    ib.get_image(imageBuildVersionArn=parent)
    child = ib.create_image_recipe(name="child-of-parent", semanticVersion="1.0.0", parentImage=parent)["imageRecipeArn"]
    assert ib.delete_image(imageBuildVersionArn=parent)["imageBuildVersionArn"] == parent
    assert ib.get_image_recipe(imageRecipeArn=child)["imageRecipe"]["parentImage"] == parent


def test_a_component_parameter_without_default_left_out_by_the_recipe_fails_the_build(ib):
    """AWS: "any required parameters that are not included will result in a build failure" (aws-cdk #36092)."""
    import factories

    data = factories.LINUX_DOC.replace("      default: hello\n", "")
    component = factories.component(ib, data=data)
    parent = factories.AL2.format(region=REGION)
    infra_arn = infra(ib)
    left_out = ib.create_image_recipe(name="leaves-greeting", semanticVersion="1.0.0", parentImage=parent,
                                      components=[{"componentArn": component}])["imageRecipeArn"]
    sets = ib.create_image_recipe(name="sets-greeting", semanticVersion="1.0.0", parentImage=parent,
                                  components=[{"componentArn": component,
                                               "parameters": [{"name": "Greeting", "value": ["hi"]}]}])["imageRecipeArn"]
    failed = ib.create_image(imageRecipeArn=left_out, infrastructureConfigurationArn=infra_arn)["imageBuildVersionArn"]
    state = ib.get_image(imageBuildVersionArn=failed)["image"]["state"]
    assert state["status"] == "FAILED"
    assert "Greeting" in state["reason"] and component in state["reason"]
    built = ib.create_image(imageRecipeArn=sets, infrastructureConfigurationArn=infra_arn)["imageBuildVersionArn"]
    assert ib.get_image(imageBuildVersionArn=built)["image"]["state"]["status"] == "AVAILABLE"
