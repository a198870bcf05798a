"""What the speed-ups must not change (docs/performance.md): list results with the components' build
lookups, cached YAML documents that callers share, snapshots shared between images, the O(1) hooks,
and the compact idempotency entries."""

from __future__ import annotations

import itertools

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
