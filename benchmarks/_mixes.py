"""The operation mixes the per-call benchmark runs: this project's (Image Builder) and moto's (AMP).

A mix is `setup(client) -> state` (untimed, once per block) and `steps(client, state)`: a list of
(operation name, callable(i)) run in order once per iteration `i` (`i` makes names unique).
"""

from __future__ import annotations

from typing import Callable

Step = tuple[str, Callable[[int], None]]

COMPONENT_DOC = """name: bench
description: A benchmark component.
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo hello
"""
PARENT_IMAGE = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
PAGE = 25


class ImageBuilderMix:
    """create/get/list components, create/get image recipes, create/get images (the real mix)."""

    name = "imagebuilder"
    real = True

    def setup(self, client) -> dict:
        infra = client.create_infrastructure_configuration(
            name="bench-infra", instanceProfileName="bench-role")["infrastructureConfigurationArn"]
        for n in range(PAGE):  # a full first page for list_components
            client.create_component(name=f"bench-seed-{n}", semanticVersion="1.0.0", platform="Linux",
                                    data=COMPONENT_DOC)
        return {"infra": infra}

    def steps(self, client, st: dict) -> list[Step]:
        def create_component(i):
            st["component"] = client.create_component(
                name=f"bench-{i}", semanticVersion="1.0.0", platform="Linux",
                data=COMPONENT_DOC)["componentBuildVersionArn"]

        def get_component(i):
            client.get_component(componentBuildVersionArn=st["component"])

        def list_components(i):
            client.list_components(maxResults=PAGE)

        def create_image_recipe(i):
            st["recipe"] = client.create_image_recipe(
                name=f"bench-{i}", semanticVersion="1.0.0", parentImage=PARENT_IMAGE,
                components=[{"componentArn": st["component"]}])["imageRecipeArn"]

        def get_image_recipe(i):
            client.get_image_recipe(imageRecipeArn=st["recipe"])

        def create_image(i):
            st["image"] = client.create_image(
                imageRecipeArn=st["recipe"], infrastructureConfigurationArn=st["infra"])["imageBuildVersionArn"]

        def get_image(i):
            client.get_image(imageBuildVersionArn=st["image"])

        return [("CreateComponent", create_component), ("GetComponent", get_component),
                ("ListComponents", list_components), ("CreateImageRecipe", create_image_recipe),
                ("GetImageRecipe", get_image_recipe), ("CreateImage", create_image), ("GetImage", get_image)]


class InfrastructureMix:
    """Stand-in while the real mix's operations are not implemented: infrastructure configurations."""

    name = "imagebuilder-fallback"
    real = False

    def setup(self, client) -> dict:
        for n in range(PAGE):
            client.create_infrastructure_configuration(name=f"bench-seed-{n}", instanceProfileName="bench-role")
        return {}

    def steps(self, client, st: dict) -> list[Step]:
        def create(i):
            st["infra"] = client.create_infrastructure_configuration(
                name=f"bench-{i}", instanceProfileName="bench-role")["infrastructureConfigurationArn"]

        def get(i):
            client.get_infrastructure_configuration(infrastructureConfigurationArn=st["infra"])

        def list_(i):
            client.list_infrastructure_configurations(maxResults=PAGE)

        def update(i):
            client.update_infrastructure_configuration(infrastructureConfigurationArn=st["infra"],
                                                       instanceProfileName="bench-role-2")

        def tag(i):
            client.tag_resource(resourceArn=st["infra"], tags={"team": "bench"})

        def list_tags(i):
            client.list_tags_for_resource(resourceArn=st["infra"])

        return [("CreateInfrastructureConfiguration", create), ("GetInfrastructureConfiguration", get),
                ("ListInfrastructureConfigurations", list_), ("UpdateInfrastructureConfiguration", update),
                ("TagResource", tag), ("ListTagsForResource", list_tags),
                ("GetInfrastructureConfiguration#2", get)]


class AmpMix:
    """moto's comparable rest-json CRUD: Amazon Managed Prometheus (3 creates, 3 describes, 1 list)."""

    name = "amp"
    real = True

    def setup(self, client) -> dict:
        for n in range(PAGE):
            client.create_workspace(alias=f"bench-seed-{n}")
        return {}

    def steps(self, client, st: dict) -> list[Step]:
        def create_workspace(i):
            st["ws"] = client.create_workspace(alias=f"bench-{i}")["workspaceId"]

        def describe_workspace(i):
            client.describe_workspace(workspaceId=st["ws"])

        def list_workspaces(i):
            client.list_workspaces(maxResults=PAGE)

        def create_rule_groups_namespace(i):
            client.create_rule_groups_namespace(workspaceId=st["ws"], name=f"rules-{i}", data=b"groups: []")

        def describe_rule_groups_namespace(i):
            client.describe_rule_groups_namespace(workspaceId=st["ws"], name=f"rules-{i}")

        def create_logging_configuration(i):
            client.create_logging_configuration(
                workspaceId=st["ws"], logGroupArn="arn:aws:logs:us-east-1:123456789012:log-group:bench:*")

        def describe_logging_configuration(i):
            client.describe_logging_configuration(workspaceId=st["ws"])

        return [("CreateWorkspace", create_workspace), ("DescribeWorkspace", describe_workspace),
                ("ListWorkspaces", list_workspaces), ("CreateRuleGroupsNamespace", create_rule_groups_namespace),
                ("DescribeRuleGroupsNamespace", describe_rule_groups_namespace),
                ("CreateLoggingConfiguration", create_logging_configuration),
                ("DescribeLoggingConfiguration", describe_logging_configuration)]


def api_name(step_name: str) -> str:
    """The model's operation name of a step ("GetThing#2" is a second GetThing)."""
    return step_name.partition("#")[0]
