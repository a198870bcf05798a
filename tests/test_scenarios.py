"""End-to-end scenarios across resource families, as a user's integration test would run them.

Each scenario chains several families (components, recipes, configurations, pipelines, workflows,
images, lifecycle policies, sharing, tags) and asserts what the real service returns at every step.
"""

from __future__ import annotations

import datetime
import json

import boto3
import pytest
import time_machine
from botocore.config import Config
from botocore.exceptions import ClientError
from _model_features import needs_waiter


MONDAY_NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.timezone.utc)
OWNER, PARTNER, TARGET = "123456789012", "111122223333", "444455556666"
PARTNER_KEY = "AKIAPARTNERSCENARIO1"
ROLE = f"arn:aws:iam::{OWNER}:role/ImageBuilderExecution"
LIFECYCLE_ROLE = f"arn:aws:iam::{OWNER}:role/EC2ImageBuilderLifecycleExecutionRole"

COMPONENT_DOC = """name: install-nginx
description: Installs nginx.
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: InstallNginx
        action: ExecuteBash
        inputs:
          commands:
            - sudo yum install -y nginx
"""

APPROVAL_WORKFLOW = """name: build-with-approval
description: Builds an AMI once a person approves it.
schemaVersion: 1.0
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: "ssmAgent"
  - name: ApplyBuildComponents
    action: ExecuteComponents
    onFailure: Abort
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"
  - name: WaitForApproval
    action: WaitForAction
  - name: CreateOutputAMI
    action: CreateImage
    onFailure: Abort
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"
"""


def _error(excinfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _al2(region: str) -> str:
    return f"arn:aws:imagebuilder:{region}:aws:image/amazon-linux-2-x86/x.x.x"


def _share_policy(arn: str, account: str, actions: list[str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": [account]}, "Action": actions, "Resource": [arn]}]})


def _chain(ib, region: str = "us-east-1", suffix: str = "web", distribution: bool = True) -> dict:
    """component → recipe → infrastructure (→ distribution) in `region`; returns their ARNs."""
    component = ib.create_component(name=f"nginx-{suffix}", semanticVersion="1.0.0", platform="Linux",
                                    data=COMPONENT_DOC)["componentBuildVersionArn"]
    recipe = ib.create_image_recipe(name=f"{suffix}-recipe", semanticVersion="1.0.0", parentImage=_al2(region),
                                    components=[{"componentArn": component}])["imageRecipeArn"]
    infra = ib.create_infrastructure_configuration(name=f"{suffix}-infra",
                                                   instanceProfileName="ib-role")["infrastructureConfigurationArn"]
    out = {"component": component, "recipe": recipe, "infra": infra}
    if distribution:
        out["dist"] = ib.create_distribution_configuration(name=f"{suffix}-dist", distributions=[
            {"region": region, "amiDistributionConfiguration": {"name": f"{suffix}-{{{{ imagebuilder:buildDate }}}}"}},
        ])["distributionConfigurationArn"]
    return out


# -- 1. the golden path: approval workflow, two Regions, a target account, lifecycle, sharing, tags --
@pytest.mark.imagebuilder_mock(progression="clock")
@needs_waiter("ImageAvailable")
def test_golden_image_from_pipeline_with_approval_to_sharing(imagebuilder_mock):
    m = imagebuilder_mock
    m.register_access_key(PARTNER_KEY, PARTNER)
    ib = boto3.client("imagebuilder", region_name="us-east-1")
    partner = boto3.client("imagebuilder", region_name="us-east-1",
                           aws_access_key_id=PARTNER_KEY, aws_secret_access_key="unused")

    component = ib.create_component(name="install-nginx", semanticVersion="1.0.0", platform="Linux",
                                    data=COMPONENT_DOC, tags={"team": "web"})["componentBuildVersionArn"]
    assert component == f"arn:aws:imagebuilder:us-east-1:{OWNER}:component/install-nginx/1.0.0/1"
    recipe = ib.create_image_recipe(
        name="Golden Web", semanticVersion="1.0.0", parentImage=_al2("us-east-1"),
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"},
                    {"componentArn": component}])["imageRecipeArn"]
    assert recipe == f"arn:aws:imagebuilder:us-east-1:{OWNER}:image-recipe/golden-web/1.0.0"
    infra = ib.create_infrastructure_configuration(name="web-builders", instanceProfileName="ib-role",
                                                   instanceTypes=["m5.large"])["infrastructureConfigurationArn"]
    dist = ib.create_distribution_configuration(name="web-dist", distributions=[
        {"region": "us-east-1", "amiDistributionConfiguration": {
            "name": "golden-web-{{ imagebuilder:buildDate }}", "targetAccountIds": [OWNER, TARGET]}},
        {"region": "eu-west-1", "amiDistributionConfiguration": {
            "name": "golden-web-{{ imagebuilder:buildDate }}", "description": "Golden web image"}},
    ])["distributionConfigurationArn"]
    assert ib.get_distribution_configuration(distributionConfigurationArn=dist)[
        "distributionConfiguration"]["timeoutMinutes"] == 720
    workflow = ib.create_workflow(name="build-with-approval", semanticVersion="1.0.0", type="BUILD",
                                  data=APPROVAL_WORKFLOW)["workflowBuildVersionArn"]
    assert workflow == f"arn:aws:imagebuilder:us-east-1:{OWNER}:workflow/build/build-with-approval/1.0.0/1"

    pipeline = ib.create_image_pipeline(
        name="golden-web", imageRecipeArn=recipe, infrastructureConfigurationArn=infra,
        distributionConfigurationArn=dist, executionRole=ROLE,
        workflows=[{"workflowArn": workflow},
                   {"workflowArn": "arn:aws:imagebuilder:us-east-1:aws:workflow/test/test-image/x.x.x"}],
    )["imagePipelineArn"]
    got = ib.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
    assert (got["status"], got["platform"], got["imageTestsConfiguration"]) == (
        "ENABLED", "Linux", {"imageTestsEnabled": True, "timeoutMinutes": 720})
    assert "dateLastRun" not in got and "schedule" not in got

    arn = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    assert arn == f"arn:aws:imagebuilder:us-east-1:{OWNER}:image/golden-web/1.0.0/1"
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"]["status"] == "PENDING"
    assert (image["sourcePipelineArn"], image["buildType"], image["imageSource"]) == (
        pipeline, "USER_INITIATED", "AMAZON_MANAGED")
    assert "sourcePipelineName" not in image

    # The build reaches the approval step and waits there, however long the clock runs.
    m.clock.advance(hours=2)
    assert ib.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "BUILDING"
    (waiting,) = ib.list_waiting_workflow_steps()["steps"]
    assert (waiting["name"], waiting["action"], waiting["imageBuildVersionArn"]) == (
        "WaitForApproval", "WaitForAction", arn)
    executions = ib.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"]
    assert any(e["workflowBuildVersionArn"] == workflow and e["status"] == "RUNNING" for e in executions)

    sent = ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=arn,
                                        action="RESUME", reason="Approved by the release manager")
    assert (sent["stepExecutionId"], sent["imageBuildVersionArn"]) == (waiting["stepExecutionId"], arn)
    assert ib.list_waiting_workflow_steps()["steps"] == []
    ib.get_waiter("image_available").wait(imageBuildVersionArn=arn)

    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"] == {"status": "AVAILABLE"}
    amis = image["outputResources"]["amis"]
    assert sorted((a["region"], a["accountId"]) for a in amis) == [
        ("eu-west-1", OWNER), ("us-east-1", OWNER), ("us-east-1", TARGET)]
    assert len({a["image"] for a in amis}) == 3
    assert all(a["name"].startswith("golden-web-") and a["image"].startswith("ami-") for a in amis)
    assert [a.get("description") for a in amis if a["region"] == "eu-west-1"] == ["Golden web image"]
    steps = {e["workflowBuildVersionArn"]: e["status"]
             for e in ib.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"]}
    assert steps[workflow] == "COMPLETED"

    (listed,) = ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    assert (listed["arn"], listed["state"]["status"], listed["version"]) == (arn, "AVAILABLE", "1.0.0/1")
    assert ib.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]["dateLastRun"]

    # Lifecycle: a second build a month later; the first one is deprecated by the daily run.
    m.clock.advance(days=40)
    second = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    assert second.endswith("/golden-web/1.0.0/2")
    m.clock.advance(hours=2)
    (waiting,) = ib.list_waiting_workflow_steps()["steps"]
    ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=second,
                                 action="RESUME")
    ib.get_waiter("image_available").wait(imageBuildVersionArn=second)
    policy = ib.create_lifecycle_policy(
        name="deprecate-old-web", executionRole=LIFECYCLE_ROLE, resourceType="AMI_IMAGE",
        policyDetails=[{"action": {"type": "DEPRECATE"}, "filter": {"type": "AGE", "value": 30, "unit": "DAYS"}}],
        resourceSelection={"recipes": [{"name": "Golden Web", "semanticVersion": "1.x.x"}]},
    )["lifecyclePolicyArn"]
    m.clock.advance(days=1, minutes=1)
    (run,) = ib.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]
    assert run["state"]["status"] == "SUCCESS"
    first = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert first["state"]["status"] == "DEPRECATED" and first["lifecycleExecutionId"] == run["lifecycleExecutionId"]
    assert "deprecationTime" in first
    assert ib.get_image(imageBuildVersionArn=second)["image"]["state"]["status"] == "AVAILABLE"
    # the version ARN resolves to the latest AVAILABLE build only
    latest = ib.get_image(imageBuildVersionArn=arn.rsplit("/", 1)[0])["image"]
    assert latest["arn"] == second

    # Sharing the newest build with a partner account, who builds on it.
    ib.put_image_policy(imageArn=second, policy=_share_policy(second, PARTNER, ["imagebuilder:GetImage",
                                                                               "imagebuilder:ListImages"]))
    shared = partner.list_images(owner="Shared")["imageVersionList"]
    assert [(i["arn"], i["owner"]) for i in shared] == [(second.rsplit("/", 1)[0], OWNER)]
    assert partner.get_image(imageBuildVersionArn=second)["image"]["arn"] == second
    partner_recipe = partner.create_image_recipe(name="partner-web", semanticVersion="2.0.0",
                                                 parentImage=second)["imageRecipeArn"]
    partner_infra = partner.create_infrastructure_configuration(
        name="partner-infra", instanceProfileName="ib-role")["infrastructureConfigurationArn"]
    partner_build = partner.create_image(imageRecipeArn=partner_recipe,
                                         infrastructureConfigurationArn=partner_infra)["imageBuildVersionArn"]
    assert partner_build == f"arn:aws:imagebuilder:us-east-1:{PARTNER}:image/partner-web/2.0.0/1"
    partner.get_waiter("image_available").wait(imageBuildVersionArn=partner_build)
    built = partner.get_image(imageBuildVersionArn=partner_build)["image"]
    assert (built["imageSource"], built["osVersion"]) == ("CUSTOM", "Amazon Linux 2")

    with pytest.raises(ClientError) as e:
        ib.delete_image(imageBuildVersionArn=second)
    assert _error(e) == ("ResourceDependencyException", 400)
    assert second in e.value.response["Error"]["Message"]

    # Tags on the image, the pipeline and the component build, seen by Get and List.
    ib.tag_resource(resourceArn=arn, tags={"stage": "retired"})
    ib.tag_resource(resourceArn=pipeline, tags={"owner": "platform"})
    ib.tag_resource(resourceArn=component, tags={"reviewed": "yes"})
    assert ib.get_image(imageBuildVersionArn=arn)["image"]["tags"] == {"stage": "retired"}
    assert ib.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]["tags"] == {"owner": "platform"}
    assert ib.get_component(componentBuildVersionArn=component)["component"]["tags"] == {
        "team": "web", "reviewed": "yes"}
    builds = ib.list_image_build_versions(imageVersionArn=arn.rsplit("/", 1)[0])["imageSummaryList"]
    assert {b["arn"]: b["tags"] for b in builds} == {arn: {"stage": "retired"}, second: {}}
    assert ib.list_image_pipelines()["imagePipelineList"][0]["tags"] == {"owner": "platform"}
    ib.untag_resource(resourceArn=component, tagKeys=["team"])
    assert ib.list_tags_for_resource(resourceArn=component)["tags"] == {"reviewed": "yes"}


# -- 2. schedules on the simulated clock ---------------------------------------------------------
@pytest.mark.imagebuilder_mock(progression="clock")
def test_nightly_pipeline_over_several_days_in_clock_mode(imagebuilder_mock):
    with time_machine.travel(MONDAY_NOON, tick=False):
        _nightly_pipeline(imagebuilder_mock)


def _nightly_pipeline(m) -> None:
    ib = boto3.client("imagebuilder", region_name="us-east-1")
    chain = _chain(ib)
    pipeline = ib.create_image_pipeline(
        name="nightly", imageRecipeArn=chain["recipe"], infrastructureConfigurationArn=chain["infra"],
        distributionConfigurationArn=chain["dist"],
        schedule={"scheduleExpression": "cron(0 3 * * ? *)", "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"},
    )["imagePipelineArn"]
    got = ib.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
    assert got["schedule"] == {"scheduleExpression": "cron(0 3 * * ? *)",
                               "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"}
    assert "dateNextRun" in got and "dateLastRun" not in got

    m.clock.advance(days=3)
    builds = ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    assert len(builds) == 3
    assert sorted((b["dateCreated"], b["version"]) for b in builds) == [
        ("2026-03-03T03:00:00.000Z", "1.0.0/1"), ("2026-03-04T03:00:00.000Z", "1.0.0/2"),
        ("2026-03-05T03:00:00.000Z", "1.0.0/3")]
    assert {b["buildType"] for b in builds} == {"SCHEDULED"}
    # each build started at 03:00 and took about 53 simulated minutes: all finished by now
    assert {b["state"]["status"] for b in builds} == {"AVAILABLE"}
    got = ib.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
    assert got["dateLastRun"] == max(b["dateCreated"] for b in builds)
    assert (got["dateLastRun"], got["dateNextRun"]) == ("2026-03-05T03:00:00.000Z", "2026-03-06T03:00:00.000Z")

    # A disabled pipeline does not build on schedule; a manual run still works (MODEL).
    ib.update_image_pipeline(imagePipelineArn=pipeline, imageRecipeArn=chain["recipe"],
                             infrastructureConfigurationArn=chain["infra"],
                             distributionConfigurationArn=chain["dist"], status="DISABLED",
                             schedule={"scheduleExpression": "cron(0 3 * * ? *)",
                                       "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"})
    m.clock.advance(days=2)
    assert len(ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]) == 3
    manual = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    assert manual.endswith("/1.0.0/4")
    assert ib.get_image(imageBuildVersionArn=manual)["image"]["buildType"] == "USER_INITIATED"


@pytest.mark.imagebuilder_mock(progression="poll")
def test_scheduled_builds_in_poll_mode_move_only_when_polled(imagebuilder_mock):
    with time_machine.travel(MONDAY_NOON, tick=False):
        _daily_pipeline_polled(imagebuilder_mock)


def _daily_pipeline_polled(m) -> None:
    ib = boto3.client("imagebuilder", region_name="us-east-1")
    chain = _chain(ib, distribution=False)
    pipeline = ib.create_image_pipeline(
        name="daily", imageRecipeArn=chain["recipe"], infrastructureConfigurationArn=chain["infra"],
        schedule={"scheduleExpression": "rate(1 day)", "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"},
    )["imagePipelineArn"]
    m.clock.advance(days=2, minutes=1)
    builds = ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    assert len(builds) == 2
    # List operations never count as polls: the scheduled builds are still PENDING
    assert {b["state"]["status"] for b in builds} == {"PENDING"}
    first = min(builds, key=lambda b: b["dateCreated"])["arn"]
    seen = [ib.get_image(imageBuildVersionArn=first)["image"]["state"]["status"] for _ in range(8)]
    assert seen == ["PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE",
                    "AVAILABLE"]
    statuses = {b["arn"]: b["state"]["status"]
                for b in ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]}
    assert sorted(statuses.values()) == ["AVAILABLE", "PENDING"]


# -- 3. failures: a pipeline's builds fail, RetryImage resumes them --------------------------------
@needs_waiter("ImageAvailable")
def test_failed_pipeline_build_is_retried_in_place(imagebuilder_mock):
    m = imagebuilder_mock
    ib = boto3.client("imagebuilder", region_name="us-east-1")
    chain = _chain(ib)
    pipeline = ib.create_image_pipeline(name="flaky", imageRecipeArn=chain["recipe"],
                                        infrastructureConfigurationArn=chain["infra"],
                                        distributionConfigurationArn=chain["dist"])["imagePipelineArn"]
    other = ib.create_image_pipeline(name="steady", imageRecipeArn=chain["recipe"],
                                     infrastructureConfigurationArn=chain["infra"])["imagePipelineArn"]
    m.fail_builds(reason="Distribution to us-east-1 failed: AMI copy timed out", at="DISTRIBUTING", match=pipeline)

    steady = ib.start_image_pipeline_execution(imagePipelineArn=other)["imageBuildVersionArn"]
    assert ib.get_image(imageBuildVersionArn=steady)["image"]["state"]["status"] == "AVAILABLE"
    arn = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    assert steady.endswith("/1.0.0/1") and arn.endswith("/1.0.0/2")
    with pytest.raises(Exception) as waited:
        ib.get_waiter("image_available").wait(imageBuildVersionArn=arn)
    assert type(waited.value).__name__ == "WaiterError"
    state = ib.get_image(imageBuildVersionArn=arn)["image"]["state"]
    assert state == {"status": "FAILED", "reason": "Distribution to us-east-1 failed: AMI copy timed out",
                     "failureContext": {"imageStatus": "DISTRIBUTING"}}
    # the build Region's AMI was made before distribution failed
    failed = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert [a["region"] for a in failed["outputResources"]["amis"]] == ["us-east-1"]

    with pytest.raises(ClientError) as e:
        ib.cancel_image_creation(imageBuildVersionArn=arn)
    assert _error(e) == ("ResourceInUseException", 400)
    retried = ib.retry_image(imageBuildVersionArn=arn)
    assert retried["imageBuildVersionArn"] == arn and "clientToken" in retried
    ib.get_waiter("image_available").wait(imageBuildVersionArn=arn)
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"] == {"status": "AVAILABLE"}
    assert [a["image"] for a in image["outputResources"]["amis"]] == \
        [a["image"] for a in failed["outputResources"]["amis"]]
    builds = ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    assert [(b["arn"], b["state"]["status"]) for b in builds] == [(arn, "AVAILABLE")]
    with pytest.raises(ClientError) as e:
        ib.retry_image(imageBuildVersionArn=arn)
    assert _error(e) == ("ResourceInUseException", 400)


# -- 4. transient errors: botocore retries an injected throttle, one build results ----------------
def test_injected_errors_on_start_pipeline_execution_are_retried_by_botocore(imagebuilder_mock):
    m = imagebuilder_mock
    ib = boto3.client("imagebuilder", region_name="us-east-1",
                      config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    chain = _chain(ib)
    pipeline = ib.create_image_pipeline(name="retried", imageRecipeArn=chain["recipe"],
                                        infrastructureConfigurationArn=chain["infra"])["imagePipelineArn"]

    m.inject_error("StartImagePipelineExecution", "ServiceUnavailableException", count=2)
    response = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert response["imageBuildVersionArn"].endswith("/1.0.0/1")
    assert len(ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]) == 1

    m.inject_error("StartImagePipelineExecution", "TooManyRequestsException", count=3)
    with pytest.raises(ClientError) as e:
        ib.start_image_pipeline_execution(imagePipelineArn=pipeline)
    assert _error(e) == ("TooManyRequestsException", 429)
    assert e.value.response["ResponseMetadata"]["RetryAttempts"] == 2  # max_attempts spent
    # botocore does not know the service's own CallRateLimitExceededException as a throttle
    m.inject_error("StartImagePipelineExecution", "CallRateLimitExceededException")
    with pytest.raises(ClientError) as e:
        ib.start_image_pipeline_execution(imagePipelineArn=pipeline)
    assert _error(e) == ("CallRateLimitExceededException", 429)
    assert e.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]) == 1

    m.inject_error("StartImagePipelineExecution", "ResourceInUseException")  # not retryable
    with pytest.raises(ClientError) as e:
        ib.start_image_pipeline_execution(imagePipelineArn=pipeline)
    assert _error(e) == ("ResourceInUseException", 400)
    assert e.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    second = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    assert second.endswith("/1.0.0/2")


# -- 5. tearing everything down in dependency order ------------------------------------------------
def test_teardown_in_dependency_order_refuses_each_step_too_early(imagebuilder_mock):
    ib = boto3.client("imagebuilder", region_name="us-east-1")
    chain = _chain(ib)
    pipeline = ib.create_image_pipeline(name="teardown", imageRecipeArn=chain["recipe"],
                                        infrastructureConfigurationArn=chain["infra"],
                                        distributionConfigurationArn=chain["dist"])["imagePipelineArn"]
    image = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    assert ib.get_image(imageBuildVersionArn=image)["image"]["state"]["status"] == "AVAILABLE"

    def refused(call, **kw):
        with pytest.raises(ClientError) as e:
            call(**kw)
        assert _error(e) == ("ResourceDependencyException", 400)
        arn = next(iter(kw.values()))
        assert e.value.response["Error"]["Message"] == \
            f"Resource dependency error: The resource ARN '{arn}' has other resources depended on it."

    refused(ib.delete_component, componentBuildVersionArn=chain["component"])
    refused(ib.delete_image_recipe, imageRecipeArn=chain["recipe"])
    refused(ib.delete_infrastructure_configuration, infrastructureConfigurationArn=chain["infra"])
    refused(ib.delete_distribution_configuration, distributionConfigurationArn=chain["dist"])

    assert ib.delete_image_pipeline(imagePipelineArn=pipeline)["imagePipelineArn"] == pipeline
    # images the pipeline made stay (MODEL)
    assert ib.get_image(imageBuildVersionArn=image)["image"]["sourcePipelineArn"] == pipeline
    refused(ib.delete_component, componentBuildVersionArn=chain["component"])  # the recipe still uses it
    assert ib.delete_image_recipe(imageRecipeArn=chain["recipe"])["imageRecipeArn"] == chain["recipe"]
    assert ib.delete_infrastructure_configuration(infrastructureConfigurationArn=chain["infra"])[
        "infrastructureConfigurationArn"] == chain["infra"]
    assert ib.delete_distribution_configuration(distributionConfigurationArn=chain["dist"])[
        "distributionConfigurationArn"] == chain["dist"]
    assert ib.delete_component(componentBuildVersionArn=chain["component"])[
        "componentBuildVersionArn"] == chain["component"]
    assert ib.delete_image(imageBuildVersionArn=image)["imageBuildVersionArn"] == image

    for call, kw in ((ib.get_image_pipeline, {"imagePipelineArn": pipeline}),
                     (ib.get_image_recipe, {"imageRecipeArn": chain["recipe"]}),
                     (ib.get_infrastructure_configuration, {"infrastructureConfigurationArn": chain["infra"]}),
                     (ib.get_distribution_configuration, {"distributionConfigurationArn": chain["dist"]}),
                     (ib.get_component, {"componentBuildVersionArn": chain["component"]}),
                     (ib.get_image, {"imageBuildVersionArn": image})):
        with pytest.raises(ClientError) as e:
            call(**kw)
        assert _error(e) == ("ResourceNotFoundException", 404)
    assert ib.list_images()["imageVersionList"] == []
    assert ib.list_components()["componentVersionList"] == []
    assert ib.list_image_pipelines()["imagePipelineList"] == []


# -- 6. Regions are separate worlds ---------------------------------------------------------------
def test_two_regions_are_isolated(imagebuilder_mock):
    east = boto3.client("imagebuilder", region_name="us-east-1")
    west = boto3.client("imagebuilder", region_name="eu-west-1")
    east_chain = _chain(east, "us-east-1", "app")
    west_chain = _chain(west, "eu-west-1", "app")  # same names: no conflict across Regions
    assert east_chain["recipe"] == f"arn:aws:imagebuilder:us-east-1:{OWNER}:image-recipe/app-recipe/1.0.0"
    assert west_chain["recipe"] == f"arn:aws:imagebuilder:eu-west-1:{OWNER}:image-recipe/app-recipe/1.0.0"
    assert [r["arn"] for r in east.list_image_recipes()["imageRecipeSummaryList"]] == [east_chain["recipe"]]
    assert [r["arn"] for r in west.list_image_recipes()["imageRecipeSummaryList"]] == [west_chain["recipe"]]

    # another Region's resources are not found, in reads and as references
    for call, kw in ((west.get_image_recipe, {"imageRecipeArn": east_chain["recipe"]}),
                     (west.get_component, {"componentBuildVersionArn": east_chain["component"]}),
                     (west.get_infrastructure_configuration, {"infrastructureConfigurationArn": east_chain["infra"]}),
                     (west.get_image, {"imageBuildVersionArn": _al2("us-east-1")})):
        with pytest.raises(ClientError) as e:
            call(**kw)
        assert _error(e) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as e:
        west.create_image(imageRecipeArn=east_chain["recipe"], infrastructureConfigurationArn=west_chain["infra"])
    assert _error(e) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as e:
        west.create_image(imageRecipeArn=west_chain["recipe"], infrastructureConfigurationArn=east_chain["infra"])
    assert _error(e) == ("ResourceNotFoundException", 404)

    west_image = west.create_image(imageRecipeArn=west_chain["recipe"],
                                   infrastructureConfigurationArn=west_chain["infra"],
                                   distributionConfigurationArn=west_chain["dist"])["imageBuildVersionArn"]
    assert west_image.startswith(f"arn:aws:imagebuilder:eu-west-1:{OWNER}:image/app-recipe/1.0.0/")
    assert west_image.endswith("/1")
    amis = west.get_image(imageBuildVersionArn=west_image)["image"]["outputResources"]["amis"]
    assert [(a["region"], a["accountId"]) for a in amis] == [("eu-west-1", OWNER)]
    assert east.list_images()["imageVersionList"] == []
    east_image = east.create_image(imageRecipeArn=east_chain["recipe"],
                                   infrastructureConfigurationArn=east_chain["infra"])["imageBuildVersionArn"]
    assert east_image.endswith("/1.0.0/1")  # build numbers count per Region
    assert west.list_image_build_versions(imageVersionArn=east_image.rsplit("/", 1)[0])["imageSummaryList"] == []
    # tags are per Region too
    with pytest.raises(ClientError) as e:
        east.tag_resource(resourceArn=west_image, tags={"k": "v"})
    assert _error(e)[1] == 404


# -- 7. idempotent replays never start a second build ---------------------------------------------
def test_client_token_replays_do_not_start_second_builds(imagebuilder_mock):
    ib = boto3.client("imagebuilder", region_name="us-east-1")
    chain = _chain(ib)
    pipeline = ib.create_image_pipeline(name="idem", imageRecipeArn=chain["recipe"],
                                        infrastructureConfigurationArn=chain["infra"])["imagePipelineArn"]

    first = ib.create_image(imageRecipeArn=chain["recipe"], infrastructureConfigurationArn=chain["infra"],
                            clientToken="build-2026-03-02")
    again = ib.create_image(imageRecipeArn=chain["recipe"], infrastructureConfigurationArn=chain["infra"],
                            clientToken="build-2026-03-02")
    assert again["imageBuildVersionArn"] == first["imageBuildVersionArn"]
    assert again["requestId"] != first["requestId"] and again["clientToken"] == "build-2026-03-02"  # its own id
    with pytest.raises(ClientError) as e:
        ib.create_image(imageRecipeArn=chain["recipe"], infrastructureConfigurationArn=chain["infra"],
                        clientToken="build-2026-03-02", tags={"other": "parameters"})
    assert _error(e) == ("IdempotentParameterMismatchException", 400)

    run = ib.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="nightly-2026-03-02")
    replay = ib.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="nightly-2026-03-02")
    assert replay["imageBuildVersionArn"] == run["imageBuildVersionArn"]
    with pytest.raises(ClientError) as e:
        ib.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="nightly-2026-03-02",
                                          tags={"late": "tag"})
    assert _error(e) == ("IdempotentParameterMismatchException", 400)
    # a token is case-sensitive: a different one builds again
    other = ib.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="NIGHTLY-2026-03-02")

    builds = ib.list_image_build_versions(imageVersionArn=first["imageBuildVersionArn"].rsplit("/", 1)[0])
    assert sorted(b["arn"].rsplit("/", 1)[1] for b in builds["imageSummaryList"]) == ["1", "2", "3"]
    assert [b["arn"] for b in ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]] == \
        [run["imageBuildVersionArn"], other["imageBuildVersionArn"]]
    # the replay after the build finished still answers with the first response
    assert ib.get_image(imageBuildVersionArn=run["imageBuildVersionArn"])["image"]["state"]["status"] == "AVAILABLE"
    late = ib.start_image_pipeline_execution(imagePipelineArn=pipeline, clientToken="nightly-2026-03-02")
    assert late["imageBuildVersionArn"] == run["imageBuildVersionArn"]


# -- 8. a Marketplace component in a scanned build ------------------------------------------------
@pytest.mark.imagebuilder_mock(progression="poll")
def test_marketplace_component_in_a_scanned_pipeline_build(imagebuilder_mock):
    ib = boto3.client("imagebuilder", region_name="us-east-1")
    marketplace = ib.list_components(owner="AWSMarketplace", filters=[{"name": "platform", "values": ["Linux"]}],
                                     byName=True)["componentVersionList"]
    (agent,) = marketplace
    assert agent["owner"] == "AWSMarketplace" and ":aws-marketplace:component/" in agent["arn"]
    assert agent["productCodes"][0]["productCodeType"] == "marketplace"
    got = ib.get_component(componentBuildVersionArn=agent["arn"])["component"]
    assert (got["arn"], got["owner"]) == (agent["arn"] + "/1", "AWSMarketplace")
    assert ib.list_components(owner="ThirdParty")["componentVersionList"] == []

    latest = agent["arn"].rsplit("/", 1)[0] + "/x.x.x"
    recipe = ib.create_image_recipe(
        name="agent-recipe", semanticVersion="1.0.0",
        parentImage="arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x",
        components=[{"componentArn": latest}])["imageRecipeArn"]
    assert ib.get_image_recipe(imageRecipeArn=recipe)["imageRecipe"]["components"] == [{"componentArn": latest}]
    infra = ib.create_infrastructure_configuration(name="agent-infra",
                                                   instanceProfileName="ib-role")["infrastructureConfigurationArn"]
    pipeline = ib.create_image_pipeline(name="agent", imageRecipeArn=recipe, infrastructureConfigurationArn=infra,
                                        imageScanningConfiguration={"imageScanningEnabled": True})["imagePipelineArn"]
    arn = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    seen = []
    for _ in range(7):
        image = ib.get_image(imageBuildVersionArn=arn)["image"]
        seen.append((image["state"]["status"], image["scanState"]["status"]))
    assert seen == [("PENDING", "PENDING"), ("CREATING", "PENDING"), ("BUILDING", "PENDING"),
                    ("TESTING", "SCANNING"), ("DISTRIBUTING", "COLLECTING"), ("INTEGRATING", "COMPLETED"),
                    ("AVAILABLE", "COMPLETED")]
    assert (image["imageSource"], image["osVersion"]) == ("AMAZON_MANAGED", "Amazon Linux 2023")
    assert image["imageScanningConfiguration"] == {"imageScanningEnabled": True}

    # the component cannot be deleted by anyone: it is not the caller's
    with pytest.raises(ClientError) as e:
        ib.delete_component(componentBuildVersionArn=agent["arn"] + "/1")
    assert _error(e) == ("ResourceNotFoundException", 404)
