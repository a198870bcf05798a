"""Response shapes against the real service's published examples.

Each test repeats the request behind an AWS CLI example (aws/aws-cli `awscli/examples/imagebuilder/*.rst`)
or a terraform-provider-aws acceptance test, and asserts the exact set of members the example shows:
what is present, what is absent by default, and the formats. Sources per test; the audit is in
docs/notes/*.md ("Documented response shapes")."""

from __future__ import annotations

import re
from datetime import datetime

import boto3
import pytest

import factories

ACCOUNT = "123456789012"
REGION = "us-west-2"
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
AL2023 = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2023-x86/x.x.x"
WIN2022 = f"arn:aws:imagebuilder:{REGION}:aws:image/windows-server-2022-english-full-base-x86/x.x.x"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/my-example-lifecycle-role"
TEST_DOC = """name: HelloWorldTestingDocument
description: This is hello world testing document.
schemaVersion: 1.0

phases:
  - name: test
    steps:
      - name: HelloWorldStep
        action: ExecuteBash
        inputs:
          commands:
            - echo "Hello World! Test."
"""
WORKFLOW_DOC = """name: my-example-workflow
description: Workflow to build an AMI, then wait for an external action before it completes
schemaVersion: 1.0

parameters:
  - name: waitForActionAtEnd
    type: boolean
    default: true

steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: "ssmAgent"

  - name: TerminateBuildInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

  - name: WaitForActionAtEnd
    action: WaitForAction
    if:
      booleanEquals: true
      value: "$.parameters.waitForActionAtEnd"
"""


@pytest.fixture
def ib(imagebuilder_mock):
    """A client in us-west-2, the Region of the CLI examples."""
    return boto3.client("imagebuilder", region_name=REGION)


def body(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def members(item: dict) -> set[str]:
    return set(item)


def arn(kind: str, *rest: str) -> str:
    return "/".join([f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:{kind}", *rest])


# -- components (get-component.rst, list-components.rst) ------------------------------------------
def test_get_component_matches_the_cli_example(ib):
    build = ib.create_component(name="component-name", semanticVersion="1.0.0", platform="Linux",
                                data=TEST_DOC)["componentBuildVersionArn"]
    got = body(ib.get_component(componentBuildVersionArn=build))
    assert set(got) == {"requestId", "component", "latestVersionReferences"}
    component = got["component"]
    # The example's members, plus `state` (APIREF-GetComponent, reference §5); no description,
    # changeDescription, kmsKeyId, supportedOsVersions, parameters when not given / not declared.
    assert members(component) == {"arn", "name", "version", "type", "platform", "owner", "data", "encrypted",
                                  "dateCreated", "tags", "state"}
    assert component["arn"] == arn("component", "component-name", "1.0.0", "1")
    assert (component["version"], component["type"], component["platform"]) == ("1.0.0", "TEST", "Linux")
    assert (component["owner"], component["encrypted"], component["tags"]) == (ACCOUNT, True, {})
    assert component["state"] == {"status": "ACTIVE"}
    assert component["data"] == TEST_DOC
    assert ISO_MILLIS.match(component["dateCreated"])


def test_list_components_matches_the_cli_example(ib):
    ib.create_component(name="my-example-component", semanticVersion="1.0.0", platform="Linux",
                        description="Installs my example application", supportedOsVersions=["Amazon Linux 2023"],
                        data=factories.LINUX_DOC)
    ib.create_component(name="my-example-test-component", semanticVersion="1.0.0", platform="Linux",
                        description="Verifies that my example application is installed", data=TEST_DOC)
    got = body(ib.list_components(owner="Self", filters=[{"name": "platform", "values": ["Linux"]}]))
    assert set(got) == {"requestId", "componentVersionList"}
    first, second = got["componentVersionList"]
    assert members(first) == {"arn", "name", "version", "description", "platform", "supportedOsVersions", "type",
                              "owner", "dateCreated", "status"}
    assert members(second) == members(first) - {"supportedOsVersions"}
    assert first["arn"] == arn("component", "my-example-component", "1.0.0")
    assert (first["type"], second["type"], first["status"]) == ("BUILD", "TEST", "ACTIVE")
    assert first["supportedOsVersions"] == ["Amazon Linux 2023"]
    assert ISO_MILLIS.match(first["dateCreated"])


def test_list_components_without_a_description_omits_it(ib):
    ib.create_component(name="plain", semanticVersion="1.0.0", platform="Linux", data=TEST_DOC)
    (summary,) = ib.list_components()["componentVersionList"]
    assert members(summary) == {"arn", "name", "version", "platform", "type", "owner", "dateCreated", "status"}


# -- image and container recipes (get-image-recipe.rst, list-image-recipes.rst, get-container-recipe.rst)
def test_get_image_recipe_matches_the_cli_example_except_working_directory(ib):
    component = factories.component(ib, name="my-example-app")
    recipe = ib.create_image_recipe(name="my-example-app-recipe", semanticVersion="1.0.0", parentImage=AL2023,
                                    description="An image recipe that installs my application on Amazon Linux 2023",
                                    components=[{"componentArn": component}],
                                    workingDirectory="/tmp")["imageRecipeArn"]
    got = body(ib.get_image_recipe(imageRecipeArn=recipe))
    assert set(got) == {"requestId", "imageRecipe", "latestVersionReferences"}
    assert members(got["imageRecipe"]) == {"arn", "name", "description", "platform", "owner", "version", "components",
                                           "parentImage", "dateCreated", "tags", "workingDirectory"}
    assert got["imageRecipe"]["components"] == [{"componentArn": component}]
    assert got["latestVersionReferences"] == {
        "latestVersionArn": arn("image-recipe", "my-example-app-recipe", "x.x.x"),
        "latestMajorVersionArn": arn("image-recipe", "my-example-app-recipe", "1.x.x"),
        "latestMinorVersionArn": arn("image-recipe", "my-example-app-recipe", "1.0.x"),
        "latestPatchVersionArn": arn("image-recipe", "my-example-app-recipe", "1.0.0")}


def test_list_image_recipes_matches_the_cli_example(ib):
    component = factories.component(ib)
    ib.create_image_recipe(name="my-example-linux-recipe", semanticVersion="1.0.0", parentImage=AL2023,
                           components=[{"componentArn": component}])
    ib.create_image_recipe(name="my-example-windows-recipe", semanticVersion="1.0.0", parentImage=WIN2022,
                           components=[{"componentArn": f"arn:aws:imagebuilder:{REGION}:aws:component/"
                                                        "update-windows/x.x.x"}])
    got = body(ib.list_image_recipes(owner="Self"))
    assert set(got) == {"requestId", "imageRecipeSummaryList"}
    linux, windows = got["imageRecipeSummaryList"]
    expected = {"arn", "name", "platform", "owner", "parentImage", "dateCreated", "tags"}
    assert members(linux) == members(windows) == expected
    assert (linux["platform"], windows["platform"]) == ("Linux", "Windows")
    assert (linux["parentImage"], windows["parentImage"]) == (AL2023, WIN2022)
    assert linux["tags"] == {} and linux["owner"] == ACCOUNT


def test_get_container_recipe_matches_the_cli_example(ib):
    component = factories.component(ib, name="my-example-container-component")
    recipe = factories.container_recipe(ib, name="my-example-container-recipe", components=[component],
                                        description="A container recipe that installs my application on Amazon "
                                                    "Linux",
                                        targetRepository={"service": "ECR",
                                                          "repositoryName": "my-example-container-repo"})
    got = body(ib.get_container_recipe(containerRecipeArn=recipe))
    assert set(got) == {"requestId", "containerRecipe", "latestVersionReferences"}
    assert members(got["containerRecipe"]) == {"arn", "containerType", "name", "description", "platform", "owner",
                                               "version", "components", "dockerfileTemplateData", "encrypted",
                                               "parentImage", "dateCreated", "tags", "targetRepository"}
    container = got["containerRecipe"]
    assert (container["containerType"], container["platform"], container["encrypted"]) == ("DOCKER", "Linux", True)
    assert container["dockerfileTemplateData"] == factories.DOCKERFILE


# -- infrastructure configurations (get-/list-infrastructure-configurations.rst, TF basic test) ----
def test_get_infrastructure_configuration_matches_the_cli_example(ib):
    infra = ib.create_infrastructure_configuration(
        name="my-example-infrastructure-configuration",
        description="Infrastructure configuration for my application image builds",
        instanceTypes=["m5.large", "m5.xlarge"], instanceProfileName="EC2InstanceProfileForImageBuilder",
        resourceTags={"CostCenter": "12345"},
        instanceMetadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": 2},
        tags={"Environment": "test"})["infrastructureConfigurationArn"]
    got = body(ib.get_infrastructure_configuration(infrastructureConfigurationArn=infra))
    assert set(got) == {"requestId", "infrastructureConfiguration"}
    config = got["infrastructureConfiguration"]
    # The example has no terminateInstanceOnCompletion: the mock's default is INFERRED (notes).
    assert members(config) - {"terminateInstanceOnCompletion"} == {
        "arn", "name", "description", "instanceTypes", "instanceProfileName", "terminateInstanceOnFailure",
        "dateCreated", "resourceTags", "instanceMetadataOptions", "tags"}
    assert config["terminateInstanceOnFailure"] is True
    assert config["instanceMetadataOptions"] == {"httpTokens": "required", "httpPutResponseHopLimit": 2}
    assert ISO_MILLIS.match(config["dateCreated"])


def test_infrastructure_configuration_defaults_match_the_terraform_basic_test(ib):
    infra = factories.infrastructure(ib, name="basic")
    config = ib.get_infrastructure_configuration(infrastructureConfigurationArn=infra)["infrastructureConfiguration"]
    for absent in ("dateUpdated", "description", "instanceMetadataOptions", "instanceTypes", "keyPair", "logging",
                   "resourceTags", "securityGroupIds", "snsTopicArn", "subnetId"):
        assert absent not in config
    assert config["tags"] == {}


def test_list_infrastructure_configurations_matches_the_cli_example(ib):
    ib.create_infrastructure_configuration(name="MyExampleInfrastructure", instanceProfileName="role",
                                           description="An example that will retain instances of failed builds")
    ib.create_infrastructure_configuration(name="infrastructureConfiguration-name-a1b2c3d45678",
                                           instanceProfileName="role", tags={"KeyName": "KeyValue"})
    got = body(ib.list_infrastructure_configurations())
    assert set(got) == {"requestId", "infrastructureConfigurationSummaryList"}
    described, tagged = got["infrastructureConfigurationSummaryList"]
    # The 2020 example predates the summary's instanceProfileName member (MODEL).
    assert members(described) - {"instanceProfileName"} == {"arn", "name", "description", "dateCreated", "tags"}
    assert members(tagged) - {"instanceProfileName"} == {"arn", "name", "dateCreated", "tags"}
    assert described["arn"] == arn("infrastructure-configuration", "myexampleinfrastructure")
    assert (described["name"], described["tags"], tagged["tags"]) == ("MyExampleInfrastructure", {},
                                                                     {"KeyName": "KeyValue"})


# -- distribution configurations (get-/list-distribution-configurations.rst) -----------------------
def test_get_distribution_configuration_matches_the_cli_example(ib):
    distributions = [
        {"region": "us-west-2", "amiDistributionConfiguration": {
            "name": "Name {{imagebuilder:buildDate}}", "description": "An example image name with parameter references",
            "amiTags": {"KeyName": "{{ssm:parameter_name}}"}, "launchPermission": {"userIds": ["123456789012"]}}},
        {"region": "eu-west-1", "amiDistributionConfiguration": {
            "name": "My {{imagebuilder:buildVersion}} image {{imagebuilder:buildDate}}",
            "amiTags": {"KeyName": "Value"}, "launchPermission": {"userIds": ["123456789012"]}}}]
    dist = ib.create_distribution_configuration(name="MyExampleDistribution", distributions=distributions,
                                                description="Copies AMI to eu-west-1 and exports to S3",
                                                )["distributionConfigurationArn"]
    got = body(ib.get_distribution_configuration(distributionConfigurationArn=dist))
    assert set(got) == {"requestId", "distributionConfiguration"}
    config = got["distributionConfiguration"]
    # timeoutMinutes: APIREF-GetDistributionConfiguration and the model (required member); the 2020 CLI
    # example predates it.
    assert members(config) == {"arn", "name", "description", "distributions", "timeoutMinutes", "dateCreated", "tags"}
    assert config["distributions"] == distributions
    assert (config["timeoutMinutes"], config["tags"]) == (720, {})
    assert config["arn"] == arn("distribution-configuration", "myexampledistribution")


def test_list_distribution_configurations_matches_the_cli_example(ib):
    ib.create_distribution_configuration(
        name="MyExampleDistribution", description="Copies AMI to eu-west-1 and exports to S3",
        distributions=[{"region": "us-west-2", "amiDistributionConfiguration": {"name": "n {{imagebuilder:buildDate}}"}}],
        tags={"KeyName": "KeyValue"})
    got = body(ib.list_distribution_configurations())
    assert set(got) == {"requestId", "distributionConfigurationSummaryList"}
    (summary,) = got["distributionConfigurationSummaryList"]
    # The 2020 example predates the summary's `regions` member (MODEL).
    assert members(summary) - {"regions"} == {"arn", "name", "description", "dateCreated", "tags"}
    assert summary["regions"] == ["us-west-2"]


# -- image pipelines (get-image-pipeline.rst, list-image-pipelines.rst) -----------------------------
def test_list_image_pipelines_matches_the_cli_example(ib):
    recipe = factories.image_recipe(ib, name="my-example-recipe", region=REGION)
    infra = factories.infrastructure(ib, name="my-example-infrastructure")
    ib.create_image_pipeline(name="my-example-pipeline", description="Builds a new version of my image every Sunday",
                             imageRecipeArn=recipe, infrastructureConfigurationArn=infra,
                             schedule={"scheduleExpression": "cron(0 9 ? * SUN *)"})
    got = body(ib.list_image_pipelines(filters=[{"name": "name", "values": ["my-example-pipeline"]}]))
    assert set(got) == {"requestId", "imagePipelineList"}
    (pipeline,) = got["imagePipelineList"]
    # dateNextRun is not in either CLI example of a scheduled pipeline; the mock's is INFERRED (notes).
    assert members(pipeline) - {"dateNextRun"} == {
        "arn", "name", "description", "platform", "enhancedImageMetadataEnabled", "imageRecipeArn",
        "infrastructureConfigurationArn", "imageTestsConfiguration", "schedule", "status", "dateCreated",
        "dateUpdated", "tags"}
    assert pipeline["imageTestsConfiguration"] == {"imageTestsEnabled": True, "timeoutMinutes": 720}
    assert pipeline["schedule"] == {"scheduleExpression": "cron(0 9 ? * SUN *)",
                                    "pipelineExecutionStartCondition": "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"}
    assert pipeline["dateCreated"] == pipeline["dateUpdated"]
    assert ISO_MILLIS.match(pipeline["dateCreated"])


def test_get_image_pipeline_without_a_schedule_has_the_documented_defaults(ib):
    pipeline = factories.pipeline(ib, name="MyWindows2016Pipeline", recipe=factories.image_recipe(ib, region=REGION))
    got = body(ib.get_image_pipeline(imagePipelineArn=pipeline))
    assert set(got) == {"requestId", "imagePipeline"}
    assert members(got["imagePipeline"]) == {
        "arn", "name", "platform", "enhancedImageMetadataEnabled", "imageRecipeArn", "infrastructureConfigurationArn",
        "distributionConfigurationArn", "imageTestsConfiguration", "status", "dateCreated", "dateUpdated", "tags"}
    assert got["imagePipeline"]["arn"] == arn("image-pipeline", "mywindows2016pipeline")


# -- workflows (get-workflow.rst, list-workflows.rst, TF workflow_test) ----------------------------
def test_get_workflow_matches_the_cli_example(ib):
    build = ib.create_workflow(name="my-example-workflow", semanticVersion="1.0.0", type="BUILD", data=WORKFLOW_DOC,
                               description="Builds an AMI, and then waits for an external action before the "
                                           "workflow completes",
                               changeDescription="Initial version")["workflowBuildVersionArn"]
    got = body(ib.get_workflow(workflowBuildVersionArn=build))
    assert set(got) == {"workflow", "latestVersionReferences"}
    workflow = got["workflow"]
    assert members(workflow) == {"arn", "name", "version", "description", "changeDescription", "type", "owner", "data",
                                 "dateCreated", "tags", "parameters"}
    assert workflow["arn"] == arn("workflow", "build", "my-example-workflow", "1.0.0", "1")
    assert workflow["parameters"] == [{"name": "waitForActionAtEnd", "type": "boolean", "defaultValue": ["true"]}]
    assert ISO_MILLIS.match(workflow["dateCreated"])


def test_list_workflows_matches_the_cli_example(ib):
    ib.create_workflow(name="my-example-build-workflow", semanticVersion="1.0.0", type="BUILD", data=WORKFLOW_DOC,
                       description="Builds my example image")
    ib.create_workflow(name="plain-workflow", semanticVersion="1.0.0", type="BUILD", data=WORKFLOW_DOC)
    got = body(ib.list_workflows(owner="Self"))
    assert set(got) == {"workflowVersionList"}
    described, plain = got["workflowVersionList"]
    assert members(described) == {"arn", "name", "version", "description", "type", "owner", "dateCreated"}
    assert members(plain) == members(described) - {"description"}
    assert described["arn"] == arn("workflow", "build", "my-example-build-workflow", "1.0.0")


# -- lifecycle policies (get-lifecycle-policy.rst, list-lifecycle-policies.rst) --------------------
def test_get_lifecycle_policy_matches_the_cli_example(ib):
    details = [{"action": {"type": "DELETE", "includeResources": {"amis": True, "snapshots": True}},
                "filter": {"type": "AGE", "value": 6, "unit": "MONTHS", "retainAtLeast": 5}}]
    policy = ib.create_lifecycle_policy(
        name="my-example-lifecycle-policy", executionRole=ROLE, resourceType="AMI_IMAGE", policyDetails=details,
        description="Deletes AMIs and snapshots for builds older than six months, keeping at least the five most "
                    "recent",
        resourceSelection={"tagMap": {"Environment": "my-example-environment"}})["lifecyclePolicyArn"]
    got = body(ib.get_lifecycle_policy(lifecyclePolicyArn=policy))
    assert set(got) == {"lifecyclePolicy"}
    lifecycle = got["lifecyclePolicy"]
    # "For a policy that has never been updated or run, the response doesn't include the dateUpdated and
    # dateLastRun fields."
    assert members(lifecycle) == {"arn", "name", "description", "status", "executionRole", "resourceType",
                                  "policyDetails", "resourceSelection", "dateCreated", "tags"}
    assert lifecycle["policyDetails"] == details
    assert (lifecycle["status"], lifecycle["tags"]) == ("ENABLED", {})
    assert isinstance(lifecycle["dateCreated"], datetime)


def test_list_lifecycle_policies_matches_the_cli_example(ib):
    for name, kind in (("my-example-ami-policy", "AMI_IMAGE"), ("my-example-container-policy", "CONTAINER_IMAGE")):
        ib.create_lifecycle_policy(name=name, executionRole=ROLE, resourceType=kind,
                                   description="Deletes image builds after they reach 6 months old",
                                   policyDetails=[{"action": {"type": "DELETE"},
                                                   "filter": {"type": "AGE", "value": 6, "unit": "MONTHS"}}],
                                   resourceSelection={"tagMap": {"Environment": "test"}})
    got = body(ib.list_lifecycle_policies(filters=[{"name": "status", "values": ["ENABLED"]}]))
    assert set(got) == {"lifecyclePolicySummaryList"}
    ami, container = got["lifecyclePolicySummaryList"]
    expected = {"arn", "name", "description", "status", "executionRole", "resourceType", "dateCreated", "tags"}
    assert members(ami) == members(container) == expected
    assert (ami["resourceType"], container["resourceType"]) == ("AMI_IMAGE", "CONTAINER_IMAGE")
    assert isinstance(ami["dateCreated"], datetime)
