"""What the image speed-ups must not change (docs/performance.md): recipes and configurations held by
reference, shared defaults, deferred workflow runs equal to eager ones, and immediate mode ending where
clock mode with instant stages does."""

from __future__ import annotations


import boto3
import pytest

import factories as f

ACCOUNT, REGION = "123456789012", "us-east-1"


def _store(mock):
    return mock.backend.store(ACCOUNT, REGION)



# -- images keep their recipe and configurations as they were at build time -----------------------------
ORIGINAL_PROFILE = "ib-role"  # the factory's


def test_images_show_configurations_and_tags_as_built(ib):
    recipe = f.image_recipe(ib, tags={"stage": "one"})
    infra = f.infrastructure(ib, tags={"stage": "one"})
    first = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    second = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    ib.tag_resource(resourceArn=recipe, tags={"stage": "two"})
    ib.tag_resource(resourceArn=infra, tags={"stage": "two"})
    ib.update_infrastructure_configuration(infrastructureConfigurationArn=infra, instanceProfileName="other")
    third = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    ib.untag_resource(resourceArn=recipe, tagKeys=["stage"])
    for arn, tag, profile in ((first, "one", ORIGINAL_PROFILE), (second, "one", ORIGINAL_PROFILE),
                              (third, "two", "other")):
        image = ib.get_image(imageBuildVersionArn=arn)["image"]
        assert image["imageRecipe"]["tags"] == {"stage": tag}
        assert image["infrastructureConfiguration"]["tags"] == {"stage": tag}
        assert image["infrastructureConfiguration"]["instanceProfileName"] == profile
    assert ib.get_image_recipe(imageRecipeArn=recipe)["imageRecipe"]["tags"] == {}
    for image in (ib.get_image(imageBuildVersionArn=a)["image"] for a in (first, second, third)):
        assert not any(key.startswith("_") for key in image["imageRecipe"])


def test_images_hold_their_recipe_and_configurations_by_reference_and_tagging_replaces_them(ib, imagebuilder_mock):
    """Images share the resource dicts themselves (no snapshot copies): that is only right because a tag
    change replaces a recipe's or configuration's dict (copy-on-write) and never changes a tags dict."""
    store = _store(imagebuilder_mock)
    recipe = f.image_recipe(ib, tags={"stage": "one"})
    infra = f.infrastructure(ib)
    dist = f.distribution(ib, tags={"stage": "one"})
    arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra,
                          distributionConfigurationArn=dist)["imageBuildVersionArn"]
    image = store.images[arn]
    held = {member: image[member] for member in ("imageRecipe", "infrastructureConfiguration",
                                                  "distributionConfiguration")}
    assert held["imageRecipe"] is store.image_recipes[recipe]
    assert held["infrastructureConfiguration"] is store.infrastructure_configurations[infra]
    tags_before = {member: item.get("tags") for member, item in held.items()}
    copies = {member: dict(item.get("tags") or {}) for member, item in held.items()}
    for resource in (recipe, infra, dist):
        ib.tag_resource(resourceArn=resource, tags={"stage": "two", "extra": "x"})
        ib.untag_resource(resourceArn=resource, tagKeys=["extra"])
    assert store.image_recipes[recipe] is not held["imageRecipe"]
    assert store.image_recipes[recipe]["tags"] == {"stage": "two"}
    for member, item in held.items():
        assert image[member] is item and item.get("tags") is tags_before[member]
        assert dict(item.get("tags") or {}) == copies[member]
    shown = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert shown["imageRecipe"]["tags"] == {"stage": "one"}
    assert shown["distributionConfiguration"]["tags"] == {"stage": "one"}


@pytest.mark.parametrize("mode", ["immediate", "poll"])
def test_shared_defaults_of_images_are_never_changed(mode):
    """Images without tags share one empty tags dict, builds without imageTestsConfiguration one default,
    images in a plain status one state dict per status, AMIs one AVAILABLE state: tagging, failing, cancelling and lifecycle actions must leave all of them as
    they were."""
    from imagebuilder_mock import _lifecycle as lifecycle
    from imagebuilder_mock import mock_imagebuilder
    from imagebuilder_mock._resources._shared import common as _common
    from imagebuilder_mock._resources.images import options as build_options
    from imagebuilder_mock._resources.images import outputs as image_outputs

    with mock_imagebuilder(progression=mode) as mock:
        _check_shared_defaults(boto3.client("imagebuilder", region_name=REGION), mock, mode)
    assert _common.NO_TAGS == {}
    assert build_options.DEFAULT_TESTS == {"imageTestsEnabled": True, "timeoutMinutes": 720}
    assert all(state == {"status": status} for status, state in lifecycle.PLAIN_STATES.items())
    assert image_outputs.AMI_AVAILABLE == {"status": "AVAILABLE"}


def _check_shared_defaults(ib, imagebuilder_mock, mode: str) -> None:
    store = _store(imagebuilder_mock)
    recipe, infra = f.image_recipe(ib), f.infrastructure(ib)
    arns_ = [ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
             for _ in range(3)]
    assert store.images[arns_[0]]["tags"] is store.images[arns_[1]]["tags"]
    assert store.images[arns_[0]]["imageTestsConfiguration"] is store.images[arns_[1]]["imageTestsConfiguration"]
    assert store.images[arns_[0]]["state"] is store.images[arns_[1]]["state"]  # PENDING, shared
    ib.tag_resource(resourceArn=arns_[0], tags={"k": "v"})
    ib.untag_resource(resourceArn=arns_[1], tagKeys=["k"])
    untagged = [f.component(ib), f.distribution(ib), f.image_recipe(ib), f.infrastructure(ib)]
    for arn in untagged:  # every family created without tags shares the empty dict, until it is tagged
        ib.tag_resource(resourceArn=arn, tags={"k": "v"})
    assert [ib.list_tags_for_resource(resourceArn=arn)["tags"] for arn in untagged + [recipe, infra]] == \
        [{"k": "v"}] * len(untagged) + [{}, {}]
    for arn in untagged:
        ib.untag_resource(resourceArn=arn, tagKeys=["k"])
    if mode == "poll":
        ib.cancel_image_creation(imageBuildVersionArn=arns_[2])
    imagebuilder_mock.fail_builds(reason="boom", at="TESTING", count=1)
    failed = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    for _ in range(8):
        for arn in arns_ + [failed]:
            ib.get_image(imageBuildVersionArn=arn)
    assert ib.list_tags_for_resource(resourceArn=arns_[0])["tags"] == {"k": "v"}
    assert ib.get_image(imageBuildVersionArn=arns_[1])["image"]["tags"] == {}
    assert ib.get_image(imageBuildVersionArn=failed)["image"]["state"]["status"] == "FAILED"
    if mode == "poll":
        assert ib.get_image(imageBuildVersionArn=arns_[2])["image"]["state"]["status"] == "CANCELLED"
    else:
        for status in ("DEPRECATED", "DISABLED", "AVAILABLE"):
            ib.start_resource_state_update(resourceArn=arns_[2], state={"status": status})
        ib.start_resource_state_update(resourceArn=arns_[2], state={"status": "DELETED"},
                                       executionRole=f"arn:aws:iam::{ACCOUNT}:role/r",
                                       includeResources={"amis": True, "snapshots": True})


def test_catalog_parent_facts_are_the_parents_in_every_region(ib):
    """A build of an AWS-owned parent image has the parent's osVersion and imageSource AMAZON_MANAGED,
    Region by Region."""
    for region in ("us-east-1", "us-west-2"):
        client = boto3.client("imagebuilder", region_name=region)
        for _ in range(2):
            recipe = f.image_recipe(client, region=region)
            arn = client.create_image(imageRecipeArn=recipe,
                                      infrastructureConfigurationArn=f.infrastructure(client))["imageBuildVersionArn"]
            image = client.get_image(imageBuildVersionArn=arn)["image"]
            parent = client.get_image(imageBuildVersionArn=f.AL2.format(region=region))["image"]
            assert (image["osVersion"], image["imageSource"]) == (parent["osVersion"], "AMAZON_MANAGED")


# -- deferred workflow runs: replayed from the image's history on first look, exactly as if run eagerly ----
_SNAPSHOT_AND_TERMINATE = """  - name: Snapshot
    action: CreateImage
    inputs:
      instanceId.$: "$.stepOutputs.Launch.instanceId"
  - name: Terminate
    action: TerminateInstance
    inputs:
      instanceId.$: "$.stepOutputs.Launch.instanceId"
"""
NO_WAIT_WORKFLOW = """name: no-wait
schemaVersion: 1.0
parameters:
  - name: skipTests
    type: boolean
    default: false
steps:
  - name: Launch
    action: LaunchInstance
  - name: Tests
    action: RunCommand
    if:
      booleanEquals: false
      value: "$.parameters.skipTests"
    inputs:
      documentName: AWS-RunShellScript
""" + _SNAPSHOT_AND_TERMINATE


def _workflow_story(mode: str, peek: bool) -> list:
    """Builds of every kind, looked at at different moments (with `peek`, also their executions mid-build,
    which the story does not keep); everything the workflow reads return."""
    import datetime
    import json
    import uuid

    import boto3
    import time_machine

    from imagebuilder_mock import mock_imagebuilder

    seen: list = []
    moment = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    with time_machine.travel(moment, tick=False), mock_imagebuilder(progression=mode) as mock:
        ib = boto3.client("imagebuilder", region_name=REGION)
        recipe = f.image_recipe(ib, name="recipe", components=[f.component(ib, name="component")])
        infra = f.infrastructure(ib, name="infra")
        dist = f.distribution(ib, name="dist", regions=("us-east-1", "us-west-2"))
        workflow = ib.create_workflow(name="no-wait", semanticVersion="1.0.0", type="BUILD",
                                      data=NO_WAIT_WORKFLOW)["workflowBuildVersionArn"]
        mock.fail_builds(reason="boom", at="TESTING", count=1, match=recipe) if mode == "immediate" else None
        images = [ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra,
                                  distributionConfigurationArn=dist)["imageBuildVersionArn"],
                  ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra,
                                  workflows=[{"workflowArn": workflow,
                                              "parameters": [{"name": "skipTests", "value": ["true"]}]}],
                                  executionRole=f"arn:aws:iam::{ACCOUNT}:role/r")["imageBuildVersionArn"]]

        def look(arn: str) -> None:
            seen.append(ib.get_image(imageBuildVersionArn=arn)["image"])
            for execution in ib.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"]:
                seen.append(ib.get_workflow_execution(workflowExecutionId=execution["workflowExecutionId"]))
                for step in ib.list_workflow_step_executions(
                        workflowExecutionId=execution["workflowExecutionId"])["steps"]:
                    seen.append(ib.get_workflow_step_execution(stepExecutionId=step["stepExecutionId"]))

        for rounds in range(4):
            for arn in images:
                ib.get_image(imageBuildVersionArn=arn)
            mock.clock.advance(1000)
        if peek:  # mid-build in clock and poll mode; not a poll (no GetImage)
            for execution in ib.list_workflow_executions(imageBuildVersionArn=images[1])["workflowExecutions"]:
                ib.list_workflow_step_executions(workflowExecutionId=execution["workflowExecutionId"])
        for _ in range(8):
            mock.clock.advance(1000)
            for arn in images:
                ib.get_image(imageBuildVersionArn=arn)
        if mode == "immediate":
            ib.retry_image(imageBuildVersionArn=images[0]) if ib.get_image(
                imageBuildVersionArn=images[0])["image"]["state"]["status"] == "FAILED" else None
            ib.get_image(imageBuildVersionArn=images[0])
        for arn in images:
            look(arn)
        seen.append(ib.list_waiting_workflow_steps()["steps"])
    for data in seen:
        if isinstance(data, dict):
            data.pop("ResponseMetadata", None)
            data.pop("requestId", None)
    text = json.dumps(seen, default=str, sort_keys=True)
    ids = list(dict.fromkeys(__import__("re").findall(r"(?:wf|step)-[0-9a-f-]{36}", text)))
    for number, found in enumerate(ids):
        import hashlib
        text = text.replace(found, f"<id{number}>")
        text = text.replace("i-" + hashlib.sha1(found.encode()).hexdigest()[:17], f"<instance{number}>")
        text = text.replace(str(uuid.uuid5(uuid.NAMESPACE_URL, found)), f"<uuid{number}>")
    for number, found in enumerate(dict.fromkeys(__import__("re").findall(r"ami-[0-9a-f]{17}", text))):
        text = text.replace(found, f"<ami{number}>")  # random ids: drawn in another order when deferred
    return json.loads(text)


@pytest.mark.parametrize("mode", ["immediate", "poll", "clock"])
def test_deferred_workflow_runs_replay_exactly_as_eager_runs(mode, monkeypatch):
    from imagebuilder_mock._resources.workflows import runtime as workflow_runtime
    deferred = _workflow_story(mode, peek=True)
    monkeypatch.setattr(workflow_runtime, "_deferred", lambda ctx, image: False)
    assert deferred == _workflow_story(mode, peek=True)
    assert len(deferred) > 20


@pytest.mark.parametrize("mode", ["immediate", "poll", "clock"])
def test_workflow_runs_are_the_same_whether_looked_at_mid_build_or_not(mode):
    assert _workflow_story(mode, peek=False) == _workflow_story(mode, peek=True)


def test_a_build_that_nobody_looks_at_creates_no_executions(ib, imagebuilder_mock):
    image = ib.create_image(imageRecipeArn=f.image_recipe(ib),
                            infrastructureConfigurationArn=f.infrastructure(ib))["imageBuildVersionArn"]
    assert ib.get_image(imageBuildVersionArn=image)["image"]["state"]["status"] == "AVAILABLE"
    assert not _store(imagebuilder_mock).workflow_executions
    assert len(ib.list_workflow_executions(imageBuildVersionArn=image)["workflowExecutions"]) == 2
    assert len(_store(imagebuilder_mock).workflow_step_executions) > 5




# -- immediate mode runs a build to the end clock mode reaches with stages of no length -------------
_STEPS_DOC = """name: {name}
schemaVersion: 1.0
steps:
  - name: Launch
    action: LaunchInstance
""" + _SNAPSHOT_AND_TERMINATE


def _build_scenarios(ib) -> list[str]:
    """Builds of every kind: own workflows, no tests, scanning, distributions, containers, pipelines."""
    component = f.component(ib, name="one-pass")
    recipe = f.image_recipe(ib, name="one-pass", components=[component])
    infra = f.infrastructure(ib, name="one-pass")
    role = f"arn:aws:iam::{ACCOUNT}:role/ib"
    own = [{"workflowArn": ib.create_workflow(name=f"wf-{wtype.lower()}", semanticVersion="1.0.0", type=wtype,
                                              data=_STEPS_DOC.format(name=wtype.lower()))["workflowBuildVersionArn"]}
           for wtype in ("BUILD", "TEST", "DISTRIBUTION")]
    images = [ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra, **kw)["imageBuildVersionArn"]
              for kw in ({}, {"workflows": own, "executionRole": role},
                         {"imageTestsConfiguration": {"imageTestsEnabled": False}},
                         {"imageScanningConfiguration": {"imageScanningEnabled": True}},
                         {"distributionConfigurationArn": f.distribution(ib, name="one-pass",
                                                                         regions=("us-east-1", "us-west-2"))})]
    container = f.container_recipe(ib, name="one-pass", components=[component])
    images.append(ib.create_image(containerRecipeArn=container, infrastructureConfigurationArn=infra)[
        "imageBuildVersionArn"])
    pipeline = f.pipeline(ib, name="one-pass", recipe=recipe, infra=infra, dist=False)
    images.append(ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"])
    return images


def _observed(ib, images: list[str]) -> list:
    seen = []
    for arn in images:
        seen.append(ib.get_image(imageBuildVersionArn=arn)["image"])
        for execution in ib.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"]:
            seen.append(execution)
            seen.append(ib.list_workflow_step_executions(workflowExecutionId=execution["workflowExecutionId"])["steps"])
    seen.append(ib.list_image_pipelines()["imagePipelineList"])
    return seen


def test_immediate_mode_ends_where_clock_mode_with_instant_stages_does():
    """Both step each build through `lifecycle.transition` to its end at one moment: the images, AMIs,
    workflow executions and steps, and pipelines seen afterwards are the same."""
    import time_machine

    from imagebuilder_mock import _lifecycle as lifecycle
    from imagebuilder_mock import mock_imagebuilder
    from imagebuilder_mock._backend import ids
    from imagebuilder_mock._resources.images import outputs as image_outputs

    instant = {stage: 0 for stage in lifecycle.DEFAULT_STAGE_DURATIONS}
    runs = []
    for settings in ({}, {"progression": "clock", "stage_durations": instant}):
        image_outputs._RNG.seed(7)
        ids.SHARED.seed(7)
        with time_machine.travel("2024-05-01T12:00:00Z", tick=False), mock_imagebuilder(**settings):
            ib = boto3.client("imagebuilder", region_name=REGION)
            runs.append(_observed(ib, _build_scenarios(ib)))
    assert len(runs[0]) == len(runs[1]) > 20
    for immediate, clock in zip(*runs):
        assert immediate == clock
    assert runs[0][0]["state"] == {"status": "AVAILABLE"}
