"""Lifecycle executions: policy runs (schedule and trigger), their records, cancellation, and
StartResourceStateUpdate — through boto3, with images built by CreateImage."""

from __future__ import annotations

import datetime
import json

import boto3
import pytest
from botocore.exceptions import ClientError

import factories
from factories import error

UPDATE_LINUX = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"
ROLE = "arn:aws:iam::123456789012:role/lifecycle"
MISSING_EXECUTION = "lce-00000000-0000-0000-0000-000000000000"
DAY = datetime.timedelta(days=1)


class Builder:
    """Builds AMI images through CreateImage (the default progression finishes them on first read)."""

    def __init__(self, ib):
        self.ib = ib
        self.infra = factories.infrastructure(ib)
        self.recipes: dict[tuple[str, str], str] = {}

    def recipe(self, name: str, version: str) -> str:
        if (name, version) not in self.recipes:
            self.recipes[name, version] = factories.image_recipe(self.ib, name=name, version=version,
                                                                 components=[UPDATE_LINUX])
        return self.recipes[name, version]

    def __call__(self, name: str = "web", version: str = "1.0.0", **kw) -> str:
        arn = self.ib.create_image(imageRecipeArn=self.recipe(name, version),
                                   infrastructureConfigurationArn=self.infra, **kw)["imageBuildVersionArn"]
        assert self.status(arn) == "AVAILABLE"
        return arn

    def image(self, arn: str) -> dict:
        return self.ib.get_image(imageBuildVersionArn=arn)["image"]

    def status(self, arn: str) -> str:
        return self.image(arn)["state"]["status"]


@pytest.fixture
def build(ib):
    return Builder(ib)


def policy(ib, details: list[dict], selection: dict | None = None, **kw) -> str:
    return ib.create_lifecycle_policy(name=kw.pop("name", "lifecycle"), executionRole=ROLE,
                                      resourceType=kw.pop("resourceType", "AMI_IMAGE"), policyDetails=details,
                                      resourceSelection=selection or {"recipes": [{"name": "web",
                                                                                   "semanticVersion": "x.x.x"}]},
                                      **kw)["lifecyclePolicyArn"]


def age(action: str, value: int, unit: str = "DAYS", **extra) -> dict:
    detail = {"action": {"type": action}, "filter": {"type": "AGE", "value": value, "unit": unit}}
    detail.update(extra)
    return detail


def resources(ib, execution_id: str, parent: str | None = None) -> list[dict]:
    args = {"lifecycleExecutionId": execution_id} | ({"parentResourceId": parent} if parent else {})
    return ib.list_lifecycle_execution_resources(**args)["resources"]


# -- policy runs ----------------------------------------------------------------------------
def test_a_run_deprecates_old_images_and_leaves_excluded_and_young_ones(ib, build, imagebuilder_mock):
    old = [build(), build()]
    pinned = build(tags={"keep": "true"})
    imagebuilder_mock.clock.advance(days=40)
    young = build()
    arn = policy(ib, [age("DEPRECATE", 30, exclusionRules={"tagMap": {"keep": "true"}})])

    execution_id, = imagebuilder_mock.run_lifecycle_policies()

    for image_arn in old:
        image = build.image(image_arn)
        assert image["state"]["status"] == "DEPRECATED"
        assert image["lifecycleExecutionId"] == execution_id
        assert abs(image["deprecationTime"] - imagebuilder_mock.clock.now()) < datetime.timedelta(seconds=5)
    assert build.status(pinned) == "AVAILABLE" and "lifecycleExecutionId" not in build.image(pinned)
    assert build.status(young) == "AVAILABLE"
    execution = ib.get_lifecycle_execution(lifecycleExecutionId=execution_id)["lifecycleExecution"]
    assert execution["lifecyclePolicyArn"] == arn
    assert execution["state"]["status"] == "SUCCESS"
    assert execution["resourcesImpactedSummary"] == {"hasImpactedResources": True}
    assert execution["endTime"] >= execution["startTime"]
    listed = {r["resourceId"]: r for r in resources(ib, execution_id)}
    assert set(listed) == {*old, pinned}
    assert all(listed[a]["state"]["status"] == "SUCCESS" and listed[a]["action"]["name"] == "DEPRECATE" for a in old)
    assert listed[pinned]["state"]["status"] == "SKIPPED"
    assert listed[old[0]]["accountId"] == "123456789012" and listed[old[0]]["region"] == "us-east-1"
    assert ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]["dateLastRun"] == execution["startTime"]


def test_count_deletes_all_but_the_newest_images_of_each_recipe(ib, build, imagebuilder_mock):
    web = []
    for _ in range(5):
        web.append(build())
        imagebuilder_mock.clock.advance(hours=1)
    other_version = build(version="2.0.0")
    policy(ib, [{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 2}}])
    imagebuilder_mock.run_lifecycle_policies()
    assert [build.status(a) for a in web] == ["DELETED"] * 3 + ["AVAILABLE"] * 2
    assert build.status(other_version) == "AVAILABLE"


def test_count_with_fewer_images_than_the_count_does_nothing(ib, build, imagebuilder_mock):
    images = [build(), build()]
    policy(ib, [{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 3}}])
    execution_id, = imagebuilder_mock.run_lifecycle_policies()
    assert [build.status(a) for a in images] == ["AVAILABLE", "AVAILABLE"]
    execution = ib.get_lifecycle_execution(lifecycleExecutionId=execution_id)["lifecycleExecution"]
    assert execution["resourcesImpactedSummary"] == {"hasImpactedResources": False}
    assert resources(ib, execution_id) == []


def test_age_with_retain_at_least_keeps_the_newest_old_images(ib, build, imagebuilder_mock):
    images = []
    for _ in range(4):
        images.append(build())
        imagebuilder_mock.clock.advance(hours=1)
    imagebuilder_mock.clock.advance(days=100)
    policy(ib, [{"action": {"type": "DELETE"},
                 "filter": {"type": "AGE", "value": 90, "unit": "DAYS", "retainAtLeast": 3}}])
    imagebuilder_mock.run_lifecycle_policies()
    assert [build.status(a) for a in images] == ["DELETED", "AVAILABLE", "AVAILABLE", "AVAILABLE"]


@pytest.mark.parametrize("unit, value, too_young, old_enough", [
    ("DAYS", 10, datetime.timedelta(days=9, hours=23), datetime.timedelta(days=10)),
    ("WEEKS", 2, datetime.timedelta(days=13), datetime.timedelta(days=14)),
    ("YEARS", 1, datetime.timedelta(days=364), datetime.timedelta(days=366)),
])
def test_age_thresholds(ib, build, imagebuilder_mock, unit, value, too_young, old_enough):
    image = build()
    policy(ib, [age("DISABLE", value, unit)])
    imagebuilder_mock.clock.advance(too_young)
    imagebuilder_mock.run_lifecycle_policies()
    assert build.status(image) == "AVAILABLE"
    imagebuilder_mock.clock.advance(old_enough - too_young)
    imagebuilder_mock.run_lifecycle_policies()
    assert build.status(image) == "DISABLED"


def test_the_strongest_matching_rule_wins(ib, build, imagebuilder_mock):
    oldest = build()
    imagebuilder_mock.clock.advance(days=10)
    middle = build()
    imagebuilder_mock.clock.advance(days=10)
    newest = build()
    imagebuilder_mock.clock.advance(days=5)
    policy(ib, [age("DEPRECATE", 5), age("DISABLE", 14), age("DELETE", 24)])
    execution_id, = imagebuilder_mock.run_lifecycle_policies()
    assert [build.status(a) for a in (oldest, middle, newest)] == ["DELETED", "DISABLED", "DEPRECATED"]
    actions = {r["resourceId"]: r["action"]["name"] for r in resources(ib, execution_id)}
    assert actions == {oldest: "DELETE", middle: "DISABLE", newest: "DEPRECATE"}


def test_tag_selection_picks_images_with_any_of_the_tags(ib, build, imagebuilder_mock):
    blue, green, plain = build(tags={"color": "blue"}), build(tags={"color": "green"}), build()
    policy(ib, [age("DEPRECATE", 1)], {"tagMap": {"color": "blue", "team": "x"}})
    imagebuilder_mock.clock.advance(days=2)
    imagebuilder_mock.run_lifecycle_policies()
    assert [build.status(a) for a in (blue, green, plain)] == ["DEPRECATED", "AVAILABLE", "AVAILABLE"]


def test_recipe_selection_follows_name_and_version_wildcards(ib, build, imagebuilder_mock):
    one, two, api = build(version="1.2.0"), build(version="2.0.0"), build(name="api", version="1.2.0")
    policy(ib, [age("DEPRECATE", 1)], {"recipes": [{"name": "web", "semanticVersion": "1.x.x"}]})
    imagebuilder_mock.clock.advance(days=2)
    imagebuilder_mock.run_lifecycle_policies()
    assert [build.status(a) for a in (one, two, api)] == ["DEPRECATED", "AVAILABLE", "AVAILABLE"]


def test_disabled_policies_do_not_run(ib, build, imagebuilder_mock):
    image = build()
    arn = policy(ib, [age("DEPRECATE", 1)], status="DISABLED")
    imagebuilder_mock.clock.advance(days=3)
    assert imagebuilder_mock.run_lifecycle_policies() == []
    assert build.status(image) == "AVAILABLE"
    assert ib.list_lifecycle_executions(resourceArn=arn)["lifecycleExecutions"] == []


def test_enabled_policies_run_daily_on_the_simulated_clock(ib, build, imagebuilder_mock):
    image = build()
    arn = policy(ib, [age("DEPRECATE", 2)])
    imagebuilder_mock.clock.advance(hours=23)
    assert ib.list_lifecycle_executions(resourceArn=arn)["lifecycleExecutions"] == []
    imagebuilder_mock.clock.advance(hours=2)  # first run: the image is one day old
    runs = ib.list_lifecycle_executions(resourceArn=arn)["lifecycleExecutions"]
    assert len(runs) == 1 and build.status(image) == "AVAILABLE"
    imagebuilder_mock.clock.advance(days=5)  # several missed days catch up with one run
    runs = ib.list_lifecycle_executions(resourceArn=arn)["lifecycleExecutions"]
    assert len(runs) == 2 and runs[0]["startTime"] > runs[1]["startTime"]  # newest first
    assert build.status(image) == "DEPRECATED"


def test_ami_exclusions_keep_the_image_for_delete_and_skip_the_ami(ib, build, imagebuilder_mock):
    image = build()
    ami = build.image(image)["outputResources"]["amis"][0]["image"]
    include = {"amis": True, "snapshots": True}
    policy(ib, [{"action": {"type": "DELETE", "includeResources": include}, "filter": {"type": "COUNT", "value": 1},
                 "exclusionRules": {"amis": {"regions": ["us-east-1"]}}}])
    build()
    execution_id, = imagebuilder_mock.run_lifecycle_policies()
    assert build.status(image) == "AVAILABLE"
    top, = resources(ib, execution_id)
    assert top["resourceId"] == image and top["state"]["status"] == "SKIPPED"
    child, = resources(ib, execution_id, parent=image)
    assert child["resourceId"] == ami and child["state"]["status"] == "SKIPPED"


def test_underlying_amis_and_snapshots_are_recorded(ib, build, imagebuilder_mock):
    image = build()
    build()
    ami = build.image(image)["outputResources"]["amis"][0]
    policy(ib, [{"action": {"type": "DELETE", "includeResources": {"amis": True, "snapshots": True}},
                 "filter": {"type": "COUNT", "value": 1}}])
    execution_id, = imagebuilder_mock.run_lifecycle_policies()
    child, = resources(ib, execution_id, parent=image)
    assert child["resourceId"] == ami["image"] and child["region"] == ami["region"]
    assert child["action"]["name"] == "DELETE" and child["state"]["status"] == "SUCCESS"
    snapshot, = child["snapshots"]
    assert snapshot["snapshotId"].startswith("snap-") and snapshot["state"]["status"] == "SUCCESS"
    assert resources(ib, execution_id, parent="arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0/99") == []


def test_container_policies_act_on_container_images(ib, imagebuilder_mock):
    recipe = factories.container_recipe(ib, name="svc")
    infra = factories.infrastructure(ib)
    images = []
    for _ in range(2):
        images.append(ib.create_image(containerRecipeArn=recipe, infrastructureConfigurationArn=infra)[
            "imageBuildVersionArn"])
        imagebuilder_mock.clock.advance(minutes=5)
    ami_image = Builder(ib)(name="svc")
    policy(ib, [{"action": {"type": "DELETE", "includeResources": {"containers": True}},
                 "filter": {"type": "COUNT", "value": 1}}], {"recipes": [{"name": "svc", "semanticVersion": "x.x.x"}]},
           resourceType="CONTAINER_IMAGE")
    execution_id, = imagebuilder_mock.run_lifecycle_policies()
    states = [ib.get_image(imageBuildVersionArn=a)["image"]["state"]["status"] for a in images]
    assert states == ["DELETED", "AVAILABLE"]
    assert ib.get_image(imageBuildVersionArn=ami_image)["image"]["state"]["status"] == "AVAILABLE"
    uris = ib.get_image(imageBuildVersionArn=images[0])["image"]["outputResources"]["containers"][0]["imageUris"]
    child, = resources(ib, execution_id, parent=images[0])
    assert child["imageUris"] == uris


# -- the execution operations ---------------------------------------------------------------
def test_list_executions_paginates_and_rejects_other_arn_types(ib, imagebuilder_mock):
    arn = policy(ib, [age("DEPRECATE", 1)])
    ids = [imagebuilder_mock.run_lifecycle_policies()[0] for _ in range(3)]
    page = ib.list_lifecycle_executions(resourceArn=arn, maxResults=2)
    assert [e["lifecycleExecutionId"] for e in page["lifecycleExecutions"]] == ids[::-1][:2]
    rest = ib.list_lifecycle_executions(resourceArn=arn, maxResults=2, nextToken=page["nextToken"])
    assert [e["lifecycleExecutionId"] for e in rest["lifecycleExecutions"]] == ids[:1] and "nextToken" not in rest
    with pytest.raises(ClientError) as exc:
        ib.list_lifecycle_executions(resourceArn=arn, nextToken="forged")
    assert error(exc) == ("InvalidPaginationTokenException", 400)
    for other in ("arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/web/1.0.0",
                  "arn:aws:imagebuilder:us-east-1:123456789012:image/web/1.0.0"):
        with pytest.raises(ClientError) as exc:
            ib.list_lifecycle_executions(resourceArn=other)
        assert error(exc) == ("InvalidParameterValueException", 400)


def test_list_execution_resources_paginates(ib, build, imagebuilder_mock):
    images = [build() for _ in range(4)]
    policy(ib, [age("DEPRECATE", 1)])
    imagebuilder_mock.clock.advance(days=2)
    execution_id, = imagebuilder_mock.run_lifecycle_policies()
    page = ib.list_lifecycle_execution_resources(lifecycleExecutionId=execution_id, maxResults=3)
    assert page["lifecycleExecutionId"] == execution_id
    assert page["lifecycleExecutionState"]["status"] == "SUCCESS"
    rest = ib.list_lifecycle_execution_resources(lifecycleExecutionId=execution_id, nextToken=page["nextToken"],
                                                 maxResults=3)
    assert [r["resourceId"] for r in page["resources"] + rest["resources"]] == images


@pytest.mark.parametrize("call", ["get_lifecycle_execution", "list_lifecycle_execution_resources",
                                  "cancel_lifecycle_execution"])
def test_unknown_executions_are_not_found(ib, call):
    with pytest.raises(ClientError) as exc:
        getattr(ib, call)(lifecycleExecutionId=MISSING_EXECUTION)
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_a_malformed_execution_id_is_invalid(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_lifecycle_execution(lifecycleExecutionId="lce-123")
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_finished_executions_cannot_be_cancelled(ib, imagebuilder_mock):
    policy(ib, [age("DEPRECATE", 1)])
    execution_id, = imagebuilder_mock.run_lifecycle_policies()
    with pytest.raises(ClientError) as exc:
        ib.cancel_lifecycle_execution(lifecycleExecutionId=execution_id)
    assert error(exc) == ("ResourceInUseException", 400)


# -- StartResourceStateUpdate ---------------------------------------------------------------
def update(ib, arn: str, status: str, **kw) -> dict:
    return ib.start_resource_state_update(resourceArn=arn, state={"status": status}, **kw)


def test_immediate_changes_apply_without_an_execution(ib, build, imagebuilder_mock):
    image = build()
    out = update(ib, image, "DEPRECATED")
    assert out["resourceArn"] == image and "lifecycleExecutionId" not in out
    deprecated = build.image(image)
    assert deprecated["state"]["status"] == "DEPRECATED"
    assert abs(deprecated["deprecationTime"] - imagebuilder_mock.clock.now()) < datetime.timedelta(seconds=5)
    update(ib, image, "DISABLED")
    assert build.status(image) == "DISABLED"
    update(ib, image, "AVAILABLE")
    restored = build.image(image)
    assert restored["state"]["status"] == "AVAILABLE" and "deprecationTime" not in restored


def test_delete_with_underlying_resources_runs_an_execution(ib, build):
    image = build()
    ami = build.image(image)["outputResources"]["amis"][0]["image"]
    out = update(ib, image, "DELETED", executionRole=ROLE, includeResources={"amis": True, "snapshots": True})
    execution_id = out["lifecycleExecutionId"]
    assert build.status(image) == "DELETED"
    assert build.image(image)["lifecycleExecutionId"] == execution_id
    execution = ib.get_lifecycle_execution(lifecycleExecutionId=execution_id)["lifecycleExecution"]
    assert execution["state"]["status"] == "SUCCESS" and "lifecyclePolicyArn" not in execution
    listed = ib.list_lifecycle_executions(resourceArn=image)["lifecycleExecutions"]
    assert [e["lifecycleExecutionId"] for e in listed] == [execution_id]
    top, = resources(ib, execution_id)
    assert top["resourceId"] == image and top["action"]["name"] == "DELETE"
    child, = resources(ib, execution_id, parent=image)
    assert child["resourceId"] == ami and child["snapshots"][0]["state"]["status"] == "SUCCESS"


def test_delete_keeps_the_image_when_an_ami_is_excluded(ib, build):
    image = build()
    out = update(ib, image, "DELETED", executionRole=ROLE, includeResources={"amis": True},
                 exclusionRules={"amis": {"regions": ["us-east-1"]}})
    assert build.status(image) == "AVAILABLE"
    top, = resources(ib, out["lifecycleExecutionId"])
    assert top["state"]["status"] == "SKIPPED"


def test_scheduled_deprecation_applies_when_the_clock_passes_it(ib, build, imagebuilder_mock):
    image = build()
    when = imagebuilder_mock.clock.now() + datetime.timedelta(days=3)
    execution_id = update(ib, image, "DEPRECATED", updateAt=when)["lifecycleExecutionId"]
    pending = build.image(image)
    assert pending["state"]["status"] == "AVAILABLE"
    assert abs(pending["deprecationTime"] - when) < datetime.timedelta(milliseconds=2)
    execution = ib.get_lifecycle_execution(lifecycleExecutionId=execution_id)["lifecycleExecution"]
    assert execution["state"]["status"] == "IN_PROGRESS" and "endTime" not in execution
    with pytest.raises(ClientError) as exc:  # one execution per image at a time
        update(ib, image, "DELETED", executionRole=ROLE, includeResources={"amis": True})
    assert error(exc) == ("ResourceInUseException", 400)
    imagebuilder_mock.clock.advance(days=3, seconds=1)
    assert build.status(image) == "DEPRECATED"
    execution = ib.get_lifecycle_execution(lifecycleExecutionId=execution_id)["lifecycleExecution"]
    assert execution["state"]["status"] == "SUCCESS"


def test_cancelling_a_scheduled_update_stops_it(ib, build, imagebuilder_mock):
    image = build()
    when = imagebuilder_mock.clock.now() + datetime.timedelta(days=1)
    execution_id = update(ib, image, "DEPRECATED", updateAt=when)["lifecycleExecutionId"]
    out = ib.cancel_lifecycle_execution(lifecycleExecutionId=execution_id, clientToken="c1")
    assert out["lifecycleExecutionId"] == execution_id
    with pytest.raises(ClientError) as exc:
        ib.cancel_lifecycle_execution(lifecycleExecutionId=MISSING_EXECUTION, clientToken="c1")
    assert error(exc) == ("IdempotentParameterMismatchException", 400)
    imagebuilder_mock.clock.advance(days=2)
    assert build.status(image) == "AVAILABLE"
    execution = ib.get_lifecycle_execution(lifecycleExecutionId=execution_id)["lifecycleExecution"]
    assert execution["state"]["status"] == "CANCELLED"
    assert resources(ib, execution_id)[0]["state"]["status"] == "SKIPPED"
    with pytest.raises(ClientError) as exc:
        ib.cancel_lifecycle_execution(lifecycleExecutionId=execution_id)
    assert error(exc) == ("ResourceInUseException", 400)


INVALID_UPDATES = [
    pytest.param("DELETED", {}, "includeResources", id="delete-without-resources"),
    pytest.param("DEPRECATED", {"executionRole": ROLE}, "includeResources", id="role-without-resources"),
    pytest.param("DEPRECATED", {"includeResources": {"amis": True}}, "executionRole", id="resources-without-role"),
    pytest.param("DEPRECATED", {"executionRole": ROLE, "includeResources": {"amis": True, "snapshots": True}},
                 "includeResources", id="snapshots-outside-delete"),
    pytest.param("DELETED", {"executionRole": ROLE, "includeResources": {"snapshots": True}},
                 "includeResources.snapshots", id="snapshots-without-amis"),
    pytest.param("DELETED", {"executionRole": ROLE, "includeResources": {"containers": True}},
                 "includeResources.containers", id="containers-on-an-ami-image"),
    pytest.param("DISABLED", {"updateAt": datetime.datetime(2100, 1, 1)}, "updateAt", id="schedule-not-deprecate"),
    pytest.param("DEPRECATED", {"updateAt": datetime.datetime(2000, 1, 1)}, "updateAt", id="schedule-in-the-past"),
    pytest.param("DEPRECATED", {"executionRole": "arn:aws:iam::1:role/x"}, "executionRole", id="role-pattern"),
]


@pytest.mark.parametrize("status, extra, param", INVALID_UPDATES)
def test_invalid_state_updates_are_rejected(ib, build, status, extra, param):
    image = build()
    with pytest.raises(ClientError) as exc:
        update(ib, image, status, **extra)
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert f"'{param}'" in exc.value.response["Error"]["Message"]
    assert build.status(image) == "AVAILABLE"


def test_an_update_to_the_current_status_is_an_invalid_request(ib, build):
    image = build()
    with pytest.raises(ClientError) as exc:
        update(ib, image, "AVAILABLE")
    assert error(exc) == ("InvalidRequestException", 400)


def test_failed_images_can_only_be_deleted(ib, build, imagebuilder_mock):
    imagebuilder_mock.fail_builds(at="BUILDING")
    image = ib.create_image(imageRecipeArn=build.recipe("web", "1.0.0"),
                            infrastructureConfigurationArn=build.infra)["imageBuildVersionArn"]
    assert build.status(image) == "FAILED"
    with pytest.raises(ClientError) as exc:
        update(ib, image, "DEPRECATED")
    assert error(exc) == ("InvalidRequestException", 400)
    update(ib, image, "DELETED", executionRole=ROLE, includeResources={"amis": True})
    assert build.status(image) == "DELETED"


@pytest.mark.imagebuilder_mock(progression="clock")
def test_images_still_building_are_in_use(ib, build):
    image = ib.create_image(imageRecipeArn=build.recipe("web", "1.0.0"),
                            infrastructureConfigurationArn=build.infra)["imageBuildVersionArn"]
    with pytest.raises(ClientError) as exc:
        update(ib, image, "DEPRECATED")
    assert error(exc) == ("ResourceInUseException", 400)


def test_container_images_only_support_delete(ib, imagebuilder_mock):
    image = ib.create_image(containerRecipeArn=factories.container_recipe(ib),
                            infrastructureConfigurationArn=factories.infrastructure(ib))["imageBuildVersionArn"]
    assert ib.get_image(imageBuildVersionArn=image)["image"]["state"]["status"] == "AVAILABLE"
    with pytest.raises(ClientError) as exc:
        update(ib, image, "DEPRECATED")
    assert error(exc) == ("InvalidParameterValueException", 400)
    out = update(ib, image, "DELETED", executionRole=ROLE, includeResources={"containers": True})
    assert ib.get_image(imageBuildVersionArn=image)["image"]["state"]["status"] == "DELETED"
    assert resources(ib, out["lifecycleExecutionId"], parent=image)[0]["imageUris"]


def test_an_unknown_image_is_not_found(ib):
    with pytest.raises(ClientError) as exc:
        update(ib, "arn:aws:imagebuilder:us-east-1:123456789012:image/nope/1.0.0/1", "DEPRECATED")
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_a_version_arn_is_not_a_build_version_arn(ib):
    with pytest.raises(ClientError) as exc:
        update(ib, "arn:aws:imagebuilder:us-east-1:123456789012:image/nope/1.0.0", "DEPRECATED")
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_update_token_reused_with_other_parameters_mismatches(ib, build):
    image = build()
    update(ib, image, "DEPRECATED", clientToken="same")
    update(ib, image, "DEPRECATED", clientToken="same")  # replayed, not re-run
    with pytest.raises(ClientError) as exc:
        update(ib, image, "DISABLED", clientToken="same")
    assert error(exc) == ("IdempotentParameterMismatchException", 400)


def test_update_at_as_raw_epoch_seconds(imagebuilder_mock, build):
    image = build()
    when = (imagebuilder_mock.clock.now() + DAY).timestamp()
    body = json.dumps({"resourceArn": image, "state": {"status": "DEPRECATED"}, "updateAt": when, "clientToken": "t"})
    status, _, payload = imagebuilder_mock.engine.handle("PUT", "/StartResourceStateUpdate", "", {}, body)
    assert status == 200 and json.loads(payload)["lifecycleExecutionId"].startswith("lce-")


@pytest.mark.parametrize("update_at, accepted", [
    ("2100-01-01T00:00:00Z", True),
    ("2100-01-01T00:00:00", True),
    ("next tuesday", False),
    (1e20, False),
])
def test_update_at_in_other_raw_forms(imagebuilder_mock, build, update_at, accepted):
    image = build()
    body = json.dumps({"resourceArn": image, "state": {"status": "DEPRECATED"}, "updateAt": update_at,
                       "clientToken": "t"})
    status, headers, payload = imagebuilder_mock.engine.handle("PUT", "/StartResourceStateUpdate", "", {}, body)
    if accepted:
        assert status == 200
    else:
        assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidParameterValueException")
        assert "'updateAt'" in json.loads(payload)["message"]


def test_a_request_from_another_region_does_not_see_the_image(build, imagebuilder_mock):
    image = build()
    west = boto3.client("imagebuilder", region_name="us-west-2")
    with pytest.raises(ClientError) as exc:
        update(west, image, "DEPRECATED")
    assert error(exc) == ("ResourceNotFoundException", 404)
