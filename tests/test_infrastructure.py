"""Infrastructure configurations through boto3: every member, defaults, replacement updates, errors."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import factories
from factories import error_detail
from _model_features import needs_filter_value

ACCOUNT = "123456789012"
FULL = dict(
    description="builds things",
    instanceTypes=["m5.large", "c5.xlarge"],
    instanceProfileName="ib-role",
    securityGroupIds=["sg-0123456789abcdef0"],
    subnetId="subnet-0123456789abcdef0",
    logging={"s3Logs": {"s3BucketName": "logs-bucket", "s3KeyPrefix": "ib/"}},
    keyPair="debug-key",
    terminateInstanceOnFailure=False,
    terminateInstanceOnCompletion=False,
    snsTopicArn=f"arn:aws:sns:us-east-1:{ACCOUNT}:ib-events",
    resourceTags={"team": "platform"},
    instanceMetadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": 2},
    placement={"availabilityZone": "us-east-1a", "tenancy": "host", "hostId": "h-0123456789abcdef0"},
    parentInstance={"autoScalingGroup": {"name": "build-asg", "capacityWaitTimeoutSeconds": 300}},
)


def _get(ib, arn):
    return ib.get_infrastructure_configuration(infrastructureConfigurationArn=arn)["infrastructureConfiguration"]


def test_create_returns_arn_from_normalized_name_and_echoes_token(ib):
    out = ib.create_infrastructure_configuration(name="My_Infra Config", instanceProfileName="ib-role",
                                                 clientToken="tok-1")
    assert out["infrastructureConfigurationArn"] == \
        f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:infrastructure-configuration/my-infra-config"
    assert out["clientToken"] == "tok-1"
    assert out["requestId"]
    assert _get(ib, out["infrastructureConfigurationArn"])["name"] == "My_Infra Config"


def test_every_member_round_trips(ib):
    arn = ib.create_infrastructure_configuration(name="full-infra", tags={"env": "dev"},
                                                 **FULL)["infrastructureConfigurationArn"]
    item = _get(ib, arn)
    for key, value in FULL.items():
        assert item[key] == value, key
    assert item["tags"] == {"env": "dev"}
    assert item["arn"] == arn and item["name"] == "full-infra"


def test_defaults_and_no_date_updated_after_create(ib):
    arn = factories.infrastructure(ib)
    item = _get(ib, arn)
    assert item["terminateInstanceOnFailure"] is True
    assert item["terminateInstanceOnCompletion"] is True
    assert item["tags"] == {}
    assert item["dateCreated"].endswith("Z")
    for absent in ("dateUpdated", "description", "subnetId", "securityGroupIds", "logging", "placement"):
        assert absent not in item


def test_update_is_a_full_replacement_and_sets_date_updated(ib, imagebuilder_mock):
    arn = ib.create_infrastructure_configuration(name="replace-me", tags={"keep": "me"},
                                                 **FULL)["infrastructureConfigurationArn"]
    created = _get(ib, arn)["dateCreated"]
    imagebuilder_mock.clock.advance(60)
    out = ib.update_infrastructure_configuration(infrastructureConfigurationArn=arn, instanceProfileName="other-role",
                                                 clientToken="upd-1")
    assert out["infrastructureConfigurationArn"] == arn and out["clientToken"] == "upd-1"
    item = _get(ib, arn)
    assert item["instanceProfileName"] == "other-role"
    for removed in ("description", "instanceTypes", "subnetId", "securityGroupIds", "logging", "keyPair",
                    "snsTopicArn", "resourceTags", "instanceMetadataOptions", "placement", "parentInstance"):
        assert removed not in item, removed
    assert item["terminateInstanceOnFailure"] is True  # reset to the default
    assert item["terminateInstanceOnCompletion"] is True
    assert item["dateCreated"] == created
    assert item["dateUpdated"] > created
    assert item["tags"] == {"keep": "me"}  # tags are not part of the update
    assert item["name"] == "replace-me"


def test_duplicate_name_is_already_exists(ib):
    arn = factories.infrastructure(ib, name="dup-infra")
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="Dup_Infra", instanceProfileName="ib-role")
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceAlreadyExistsException", 400)
    assert message == f"The following resource 'InfrastructureConfiguration' already exists: '{arn}'."


def test_subnet_without_security_groups_fails(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="subnet-only", instanceProfileName="ib-role",
                                               subnetId="subnet-0123456789abcdef0")
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "securityGroupIds" in message
    assert ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"] == []


def test_subnet_without_security_groups_fails_on_update_too(ib):
    arn = factories.infrastructure(ib)
    with pytest.raises(ClientError) as exc:
        ib.update_infrastructure_configuration(infrastructureConfigurationArn=arn, instanceProfileName="ib-role",
                                               subnetId="subnet-0123456789abcdef0")
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)
    assert "subnetId" not in _get(ib, arn)


@pytest.mark.parametrize("key", ["CreatedBy", "Ec2ImageBuilderArn", "Name", "Tags", "aws:owner"])
def test_reserved_resource_tag_keys_are_rejected(ib, key):
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="reserved-tags", instanceProfileName="ib-role",
                                               resourceTags={key: "x"})
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "resourceTags" in message


def test_placement_host_target_needs_host_tenancy(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="bad-placement", instanceProfileName="ib-role",
                                               placement={"tenancy": "dedicated", "hostId": "h-0123456789abcdef0"})
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "placement.hostId" in message


def test_placement_accepts_only_one_host_target(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(
            name="two-targets", instanceProfileName="ib-role",
            placement={"tenancy": "host", "hostId": "h-0123456789abcdef0",
                       "hostResourceGroupArn": f"arn:aws:resource-groups:us-east-1:{ACCOUNT}:group/hosts"})
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


@pytest.mark.parametrize("member, value", [
    ("snsTopicArn", "arn:aws:sns:us-east-1:123456789012:events.fifo"),
    ("instanceProfileName", "bad profile name"),
    ("instanceMetadataOptions", {"httpPutResponseHopLimit": 65}),
    ("parentInstance", {"autoScalingGroup": {"name": "asg", "capacityWaitTimeoutSeconds": 3601}}),
])
def test_model_constraints_are_enforced_server_side(ib, member, value):
    args = {"name": "constrained", "instanceProfileName": "ib-role", member: value}
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(**args)
    code, message, status = error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert member in message


def test_missing_instance_profile_is_rejected_by_the_service(imagebuilder_mock):
    loose = boto3.client("imagebuilder", region_name="us-east-1", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as exc:
        loose.create_infrastructure_configuration(name="no-profile", clientToken="t")
    assert error_detail(exc)[0::2] == ("InvalidRequestException", 400)


def test_get_update_delete_of_missing_configuration_is_not_found(ib):
    arn = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:infrastructure-configuration/nope"
    calls = [
        lambda: ib.get_infrastructure_configuration(infrastructureConfigurationArn=arn),
        lambda: ib.update_infrastructure_configuration(infrastructureConfigurationArn=arn,
                                                       instanceProfileName="ib-role"),
        lambda: ib.delete_infrastructure_configuration(infrastructureConfigurationArn=arn),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        code, message, status = error_detail(exc)
        assert (code, status) == ("ResourceNotFoundException", 404)
        assert message == f"The following required resource 'InfrastructureConfiguration' cannot be found: '{arn}'."


def test_arn_of_another_type_is_invalid(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_infrastructure_configuration(
            infrastructureConfigurationArn=f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:distribution-configuration/x")
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


def test_delete_returns_arn_and_removes(ib):
    arn = factories.infrastructure(ib)
    out = ib.delete_infrastructure_configuration(infrastructureConfigurationArn=arn)
    assert out["infrastructureConfigurationArn"] == arn and out["requestId"]
    assert ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"] == []


def test_delete_while_a_pipeline_uses_it_is_a_dependency_error(ib, imagebuilder_mock):
    arn = factories.infrastructure(ib)
    factories.pipeline_record(imagebuilder_mock, infrastructureConfigurationArn=arn)
    with pytest.raises(ClientError) as exc:
        ib.delete_infrastructure_configuration(infrastructureConfigurationArn=arn)
    code, message, status = error_detail(exc)
    assert (code, status) == ("ResourceDependencyException", 400)
    assert message == f"Resource dependency error: The resource ARN '{arn}' has other resources depended on it."
    assert _get(ib, arn)["arn"] == arn


@needs_filter_value("*")
def test_list_summary_members_and_name_filter(ib):
    arn = ib.create_infrastructure_configuration(name="listed-one", tags={"a": "b"}, **FULL)[
        "infrastructureConfigurationArn"]
    factories.infrastructure(ib, name="other-one")
    out = ib.list_infrastructure_configurations(filters=[{"name": "name", "values": ["listed*"]}])
    [summary] = out["infrastructureConfigurationSummaryList"]
    assert summary["arn"] == arn
    assert summary["instanceTypes"] == FULL["instanceTypes"]
    assert summary["instanceProfileName"] == "ib-role"
    assert summary["resourceTags"] == {"team": "platform"}
    assert summary["placement"] == FULL["placement"]
    assert summary["tags"] == {"a": "b"}
    assert "subnetId" not in summary and "nextToken" not in out


def test_list_rejects_unsupported_filter(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_infrastructure_configurations(filters=[{"name": "instanceProfileName", "values": ["ib-role"]}])
    assert error_detail(exc)[0::2] == ("InvalidParameterValueException", 400)


def test_list_paginates(ib):
    arns = [factories.infrastructure(ib, name=f"page-{i:02d}") for i in range(5)]
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"maxResults": 2}
        if token:
            kwargs["nextToken"] = token
        out = ib.list_infrastructure_configurations(**kwargs)
        pages += 1
        seen += [s["arn"] for s in out["infrastructureConfigurationSummaryList"]]
        token = out.get("nextToken")
        if not token:
            break
    assert seen == arns and pages == 3


def test_list_bad_token(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_infrastructure_configurations(nextToken="not-a-token")
    assert error_detail(exc)[0::2] == ("InvalidPaginationTokenException", 400)


def test_dry_run_validates_and_creates_nothing(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="dry", instanceProfileName="ib-role", dryRun=True)
    assert error_detail(exc)[0::2] == ("DryRunOperationException", 412)
    assert ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"] == []
    with pytest.raises(ClientError) as exc:  # invalid input: the validation error, not the dry-run one
        ib.create_infrastructure_configuration(name="dry", instanceProfileName="ib-role", dryRun=True,
                                               subnetId="subnet-1")
    assert error_detail(exc)[0] == "InvalidParameterValueException"


def test_same_token_same_parameters_replays(ib):
    first = ib.create_infrastructure_configuration(name="idem", instanceProfileName="ib-role", clientToken="same")
    again = ib.create_infrastructure_configuration(name="idem", instanceProfileName="ib-role", clientToken="same")
    assert again["infrastructureConfigurationArn"] == first["infrastructureConfigurationArn"]
    assert len(ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"]) == 1


def test_same_token_other_parameters_mismatch(ib):
    ib.create_infrastructure_configuration(name="idem", instanceProfileName="ib-role", clientToken="same")
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="idem-2", instanceProfileName="ib-role", clientToken="same")
    assert error_detail(exc)[0::2] == ("IdempotentParameterMismatchException", 400)
    assert len(ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"]) == 1


def test_update_idempotency_both_ways(ib, imagebuilder_mock):
    arn = factories.infrastructure(ib)
    ib.update_infrastructure_configuration(infrastructureConfigurationArn=arn, instanceProfileName="r2",
                                           clientToken="u")
    stamp = _get(ib, arn)["dateUpdated"]
    imagebuilder_mock.clock.advance(30)
    ib.update_infrastructure_configuration(infrastructureConfigurationArn=arn, instanceProfileName="r2",
                                           clientToken="u")
    assert _get(ib, arn)["dateUpdated"] == stamp  # replayed, not re-run
    with pytest.raises(ClientError) as exc:
        ib.update_infrastructure_configuration(infrastructureConfigurationArn=arn, instanceProfileName="r3",
                                               clientToken="u")
    assert error_detail(exc)[0::2] == ("IdempotentParameterMismatchException", 400)
