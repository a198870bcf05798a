"""Lifecycle policies: Create/Get/Update/Delete/List, through boto3 as a user's tests do."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from factories import error
from _model_features import accepts, needs_filter_value, needs_waiter

ROLE = "arn:aws:iam::123456789012:role/lifecycle"
DEPRECATE_30_DAYS = {"action": {"type": "DEPRECATE"}, "filter": {"type": "AGE", "value": 30, "unit": "DAYS"}}
DELETE_KEEP_3 = {"action": {"type": "DELETE", "includeResources": {"amis": True, "snapshots": True}},
                 "filter": {"type": "COUNT", "value": 3}}
#: a recipe selection; older models refuse wildcard versions there, so the tests of other members select 1.0.0
BY_RECIPE = {"recipes": [{"name": "web", "semanticVersion": "1.x.x" if accepts(
    "LifecyclePolicyResourceSelectionRecipe", "semanticVersion", "1.x.x") else "1.0.0"}]}
BY_TAG = {"tagMap": {"lifecycle": "managed"}}


def policy_args(**overrides) -> dict:
    args = dict(name="keep-fresh", executionRole=ROLE, resourceType="AMI_IMAGE",
                policyDetails=[DEPRECATE_30_DAYS], resourceSelection=BY_RECIPE)
    args.update(overrides)
    return args


def create(ib, **overrides) -> str:
    return ib.create_lifecycle_policy(**policy_args(**overrides))["lifecyclePolicyArn"]


@pytest.fixture
def raw(imagebuilder_mock):
    """A client whose own parameter validation is off, to reach the service's checks."""
    return boto3.client("imagebuilder", region_name="us-east-1", config=Config(parameter_validation=False))


# -- Create / Get ---------------------------------------------------------------------------
def test_create_returns_the_arn_from_the_normalized_name_and_echoes_the_token(ib):
    out = ib.create_lifecycle_policy(**policy_args(name="Keep Fresh_Images"), clientToken="token-1")
    assert out["lifecyclePolicyArn"] == "arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/keep-fresh-images"
    assert out["clientToken"] == "token-1"
    assert "requestId" not in out


def test_get_returns_the_policy_with_defaults_and_epoch_dates(ib, imagebuilder_mock):
    before = imagebuilder_mock.clock.now()
    arn = create(ib, description="Deprecate old images", policyDetails=[DEPRECATE_30_DAYS, DELETE_KEEP_3])
    policy = ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
    assert policy["arn"] == arn
    assert policy["name"] == "keep-fresh"
    assert policy["description"] == "Deprecate old images"
    assert policy["status"] == "ENABLED"
    assert policy["executionRole"] == ROLE
    assert policy["resourceType"] == "AMI_IMAGE"
    assert policy["policyDetails"] == [DEPRECATE_30_DAYS, DELETE_KEEP_3]
    assert policy["resourceSelection"] == BY_RECIPE
    assert policy["tags"] == {}
    assert isinstance(policy["dateCreated"], datetime.datetime)
    assert abs(policy["dateCreated"] - before) < datetime.timedelta(seconds=5)
    assert "dateUpdated" not in policy and "dateLastRun" not in policy


def test_get_response_has_no_request_id(ib):
    arn = create(ib)
    assert set(ib.get_lifecycle_policy(lifecyclePolicyArn=arn)) == {"lifecyclePolicy", "ResponseMetadata"}


def test_create_keeps_every_documented_member(ib):
    detail = {"action": {"type": "DELETE", "includeResources": {"amis": True, "snapshots": True}},
              "filter": {"type": "AGE", "value": 6, "unit": "MONTHS", "retainAtLeast": 2},
              "exclusionRules": {"tagMap": {"keep": "true"},
                                 "amis": {"isPublic": True, "regions": ["us-west-2"], "sharedAccounts": ["111122223333"],
                                          "lastLaunched": {"value": 7, "unit": "DAYS"}, "tagMap": {"pin": "yes"}}}}
    arn = create(ib, status="DISABLED", policyDetails=[detail], resourceSelection=BY_TAG, tags={"team": "a"})
    policy = ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
    assert policy["policyDetails"] == [detail]
    assert policy["resourceSelection"] == BY_TAG
    assert policy["status"] == "DISABLED"
    assert policy["tags"] == {"team": "a"}


def test_container_policy_with_delete_rule(ib):
    detail = {"action": {"type": "DELETE", "includeResources": {"containers": True}},
              "filter": {"type": "COUNT", "value": 10}}
    arn = create(ib, resourceType="CONTAINER_IMAGE", policyDetails=[detail])
    assert ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]["resourceType"] == "CONTAINER_IMAGE"


def test_recipe_selection_accepts_trailing_wildcards(ib):
    selection = {"recipes": [{"name": "web", "semanticVersion": v} for v in ("x.x.x", "1.x.x", "1.0.x", "1.0.0")]}
    arn = create(ib, resourceSelection=selection)
    assert ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]["resourceSelection"] == selection


def test_duplicate_name_is_rejected_even_when_it_differs_only_by_normalization(ib):
    create(ib, name="keep-fresh")
    with pytest.raises(ClientError) as exc:
        create(ib, name="Keep_Fresh")
    assert error(exc) == ("ResourceAlreadyExistsException", 400)
    assert "lifecycle-policy/keep-fresh" in exc.value.response["Error"]["Message"]


def test_dry_run_validates_and_creates_nothing(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_lifecycle_policy(**policy_args(), dryRun=True)
    assert error(exc) == ("DryRunOperationException", 412)
    assert ib.list_lifecycle_policies()["lifecyclePolicySummaryList"] == []


def test_dry_run_with_an_invalid_policy_reports_the_invalid_policy(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_lifecycle_policy(**policy_args(policyDetails=[DEPRECATE_30_DAYS, DEPRECATE_30_DAYS]), dryRun=True)
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_same_client_token_replays_and_other_parameters_mismatch(ib):
    first = ib.create_lifecycle_policy(**policy_args(), clientToken="tok")
    again = ib.create_lifecycle_policy(**policy_args(), clientToken="tok")
    assert again["lifecyclePolicyArn"] == first["lifecyclePolicyArn"]
    assert len(ib.list_lifecycle_policies()["lifecyclePolicySummaryList"]) == 1
    with pytest.raises(ClientError) as exc:
        ib.create_lifecycle_policy(**policy_args(description="other"), clientToken="tok")
    assert error(exc) == ("IdempotentParameterMismatchException", 400)


INVALID_DETAILS = [
    pytest.param([DEPRECATE_30_DAYS, DEPRECATE_30_DAYS], "policyDetails", id="two-rules-same-action"),
    pytest.param([{"action": {"type": "DEPRECATE"}, "filter": {"type": "COUNT", "value": 3}}],
                 "policyDetails[0].filter.type", id="count-without-delete"),
    pytest.param([{"action": {"type": "DELETE"}, "filter": {"type": "AGE", "value": 3}}],
                 "policyDetails[0].filter.unit", id="age-without-unit"),
    pytest.param([{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 3, "unit": "DAYS"}}],
                 "policyDetails[0].filter.unit", id="count-with-unit"),
    pytest.param([{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 3, "retainAtLeast": 2}}],
                 "policyDetails[0].filter.retainAtLeast", id="count-with-retain"),
    pytest.param([{"action": {"type": "DEPRECATE", "includeResources": {"amis": True, "snapshots": True}},
                   "filter": {"type": "AGE", "value": 3, "unit": "DAYS"}}],
                 "policyDetails[0].action.includeResources.snapshots", id="snapshots-outside-delete"),
    pytest.param([{"action": {"type": "DELETE", "includeResources": {"snapshots": True}},
                   "filter": {"type": "COUNT", "value": 3}}],
                 "policyDetails[0].action.includeResources.snapshots", id="snapshots-without-amis"),
    pytest.param([{"action": {"type": "DELETE", "includeResources": {"containers": True}},
                   "filter": {"type": "COUNT", "value": 3}}],
                 "policyDetails[0].action.includeResources.containers", id="containers-on-ami-policy"),
    pytest.param([{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 1001}}],
                 "policyDetails[0].filter.value", id="count-above-1000"),
    pytest.param([{"action": {"type": "DELETE"}, "filter": {"type": "AGE", "value": 1, "unit": "DAYS",
                                                            "retainAtLeast": 11}}],
                 "policyDetails[0].filter.retainAtLeast", id="retain-above-10"),
    pytest.param([{"action": {"type": "DELETE"}, "filter": {"type": "AGE", "value": 1, "unit": "DAYS"},
                   "exclusionRules": {"amis": {"lastLaunched": {"value": 366, "unit": "DAYS"}}}}],
                 "policyDetails[0].exclusionRules.amis.lastLaunched.value", id="last-launched-above-365"),
    pytest.param([{"action": {"type": "DELETE"}, "filter": {"type": "AGE", "value": 1, "unit": "DAYS"},
                   "exclusionRules": {"amis": {"sharedAccounts": ["12345"]}}}],
                 "policyDetails[0].exclusionRules.amis.sharedAccounts[0]", id="bad-account-id"),
]


@pytest.mark.parametrize("details, param", INVALID_DETAILS)
def test_invalid_policy_details_are_rejected_naming_the_parameter(ib, details, param):
    with pytest.raises(ClientError) as exc:
        create(ib, policyDetails=details)
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert f"'{param}'" in exc.value.response["Error"]["Message"]
    assert ib.list_lifecycle_policies()["lifecyclePolicySummaryList"] == []


@pytest.mark.parametrize("details, param", [
    pytest.param([DEPRECATE_30_DAYS], "policyDetails[0].action.type", id="deprecate"),
    pytest.param([{"action": {"type": "DISABLE"}, "filter": {"type": "AGE", "value": 1, "unit": "DAYS"}}],
                 "policyDetails[0].action.type", id="disable"),
    pytest.param([{"action": {"type": "DELETE", "includeResources": {"amis": True}},
                   "filter": {"type": "COUNT", "value": 1}}],
                 "policyDetails[0].action.includeResources", id="amis"),
    pytest.param([{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 1},
                   "exclusionRules": {"amis": {"isPublic": True}}}],
                 "policyDetails[0].exclusionRules.amis", id="ami-exclusions"),
])
def test_container_policies_support_only_delete_rules_without_amis(ib, details, param):
    with pytest.raises(ClientError) as exc:
        create(ib, resourceType="CONTAINER_IMAGE", policyDetails=details)
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert f"'{param}'" in exc.value.response["Error"]["Message"]


@pytest.mark.parametrize("selection", [
    pytest.param({"recipes": BY_RECIPE["recipes"], "tagMap": BY_TAG["tagMap"]}, id="both"),
    pytest.param({}, id="neither"),
])
def test_resource_selection_needs_exactly_one_criterion(ib, selection):
    with pytest.raises(ClientError) as exc:
        create(ib, resourceSelection=selection)
    assert error(exc) == ("InvalidParameterCombinationException", 400)
    assert "resourceSelection" in exc.value.response["Error"]["Message"]


def test_a_wildcard_in_the_middle_of_a_recipe_version_is_rejected(ib):
    with pytest.raises(ClientError) as exc:
        create(ib, resourceSelection={"recipes": [{"name": "web", "semanticVersion": "x.2.x"}]})
    assert error(exc) == ("InvalidVersionNumberException", 400)


@pytest.mark.parametrize("field, value", [
    ("name", "bad/name"),
    ("executionRole", "arn:aws:iam::123:role/short-account"),
    ("description", "x" * 1025),
])
def test_patterns_and_lengths_the_client_does_not_check_are_checked(ib, field, value):
    with pytest.raises(ClientError) as exc:
        create(ib, **{field: value})
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert f"'{field}'" in exc.value.response["Error"]["Message"]


def test_an_unknown_enum_value_is_rejected(raw):
    with pytest.raises(ClientError) as exc:
        create(raw, resourceType="VM_IMAGE")
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_a_missing_required_member_is_an_invalid_request(imagebuilder_mock):
    body = json.dumps({k: v for k, v in policy_args().items() if k != "executionRole"} | {"clientToken": "t"})
    status, headers, payload = imagebuilder_mock.engine.handle("PUT", "/CreateLifecyclePolicy", "", {}, body)
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "InvalidRequestException"
    assert "executionRole" in json.loads(payload)["message"]


# -- Update ---------------------------------------------------------------------------------
def test_update_replaces_the_whole_configuration(ib, imagebuilder_mock):
    arn = create(ib, description="first", status="DISABLED", tags={"team": "a"})
    created = ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]["dateCreated"]
    imagebuilder_mock.clock.advance(hours=1)
    out = ib.update_lifecycle_policy(lifecyclePolicyArn=arn, executionRole="other-role", resourceType="AMI_IMAGE",
                                     policyDetails=[DELETE_KEEP_3], resourceSelection=BY_TAG)
    assert set(out) == {"lifecyclePolicyArn", "ResponseMetadata"}
    policy = ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]
    assert "description" not in policy  # omitted: removed
    assert policy["status"] == "ENABLED"  # omitted: re-enabled
    assert policy["executionRole"] == "other-role"
    assert policy["policyDetails"] == [DELETE_KEEP_3]
    assert policy["resourceSelection"] == BY_TAG
    assert policy["tags"] == {"team": "a"}
    assert policy["dateCreated"] == created
    assert policy["dateUpdated"] - created >= datetime.timedelta(hours=1)


def test_update_cannot_change_the_resource_type(ib):
    arn = create(ib)
    with pytest.raises(ClientError) as exc:
        ib.update_lifecycle_policy(lifecyclePolicyArn=arn, executionRole=ROLE, resourceType="CONTAINER_IMAGE",
                                   policyDetails=[DELETE_KEEP_3], resourceSelection=BY_RECIPE)
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert "resourceType" in exc.value.response["Error"]["Message"]


def test_update_validates_like_create_and_changes_nothing_on_error(ib):
    arn = create(ib)
    with pytest.raises(ClientError) as exc:
        ib.update_lifecycle_policy(lifecyclePolicyArn=arn, executionRole=ROLE, resourceType="AMI_IMAGE",
                                   policyDetails=[DELETE_KEEP_3],
                                   resourceSelection={"recipes": BY_RECIPE["recipes"], "tagMap": BY_TAG["tagMap"]})
    assert error(exc) == ("InvalidParameterCombinationException", 400)
    with pytest.raises(ClientError) as exc:
        ib.update_lifecycle_policy(lifecyclePolicyArn=arn, executionRole=ROLE, resourceType="AMI_IMAGE",
                                   policyDetails=[DELETE_KEEP_3, DELETE_KEEP_3], resourceSelection=BY_RECIPE)
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]["policyDetails"] == [DEPRECATE_30_DAYS]


def test_update_of_a_missing_policy_is_not_found(ib):
    with pytest.raises(ClientError) as exc:
        ib.update_lifecycle_policy(lifecyclePolicyArn="arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/nope",
                                   executionRole=ROLE, resourceType="AMI_IMAGE", policyDetails=[DELETE_KEEP_3],
                                   resourceSelection=BY_RECIPE)
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_update_token_reused_with_other_parameters_mismatches(ib):
    arn = create(ib)
    args = dict(lifecyclePolicyArn=arn, executionRole=ROLE, resourceType="AMI_IMAGE", policyDetails=[DELETE_KEEP_3],
                resourceSelection=BY_RECIPE, clientToken="upd")
    ib.update_lifecycle_policy(**args)
    with pytest.raises(ClientError) as exc:
        ib.update_lifecycle_policy(**dict(args, description="changed"))
    assert error(exc) == ("IdempotentParameterMismatchException", 400)


# -- Get / Delete errors --------------------------------------------------------------------
def test_get_of_a_missing_policy_is_not_found(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_lifecycle_policy(lifecyclePolicyArn="arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/nope")
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_get_with_an_arn_of_another_type_is_invalid(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_lifecycle_policy(lifecyclePolicyArn="arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/r/1.0.0")
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_delete_removes_the_policy(ib):
    arn = create(ib)
    assert ib.delete_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicyArn"] == arn
    with pytest.raises(ClientError) as exc:
        ib.get_lifecycle_policy(lifecyclePolicyArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as exc:
        ib.delete_lifecycle_policy(lifecyclePolicyArn=arn)
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_a_deleted_name_can_be_used_again(ib):
    arn = create(ib)
    ib.delete_lifecycle_policy(lifecyclePolicyArn=arn)
    assert create(ib) == arn


# -- List -----------------------------------------------------------------------------------
def test_list_returns_summaries(ib):
    arn = create(ib, description="d", tags={"k": "v"})
    summary, = ib.list_lifecycle_policies()["lifecyclePolicySummaryList"]
    assert summary["arn"] == arn
    assert {k: summary[k] for k in ("name", "description", "status", "executionRole", "resourceType", "tags")} == {
        "name": "keep-fresh", "description": "d", "status": "ENABLED", "executionRole": ROLE,
        "resourceType": "AMI_IMAGE", "tags": {"k": "v"}}
    assert isinstance(summary["dateCreated"], datetime.datetime)
    assert "policyDetails" not in summary and "resourceSelection" not in summary


@needs_filter_value("*")
def test_list_filters_by_name_resource_type_and_status(ib):
    create(ib, name="web-old")
    create(ib, name="web-new", status="DISABLED")
    create(ib, name="api", resourceType="CONTAINER_IMAGE", policyDetails=[DELETE_KEEP_3 | {"action": {"type": "DELETE"}}])

    def names(*filters):
        return sorted(p["name"] for p in ib.list_lifecycle_policies(filters=list(filters))["lifecyclePolicySummaryList"])

    assert names({"name": "name", "values": ["web*"]}) == ["web-new", "web-old"]
    assert names({"name": "name", "values": ["*new*"]}) == ["web-new"]
    assert names({"name": "resourceType", "values": ["CONTAINER_IMAGE"]}) == ["api"]
    assert names({"name": "status", "values": ["DISABLED"]}) == ["web-new"]
    assert names({"name": "status", "values": ["ENABLED"]}, {"name": "resourceType", "values": ["AMI_IMAGE"]}) == [
        "web-old"]


def test_list_rejects_an_unsupported_filter(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_lifecycle_policies(filters=[{"name": "executionRole", "values": [ROLE]}])
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_list_paginates(ib):
    for index in range(5):
        create(ib, name=f"policy-{index}")
    page = ib.list_lifecycle_policies(maxResults=2)
    assert len(page["lifecyclePolicySummaryList"]) == 2 and page["nextToken"]
    names = [p["name"] for p in page["lifecyclePolicySummaryList"]]
    while "nextToken" in page:
        page = ib.list_lifecycle_policies(maxResults=2, nextToken=page["nextToken"])
        names += [p["name"] for p in page["lifecyclePolicySummaryList"]]
    assert names == [f"policy-{i}" for i in range(5)]
    paginated = ib.get_paginator("list_lifecycle_policies").paginate(PaginationConfig={"PageSize": 3})
    assert sum(len(p["lifecyclePolicySummaryList"]) for p in paginated) == 5


def test_list_rejects_a_foreign_token(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_lifecycle_policies(nextToken="not-a-token")
    assert error(exc) == ("InvalidPaginationTokenException", 400)


def test_list_max_results_above_100_is_rejected(raw):
    with pytest.raises(ClientError) as exc:
        raw.list_lifecycle_policies(maxResults=101)
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_tags_on_a_policy_show_in_get(ib):
    arn = create(ib)
    ib.tag_resource(resourceArn=arn, tags={"env": "prod"})
    assert ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]["tags"] == {"env": "prod"}
    ib.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert ib.list_tags_for_resource(resourceArn=arn)["tags"] == {}


def test_regions_are_separate(ib, imagebuilder_mock):
    create(ib)
    west = boto3.client("imagebuilder", region_name="us-west-2")
    assert west.list_lifecycle_policies()["lifecyclePolicySummaryList"] == []
    assert west.create_lifecycle_policy(**policy_args())["lifecyclePolicyArn"].startswith(
        "arn:aws:imagebuilder:us-west-2:")


def test_disabling_a_policy_stops_its_daily_runs(ib, imagebuilder_mock):
    arn = create(ib)
    ib.update_lifecycle_policy(lifecyclePolicyArn=arn, executionRole=ROLE, resourceType="AMI_IMAGE",
                               policyDetails=[DEPRECATE_30_DAYS], resourceSelection=BY_RECIPE, status="DISABLED")
    imagebuilder_mock.clock.advance(days=3)
    assert ib.list_lifecycle_executions(resourceArn=arn)["lifecycleExecutions"] == []
    ib.update_lifecycle_policy(lifecyclePolicyArn=arn, executionRole=ROLE, resourceType="AMI_IMAGE",
                               policyDetails=[DEPRECATE_30_DAYS], resourceSelection=BY_RECIPE)  # re-enabled
    imagebuilder_mock.clock.advance(days=1)
    runs = ib.list_lifecycle_executions(resourceArn=arn)["lifecycleExecutions"]
    assert len(runs) == 1
    assert ib.get_lifecycle_policy(lifecyclePolicyArn=arn)["lifecyclePolicy"]["dateLastRun"] == runs[0]["startTime"]


@needs_waiter("ImageAvailable")
def test_the_user_guide_example_runs():
    text = (Path(__file__).resolve().parent.parent / "docs" / "lifecycle-policies.md").read_text()
    example, = re.findall(r"```python\n(.*?)```", text, re.S)
    exec(compile(example, "docs/lifecycle-policies.md", "exec"), {})
