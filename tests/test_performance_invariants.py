"""What the speed-ups must not change (docs/performance.md): list results with the components' build
lookups, cached YAML documents that callers share, snapshots shared between images, the O(1) hooks,
and the compact idempotency entries."""

from __future__ import annotations

import itertools

import boto3
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import factories as f
from imagebuilder_mock._backend import versions
from imagebuilder_mock._resources import catalog, component_documents, workflow_documents

ACCOUNT, REGION = "123456789012", "us-east-1"


def _store(mock):
    return mock.backend.store(ACCOUNT, REGION)


# -- ListComponents against a brute-force reading of the store -----------------------------------------
def _expected(mock, by_name: bool, deprecated: bool) -> list[str]:
    """The latest build per version (or name) among the kept builds, in order of first kept build."""
    best: dict[str, dict] = {}
    for item in _store(mock).components.values():
        if not deprecated and item["state"]["status"] == "DEPRECATED":
            continue
        version_arn = item["arn"].rsplit("/", 1)[0]
        key = version_arn.rsplit("/", 2)[1] if by_name else version_arn
        order = (versions.key(item["version"]), item["_build"])
        if key not in best or order > (versions.key(best[key]["version"]), best[key]["_build"]):
            best[key] = item
    return [item["arn"].rsplit("/", 1)[0] for item in best.values()]


def _listed(ib, by_name: bool, deprecated: bool, page: int = 2) -> list[str]:
    args = {"byName": by_name, "maxResults": page}
    if deprecated:
        args["filters"] = [{"name": "status", "values": ["ACTIVE", "DEPRECATED"]}]
    pages = ib.get_paginator("list_components").paginate(**args)
    return [v["arn"] for p in pages for v in p["componentVersionList"]]


def _check_lists(ib, mock) -> None:
    for by_name, deprecated in itertools.product((False, True), repeat=2):
        assert _listed(ib, by_name, deprecated) == _expected(mock, by_name, deprecated)


def test_list_components_stays_right_through_builds_deletes_and_deprecations(ib, imagebuilder_mock):
    built = {}
    for name, version, n in [("comp-a", "1.0.0", 0), ("comp-b", "1.0.0", 0), ("comp-a", "1.0.0", 1), ("comp-a", "2.0.0", 0),
                             ("comp-c", "1.0.0", 0), ("comp-b", "1.0.0", 1), ("comp-a", "1.0.0", 2), ("comp-b", "0.9.0", 0)]:
        data = f.LINUX_DOC + f"# build {n}\n"
        arn = ib.create_component(name=name, semanticVersion=version, platform="Linux", data=data)[
            "componentBuildVersionArn"]
        built[(name, version, n)] = arn
    _check_lists(ib, imagebuilder_mock)
    ib.delete_component(componentBuildVersionArn=built[("comp-a", "1.0.0", 2)])  # the latest build of a version
    ib.delete_component(componentBuildVersionArn=built[("comp-c", "1.0.0", 0)])  # the only build of a name
    _check_lists(ib, imagebuilder_mock)
    for key in (("comp-a", "1.0.0", 0), ("comp-b", "1.0.0", 1), ("comp-a", "2.0.0", 0)):  # first and latest builds
        _store(imagebuilder_mock).components[built[key]]["state"] = {"status": "DEPRECATED"}
    _check_lists(ib, imagebuilder_mock)
    ib.create_component(name="comp-a", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC + "# again\n")
    ib.create_component(name="comp-c", semanticVersion="3.0.0", platform="Linux", data=f.LINUX_DOC)
    _check_lists(ib, imagebuilder_mock)
    version_arn = built[("comp-a", "1.0.0", 0)].rsplit("/", 1)[0]
    builds = ib.list_component_build_versions(componentVersionArn=version_arn)["componentSummaryList"]
    assert [b["arn"] for b in builds] == [
        a for a, item in _store(imagebuilder_mock).components.items()
        if a.startswith(version_arn + "/") and item["state"]["status"] != "DEPRECATED"]


def test_by_name_lists_the_latest_version_of_each_name(ib, imagebuilder_mock):
    for version in ("1.0.0", "1.2.0", "1.1.0"):
        ib.create_component(name="multi", semanticVersion=version, platform="Linux", data=f.LINUX_DOC)
    listed = ib.list_components(byName=True)["componentVersionList"]
    assert [(v["name"], v["version"]) for v in listed] == [("multi", "1.2.0")]
    ib.delete_component(componentBuildVersionArn=listed[0]["arn"].replace("1.2.0", "1.2.0/1"))
    assert [v["version"] for v in ib.list_components(byName=True)["componentVersionList"]] == ["1.1.0"]


def test_an_identical_build_of_an_earlier_version_build_is_still_refused(ib):
    arn = f.component(ib, name="same")
    ib.create_component(name="same", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC + "# 2\n")
    with pytest.raises(ib.exceptions.ResourceAlreadyExistsException):
        ib.create_component(name="same", semanticVersion="1.0.0", platform="Linux", data=f.LINUX_DOC + "# 2\n")
    assert arn.endswith("/1")



def test_listed_component_entries_follow_status_changes_and_not_tags(ib, imagebuilder_mock):
    """ListComponents keeps each build's entry on the build (`components._view_of`): a status changed in
    place or by replacing `state` must show at once, for the owner and for an account it is shared with."""
    other = f.client_for(imagebuilder_mock, "210987654321", REGION)
    arn = f.component(ib, name="watched")
    version_arn = arn.rsplit("/", 1)[0]
    ib.put_component_policy(componentArn=arn, policy=f.sharing_policy(
        arn, ["imagebuilder:GetComponent", "imagebuilder:ListComponents"], ["210987654321"]))
    both = [{"name": "status", "values": ["ACTIVE", "DEPRECATED", "DISABLED"]}]

    def listed(client=ib, **args) -> dict:
        return {v["arn"]: v for v in client.list_components(**args)["componentVersionList"]}

    def statuses() -> list:
        return [listed().get(version_arn, {}).get("status"), listed(filters=both)[version_arn]["status"],
                listed(other, owner="Shared").get(version_arn, {}).get("status"),
                listed(ib, byName=True).get(version_arn, {}).get("status")]

    assert statuses() == ["ACTIVE", "ACTIVE", "ACTIVE", "ACTIVE"]
    item = _store(imagebuilder_mock).components[arn]
    item["state"]["status"] = "DEPRECATED"  # in place
    assert statuses() == [None, "DEPRECATED", None, None]
    item["state"] = {"status": "DISABLED"}  # replaced
    assert statuses() == ["DISABLED", "DISABLED", "DISABLED", "DISABLED"]
    entry = listed()[version_arn]
    ib.tag_resource(resourceArn=arn, tags={"team": "x"})
    assert listed()[version_arn] == entry and "tags" not in entry
    assert ib.get_component(componentBuildVersionArn=arn)["component"]["tags"] == {"team": "x"}


def test_component_version_references_are_those_of_the_parsed_arn(ib):
    from imagebuilder_mock._resources import _common, components

    own = [f.component(ib, name="Refs_Name x", version="2.3.4")]
    for arn in own + [a for account in catalog.ACCOUNTS for a in catalog.collection(REGION, "component", account)]:
        assert components._references(arn) == _common.version_references(arn)

# -- YAML: libyaml when present, the pure-Python loader's results and messages -------------------------
@pytest.mark.parametrize("text", ["phases: [", "a: b: c", "key: 'unterminated", "- a\nb: c", "\tx: 1"])
def test_yaml_errors_are_the_pure_python_loaders(text):
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.load(text, Loader=yaml.SafeLoader)
    with pytest.raises(component_documents.YamlError) as got:
        component_documents.load_yaml(text)
    assert str(got.value) == str(expected.value)


def test_yaml_results_are_the_pure_python_loaders():
    for text in [f.LINUX_DOC, catalog._BUILD_IMAGE_DOC, "a: 1.0\nb: [yes, no, ~, 0x1F]\nc: 2001-12-14\n"]:
        assert component_documents.load_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader)


def test_component_documents_are_fresh_for_every_caller():
    first = component_documents.parse(f.LINUX_DOC, "Linux")
    first.parameters[0]["name"] = "changed"
    first.parameters[0].setdefault("defaultValue", []).append("x")
    first.phases.append("changed")
    again = component_documents.parse(f.LINUX_DOC, "Linux")
    assert again.parameters[0]["name"] == "Greeting" and again.phases == ["build", "validate"]
    assert again.parameters[0].get("defaultValue") != first.parameters[0]["defaultValue"]


def test_cached_workflow_documents_are_shared_and_never_mutated(ib):
    text = catalog._BUILD_IMAGE_DOC
    parsed = workflow_documents.parse(text, "BUILD")
    assert workflow_documents.parse(text, "BUILD") is parsed
    pristine = yaml.load(text, Loader=yaml.SafeLoader)
    recipe = f.image_recipe(ib)
    infra = f.infrastructure(ib)
    for _ in range(2):  # every image runs the AWS-managed build and test workflows
        arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
        assert ib.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE"
        assert ib.list_workflow_executions(imageBuildVersionArn=arn)["workflowExecutions"]
    assert parsed == pristine


def test_an_invalid_workflow_document_fails_every_time():
    for _ in range(2):
        with pytest.raises(Exception, match="not valid YAML"):
            workflow_documents.parse("steps: [", "BUILD")


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
    images in a plain status one state dict per status, AMIs one AVAILABLE state: tagging, failing,
    cancelling and lifecycle actions must leave all of them as they were."""
    from imagebuilder_mock import mock_imagebuilder
    from imagebuilder_mock._backend import lifecycle
    from imagebuilder_mock._resources import _common, image_builds, image_outputs

    with mock_imagebuilder(progression=mode) as mock:
        _check_shared_defaults(boto3.client("imagebuilder", region_name=REGION), mock, mode)
    assert _common.NO_TAGS == {}
    assert image_builds._DEFAULT_TESTS == {"imageTestsEnabled": True, "timeoutMinutes": 720}
    assert all(state == {"status": status} for status, state in lifecycle._SHARED_STATES.items())
    assert image_outputs.AMI_AVAILABLE == {"status": "AVAILABLE"}


def _check_shared_defaults(ib, imagebuilder_mock, mode: str) -> None:
    store = _store(imagebuilder_mock)
    recipe, infra = f.image_recipe(ib), f.infrastructure(ib)
    arns_ = [ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
             for _ in range(3)]
    assert store.images[arns_[0]]["tags"] is store.images[arns_[1]]["tags"]
    assert store.images[arns_[0]]["imageTestsConfiguration"] is store.images[arns_[1]]["imageTestsConfiguration"]
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


def test_catalog_parent_facts_are_remembered_per_region_and_arn(ib):
    """The facts of an AWS-owned parent image are resolved once (the catalog never changes): the same
    osVersion and imageSource as resolving it every time, Region by Region."""
    from imagebuilder_mock._resources import catalog, image_builds

    image_builds._CATALOG_PARENTS.clear()
    for region in ("us-east-1", "us-west-2"):
        client = boto3.client("imagebuilder", region_name=region)
        for _ in range(2):
            recipe = f.image_recipe(client, region=region)
            arn = client.create_image(imageRecipeArn=recipe,
                                      infrastructureConfigurationArn=f.infrastructure(client))["imageBuildVersionArn"]
            image = client.get_image(imageBuildVersionArn=arn)["image"]
            parent = client.get_image(imageBuildVersionArn=f.AL2.format(region=region))["image"]
            assert (image["osVersion"], image["imageSource"]) == (parent["osVersion"], "AMAZON_MANAGED")
    assert {key[0] for key in image_builds._CATALOG_PARENTS} == {"us-east-1", "us-west-2"}
    assert catalog.ACCOUNTS  # the cache holds only parents of these accounts


# -- hooks: nothing to do costs one comparison; due work still runs --------------------------------------
def test_schedule_catch_up_scans_only_when_something_is_due(ib, imagebuilder_mock, monkeypatch):
    from imagebuilder_mock._resources import schedules

    arn = f.pipeline(ib, dist=False, schedule={"scheduleExpression": "rate(1 day)",
                                               "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"})
    ran = []
    original = schedules._run_until
    monkeypatch.setattr(schedules, "_run_until", lambda *a: (ran.append(a[2]["arn"]), original(*a)))
    for _ in range(3):
        ib.get_image_pipeline(imagePipelineArn=arn)
    assert ran == []
    imagebuilder_mock.clock.advance(days=1, minutes=1)
    ib.get_image_pipeline(imagePipelineArn=arn)
    ib.get_image_pipeline(imagePipelineArn=arn)
    assert ran == [arn]
    images = ib.list_image_pipeline_images(imagePipelineArn=arn)["imageSummaryList"]
    assert len(images) == 1
    ib.delete_image_pipeline(imagePipelineArn=arn)
    imagebuilder_mock.clock.advance(days=2)
    ib.list_components()  # the deleted pipeline's due time costs one scan, then nothing is left to wake for
    assert ran == [arn]
    assert schedules._EARLIEST not in imagebuilder_mock.backend.extensions


def test_lifecycle_hook_runs_due_policies_and_settles_cancellations(ib, imagebuilder_mock, monkeypatch):
    from imagebuilder_mock._resources import _lifecycle_runs as runs

    policy = ib.create_lifecycle_policy(
        name="daily", executionRole="arn:aws:iam::123456789012:role/r", resourceType="AMI_IMAGE",
        policyDetails=[{"action": {"type": "DEPRECATE"}, "filter": {"type": "AGE", "value": 30, "unit": "DAYS"}}],
        resourceSelection={"tagMap": {"team": "x"}})["lifecyclePolicyArn"]
    scans = []
    original = runs.catch_up
    monkeypatch.setattr(runs, "catch_up", lambda backend: (scans.append(1), original(backend)))
    ib.get_lifecycle_policy(lifecyclePolicyArn=policy)  # the create asked for one look
    for _ in range(3):
        ib.get_lifecycle_policy(lifecyclePolicyArn=policy)
    assert len(scans) == 1
    imagebuilder_mock.clock.advance(days=1, minutes=1)
    assert len(ib.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]) == 1
    assert len(scans) == 2
    ib.update_lifecycle_policy(lifecyclePolicyArn=policy, executionRole="arn:aws:iam::123456789012:role/r",
                               resourceType="AMI_IMAGE", status="DISABLED",
                               policyDetails=[{"action": {"type": "DEPRECATE"},
                                               "filter": {"type": "AGE", "value": 30, "unit": "DAYS"}}],
                               resourceSelection={"tagMap": {"team": "x"}})
    imagebuilder_mock.clock.advance(days=3)
    assert len(ib.list_lifecycle_executions(resourceArn=policy)["lifecycleExecutions"]) == 1


# -- idempotency entries replay the first response exactly ------------------------------------------------
def test_a_replayed_create_is_byte_for_byte_the_first_response(imagebuilder_mock):
    engine = imagebuilder_mock.engine
    headers = {"Content-Type": "application/json",
               "Authorization": f"AWS4-HMAC-SHA256 Credential=AKIAX/20250101/{REGION}/imagebuilder/aws4_request"}
    body = b'{"name": "idem", "instanceProfileName": "r", "clientToken": "tok-1"}'
    first = engine.handle("PUT", "/CreateInfrastructureConfiguration", "", headers, body)
    again = engine.handle("PUT", "/CreateInfrastructureConfiguration", "", headers, body)
    assert first[0] == again[0] == 200
    first_id, again_id = first[1]["x-amzn-RequestId"], again[1]["x-amzn-RequestId"]
    assert first_id != again_id and again[2] == first[2].replace(first_id.encode(), again_id.encode())
    other = engine.handle("PUT", "/CreateInfrastructureConfiguration", "", headers,
                          body.replace(b'"r"', b'"s"'))
    assert other[0] == 400 and other[1]["x-amzn-ErrorType"] == "IdempotentParameterMismatchException"


# -- deferred workflow runs: replayed on first look, exactly as if run eagerly ---------------------------
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
  - name: Snapshot
    action: CreateImage
    inputs:
      instanceId.$: "$.stepOutputs.Launch.instanceId"
  - name: Terminate
    action: TerminateInstance
    inputs:
      instanceId.$: "$.stepOutputs.Launch.instanceId"
"""


def _workflow_story(mode: str) -> list:
    """Builds of every kind, looked at at different moments; everything the workflow reads return."""
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
        look(images[1])  # mid-build in clock and poll mode: from here on the run is eager
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
    from imagebuilder_mock._resources import workflow_runtime
    deferred = _workflow_story(mode)
    monkeypatch.setattr(workflow_runtime, "_deferrable", lambda ctx, image: False)
    assert deferred == _workflow_story(mode)
    assert len(deferred) > 20


def test_a_build_that_nobody_looks_at_creates_no_executions(ib, imagebuilder_mock):
    image = ib.create_image(imageRecipeArn=f.image_recipe(ib),
                            infrastructureConfigurationArn=f.infrastructure(ib))["imageBuildVersionArn"]
    assert ib.get_image(imageBuildVersionArn=image)["image"]["state"]["status"] == "AVAILABLE"
    assert not _store(imagebuilder_mock).workflow_executions
    assert len(ib.list_workflow_executions(imageBuildVersionArn=image)["workflowExecutions"]) == 2
    assert len(_store(imagebuilder_mock).workflow_step_executions) > 5


_ARNISH = st.sampled_from(["arn:aws:imagebuilder:us-east-1:123456789012:image/a/", "arn:", "arn:x/", "/", "1.0.0"])


@given(st.text(min_size=1, max_size=8),
       st.dictionaries(st.text(max_size=6), st.lists(st.one_of(st.text(max_size=12), _ARNISH)).map("".join),
                       max_size=5))
def test_idempotency_entries_give_back_exactly_the_first_response(token, members):
    import json

    from imagebuilder_mock._engine import _idempotency, engine
    request_id, replay_id = engine.random_uuid(), engine.random_uuid()
    body = json.dumps({"requestId": request_id, "clientToken": token, **members}).encode()
    digest = b"d" * _idempotency.DIGEST
    entry = _idempotency.entry(digest, 201, request_id, token, body)
    assert _idempotency.matches(entry, digest) and not _idempotency.matches(entry, b"e" * _idempotency.DIGEST)
    assert _idempotency.replay(entry, token, request_id) == (201, body)
    again = json.dumps({"requestId": replay_id, "clientToken": token, **members}).encode()
    assert _idempotency.replay(entry, token, replay_id) == (201, again)


def test_idempotency_entries_with_their_own_bodies_once_the_shared_table_is_full(monkeypatch):
    from imagebuilder_mock._engine import _idempotency

    monkeypatch.setattr(_idempotency, "_BODIES_KEPT", len(_idempotency._BODIES))
    body = b'{"requestId":"r-1","clientToken":"tok","arn":"arn:aws:imagebuilder:r:a:image/never-seen-\\u00e9/1"}'
    entry = _idempotency.entry(b"d" * _idempotency.DIGEST, 200, "r-1", "tok", body)
    assert entry.endswith(b'"arn":"arn:aws:imagebuilder:r:a:image\x02/1"}')  # its own body, not a shared one
    assert _idempotency.replay(entry, "tok", "r-2") == (200, body.replace(b"r-1", b"r-2"))


# -- recipes: repeated values kept once, AWS-owned parents resolved once ---------------------------------
STIG = "arn:aws:imagebuilder:us-east-1:aws:component/stig-build-linux/2025.4.0/1"


def _recipe_with(ib, components: list[dict], **kw) -> str:
    return ib.create_image_recipe(name=f.unique("shared"), semanticVersion="1.0.0",
                                  parentImage=f.AL2.format(region=REGION), components=components,
                                  **kw)["imageRecipeArn"]


def test_recipes_share_parents_and_components_but_not_tags(ib, imagebuilder_mock):
    component = f.component(ib)
    same = [{"componentArn": component}, {"componentArn": STIG, "parameters": [
        {"name": "InstallPackages", "value": ["Yes"]}]}]
    other = [{"componentArn": component}, {"componentArn": STIG, "parameters": [
        {"name": "InstallPackages", "value": ["No"]}]}]
    first, second = _recipe_with(ib, same, tags={"n": "1"}), _recipe_with(ib, same)
    third, alone = _recipe_with(ib, other), _recipe_with(ib, [{"componentArn": component}])
    recipes = _store(imagebuilder_mock).image_recipes
    assert recipes[first]["components"] is recipes[second]["components"]
    assert recipes[first]["parentImage"] is recipes[third]["parentImage"]
    assert recipes[third]["components"] is not recipes[first]["components"]
    assert recipes[first]["tags"] is not recipes[second]["tags"]
    assert recipes[alone]["components"][0]["componentArn"] is _store(imagebuilder_mock).components[component]["arn"]
    image = ib.create_image(imageRecipeArn=first, infrastructureConfigurationArn=f.infrastructure(ib))[
        "imageBuildVersionArn"]
    ib.tag_resource(resourceArn=second, tags={"n": "2"})
    ib.untag_resource(resourceArn=first, tagKeys=["n"])
    got = {arn: ib.get_image_recipe(imageRecipeArn=arn)["imageRecipe"] for arn in (first, second, third, alone)}
    assert got[first]["components"] == got[second]["components"] == same
    assert got[third]["components"] == other and got[alone]["components"] == [{"componentArn": component}]
    assert (got[first]["tags"], got[second]["tags"], got[third]["tags"]) == ({}, {"n": "2"}, {})
    built = ib.get_image(imageBuildVersionArn=image)["image"]["imageRecipe"]
    assert built["components"] == same and built["tags"] == {"n": "1"}


def test_shared_value_tables_stay_bounded(ib, imagebuilder_mock, monkeypatch):
    from imagebuilder_mock._resources import _recipes_common

    monkeypatch.setattr(_recipes_common, "_SHARED_MAX", 2)
    arns_ = [_recipe_with(ib, [{"componentArn": f.component(ib)}]) for _ in range(5)]
    strings, lists = _store(imagebuilder_mock).indexes["recipe_shared"]
    assert len(strings) <= 2 and len(lists) <= 2
    assert all(ib.get_image_recipe(imageRecipeArn=a)["imageRecipe"]["components"] for a in arns_)


def test_only_aws_owned_parents_are_resolved_once(ib, imagebuilder_mock):
    from imagebuilder_mock._resources import _recipes_common

    platforms = {}
    for region in (REGION, "eu-west-1"):
        client = ib if region == REGION else f.client_for(imagebuilder_mock, ACCOUNT, region)
        for image in catalog.images(region).values():
            version_arn = image["arn"].rsplit("/", 1)[0]
            wildcard = version_arn.rsplit("/", 1)[0] + "/x.x.x"
            for parent in (image["arn"], version_arn, wildcard) * 2:
                recipe = client.create_image_recipe(name=f.unique("parent"), semanticVersion="1.0.0",
                                                    parentImage=parent)["imageRecipeArn"]
                got = client.get_image_recipe(imageRecipeArn=recipe)["imageRecipe"]["platform"]
                assert got == platforms.setdefault((region, parent), image["platform"])
    # the caller's own image: resolved on every Create (it can be deleted, and new builds come along)
    recipe = f.image_recipe(ib)
    image = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=f.infrastructure(ib))[
        "imageBuildVersionArn"]
    ib.get_image(imageBuildVersionArn=image)
    own = image.rsplit("/", 2)[0] + "/x.x.x"
    ib.create_image_recipe(name=f.unique("own"), semanticVersion="1.0.0", parentImage=own)
    ib.delete_image(imageBuildVersionArn=image)
    with pytest.raises(ib.exceptions.ResourceNotFoundException):
        ib.create_image_recipe(name=f.unique("own"), semanticVersion="1.0.0", parentImage=own)
    assert not any(f":{ACCOUNT}:" in arn for known in _recipes_common._CATALOG_PLATFORMS.values() for arn in known)


def test_catalog_version_and_wildcard_arns_resolve_as_a_full_scan_does(imagebuilder_mock):
    from imagebuilder_mock._backend import arns
    from imagebuilder_mock._backend.context import RequestContext
    from imagebuilder_mock._engine._errors import ServiceError
    from imagebuilder_mock._resources import _lookup

    for region in (REGION, "eu-west-1"):
        ctx = RequestContext(imagebuilder_mock.backend, ACCOUNT, region, "GetImage", "r")
        for resource_type in ("image", "component", "workflow"):
            for account in catalog.ACCOUNTS:
                collection = catalog.collection(region, resource_type, account)
                for item in collection.values():
                    version_arn = arns.parse(item["arn"]).version_arn
                    major, minor, _ = version_arn.rsplit("/", 1)[1].split(".")
                    base = version_arn.rsplit("/", 1)[0]
                    for arn in (version_arn, f"{base}/x.x.x", f"{base}/{major}.x.x", f"{base}/{major}.{minor}.x"):
                        parsed = arns.parse(arn)
                        pattern = versions.parse(parsed.version, wildcards=True)
                        for usable in (None, lambda i, top=item: i is not top):
                            expected = _lookup.latest_match(collection.values(), parsed, pattern, resource_type,
                                                            usable)
                            for _ in range(2):  # found once, then remembered
                                try:
                                    got = _lookup.resolve(ctx, arn, resource_type, "arn", usable)
                                except ServiceError:
                                    got = None
                                assert got is expected


# -- a build run in one pass (immediate mode) equals the step-by-step run ---------------------------
_STEPS_DOC = """name: {name}
schemaVersion: 1.0
steps:
  - name: Launch
    action: LaunchInstance
  - name: Snapshot
    action: CreateImage
    inputs:
      instanceId.$: "$.stepOutputs.Launch.instanceId"
  - name: Terminate
    action: TerminateInstance
"""


def _build_scenarios(ib) -> list[str]:
    """Builds of every kind the one-pass run takes (and a few it leaves to the step-by-step run)."""
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


def test_a_build_run_in_one_pass_equals_the_step_by_step_run(monkeypatch):
    """Immediate mode finishes a new build in one pass (lifecycle._run_through): the images, AMIs,
    workflow executions and steps, and pipelines seen afterwards are those of the step-by-step run."""
    import time_machine

    from imagebuilder_mock import mock_imagebuilder
    from imagebuilder_mock._backend import lifecycle
    from imagebuilder_mock._engine import engine
    from imagebuilder_mock._resources import image_outputs

    runs = []
    for one_pass in (True, False):
        if not one_pass:
            monkeypatch.setattr(lifecycle, "_run_through", lambda *args: False)
        image_outputs._RNG.seed(7)
        engine._RNG.seed(7)
        with time_machine.travel("2024-05-01T12:00:00Z", tick=False), mock_imagebuilder():
            ib = boto3.client("imagebuilder", region_name=REGION)
            runs.append(_observed(ib, _build_scenarios(ib)))
    assert len(runs[0]) == len(runs[1]) > 20
    for one_pass, step_by_step in zip(*runs):
        assert one_pass == step_by_step
    assert runs[0][0]["state"] == {"status": "AVAILABLE"}


# -- the request path's shortcuts (engine plans, endpoint views, responses made without constructors) -----
def test_no_operation_reads_a_header_member():
    """The patch hands the engine the Authorization and Host headers only: true while no input member of
    the model is read from a header (if one ever is, respond() must pass it too)."""
    from imagebuilder_mock._engine._model import service_model

    model = service_model()
    located = {member.serialization.get("location")
               for name in model.operation_names
               for member in (model.operation_model(name).input_shape.members.values()
                              if model.operation_model(name).input_shape else ())}
    assert "header" not in located and "headers" not in located


@pytest.mark.parametrize("url", [
    "https://imagebuilder.us-east-1.amazonaws.com/GetComponent?componentBuildVersionArn=arn%3Aaws%3Ax",
    "https://imagebuilder.us-east-1.amazonaws.com/CreateComponent",
    "http://127.0.0.1:5000/tags/arn%3Aaws%3Aimagebuilder%3Aus-east-1%3A1%3Acomponent%2Fa?x=1&y=",
    "https://host?x=/y", "https://host", "HTTPS://Host/Path?q", "https://host/p#frag?x", "https://h/p?\tq",
    "ftp://host/p?q", "https://host/a?b?c",
])
def test_urls_split_as_urlsplit_splits_them(url):
    from urllib.parse import urlsplit

    from imagebuilder_mock._patch import _split_url

    parts = urlsplit(url)
    assert _split_url(url) == (parts.netloc, parts.path, parts.query)


def test_responses_made_without_constructors_equal_constructed_ones():
    from botocore.awsrequest import AWSResponse

    from imagebuilder_mock import _patch

    assert _patch._FAST_RESPONSE  # on the botocore the tests run with

    class Request:
        url = "https://imagebuilder.us-east-1.amazonaws.com/ListComponents"
        method = "post"
        headers = {"Authorization": rawhttp_signed()}
        body = b"{}"

    class Mock:
        from imagebuilder_mock._engine.engine import Engine
        from imagebuilder_mock._backend.store import Backend

        _engine = Engine(Backend())

    for request_body in (b"{}", b'{"maxResults": "x"}'):  # an answer, an error
        Request.body = request_body
        fast = _patch.respond(Mock, Request)
        status, headers, body = Mock._engine.handle("POST", "/ListComponents", "", Request.headers, request_body)
        made = AWSResponse(Request.url, status, headers, _patch._RawBody((body,)))
        assert fast.status_code == made.status_code and fast.url == made.url
        assert dict(fast.headers) == dict(made.headers) | {"x-amzn-RequestId": fast.headers["x-amzn-RequestId"]}
        assert fast.headers["X-AMZN-REQUESTID"] and fast.content == made.content.replace(
            made.headers["x-amzn-RequestId"].encode(), fast.headers["x-amzn-RequestId"].encode())
        assert b"".join(fast.raw.stream()) == fast.content
        fast.headers["x-new"] = "1"  # a response's headers are its own
        assert "x-new" not in _patch.respond(Mock, Request).headers


def rawhttp_signed() -> str:
    import rawhttp

    return rawhttp.SIGNED["Authorization"]


def test_endpoint_views_are_kept_per_endpoint_and_mock_while_a_mock_is_active(monkeypatch):
    from imagebuilder_mock import _patch, mock_imagebuilder

    client = boto3.client("imagebuilder", region_name="us-east-1")
    with mock_imagebuilder() as first:
        client.list_components()
        (view,) = _patch._views.values()
        client.list_components()
        assert list(_patch._views.values()) == [view] and view.mock is first
        with mock_imagebuilder() as second:  # the innermost mock answers, through its own view
            client.list_components()
            (inner,) = _patch._views.values()
            assert inner.mock is second and inner._endpoint is view._endpoint
    assert not _patch._views  # nothing (no endpoint, no mock) kept once the last mock stops


def test_identity_follows_access_keys_registered_after_a_scope_was_seen(imagebuilder_mock):
    from imagebuilder_mock._engine import engine

    signed = {"authorization": "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEKEY123456/20260101/eu-west-1/"
                               "imagebuilder/aws4_request, SignedHeaders=host, Signature=1", "host": "h"}
    mock_engine = imagebuilder_mock.engine
    assert mock_engine._identity(signed) == ("123456789012", "eu-west-1")
    imagebuilder_mock.register_access_key("AKIAEXAMPLEKEY123456", "999999999999")
    assert mock_engine._identity(signed) == ("999999999999", "eu-west-1")
    # what the scope alone does not answer, the whole header does, as the pattern always did
    odd = {"authorization": "Credential=AKIAEXAMPLEKEY123456/2026,0101/ap-south-1/x", "host": "h"}
    assert mock_engine._identity(odd) == ("999999999999", "ap-south-1")
    assert mock_engine._identity({"authorization": "", "host": "imagebuilder.eu-north-1.amazonaws.com"}) == (
        "123456789012", "eu-north-1")
    for n in range(200):  # the scope cache stays bounded
        mock_engine._identity({"authorization": f"Credential=K{n}/d/r{n}/s/aws4_request, x", "host": "h"})
    assert len(engine._SCOPES) <= 64


def test_a_context_keeps_the_store_it_looked_up_and_a_new_context_sees_a_reset(imagebuilder_mock):
    from imagebuilder_mock._backend.context import RequestContext

    backend = imagebuilder_mock.backend
    ctx = RequestContext(backend, ACCOUNT, REGION, "GetImage", "r")
    assert ctx.store is backend.store(ACCOUNT, REGION) and ctx.store is ctx.store
    backend.reset()
    assert RequestContext(backend, ACCOUNT, REGION, "GetImage", "r").store is backend.store(ACCOUNT, REGION)
    assert RequestContext(backend, ACCOUNT, REGION, "GetImage", "r").store is not ctx.store
