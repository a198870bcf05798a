"""The image build lifecycle: each transition in each progression mode, failure injection, outputs."""

from __future__ import annotations

import re

import boto3
import pytest

from _image_helpers import AMI_ID, ami_dist, build, container_recipe, dist, infra, recipe, status
from imagebuilder_mock import mock_imagebuilder
from imagebuilder_mock import _lifecycle as lifecycle

REGION = "us-east-1"
ACCOUNT = "123456789012"
FULL_PATH = ["PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]
NO_TESTS = [s for s in FULL_PATH if s != "TESTING"]
poll = pytest.mark.imagebuilder_mock(progression="poll")
clock = pytest.mark.imagebuilder_mock(progression="clock")


def polled_statuses(ib, arn: str, limit: int = 12) -> list[str]:
    seen = []
    for _ in range(limit):
        seen.append(status(ib, arn))
        if seen[-1] in lifecycle.TERMINAL:
            break
    return seen


@pytest.fixture
def add_hook(monkeypatch):
    """Add a lifecycle hook, after the mock's own, for the test's length."""
    def add(hook: lifecycle.LifecycleHook) -> None:
        everything = lifecycle.hooks.in_order() + (hook,)
        monkeypatch.setattr(lifecycle.hooks, "in_order", lambda: everything)

    return add


@pytest.fixture
def recorder(add_hook):
    """Every transition any build makes during the test, as (arn, old, new)."""
    events: list[tuple[str, str, str]] = []

    class Recorder(lifecycle.LifecycleHook):
        def on_transition(self, ctx, image, old, new):
            events.append((image["arn"], old, new))

    add_hook(Recorder())
    return events


class Gate(lifecycle.LifecycleHook):
    """A hook that holds builds before `held_before` until opened."""

    def __init__(self, held_before: str) -> None:
        self.held_before, self.open = held_before, False

    def allows(self, ctx, image, next_status):
        return self.open or next_status != self.held_before


# -- the graph ---------------------------------------------------------------------------------
def test_graph_covers_every_status_of_the_model():
    from imagebuilder_mock._engine._model import service_model

    assert set(lifecycle.TRANSITIONS) == set(service_model().shape_for("ImageStatus").enum)
    for path in (lifecycle.BUILD_PATH, lifecycle.UNTESTED_PATH, lifecycle.DISTRIBUTE_PATH, lifecycle.IMPORT_PATH):
        for old, new in zip(path, path[1:]):
            assert new in lifecycle.TRANSITIONS[old], (old, new)
    for status_ in lifecycle.STATUSES_IN_PROGRESS:
        assert {"FAILED", "CANCELLED"} <= lifecycle.TRANSITIONS[status_]


# -- immediate ---------------------------------------------------------------------------------
def test_immediate_builds_are_available_when_first_read(ib, recorder):
    arn = build(ib)
    assert recorder == []  # nothing happens until someone looks
    assert status(ib, arn) == "AVAILABLE"
    assert [(old, new) for a, old, new in recorder if a == arn] == list(zip(FULL_PATH, FULL_PATH[1:]))


def test_immediate_builds_settle_on_list_reads_too(ib):
    arn = build(ib)
    summary = ib.list_image_build_versions()["imageSummaryList"][0]
    assert summary["arn"] == arn and summary["state"]["status"] == "AVAILABLE"


def test_immediate_without_tests_skips_testing(ib, recorder):
    arn = build(ib, imageTestsConfiguration={"imageTestsEnabled": False})
    status(ib, arn)
    assert [new for a, _, new in recorder if a == arn] == NO_TESTS[1:]


# -- poll --------------------------------------------------------------------------------------
@poll
def test_poll_moves_one_state_per_get_image(ib):
    assert polled_statuses(ib, build(ib)) == FULL_PATH


@poll
def test_poll_without_tests(ib):
    assert polled_statuses(ib, build(ib, imageTestsConfiguration={"imageTestsEnabled": False})) == NO_TESTS


@poll
def test_poll_is_only_get_image(ib):
    arn = build(ib)
    for _ in range(5):
        ib.list_image_build_versions()
        ib.list_images()
    assert status(ib, arn) == "PENDING"
    assert status(ib, arn) == "CREATING"
    assert ib.list_image_build_versions()["imageSummaryList"][0]["state"]["status"] == "CREATING"


@poll
def test_poll_imports_and_distributions_have_their_own_paths(ib):
    vm = ib.import_vm_image(name="my-vm", semanticVersion="1.0.0", platform="Linux",
                            vmImportTaskId="import-ami-0123456789abcdef0")["imageArn"]
    assert polled_statuses(ib, vm) == list(lifecycle.IMPORT_PATH)
    copy = ib.distribute_image(sourceImage="ami-0123456789abcdef0", executionRole="r",
                               distributionConfigurationArn=dist(ib, ami_dist("eu-west-1")))["imageBuildVersionArn"]
    assert polled_statuses(ib, copy) == list(lifecycle.DISTRIBUTE_PATH)


# -- clock -------------------------------------------------------------------------------------
@clock
def test_clock_follows_the_default_stage_durations(imagebuilder_mock, ib):
    arn = build(ib)
    elapsed = 0
    for stage in FULL_PATH[:-1]:
        assert status(ib, arn) == stage, elapsed
        duration = lifecycle.DEFAULT_STAGE_DURATIONS[stage]
        imagebuilder_mock.clock.advance(duration - 1)
        assert status(ib, arn) == stage
        imagebuilder_mock.clock.advance(1)
        elapsed += duration
    assert status(ib, arn) == "AVAILABLE"


@clock
def test_clock_catches_up_several_stages_at_once(imagebuilder_mock, ib, recorder):
    arn = build(ib)
    imagebuilder_mock.clock.advance(hours=1)
    assert status(ib, arn) == "AVAILABLE"
    assert [new for a, _, new in recorder if a == arn] == FULL_PATH[1:]


@pytest.mark.imagebuilder_mock(progression="clock", stage_durations={"BUILDING": 3 * 3600, "TESTING": 0})
def test_clock_stage_durations_can_be_overridden(imagebuilder_mock, ib):
    arn = build(ib)
    imagebuilder_mock.clock.advance(lifecycle.DEFAULT_STAGE_DURATIONS["PENDING"]
                                    + lifecycle.DEFAULT_STAGE_DURATIONS["CREATING"])
    assert status(ib, arn) == "BUILDING"
    imagebuilder_mock.clock.advance(hours=2, minutes=59)
    assert status(ib, arn) == "BUILDING"
    imagebuilder_mock.clock.advance(minutes=1)
    assert status(ib, arn) == "DISTRIBUTING"  # TESTING lasted 0 s


def test_unknown_progression_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="progression"):
        mock_imagebuilder(progression="warp")


@pytest.mark.parametrize("durations,message", [({"COOKING": 5}, "unknown stage"), ({"BUILDING": -1}, "non-negative")])
def test_bad_stage_durations_are_a_clear_error(durations, message):
    with pytest.raises(ValueError, match=message):
        mock_imagebuilder(progression="clock", stage_durations=durations)


# -- hooks -------------------------------------------------------------------------------------------
def test_a_gate_holds_a_build_until_it_opens(ib, add_hook):
    gate = Gate(held_before="TESTING")
    add_hook(gate)
    arn = build(ib)
    assert status(ib, arn) == "BUILDING"
    assert status(ib, arn) == "BUILDING"
    gate.open = True
    assert status(ib, arn) == "AVAILABLE"


@clock
def test_a_gated_stage_moves_on_from_when_it_opened(imagebuilder_mock, ib, add_hook):
    gate = Gate(held_before="CREATING")
    add_hook(gate)
    arn = build(ib)
    imagebuilder_mock.clock.advance(hours=5)
    assert status(ib, arn) == "PENDING"
    gate.open = True
    assert status(ib, arn) == "CREATING"  # not straight to AVAILABLE: CREATING starts now


def test_the_hooks_run_outputs_then_workflows_then_pipelines():
    from imagebuilder_mock._aws.effects import AWS_EFFECTS  # off without moto (tests/test_aws_integration.py)
    from imagebuilder_mock._resources.images import outputs as image_outputs
    from imagebuilder_mock._resources.pipelines import handlers as pipelines
    from imagebuilder_mock._resources.workflows import runtime as workflow_runtime

    assert lifecycle.hooks.in_order() == (image_outputs.OUTPUTS, AWS_EFFECTS, workflow_runtime.WORKFLOWS,
                                          pipelines.PIPELINE_OUTCOMES)


def test_illegal_transitions_are_refused(ib):
    image = {"arn": "x", "state": {"status": "AVAILABLE"}}
    with pytest.raises(Exception, match="illegal image transition AVAILABLE -> BUILDING"):
        lifecycle.transition(None, image, "BUILDING")


# -- failure injection -------------------------------------------------------------------------
def test_fail_builds_at_a_stage(imagebuilder_mock, ib, recorder):
    imagebuilder_mock.fail_builds(reason="Component update-linux failed", at="BUILDING")
    arn = build(ib)
    state = ib.get_image(imageBuildVersionArn=arn)["image"]["state"]
    assert state["status"] == "FAILED" and state["reason"] == "Component update-linux failed"
    assert state["failureContext"]["imageStatus"] == "BUILDING"
    assert [new for a, _, new in recorder if a == arn] == ["CREATING", "BUILDING", "FAILED"]
    assert status(ib, build(ib)) == "AVAILABLE"  # count=1: the next build is fine


@pytest.mark.parametrize("stage", ["PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING"])
def test_fail_builds_at_every_stage(imagebuilder_mock, ib, stage):
    imagebuilder_mock.fail_builds(reason=f"failed in {stage}", at=stage)
    image = ib.get_image(imageBuildVersionArn=build(ib))["image"]
    assert image["state"]["status"] == "FAILED"
    assert image["state"]["failureContext"]["imageStatus"] == stage


@poll
def test_fail_builds_in_poll_mode_fails_after_the_stage_is_seen(imagebuilder_mock, ib):
    imagebuilder_mock.fail_builds(reason="tests failed", at="TESTING")
    assert polled_statuses(ib, build(ib)) == ["PENDING", "CREATING", "BUILDING", "TESTING", "FAILED"]


@clock
def test_fail_builds_in_clock_mode_fails_when_the_stage_ends(imagebuilder_mock, ib):
    imagebuilder_mock.fail_builds(reason="boom", at="CREATING")
    arn = build(ib)
    imagebuilder_mock.clock.advance(lifecycle.DEFAULT_STAGE_DURATIONS["PENDING"] + 10)
    assert status(ib, arn) == "CREATING"
    imagebuilder_mock.clock.advance(lifecycle.DEFAULT_STAGE_DURATIONS["CREATING"])
    assert status(ib, arn) == "FAILED"


def test_fail_builds_count_and_match(imagebuilder_mock, ib):
    infra_arn = infra(ib)
    bad, good = recipe(ib, name="bad"), recipe(ib, name="good")
    imagebuilder_mock.fail_builds(reason="bad recipe", at="BUILDING", count=2, match=bad)
    assert status(ib, build(ib, good, infra_arn)) == "AVAILABLE"
    assert status(ib, build(ib, bad, infra_arn)) == "FAILED"
    assert status(ib, build(ib, bad, infra_arn)) == "FAILED"
    assert status(ib, build(ib, bad, infra_arn)) == "AVAILABLE"


def test_fail_builds_at_a_skipped_stage_fails_at_the_next_one(imagebuilder_mock, ib):
    imagebuilder_mock.fail_builds(reason="no tests", at="TESTING")
    image = ib.get_image(imageBuildVersionArn=build(ib, imageTestsConfiguration={"imageTestsEnabled": False}))["image"]
    assert image["state"]["failureContext"]["imageStatus"] == "DISTRIBUTING"


def test_fail_builds_applies_to_retries_too(imagebuilder_mock, ib):
    imagebuilder_mock.fail_builds(reason="flaky", at="DISTRIBUTING", count=2)
    arn = build(ib)
    assert status(ib, arn) == "FAILED"
    ib.retry_image(imageBuildVersionArn=arn)
    assert status(ib, arn) == "FAILED"
    ib.retry_image(imageBuildVersionArn=arn)
    assert ib.get_image(imageBuildVersionArn=arn)["image"]["state"] == {"status": "AVAILABLE"}


@poll
def test_retry_resumes_at_the_stage_that_failed(imagebuilder_mock, ib):
    imagebuilder_mock.fail_builds(reason="tests failed", at="TESTING")
    arn = build(ib)
    polled_statuses(ib, arn)
    ib.retry_image(imageBuildVersionArn=arn)
    assert polled_statuses(ib, arn) == ["TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]


@pytest.mark.parametrize("kwargs,message", [
    ({"at": "AVAILABLE"}, "at must be"),
    ({"count": 0}, "count"),
    ({"reason": ""}, "reason"),
])
def test_fail_builds_checks_its_arguments(imagebuilder_mock, kwargs, message):
    with pytest.raises(ValueError, match=message):
        imagebuilder_mock.fail_builds(**kwargs)


# -- outputs -----------------------------------------------------------------------------------
def test_no_distribution_gives_one_ami_in_the_callers_region(ib):
    arn = build(ib, recipe(ib, name="plain", description="Plain image"))
    amis = ib.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["amis"]
    assert len(amis) == 1
    ami = amis[0]
    assert ami["region"] == REGION and ami["accountId"] == ACCOUNT and AMI_ID.match(ami["image"])
    assert re.match(r"^plain \d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$", ami["name"]), ami["name"]
    assert ami["description"] == "Plain image" and ami["state"] == {"status": "AVAILABLE"}


def test_one_ami_per_region_and_target_account(ib):
    distributions = [
        {"region": REGION, "amiDistributionConfiguration": {
            "name": "golden-{{ imagebuilder:buildDate }}", "description": "Golden",
            "targetAccountIds": [ACCOUNT, "111122223333"]}},
        {"region": "eu-west-1", "amiDistributionConfiguration": {
            "name": "golden-{{imagebuilder:buildVersion}}-{{ imagebuilder:buildDate }}"}},
        {"region": "ap-southeast-2", "launchTemplateConfigurations": [{"launchTemplateId": "lt-0123456789abcdef0"}]},
    ]
    arn = build(ib, distributionConfigurationArn=dist(ib, distributions))
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    amis = image["outputResources"]["amis"]
    assert [(a["region"], a["accountId"]) for a in amis] == [
        (REGION, ACCOUNT), (REGION, "111122223333"), ("eu-west-1", ACCOUNT), ("ap-southeast-2", ACCOUNT)]
    assert len({a["image"] for a in amis}) == 4 and all(AMI_ID.match(a["image"]) for a in amis)
    assert all(a["description"] == "Golden" for a in amis[:2])
    assert "description" not in amis[2]  # copies get no default description
    assert re.match(r"^golden-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$", amis[0]["name"])
    assert re.match(r"^golden-1-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$", amis[2]["name"]), amis[2]["name"]


def test_build_date_variable_with_a_format():
    import datetime

    from imagebuilder_mock._resources.images.outputs import expand

    moment = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.timezone.utc)
    image = {"version": "1.2.3/7"}
    assert expand("a-{{ imagebuilder:buildDate }}", image, moment) == "a-2026-03-04T05-06-07.891Z"
    assert expand("a-{{imagebuilder:buildDate:yyyyMMddHHmmss}}", image, moment) == "a-20260304050607"
    assert expand("v{{ imagebuilder:buildVersion }}", image, moment) == "v7"


def test_container_builds_output_ecr_uris_per_region(ib):
    distributions = [{"region": "eu-west-1", "containerDistributionConfiguration": {
        "targetRepository": {"service": "ECR", "repositoryName": "copies"}, "containerTags": ["latest", "v1"]}}]
    arn = ib.create_image(containerRecipeArn=container_recipe(ib, repository="web"), infrastructureConfigurationArn=infra(ib),
                          distributionConfigurationArn=dist(ib, distributions))["imageBuildVersionArn"]
    outputs = ib.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]
    assert "amis" not in outputs
    assert outputs["containers"] == [
        {"region": REGION, "imageUris": [f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:1.0.0-1",
                                         f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web:latest"]},
        {"region": "eu-west-1", "imageUris": [f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/copies:latest",
                                              f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/copies:v1"]}]


def test_container_build_without_distribution_has_two_uris_in_the_build_region(ib):
    # TF acceptance test (ran against AWS): containers.# = 1, containers.0.image_uris.# = 2, region = build region
    arn = ib.create_image(containerRecipeArn=container_recipe(ib), infrastructureConfigurationArn=infra(ib))[
        "imageBuildVersionArn"]
    containers = ib.get_image(imageBuildVersionArn=arn)["image"]["outputResources"]["containers"]
    assert len(containers) == 1 and containers[0]["region"] == REGION and len(containers[0]["imageUris"]) == 2


@poll
def test_outputs_appear_as_the_build_passes_its_stages(ib):
    arn = build(ib, distributionConfigurationArn=dist(ib, ami_dist(REGION, "eu-west-1")))

    def amis():
        image = ib.get_image(imageBuildVersionArn=arn)["image"]
        return image["state"]["status"], [a["region"] for a in image.get("outputResources", {}).get("amis", [])]

    assert [amis() for _ in range(7)] == [
        ("PENDING", []), ("CREATING", []), ("BUILDING", []), ("TESTING", [REGION]), ("DISTRIBUTING", [REGION]),
        ("INTEGRATING", [REGION, "eu-west-1"]), ("AVAILABLE", [REGION, "eu-west-1"])]


@poll
def test_a_cancelled_build_keeps_the_amis_it_made(ib):
    arn = build(ib, distributionConfigurationArn=dist(ib, ami_dist(REGION, "eu-west-1")))
    while status(ib, arn) != "TESTING":
        pass
    ib.cancel_image_creation(imageBuildVersionArn=arn)
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"]["status"] == "CANCELLED"
    assert [a["region"] for a in image["outputResources"]["amis"]] == [REGION]


def test_a_failed_build_before_building_ends_has_no_outputs(imagebuilder_mock, ib):
    imagebuilder_mock.fail_builds(at="BUILDING")
    image = ib.get_image(imageBuildVersionArn=build(ib))["image"]
    assert image["state"]["reason"] and not image.get("outputResources", {}).get("amis")


# -- random walks ------------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

_ACTIONS = st.lists(st.sampled_from(["create", "get", "list", "advance", "cancel", "retry", "delete", "fail"]),
                    min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=_ACTIONS, mode=st.sampled_from(["immediate", "poll", "clock"]), picks=st.randoms())
def test_random_walks_follow_the_graph(actions, mode, picks):
    """Whatever users do, every status a build shows is reachable from the one it showed before,
    and every error is a modelled 4xx."""
    with mock_imagebuilder(progression=mode) as mock:
        ib = boto3.client("imagebuilder", region_name=REGION)
        recipe_arn, infra_arn = recipe(ib, name="walk"), infra(ib)
        last: dict[str, str] = {}
        retried: set[str] = set()
        for action in actions:
            arn = picks.choice(sorted(last)) if last else None
            try:
                if action == "create" or arn is None:
                    arn = build(ib, recipe_arn, infra_arn)
                    last[arn] = "PENDING"
                elif action == "advance":
                    mock.clock.advance(picks.choice([30, 300, 1800, 7200]))
                elif action == "fail":
                    mock.fail_builds(at=picks.choice(sorted(lifecycle.STATUSES_IN_PROGRESS)))
                elif action == "cancel":
                    ib.cancel_image_creation(imageBuildVersionArn=arn)
                elif action == "retry":
                    ib.retry_image(imageBuildVersionArn=arn)
                    retried.add(arn)
                elif action == "delete":
                    ib.delete_image(imageBuildVersionArn=arn)
                    del last[arn]
                    continue
                elif action == "list":
                    for summary in ib.list_image_build_versions()["imageSummaryList"]:
                        _check_step(last, summary["arn"], summary["state"]["status"], retried)
                    continue
                if arn in last:
                    _check_step(last, arn, status(ib, arn), retried)
            except ClientError as exc:
                assert exc.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 404), exc.response
                assert exc.response["Error"]["Code"] in ("ResourceInUseException", "ResourceDependencyException",
                                                         "ResourceNotFoundException")


def _check_step(last: dict, arn: str, new: str, retried: set) -> None:
    old = last[arn]
    if old in lifecycle.TERMINAL and arn not in retried:
        assert new == old, f"{arn}: {old} -> {new} without RetryImage"
    elif new != old:
        assert _reachable(old, new), f"{arn}: {old} -> {new}"
    last[arn] = new
    retried.discard(arn)


def _reachable(old: str, new: str) -> bool:
    seen, frontier = {old}, [old]
    while frontier:
        for nxt in lifecycle.TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return new in seen
