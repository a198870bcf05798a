"""Differences the AWS CLI's examples, the JS SDK and Terraform's provider found (issue 16), each checked
through boto3: what AWS answers, per docs/service-behavior.md "What the AWS CLI and the JS SDK found"."""

from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError

import factories
from factories import AL2, error, sharing_policy
from rawhttp import call

OWNER = "123456789012"
OTHER = "444455556666"


def _bare_recipe(ib, components=()) -> str:
    args = dict(name=factories.unique("recipe"), semanticVersion="1.0.0", parentImage=AL2.format(region="us-east-1"))
    if components:
        args["components"] = [{"componentArn": c} for c in components]
    return ib.create_image_recipe(**args)["imageRecipeArn"]


def _built(ib, recipe: str, **kw) -> str:
    arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=factories.infrastructure(ib),
                          **kw)["imageBuildVersionArn"]
    assert ib.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE"
    return arn


# -- Delete* with a resource policy ------------------------------------------------------------------
def _owner_only(arn: str, action: str) -> str:
    return sharing_policy(arn, [action], [OWNER])


def test_a_component_whose_policy_names_only_its_owner_can_be_deleted(ib):
    arn = factories.component(ib)
    ib.put_component_policy(componentArn=arn, policy=_owner_only(arn, "imagebuilder:GetComponent"))
    assert ib.delete_component(componentBuildVersionArn=arn)["componentBuildVersionArn"] == arn
    with pytest.raises(ClientError) as exc:
        ib.get_component(componentBuildVersionArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_a_recipe_whose_policy_names_only_its_owner_can_be_deleted(ib):
    arn = _bare_recipe(ib)
    ib.put_image_recipe_policy(imageRecipeArn=arn, policy=sharing_policy(
        arn, ["imagebuilder:GetImageRecipe"], [f"arn:aws:iam::{OWNER}:root"]))
    assert ib.delete_image_recipe(imageRecipeArn=arn)["imageRecipeArn"] == arn


def test_an_image_whose_policy_names_only_its_owner_can_be_deleted(ib):
    arn = _built(ib, _bare_recipe(ib))
    ib.put_image_policy(imageArn=arn, policy=_owner_only(arn, "imagebuilder:GetImage"))
    assert ib.delete_image(imageBuildVersionArn=arn)["imageBuildVersionArn"] == arn


@pytest.mark.parametrize("principals", [[OTHER], [OWNER, OTHER], [f"arn:aws:iam::{OTHER}:root"]],
                         ids=["other", "owner-and-other", "other-root"])
def test_a_component_shared_with_another_account_cannot_be_deleted(ib, principals):
    arn = factories.component(ib)
    ib.put_component_policy(componentArn=arn, policy=sharing_policy(arn, ["imagebuilder:GetComponent"], principals))
    with pytest.raises(ClientError) as exc:
        ib.delete_component(componentBuildVersionArn=arn)
    assert error(exc) == ("ResourceDependencyException", 400)
    assert arn in exc.value.response["Error"]["Message"]


# -- ListWorkflowBuildVersions -------------------------------------------------------------------------
WORKFLOW = """name: wf
description: A build workflow.
schemaVersion: 1.0
steps:
  - name: Launch
    action: LaunchInstance
    onFailure: Abort
"""


def test_workflow_build_versions_come_most_recent_first_without_empty_tags(ib):
    arns = [ib.create_workflow(name="wflow", semanticVersion=version, type="BUILD", data=WORKFLOW,
                               **({"tags": {"k": "v"}} if version == "1.0.1" else {}))["workflowBuildVersionArn"]
            for version in ("1.0.0", "1.0.1", "2.0.0")]
    version_arn = arns[0].rsplit("/", 2)[0] + "/x.x.x"
    summaries = ib.list_workflow_build_versions(workflowVersionArn=version_arn)["workflowSummaryList"]
    assert [s["arn"] for s in summaries] == arns[::-1]
    assert [s.get("tags") for s in summaries] == [None, {"k": "v"}, None]


# -- workflow executions ---------------------------------------------------------------------------------
def test_managed_workflows_skip_the_components_step_of_a_recipe_without_components(ib, imagebuilder_mock):
    image = _built(ib, _bare_recipe(ib))
    status, _, body = call(imagebuilder_mock, "ListWorkflowExecutions", {"imageBuildVersionArn": image})
    assert status == 200 and "message" not in body
    counts = {e["type"]: (e["totalStepCount"], e["totalStepsSucceeded"], e["totalStepsSkipped"])
              for e in body["workflowExecutions"]}
    assert counts == {"BUILD": (7, 5, 2), "TEST": (4, 2, 2)}
    assert all("message" not in e for e in body["workflowExecutions"])  # absent, never null
    for execution in body["workflowExecutions"]:
        status, _, steps = call(imagebuilder_mock, "ListWorkflowStepExecutions",
                                {"workflowExecutionId": execution["workflowExecutionId"]})
        assert status == 200 and "message" not in steps
        assert all(None not in s.values() and "message" not in s for s in steps["steps"])
        named = {s["name"]: s["status"] for s in steps["steps"]}
        assert named.get("ApplyBuildComponents", named.get("ApplyTestComponents")) == "SKIPPED"


def test_managed_workflows_apply_the_components_of_a_recipe_with_components(ib):
    image = _built(ib, _bare_recipe(ib, [factories.component(ib)]))
    executions = ib.list_workflow_executions(imageBuildVersionArn=image)["workflowExecutions"]
    build = next(e for e in executions if e["type"] == "BUILD")
    steps = ib.list_workflow_step_executions(workflowExecutionId=build["workflowExecutionId"])["steps"]
    assert {s["name"]: s["status"] for s in steps}["ApplyBuildComponents"] == "COMPLETED"


# -- ListLifecycleExecutionResources of a scheduled update -------------------------------------------
def test_a_scheduled_deprecation_lists_no_resources_before_its_time(ib, imagebuilder_mock):
    image = _built(ib, _bare_recipe(ib))
    when = imagebuilder_mock.clock.now() + datetime.timedelta(days=2)
    execution = ib.start_resource_state_update(resourceArn=image, state={"status": "DEPRECATED"},
                                               updateAt=when)["lifecycleExecutionId"]
    out = ib.list_lifecycle_execution_resources(lifecycleExecutionId=execution)
    assert out["resources"] == [] and out["lifecycleExecutionState"]["status"] == "IN_PROGRESS"
    imagebuilder_mock.clock.advance(days=2, seconds=1)
    resources = ib.list_lifecycle_execution_resources(lifecycleExecutionId=execution)["resources"]
    assert [r["state"]["status"] for r in resources] == ["SUCCESS"]


# -- ListImageScanFindings ---------------------------------------------------------------------------------
def test_scan_findings_report_epoch_version_and_release_apart(ib):
    _built(ib, _bare_recipe(ib), imageScanningConfiguration={"imageScanningEnabled": True})
    findings = ib.list_image_scan_findings()["findings"]
    assert findings
    for finding in findings:
        package = finding["packageVulnerabilityDetails"]["vulnerablePackages"][0]
        assert isinstance(package["epoch"], int) and "-" not in package["version"]
        assert package["release"] and package["release"][0].isdigit()
        recommendation = finding["remediation"]["recommendation"]
        if finding["fixAvailable"] == "NO":
            assert recommendation == {"text": "None Provided"}


# -- AMI names --------------------------------------------------------------------------------------
def test_build_date_in_ami_names_has_milliseconds(ib):
    dist = factories.distribution(ib)
    recipe = _bare_recipe(ib)
    image = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=factories.infrastructure(ib),
                            distributionConfigurationArn=dist)["imageBuildVersionArn"]
    amis = ib.get_image(imageBuildVersionArn=image)["image"]["outputResources"]["amis"]
    assert amis and all(re.fullmatch(r"golden-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z", a["name"]) for a in amis)


# -- CreateComponent with `schemaVersion: 1` -------------------------------------------------------
def test_a_document_with_an_integer_schema_version_is_accepted(ib):
    data = factories.LINUX_DOC.replace("schemaVersion: 1.0", "schemaVersion: 1")
    arn = factories.component(ib, data=data)
    assert ib.get_component(componentBuildVersionArn=arn)["component"]["data"] == data


@pytest.mark.parametrize("version", ["2", "0.9", "true"])
def test_other_schema_versions_are_still_refused(ib, version):
    with pytest.raises(ClientError) as exc:
        factories.component(ib, data=factories.LINUX_DOC.replace("schemaVersion: 1.0", f"schemaVersion: {version}"))
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert "schemaVersion" in exc.value.response["Error"]["Message"]


# -- dateUpdated -------------------------------------------------------------------------------------
def test_updates_set_date_updated_on_configurations(ib, imagebuilder_mock):
    dist = factories.distribution(ib)
    infra = factories.infrastructure(ib)
    assert "dateUpdated" not in ib.get_distribution_configuration(
        distributionConfigurationArn=dist)["distributionConfiguration"]
    imagebuilder_mock.clock.advance(seconds=5)
    ib.update_distribution_configuration(distributionConfigurationArn=dist, description="changed", distributions=[
        {"region": "us-east-1", "amiDistributionConfiguration": {"name": "n-{{ imagebuilder:buildDate }}"}}])
    ib.update_infrastructure_configuration(infrastructureConfigurationArn=infra, instanceProfileName="other")
    got_dist = ib.get_distribution_configuration(distributionConfigurationArn=dist)["distributionConfiguration"]
    got_infra = ib.get_infrastructure_configuration(
        infrastructureConfigurationArn=infra)["infrastructureConfiguration"]
    for item in (got_dist, got_infra):
        assert item["dateUpdated"] > item["dateCreated"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", item["dateUpdated"])


# -- no null on the wire ---------------------------------------------------------------------------------
@pytest.mark.parametrize("generated", [False, True], ids=["closures", "generated"])
def test_the_serialiser_drops_none_members_everywhere(generated):
    from imagebuilder_mock._engine._model import service_model
    from imagebuilder_mock._engine._serializer import Serializer

    model = service_model()
    out = Serializer(generated).serialize(model.operation_model("ListWorkflowExecutions").output_shape, {
        "requestId": "r", "imageBuildVersionArn": "arn", "message": None, "nextToken": None,
        "workflowExecutions": [{"workflowExecutionId": "wf-1", "status": "COMPLETED", "message": None,
                                "startTime": None, "retried": False}]})
    assert out == {"requestId": "r", "imageBuildVersionArn": "arn",
                   "workflowExecutions": [{"workflowExecutionId": "wf-1", "status": "COMPLETED", "retried": False}]}
