"""The protocol engine seen from the wire: what boto3's client-side validation hides."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import rawhttp
from imagebuilder_mock._backend.store import Backend
from imagebuilder_mock._engine.engine import Engine
from _model_features import max_results as model_max_results


@pytest.fixture
def loose(imagebuilder_mock):
    """A client that skips botocore's parameter validation, as a raw HTTP caller would."""
    return boto3.client("imagebuilder", region_name="us-east-1", config=Config(parameter_validation=False))


def _error(exc) -> tuple[str, str, int]:
    response = exc.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_missing_required_member_is_a_400_naming_it(loose):
    with pytest.raises(ClientError) as exc:
        loose.create_infrastructure_configuration(name="no-profile")
    code, message, status = _error(exc)
    assert (code, status) == ("InvalidRequestException", 400)
    assert "'instanceProfileName'" in message


def test_wrong_type_is_a_400_naming_the_parameter(loose):
    with pytest.raises(ClientError) as exc:
        loose.create_infrastructure_configuration(name="typed", instanceProfileName="p", terminateInstanceOnFailure="yes")
    code, message, status = _error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "'terminateInstanceOnFailure'" in message and "boolean" in message


@pytest.mark.parametrize("max_results", [0, model_max_results("ListInfrastructureConfigurations") + 1])
def test_max_results_out_of_range(loose, max_results):
    with pytest.raises(ClientError) as exc:
        loose.list_infrastructure_configurations(maxResults=max_results)
    code, message, status = _error(exc)
    assert (code, status) == ("InvalidParameterValueException", 400)
    limit = model_max_results("ListInfrastructureConfigurations")  # 100 on the newest model
    assert "'maxResults'" in message and f"between 1 and {limit}" in message


def test_nested_members_are_named_with_their_path(loose):
    with pytest.raises(ClientError) as exc:
        loose.create_infrastructure_configuration(name="nested", instanceProfileName="p",
                                                  instanceMetadataOptions={"httpPutResponseHopLimit": 65})
    code, message, _ = _error(exc)
    assert code == "InvalidParameterValueException"
    assert "'instanceMetadataOptions.httpPutResponseHopLimit'" in message


def test_empty_tag_map_is_rejected_server_side(loose):
    with pytest.raises(ClientError) as exc:
        loose.create_infrastructure_configuration(name="tagless", instanceProfileName="p", tags={})
    code, message, _ = _error(exc)
    assert code == "InvalidParameterValueException" and "'tags'" in message


def test_max_length_and_pattern_are_checked_although_the_client_does_not(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="x" * 129, instanceProfileName="p")
    code, message, _ = _error(exc)
    assert code == "InvalidParameterValueException" and "'name'" in message
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="bad/name", instanceProfileName="p")
    assert "'name'" in _error(exc)[1] and "pattern" in _error(exc)[1]


def test_corrupted_body_is_a_clean_400(imagebuilder_mock):
    status, headers, body = imagebuilder_mock.engine.handle(
        "PUT", "/CreateInfrastructureConfiguration", "", rawhttp.SIGNED, b'{"name": "broken", ')
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "InvalidRequestException"
    assert b"not valid JSON" in body


@pytest.mark.parametrize("depth", [20, 2000, 5000, 100000])
def test_deeply_nested_json_is_a_clean_400(imagebuilder_mock, depth):
    """JSON nested past what the parsers recurse into (~1,000 levels) is the service's 400, never a 500."""
    body = b'{"x":' + b"[" * depth + b"]" * depth + b"}"
    status, headers, out = imagebuilder_mock.engine.handle("POST", "/ListComponents", "", {}, body)
    if depth < 100:  # read, and the unmodelled member dropped
        assert status == 200
    else:
        assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
        assert b"nested too deeply" in out


def test_a_body_that_is_not_an_object_is_a_clean_400(imagebuilder_mock):
    status, headers, _ = imagebuilder_mock.engine.handle(
        "PUT", "/CreateInfrastructureConfiguration", "", rawhttp.SIGNED, b"[1, 2]")
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")


def test_unknown_route_is_a_404_not_a_crash(imagebuilder_mock):
    status, headers, body = imagebuilder_mock.engine.handle("GET", "/NoSuchThing", "", {}, b"")
    assert (status, headers["x-amzn-ErrorType"]) == (404, "UnknownOperationException")
    assert b"/NoSuchThing" in body


def test_an_operation_without_a_handler_answers_501_naming_it():
    engine = Engine(Backend(), handlers={})
    status, headers, body = engine.handle("GET", "/GetImage", "imageBuildVersionArn=x", rawhttp.SIGNED, b"")
    assert status == 501 and b"GetImage" in body
    assert headers["x-amzn-ErrorType"] == "NotImplementedException"


def test_integer_query_parameter_that_is_not_a_number(imagebuilder_mock):
    status, headers, body = imagebuilder_mock.engine.handle(
        "POST", "/ListInfrastructureConfigurations", "", rawhttp.SIGNED, b'{"maxResults": "ten"}')
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidParameterValueException")
    assert b"maxResults" in body


def test_errors_carry_the_code_in_the_header_and_a_message_in_the_body(imagebuilder_mock):
    status, headers, body = rawhttp.call(imagebuilder_mock, "GetInfrastructureConfiguration", {
        "infrastructureConfigurationArn": "arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/nope"})
    assert status == 404
    assert headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert headers["x-amzn-RequestId"]
    assert "cannot be found" in body["message"]


def test_tag_paths_carry_the_url_encoded_arn(ib, imagebuilder_mock):
    arn = ib.create_infrastructure_configuration(name="encoded", instanceProfileName="p")["infrastructureConfigurationArn"]
    status, _, body = rawhttp.call(imagebuilder_mock, "ListTagsForResource", {"resourceArn": arn})
    assert (status, body) == (200, {"tags": {}})


def test_same_client_token_and_parameters_replays_the_first_answer(ib):
    first = ib.create_infrastructure_configuration(name="idem", instanceProfileName="p", clientToken="token-1")
    again = ib.create_infrastructure_configuration(name="idem", instanceProfileName="p", clientToken="token-1")
    assert again["infrastructureConfigurationArn"] == first["infrastructureConfigurationArn"]
    # every request has its own id, a replay too (docs/notes/idempotency.md, INFERRED)
    assert again["requestId"] != first["requestId"] and again["clientToken"] == "token-1"
    assert again["ResponseMetadata"]["RequestId"] == again["requestId"]
    assert len(ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"]) == 1


def test_same_client_token_with_other_parameters_is_a_mismatch(ib):
    ib.create_infrastructure_configuration(name="idem", instanceProfileName="p", clientToken="token-2")
    with pytest.raises(ClientError) as exc:
        ib.create_infrastructure_configuration(name="idem", instanceProfileName="other", clientToken="token-2")
    assert _error(exc)[0::2] == ("IdempotentParameterMismatchException", 400)


def test_client_tokens_are_case_sensitive_and_per_account(ib, imagebuilder_mock):
    ib.create_infrastructure_configuration(name="one", instanceProfileName="p", clientToken="Token")
    ib.create_infrastructure_configuration(name="two", instanceProfileName="p", clientToken="token")
    assert len(ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"]) == 2


def test_a_failed_call_does_not_burn_its_token(ib):
    with pytest.raises(ClientError):
        ib.create_infrastructure_configuration(name="x/y", instanceProfileName="p", clientToken="retry-me")
    ok = ib.create_infrastructure_configuration(name="fixed", instanceProfileName="p", clientToken="retry-me")
    assert ok["infrastructureConfigurationArn"].endswith("/fixed")


def test_forged_and_foreign_pagination_tokens_are_rejected(ib):
    for index in range(3):
        ib.create_infrastructure_configuration(name=f"page-{index}", instanceProfileName="p")
    page = ib.list_infrastructure_configurations(maxResults=1)
    token = page["nextToken"]
    with pytest.raises(ClientError) as exc:
        ib.list_infrastructure_configurations(maxResults=1, nextToken=token[:-2] + "zz")
    assert _error(exc)[0::2] == ("InvalidPaginationTokenException", 400)
    with pytest.raises(ClientError) as exc:  # a token bound to another request
        ib.list_infrastructure_configurations(maxResults=1, nextToken=token,
                                              filters=[{"name": "name", "values": ["page-0"]}])
    assert _error(exc)[0] == "InvalidPaginationTokenException"
    names = [s["name"] for p in ib.get_paginator("list_infrastructure_configurations").paginate(
        PaginationConfig={"PageSize": 1}) for s in p["infrastructureConfigurationSummaryList"]]
    assert names == ["page-0", "page-1", "page-2"]


def test_members_the_model_does_not_have_are_ignored(imagebuilder_mock):
    # UpdateInfrastructureConfiguration has no dryRun member: a raw caller's dryRun is ignored, as AWS does
    status, _, body = rawhttp.call(imagebuilder_mock, "CreateInfrastructureConfiguration",
                                   {"name": "raw", "instanceProfileName": "p", "colour": "blue",
                                    "clientToken": "raw-1"})
    assert status == 200
    arn = body["infrastructureConfigurationArn"]
    status, _, body = rawhttp.call(imagebuilder_mock, "UpdateInfrastructureConfiguration",
                                   {"infrastructureConfigurationArn": arn, "instanceProfileName": "q", "dryRun": True,
                                    "clientToken": "raw-2"})
    assert status == 200
    status, _, body = rawhttp.call(imagebuilder_mock, "GetInfrastructureConfiguration",
                                   {"infrastructureConfigurationArn": arn})
    assert body["infrastructureConfiguration"]["instanceProfileName"] == "q"
    assert "colour" not in body["infrastructureConfiguration"]
