"""Every aws_imagebuilder_* resource and data source of the hashicorp/aws provider, through one
configuration (configurations/everything/, modelled on the provider's acceptance tests): apply; plan
shows no changes; an in-place update; import gives no diff; destroy leaves nothing. Each check is
reported per resource type; the mock is read back through boto3."""

from __future__ import annotations

import pytest

from ._stages import IMPORT_IGNORED, Staged, canonical, of_type, without_empty

RESOURCE_TYPES = tuple(IMPORT_IGNORED)
NAME = "tf-every"
TAGS_1 = {"key1": "value1"}
TAGS_2 = {"key1": "value1updated", "key2": "value2"}


@pytest.fixture(scope="module")
def staged(new_workspace):
    return Staged(new_workspace("everything", NAME))


def _get(imagebuilder, resource_type: str, arn: str) -> dict:
    kind = resource_type.removeprefix("aws_imagebuilder_")
    call, member, key = _GETTERS[kind]
    return getattr(imagebuilder, call)(**{member: arn})[key]


_GETTERS = {
    "component": ("get_component", "componentBuildVersionArn", "component"),
    "workflow": ("get_workflow", "workflowBuildVersionArn", "workflow"),
    "image_recipe": ("get_image_recipe", "imageRecipeArn", "imageRecipe"),
    "container_recipe": ("get_container_recipe", "containerRecipeArn", "containerRecipe"),
    "infrastructure_configuration": ("get_infrastructure_configuration", "infrastructureConfigurationArn",
                                     "infrastructureConfiguration"),
    "distribution_configuration": ("get_distribution_configuration", "distributionConfigurationArn",
                                   "distributionConfiguration"),
    "image": ("get_image", "imageBuildVersionArn", "image"),
    "image_pipeline": ("get_image_pipeline", "imagePipelineArn", "imagePipeline"),
    "lifecycle_policy": ("get_lifecycle_policy", "lifecyclePolicyArn", "lifecyclePolicy"),
}


def _read(imagebuilder, state: dict, address: str) -> dict:
    return _get(imagebuilder, address.split(".")[0], state[address]["arn"])


# -- what each apply must have made, read back from the mock ---------------------------------------

def _component(step, state, ib):
    main = _read(ib, state, "aws_imagebuilder_component.test")
    assert (main["tags"], main["supportedOsVersions"], main["encrypted"], main["type"]) == (
        TAGS_1 if step == 1 else TAGS_2, ["Amazon Linux 2"], True, "BUILD")
    windows = _read(ib, state, "aws_imagebuilder_component.windows")
    assert (windows["platform"], windows["kmsKeyId"]) == ("Windows", state["aws_kms_key.test"]["arn"])
    yamlencoded = _read(ib, state, "aws_imagebuilder_component.yamlencoded")
    # yamlencode renders the number 1.0 as `"schemaVersion": 1`, which the service takes (component_test.go)
    assert '"schemaVersion": 1\n' in yamlencoded["data"] and yamlencoded["type"] == "BUILD"


def _workflow(step, state, ib):
    test = _read(ib, state, "aws_imagebuilder_workflow.test")
    assert (test["type"], test["description"], test["tags"]) == (
        "TEST", "launches and terminates a test instance", TAGS_1 if step == 1 else TAGS_2)
    assert _read(ib, state, "aws_imagebuilder_workflow.build")["kmsKeyId"] == state["aws_kms_key.test"]["arn"]


def _image_recipe(step, state, ib):
    recipe = _read(ib, state, "aws_imagebuilder_image_recipe.test")
    assert [c["componentArn"].split("/")[-3] for c in recipe["components"]] == ["update-linux", NAME]
    assert recipe["blockDeviceMappings"][0]["ebs"]["throughput"] == 200
    assert recipe["additionalInstanceConfiguration"]["systemsManagerAgent"]["uninstallAfterBuild"] is True
    assert (recipe["workingDirectory"], recipe["tags"]) == ("/tmp", TAGS_1 if step == 1 else TAGS_2)


def _container_recipe(step, state, ib):
    recipe = _read(ib, state, "aws_imagebuilder_container_recipe.test")
    assert recipe["targetRepository"] == {"service": "ECR", "repositoryName": NAME}
    assert recipe["dockerfileTemplateData"].startswith("FROM {{{ imagebuilder:parentImage }}}")
    assert recipe["tags"] == (TAGS_1 if step == 1 else TAGS_2)
    managed = _read(ib, state, "aws_imagebuilder_container_recipe.managed_parent")
    assert managed["parentImage"] == "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-x86-2/x.x.x"
    assert state["aws_imagebuilder_container_recipe.managed_parent"]["parent_image"] == managed["parentImage"]


def _infrastructure_configuration(step, state, ib):
    config = _read(ib, state, "aws_imagebuilder_infrastructure_configuration.test")
    assert config["instanceTypes"] == (["t3.micro", "t3.small"] if step == 1 else ["t3.large"])
    assert config["terminateInstanceOnFailure"] is (step == 1)
    assert config["instanceMetadataOptions"]["httpPutResponseHopLimit"] == step
    assert config["logging"]["s3Logs"]["s3KeyPrefix"] == ("logs" if step == 1 else "updated")
    assert config["snsTopicArn"] == state["aws_sns_topic.test"]["arn"]


def _distribution_configuration(step, state, ib):
    config = _read(ib, state, "aws_imagebuilder_distribution_configuration.test")
    by_region = {d["region"]: d for d in config["distributions"]}
    assert by_region["us-east-1"]["amiDistributionConfiguration"]["name"] == (
        "{{ imagebuilder:buildDate }}" if step == 1 else "updated-{{ imagebuilder:buildDate }}")
    assert sorted(by_region["us-west-2"]["amiDistributionConfiguration"]["targetAccountIds"]) == (
        ["111111111111"] if step == 1 else ["111111111111", "222222222222"])
    container = _read(ib, state, "aws_imagebuilder_distribution_configuration.container")
    # container_tags is a set in the provider's schema: its order is the provider's
    assert sorted(container["distributions"][0]["containerDistributionConfiguration"]["containerTags"]) == (
        ["latest"] if step == 1 else ["latest", "stable"])


def _image(step, state, ib):
    image = _read(ib, state, "aws_imagebuilder_image.test")
    assert (image["state"]["status"], image["imageTestsConfiguration"]["timeoutMinutes"]) == ("AVAILABLE", 721)
    assert image["tags"] == (TAGS_1 if step == 1 else TAGS_2)
    assert state["aws_imagebuilder_image.test"]["output_resources"][0]["amis"]
    workflows = _read(ib, state, "aws_imagebuilder_image.workflows")
    # the resource's workflow blocks are a set: the provider sends them in its own order
    assert sorted(w["workflowArn"].split("/")[-3] for w in workflows["workflows"]) == [f"{NAME}-build", f"{NAME}-test"]
    container = _read(ib, state, "aws_imagebuilder_image.container")
    assert container["state"]["status"] == "AVAILABLE" and container["type"] == "DOCKER"


def _image_pipeline(step, state, ib):
    pipeline = _read(ib, state, "aws_imagebuilder_image_pipeline.test")
    assert (pipeline["status"], pipeline["description"]) == (
        ("ENABLED", "first") if step == 1 else ("DISABLED", "updated"))
    assert pipeline["schedule"]["scheduleExpression"] == ("cron(0 0 * * ? *)" if step == 1 else "cron(0 1 * * ? *)")
    workflows = _read(ib, state, "aws_imagebuilder_image_pipeline.workflows")["workflows"]
    assert workflows[1]["onFailure"] == ("ABORT" if step == 1 else "CONTINUE")
    container = _read(ib, state, "aws_imagebuilder_image_pipeline.container")
    assert container["schedule"]["timezone"] == ("Etc/UTC" if step == 1 else "Europe/Paris")


def _lifecycle_policy(step, state, ib):
    policy = _read(ib, state, "aws_imagebuilder_lifecycle_policy.test")
    assert (policy["status"], policy["policyDetails"][0]["action"]["type"]) == (
        ("ENABLED", "DISABLE") if step == 1 else ("DISABLED", "DELETE"))
    assert policy["resourceSelection"]["recipes"] == [{"name": NAME, "semanticVersion": "1.0.0"}]
    containers = _read(ib, state, "aws_imagebuilder_lifecycle_policy.containers")
    assert containers["policyDetails"][0]["filter"]["value"] == (10 if step == 1 else 5)


CHECKS = {name.removeprefix("aws_imagebuilder_"): globals()["_" + name.removeprefix("aws_imagebuilder_")]
          for name in RESOURCE_TYPES}


# -- the five checks, per resource type ---------------------------------------------------------------

@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_apply(staged, imagebuilder, resource_type):
    staged.actions("apply", resource_type)
    made = of_type(staged.states["apply"], resource_type)
    assert made, f"no {resource_type} in the state"
    CHECKS[resource_type.removeprefix("aws_imagebuilder_")](1, staged.states["apply"], imagebuilder)


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_plan_shows_no_changes(staged, resource_type):
    assert staged.actions("plan", resource_type) == {}


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_update_in_place(staged, imagebuilder, resource_type):
    actions = staged.actions("update", resource_type)
    assert actions and set(actions.values()) == {"updated in-place"}, actions
    before, after = of_type(staged.states["apply"], resource_type), of_type(staged.states["update"], resource_type)
    assert {a: v["id"] for a, v in after.items()} == {a: v["id"] for a, v in before.items()}
    CHECKS[resource_type.removeprefix("aws_imagebuilder_")](2, staged.states["update"], imagebuilder)
    assert staged.actions("plan_after_update", resource_type) == {}, "drift after the update"


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_import_gives_no_diff(staged, resource_type):
    assert staged.actions("import", resource_type) == {}
    before, after = of_type(staged.states["update"], resource_type), of_type(staged.states["import"], resource_type)
    assert sorted(after) == sorted(before)
    ignored = IMPORT_IGNORED[resource_type]
    for address, values in before.items():
        old, new = canonical(without_empty(values)), canonical(without_empty(after[address]))
        differences = {key: (old.get(key), new.get(key)) for key in set(old) | set(new)
                       if key not in ignored and old.get(key) != new.get(key)}
        assert differences == {}, f"{address}: imported values differ"
    assert staged.actions("plan_after_import", resource_type) == {}, "the imported state plans changes"


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_destroy_leaves_nothing(staged, imagebuilder, resource_type):
    staged.actions("destroy", resource_type)
    assert of_type(staged.states["destroy"], resource_type) == {}
    made = {**of_type(staged.states["apply"], resource_type), **of_type(staged.states["update"], resource_type)}
    for address, values in made.items():
        try:
            found = _get(imagebuilder, resource_type, values["arn"])
        except imagebuilder.exceptions.ResourceNotFoundException:
            continue
        assert resource_type == "aws_imagebuilder_image" and found["state"]["status"] == "DELETED", \
            f"{address} ({values['arn']}) is still there"


# -- the data sources ---------------------------------------------------------------------------------

SINGULAR = ("component", "container_recipe", "distribution_configuration", "image", "image_pipeline",
            "image_recipe", "infrastructure_configuration")
PLURAL = ("components", "container_recipes", "distribution_configurations", "image_pipelines", "image_recipes",
          "infrastructure_configurations")
# attributes whose shape differs between a resource and its data source in the provider's schemas
_NOT_COMPARED = {"id", "tags_all", "skip_destroy", "timeouts", "user_data_base64", "workflow", "execution_role",
                 "image_scanning_configuration"}


@pytest.mark.parametrize("kind", SINGULAR)
def test_data_source(staged, kind):
    staged.actions("update", f"aws_imagebuilder_{kind}")
    for step in ("apply", "update"):
        state = staged.states[step]
        read, made = state[f"data.aws_imagebuilder_{kind}.test"], state[f"aws_imagebuilder_{kind}.test"]
        # nested blocks are compared by the resource tests; their empty values differ between the
        # provider's resource and data source schemas (no_device "" vs false, no timezone, ...)
        shared = sorted(key for key in set(read) & set(made) - _NOT_COMPARED
                        if not isinstance(made[key], list) or not made[key] or not isinstance(made[key][0], dict))
        assert "arn" in shared and len(shared) > 3
        assert canonical({k: read[k] for k in shared}) == canonical({k: made[k] for k in shared}), step


@pytest.mark.parametrize("kind", PLURAL)
def test_data_source_list(staged, kind):
    singular = kind.removesuffix("s")
    staged.actions("update", f"aws_imagebuilder_{singular}")
    state = staged.states["update"]
    read, made = state[f"data.aws_imagebuilder_{kind}.test"], state[f"aws_imagebuilder_{singular}.test"]
    assert read["names"] == [made["name"]]
    # ListComponents lists version ARNs (.../component/<name>/1.0.0); the resource's arn is the build's
    assert read["arns"] == [made["arn"].rsplit("/", 1)[0] if singular == "component" else made["arn"]]


# -- what the provider's update tests check besides ------------------------------------------------------

@pytest.mark.parametrize("resource_type", ("aws_imagebuilder_infrastructure_configuration",
                                           "aws_imagebuilder_distribution_configuration"))
def test_date_updated_after_update(staged, resource_type):
    staged.actions("update", resource_type)
    assert all(values["date_updated"] for values in of_type(staged.states["update"], resource_type).values())
