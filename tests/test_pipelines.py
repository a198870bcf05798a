"""Image pipelines through boto3: Create/Get/Update/List/Delete, StartImagePipelineExecution,
ListImagePipelineImages, with every documented error (schedules: test_schedules.py)."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import factories as f
from rawhttp import call
from _model_features import needs_filter_value

ROLE = "arn:aws:iam::123456789012:role/ib-exec"
DOCKERFILE = "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\n"


def error(exc_info) -> tuple[str, int, str]:
    response = exc_info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def container_recipe(ib, name: str | None = None) -> str:
    return ib.create_container_recipe(
        containerType="DOCKER", name=name or f.unique("ctr"), semanticVersion="1.0.0",
        parentImage="amazonlinux:latest", targetRepository={"service": "ECR", "repositoryName": "repo"},
        dockerfileTemplateData=DOCKERFILE, components=[{"componentArn": f.component(ib)}])["containerRecipeArn"]


@pytest.fixture
def parts(ib):
    return {"imageRecipeArn": f.image_recipe(ib), "infrastructureConfigurationArn": f.infrastructure(ib)}


# -- Create / Get ----------------------------------------------------------------------------------
def test_get_after_create_shows_exactly_the_service_defaults(ib, parts):
    arn = ib.create_image_pipeline(name="Golden Pipeline", **parts)["imagePipelineArn"]
    assert arn == "arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/golden-pipeline"
    pipeline = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert set(pipeline) == {"arn", "name", "platform", "enhancedImageMetadataEnabled", "imageRecipeArn",
                             "infrastructureConfigurationArn", "imageTestsConfiguration", "status", "dateCreated",
                             "dateUpdated", "tags"}
    assert pipeline["name"] == "Golden Pipeline"
    assert pipeline["status"] == "ENABLED"
    assert pipeline["enhancedImageMetadataEnabled"] is True
    assert pipeline["imageTestsConfiguration"] == {"imageTestsEnabled": True, "timeoutMinutes": 720}
    assert pipeline["platform"] == "Linux"
    assert pipeline["dateCreated"] == pipeline["dateUpdated"]
    assert pipeline["dateCreated"].endswith("Z") and len(pipeline["dateCreated"]) == 24
    assert pipeline["tags"] == {}
    assert pipeline["imageRecipeArn"] == parts["imageRecipeArn"]


def test_create_keeps_every_setting_given(ib, parts):
    dist = f.distribution(ib)
    arn = ib.create_image_pipeline(
        name=f.unique("pipe"), description="nightly", distributionConfigurationArn=dist,
        imageTestsConfiguration={"imageTestsEnabled": False, "timeoutMinutes": 60}, enhancedImageMetadataEnabled=False,
        status="DISABLED", tags={"team": "platform"}, imageTags={"built-by": "pipeline"}, executionRole=ROLE,
        imageScanningConfiguration={"imageScanningEnabled": False},
        loggingConfiguration={"imageLogGroupName": "/custom/images", "pipelineLogGroupName": "/aws/imagebuilder/p"},
        **parts)["imagePipelineArn"]
    pipeline = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert pipeline["description"] == "nightly"
    assert pipeline["distributionConfigurationArn"] == dist
    assert pipeline["imageTestsConfiguration"] == {"imageTestsEnabled": False, "timeoutMinutes": 60}
    assert pipeline["enhancedImageMetadataEnabled"] is False
    assert pipeline["status"] == "DISABLED"
    assert pipeline["tags"] == {"team": "platform"}
    assert pipeline["imageTags"] == {"built-by": "pipeline"}
    assert pipeline["executionRole"] == ROLE
    assert pipeline["loggingConfiguration"]["imageLogGroupName"] == "/custom/images"


def test_container_pipeline_takes_platform_from_its_recipe(ib):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), containerRecipeArn=container_recipe(ib),
                                   infrastructureConfigurationArn=f.infrastructure(ib))["imagePipelineArn"]
    pipeline = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert pipeline["platform"] == "Linux"
    assert "imageRecipeArn" not in pipeline and pipeline["containerRecipeArn"].endswith("/1.0.0")


def test_create_duplicate_name_is_resource_already_exists(ib, parts):
    ib.create_image_pipeline(name="my pipe", **parts)
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name="My_Pipe", **parts)  # same normalized name
    code, status, message = error(exc)
    assert (code, status) == ("ResourceAlreadyExistsException", 400)
    assert message == ("The following resource 'ImagePipeline' already exists: "
                       "'arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/my-pipe'.")


@pytest.mark.parametrize("member, value", [
    ("imageRecipeArn", "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/nope/1.0.0"),
    ("infrastructureConfigurationArn", "arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/nope"),
    ("distributionConfigurationArn", "arn:aws:imagebuilder:us-east-1:123456789012:distribution-configuration/nope"),
])
def test_create_with_a_missing_reference_is_resource_not_found(ib, parts, member, value):
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), **dict(parts, **{member: value}))
    code, status, message = error(exc)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert value in message
    assert ib.list_image_pipelines()["imagePipelineList"] == []


def test_create_with_both_recipes_is_rejected(ib, parts):
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), containerRecipeArn=container_recipe(ib), **parts)
    code, status, message = error(exc)
    assert (code, status) == ("InvalidRequestException", 400)
    assert "imageRecipeArn" in message and "containerRecipeArn" in message


def test_create_with_no_recipe_is_rejected(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), infrastructureConfigurationArn=f.infrastructure(ib))
    assert error(exc)[:2] == ("InvalidRequestException", 400)


def test_create_rejects_a_malformed_arn_with_the_parameter_named(ib, parts):
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), **dict(parts, imageRecipeArn="not-an-arn"))
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "'imageRecipeArn'" in message


def test_create_rejects_a_name_breaking_the_pattern(ib, parts):
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name="bad/name", **parts)
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "'name'" in message


def test_dry_run_validates_and_creates_nothing(ib, parts):
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), dryRun=True, **parts)
    assert error(exc)[:2] == ("DryRunOperationException", 412)
    assert ib.list_image_pipelines()["imagePipelineList"] == []


def test_dry_run_still_reports_a_validation_error_first(ib, parts):
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), dryRun=True, schedule={"scheduleExpression": "cron(0 0 * * *)"},
                                 **parts)
    assert error(exc)[:2] == ("InvalidParameterValueException", 400)


def test_create_is_idempotent_by_client_token(ib, parts):
    name = f.unique("pipe")
    first = ib.create_image_pipeline(name=name, clientToken="tok-1", **parts)
    again = ib.create_image_pipeline(name=name, clientToken="tok-1", **parts)
    assert again["imagePipelineArn"] == first["imagePipelineArn"]
    assert again["clientToken"] == "tok-1"
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=name, clientToken="tok-1", description="other", **parts)
    assert error(exc)[:2] == ("IdempotentParameterMismatchException", 400)


def test_workflows_need_an_execution_role(ib, parts):
    workflow = "arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/x.x.x"
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), workflows=[{"workflowArn": workflow}], **parts)
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "'executionRole'" in message


def test_workflows_are_validated_by_the_workflows_module(ib, parts):
    missing = "arn:aws:imagebuilder:us-east-1:123456789012:workflow/build/nope/1.0.0"
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), workflows=[{"workflowArn": missing}], executionRole=ROLE,
                                 **parts)
    assert error(exc)[:2] == ("ResourceNotFoundException", 404)


def test_custom_log_group_needs_an_execution_role(ib, parts):
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), loggingConfiguration={"pipelineLogGroupName": "/mine"},
                                 **parts)
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "loggingConfiguration.pipelineLogGroupName" in message


def test_image_scanning_needs_image_tests(ib, parts):
    with pytest.raises(ClientError) as exc:
        ib.create_image_pipeline(name=f.unique("pipe"), imageTestsConfiguration={"imageTestsEnabled": False},
                                 imageScanningConfiguration={"imageScanningEnabled": True}, **parts)
    assert error(exc)[:2] == ("InvalidParameterValueException", 400)


def test_get_of_a_missing_pipeline_is_resource_not_found(ib):
    arn = "arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/nope"
    with pytest.raises(ClientError) as exc:
        ib.get_image_pipeline(imagePipelineArn=arn)
    code, status, message = error(exc)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"The following required resource 'ImagePipeline' cannot be found: '{arn}'."


def test_get_with_an_arn_of_another_type_is_invalid(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_image_pipeline(imagePipelineArn="arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/x/1.0.0")
    assert error(exc)[:2] == ("InvalidParameterValueException", 400)


def test_raw_create_without_required_members_is_rejected(imagebuilder_mock):
    status, headers, body = call(imagebuilder_mock, "CreateImagePipeline", {"name": "x-pipe", "clientToken": "t"})
    assert status == 400
    assert headers["x-amzn-ErrorType"] in ("InvalidParameterValueException", "InvalidRequestException")
    assert "infrastructureConfigurationArn" in body["message"]


# -- Update ----------------------------------------------------------------------------------------
def test_update_replaces_the_whole_configuration(ib, imagebuilder_mock, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), description="d", status="DISABLED", tags={"k": "v"},
                                   schedule={"scheduleExpression": "rate(1 day)"},
                                   distributionConfigurationArn=f.distribution(ib), **parts)["imagePipelineArn"]
    before = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    imagebuilder_mock.clock.advance(minutes=5)
    ib.update_image_pipeline(imagePipelineArn=arn, **parts)
    after = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert after["status"] == "ENABLED"  # omitted status resets to ENABLED
    for gone in ("description", "schedule", "distributionConfigurationArn", "dateNextRun"):
        assert gone not in after
    assert after["tags"] == {"k": "v"}
    assert after["dateCreated"] == before["dateCreated"]
    assert after["dateUpdated"] > before["dateUpdated"]


def test_update_cannot_change_the_recipe_type(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), **parts)["imagePipelineArn"]
    with pytest.raises(ClientError) as exc:
        ib.update_image_pipeline(imagePipelineArn=arn, containerRecipeArn=container_recipe(ib),
                                 infrastructureConfigurationArn=parts["infrastructureConfigurationArn"])
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "same type" in message


def test_update_of_a_missing_pipeline_is_resource_not_found(ib, parts):
    with pytest.raises(ClientError) as exc:
        ib.update_image_pipeline(imagePipelineArn="arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/nope",
                                 **parts)
    assert error(exc)[:2] == ("ResourceNotFoundException", 404)


def test_update_with_a_missing_reference_changes_nothing(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), description="kept", **parts)["imagePipelineArn"]
    with pytest.raises(ClientError) as exc:
        ib.update_image_pipeline(imagePipelineArn=arn, imageRecipeArn=parts["imageRecipeArn"],
                                 infrastructureConfigurationArn=parts["infrastructureConfigurationArn"][:-2] + "zz")
    assert error(exc)[:2] == ("ResourceNotFoundException", 404)
    assert ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["description"] == "kept"


def test_update_with_both_recipes_is_rejected(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), **parts)["imagePipelineArn"]
    with pytest.raises(ClientError) as exc:
        ib.update_image_pipeline(imagePipelineArn=arn, containerRecipeArn=container_recipe(ib), **parts)
    assert error(exc)[:2] == ("InvalidRequestException", 400)


def test_update_is_idempotent_by_client_token(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), **parts)["imagePipelineArn"]
    ib.update_image_pipeline(imagePipelineArn=arn, clientToken="u-1", description="a", **parts)
    assert ib.update_image_pipeline(imagePipelineArn=arn, clientToken="u-1", description="a",
                                    **parts)["imagePipelineArn"] == arn
    with pytest.raises(ClientError) as exc:
        ib.update_image_pipeline(imagePipelineArn=arn, clientToken="u-1", description="b", **parts)
    assert error(exc)[:2] == ("IdempotentParameterMismatchException", 400)


def test_resources_in_use_by_a_pipeline_cannot_be_deleted_until_it_is(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), **parts)["imagePipelineArn"]
    with pytest.raises(ClientError) as exc:
        ib.delete_infrastructure_configuration(infrastructureConfigurationArn=parts["infrastructureConfigurationArn"])
    assert error(exc)[:2] == ("ResourceDependencyException", 400)
    ib.delete_image_pipeline(imagePipelineArn=arn)
    ib.delete_infrastructure_configuration(infrastructureConfigurationArn=parts["infrastructureConfigurationArn"])


# -- List ------------------------------------------------------------------------------------------
@needs_filter_value("*")
def test_list_returns_full_pipelines_and_filters(ib, parts):
    dist = f.distribution(ib)
    a = ib.create_image_pipeline(name="alpha-pipe", description="one", distributionConfigurationArn=dist,
                                 **parts)["imagePipelineArn"]
    b = ib.create_image_pipeline(name="beta-pipe", status="DISABLED", **parts)["imagePipelineArn"]
    listed = ib.list_image_pipelines()["imagePipelineList"]
    assert [p["arn"] for p in listed] == [a, b]
    assert listed[0] == ib.get_image_pipeline(imagePipelineArn=a)["imagePipeline"]

    def names(*filters):
        return [p["name"] for p in ib.list_image_pipelines(filters=list(filters))["imagePipelineList"]]

    assert names({"name": "status", "values": ["DISABLED"]}) == ["beta-pipe"]
    assert names({"name": "name", "values": ["alp*"]}) == ["alpha-pipe"]
    assert names({"name": "description", "values": ["one"]}) == ["alpha-pipe"]
    assert names({"name": "distributionConfigurationArn", "values": [dist]}) == ["alpha-pipe"]
    assert names({"name": "imageRecipeArn", "values": [parts["imageRecipeArn"]]}) == ["alpha-pipe", "beta-pipe"]
    assert names({"name": "infrastructureConfigurationArn",
                  "values": [parts["infrastructureConfigurationArn"]]}) == ["alpha-pipe", "beta-pipe"]


def test_list_rejects_an_unsupported_filter(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_image_pipelines(filters=[{"name": "containerRecipeArn", "values": ["x"]}])
    code, status, message = error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "containerRecipeArn" in message


def test_list_pages_and_rejects_a_bad_token(ib, parts):
    for i in range(3):
        ib.create_image_pipeline(name=f"page-pipe-{i}", **parts)
    first = ib.list_image_pipelines(maxResults=2)
    assert len(first["imagePipelineList"]) == 2 and first["nextToken"]
    second = ib.list_image_pipelines(maxResults=2, nextToken=first["nextToken"])
    assert [p["name"] for p in second["imagePipelineList"]] == ["page-pipe-2"] and "nextToken" not in second
    with pytest.raises(ClientError) as exc:
        ib.list_image_pipelines(nextToken="garbage")
    assert error(exc)[:2] == ("InvalidPaginationTokenException", 400)


# -- Delete ----------------------------------------------------------------------------------------
def test_delete_of_a_missing_pipeline_is_resource_not_found(ib):
    with pytest.raises(ClientError) as exc:
        ib.delete_image_pipeline(imagePipelineArn="arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/nope")
    assert error(exc)[:2] == ("ResourceNotFoundException", 404)


@pytest.mark.imagebuilder_mock(progression="poll")
def test_delete_while_a_build_runs_keeps_the_build_and_its_image(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), **parts)["imagePipelineArn"]
    image_arn = ib.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]
    assert ib.delete_image_pipeline(imagePipelineArn=arn)["imagePipelineArn"] == arn
    image = ib.get_image(imageBuildVersionArn=image_arn)["image"]
    assert image["state"]["status"] == "PENDING"
    assert image["sourcePipelineArn"] == arn
    with pytest.raises(ClientError):
        ib.get_image_pipeline(imagePipelineArn=arn)
    for _ in range(10):
        status = ib.get_image(imageBuildVersionArn=image_arn)["image"]["state"]["status"]
    assert status == "AVAILABLE"  # the build went on without its pipeline


# -- StartImagePipelineExecution / ListImagePipelineImages -----------------------------------------
def test_start_execution_builds_an_image_of_the_pipeline(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), imageTags={"only": "scheduled"}, **parts)["imagePipelineArn"]
    response = ib.start_image_pipeline_execution(imagePipelineArn=arn, tags={"run": "manual"})
    image_arn = response["imageBuildVersionArn"]
    recipe_name = parts["imageRecipeArn"].split("/")[-2]
    assert image_arn == f"arn:aws:imagebuilder:us-east-1:123456789012:image/{recipe_name}/1.0.0/1"
    assert response["clientToken"] and response["requestId"]
    image = ib.get_image(imageBuildVersionArn=image_arn)["image"]
    assert image["sourcePipelineArn"] == arn
    assert image["buildType"] == "USER_INITIATED"
    assert image["tags"] == {"run": "manual"}  # request tags, not the pipeline's imageTags
    pipeline = ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]
    assert pipeline["dateLastRun"] == image["dateCreated"]
    assert pipeline["lastRunStatus"] == "AVAILABLE"
    second = ib.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]
    assert second.endswith("/1.0.0/2")


def test_start_execution_works_on_a_disabled_pipeline(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), status="DISABLED", **parts)["imagePipelineArn"]
    assert ib.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"]


def test_start_execution_of_a_missing_pipeline_is_resource_not_found(ib):
    with pytest.raises(ClientError) as exc:
        ib.start_image_pipeline_execution(
            imagePipelineArn="arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/nope")
    assert error(exc)[:2] == ("ResourceNotFoundException", 404)


def test_start_execution_is_idempotent_by_client_token(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), **parts)["imagePipelineArn"]
    first = ib.start_image_pipeline_execution(imagePipelineArn=arn, clientToken="s-1")["imageBuildVersionArn"]
    assert ib.start_image_pipeline_execution(imagePipelineArn=arn, clientToken="s-1")["imageBuildVersionArn"] == first
    assert len(ib.list_image_pipeline_images(imagePipelineArn=arn)["imageSummaryList"]) == 1
    with pytest.raises(ClientError) as exc:
        ib.start_image_pipeline_execution(imagePipelineArn=arn, clientToken="s-1", tags={"x": "y"})
    assert error(exc)[:2] == ("IdempotentParameterMismatchException", 400)


def test_list_pipeline_images_lists_its_builds_with_filters(ib, parts):
    arn = ib.create_image_pipeline(name=f.unique("pipe"), **parts)["imagePipelineArn"]
    other = ib.create_image_pipeline(name=f.unique("pipe"), **parts)["imagePipelineArn"]
    mine = [ib.start_image_pipeline_execution(imagePipelineArn=arn)["imageBuildVersionArn"] for _ in range(3)]
    ib.start_image_pipeline_execution(imagePipelineArn=other)
    listed = ib.list_image_pipeline_images(imagePipelineArn=arn)["imageSummaryList"]
    assert [i["arn"] for i in listed] == mine
    assert all(i["state"]["status"] == "AVAILABLE" and i["type"] == "AMI" for i in listed)
    recipe_name = parts["imageRecipeArn"].split("/")[-2]
    by_name = ib.list_image_pipeline_images(imagePipelineArn=arn, filters=[{"name": "name", "values": [recipe_name]}])
    assert len(by_name["imageSummaryList"]) == 3
    by_version = ib.list_image_pipeline_images(imagePipelineArn=arn, filters=[{"name": "version", "values": ["2.0.0"]}])
    assert by_version["imageSummaryList"] == []
    page = ib.list_image_pipeline_images(imagePipelineArn=arn, maxResults=2)
    assert len(page["imageSummaryList"]) == 2 and page["nextToken"]
    with pytest.raises(ClientError) as exc:
        ib.list_image_pipeline_images(imagePipelineArn=arn, nextToken="garbage")
    assert error(exc)[:2] == ("InvalidPaginationTokenException", 400)
    with pytest.raises(ClientError) as exc:
        ib.list_image_pipeline_images(imagePipelineArn=arn, filters=[{"name": "platform", "values": ["Linux"]}])
    assert error(exc)[:2] == ("InvalidParameterValueException", 400)


def test_list_pipeline_images_of_an_unknown_pipeline_is_empty(ib):
    response = ib.list_image_pipeline_images(
        imagePipelineArn="arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/nope")
    assert response["imageSummaryList"] == []


# -- errors the service can answer any time (injected) ---------------------------------------------
_PIPELINE = "arn:aws:imagebuilder:us-east-1:123456789012:image-pipeline/p"
_CALLS = {
    "CreateImagePipeline": ("create_image_pipeline", dict(name="p-pipe", imageRecipeArn="arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/r/1.0.0",
                                                          infrastructureConfigurationArn="arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/i")),
    "UpdateImagePipeline": ("update_image_pipeline", dict(imagePipelineArn=_PIPELINE, imageRecipeArn="arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/r/1.0.0",
                                                          infrastructureConfigurationArn="arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/i")),
    "GetImagePipeline": ("get_image_pipeline", dict(imagePipelineArn=_PIPELINE)),
    "ListImagePipelines": ("list_image_pipelines", {}),
    "DeleteImagePipeline": ("delete_image_pipeline", dict(imagePipelineArn=_PIPELINE)),
    "StartImagePipelineExecution": ("start_image_pipeline_execution", dict(imagePipelineArn=_PIPELINE)),
    "ListImagePipelineImages": ("list_image_pipeline_images", dict(imagePipelineArn=_PIPELINE)),
}
_MODEL = boto3.session.Session().client("imagebuilder", region_name="us-east-1").meta.service_model
_ANY_TIME = {"ServiceException", "ClientException", "ServiceUnavailableException", "ForbiddenException",
             "CallRateLimitExceededException", "ResourceInUseException", "ServiceQuotaExceededException",
             "ResourceDependencyException"}
_INJECTED = [(op, e.name, e.metadata.get("error", {}).get("httpStatusCode"))
             for op in _CALLS for e in _MODEL.operation_model(op).error_shapes if e.name in _ANY_TIME]


@pytest.mark.parametrize("operation, code, status", _INJECTED)
def test_modelled_errors_that_real_conditions_cannot_trigger_can_be_injected(imagebuilder_mock, operation, code, status):
    client = boto3.client("imagebuilder", region_name="us-east-1", config=Config(retries={"total_max_attempts": 1}))
    imagebuilder_mock.inject_error(operation, code)
    method, kwargs = _CALLS[operation]
    with pytest.raises(ClientError) as exc:
        getattr(client, method)(**kwargs)
    assert error(exc)[:2] == (code, status)


@pytest.mark.parametrize("operation, params, missing", [
    ("GetImagePipeline", {}, "imagePipelineArn"),
    ("DeleteImagePipeline", {}, "imagePipelineArn"),
    ("StartImagePipelineExecution", {"clientToken": "t"}, "imagePipelineArn"),
    ("ListImagePipelineImages", {}, "imagePipelineArn"),
    ("UpdateImagePipeline", {"clientToken": "t", "infrastructureConfigurationArn":
                             "arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/i"},
     "imagePipelineArn"),
])
def test_raw_requests_missing_a_required_member_are_invalid_requests(imagebuilder_mock, operation, params, missing):
    status, headers, body = call(imagebuilder_mock, operation, params)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    assert missing in body["message"]


def test_raw_list_with_max_results_over_100_is_rejected(imagebuilder_mock):
    status, headers, body = call(imagebuilder_mock, "ListImagePipelines", {"maxResults": 101})
    assert status == 400 and headers["x-amzn-ErrorType"] == "InvalidParameterValueException"
    assert "maxResults" in body["message"]


TEST_WORKFLOW = """name: test-image
description: Workflow to test an image
schemaVersion: 1.0

steps:
  - name: LaunchTestInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: "ssmAgent"

  - name: TerminateTestInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchTestInstance.instanceId"
"""


def test_test_workflow_with_parallel_group_and_continue_is_kept_as_given(ib, parts):
    # the configuration terraform-provider-aws's acceptance test TestAccImageBuilderImagePipeline_workflow applies
    workflow = ib.create_workflow(name=f.unique("wf"), semanticVersion="1.0.0", type="TEST",
                                  data=TEST_WORKFLOW)["workflowBuildVersionArn"]
    config = [{"workflowArn": workflow, "onFailure": "CONTINUE", "parallelGroup": "test2"}]
    arn = ib.create_image_pipeline(name=f.unique("pipe"), workflows=config, executionRole=ROLE,
                                   **parts)["imagePipelineArn"]
    assert ib.get_image_pipeline(imagePipelineArn=arn)["imagePipeline"]["workflows"] == config
