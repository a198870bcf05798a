"""What Terraform's hashicorp/aws provider (5.100.0, `tox -e terraform`) sends and reads back, checked
through boto3 with the provider's own requests (taken from the served mock's journal, `m.calls`):
docs/service-behavior.md "What the Terraform provider found"."""

from __future__ import annotations

import factories

# yamlencode({schemaVersion = 1.0, phases = [...]}) as Terraform renders it: keys sorted, the number as 1
YAMLENCODED_DOC = """\
"phases":
- "name": "build"
  "steps":
  - "action": "ExecuteBash"
    "inputs":
      "commands":
      - "echo 'hello world'"
    "name": "example"
    "onFailure": "Continue"
"schemaVersion": 1
"""
MANAGED_CONTAINER_PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-x86-2/x.x.x"


def test_the_components_data_source_request_lists_version_arns(ib):
    """aws_imagebuilder_components sends owner=Self and a name filter; each entry is the version ARN
    (no build node), which the data source keeps as its `arns`."""
    build_arn = factories.component(ib, name="tf-every")
    factories.component(ib, name="tf-every-other")
    listed = ib.list_components(owner="Self", filters=[{"name": "name", "values": ["tf-every"]}])
    assert [(c["arn"], c["name"], c["version"]) for c in listed["componentVersionList"]] == [
        (build_arn.rsplit("/", 1)[0], "tf-every", "1.0.0")]
    assert build_arn.endswith(":component/tf-every/1.0.0/1")


def test_an_ami_distribution_reads_back_without_members_it_was_not_given(ib):
    """The provider sends a second region with only name and targetAccountIds; Get answers just those
    (no empty amiTags, description or kmsKeyId put in), and the first region as it was given."""
    first = {"region": "us-east-1",
             "amiDistributionConfiguration": {"name": "{{ imagebuilder:buildDate }}", "description": "an AMI",
                                              "amiTags": {"origin": "terraform"},
                                              "launchPermission": {"userIds": ["111111111111"]}},
             "launchTemplateConfigurations": [{"launchTemplateId": "lt-0aaa1bcde2ff3456a",
                                               "setDefaultVersion": False}]}
    second = {"region": "us-west-2",
              "amiDistributionConfiguration": {"name": "{{ imagebuilder:buildDate }}",
                                               "targetAccountIds": ["111111111111"]}}
    arn = ib.create_distribution_configuration(name="tf-every", description="first",
                                               distributions=[second, first])["distributionConfigurationArn"]
    got = ib.get_distribution_configuration(distributionConfigurationArn=arn)["distributionConfiguration"]
    assert got["distributions"] == [second, first]
    updated = dict(second, amiDistributionConfiguration=dict(second["amiDistributionConfiguration"],
                                                              targetAccountIds=["222222222222", "111111111111"]))
    ib.update_distribution_configuration(distributionConfigurationArn=arn, distributions=[updated, first])
    got = ib.get_distribution_configuration(distributionConfigurationArn=arn)["distributionConfiguration"]
    assert got["distributions"] == [updated, first] and "description" not in got


def test_a_yamlencoded_component_on_an_aws_managed_container_parent(ib):
    """component_test.go's yamlencode document (schemaVersion: 1) in a container recipe whose parent is
    container_recipe_test.go's AWS-managed image with x wildcards: both taken, the parent kept as given."""
    component = ib.create_component(name="tf-yamlencode", semanticVersion="1.0.0", platform="Linux",
                                    data=YAMLENCODED_DOC)["componentBuildVersionArn"]
    assert ib.get_component(componentBuildVersionArn=component)["component"]["type"] == "BUILD"
    recipe = ib.create_container_recipe(
        containerType="DOCKER", name="tf-managed-parent", semanticVersion="1.0.0", parentImage=MANAGED_CONTAINER_PARENT,
        components=[{"componentArn": component}], targetRepository={"service": "ECR", "repositoryName": "tf-every"},
        dockerfileTemplateData="FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:components }}}\n",
    )["containerRecipeArn"]
    got = ib.get_container_recipe(containerRecipeArn=recipe)["containerRecipe"]
    assert (got["parentImage"], got["components"][0]["componentArn"]) == (MANAGED_CONTAINER_PARENT, component)
