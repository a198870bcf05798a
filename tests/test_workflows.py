"""Workflows: CreateWorkflow, GetWorkflow, ListWorkflows, ListWorkflowBuildVersions, DeleteWorkflow,
and the WorkflowConfiguration checks images and pipelines use."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

import factories
from factories import error
from rawhttp import call
from _model_features import needs_filter_value

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ib-exec"
DOC = """name: wait-build
description: Builds an AMI and waits
schemaVersion: 1.0

parameters:
  - name: waitForActionAtEnd
    type: boolean
    default: true
  - name: greeting
    type: string

steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: "ssmAgent"

  - name: TerminateBuildInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

  - name: WaitForActionAtEnd
    action: WaitForAction
    if:
      booleanEquals: true
      value: "$.parameters.waitForActionAtEnd"
"""
MINIMAL = """schemaVersion: 1.0
steps:
  - name: Wait
    action: WaitForAction
"""


def create(ib, name="wflow", version="1.0.0", wtype="BUILD", data=DOC, **kw) -> str:
    return ib.create_workflow(name=name, semanticVersion=version, type=wtype, data=data, **kw)[
        "workflowBuildVersionArn"]


def arn(kind: str, name: str, version: str, build: int | None = None, account: str = ACCOUNT) -> str:
    tail = f"/{build}" if build is not None else ""
    return f"arn:aws:imagebuilder:us-east-1:{account}:workflow/{kind}/{name}/{version}{tail}"


# -- CreateWorkflow ----------------------------------------------------------------------------
def test_create_returns_build_arn_references_and_no_request_id(ib):
    out = ib.create_workflow(name="My Flow_1", semanticVersion="1.2.3", type="TEST", data=DOC, clientToken="t-1")
    assert out["workflowBuildVersionArn"] == arn("test", "my-flow-1", "1.2.3", 1)
    assert out["clientToken"] == "t-1"
    assert "requestId" not in out
    assert out["latestVersionReferences"] == {
        "latestVersionArn": arn("test", "my-flow-1", "x.x.x"),
        "latestMajorVersionArn": arn("test", "my-flow-1", "1.x.x"),
        "latestMinorVersionArn": arn("test", "my-flow-1", "1.2.x"),
        "latestPatchVersionArn": arn("test", "my-flow-1", "1.2.3"),
    }


def test_get_returns_the_document_and_its_parameters(ib):
    built = create(ib, description="Waits", changeDescription="first", tags={"team": "a"})
    workflow = ib.get_workflow(workflowBuildVersionArn=built)["workflow"]
    assert workflow["arn"] == built
    assert workflow["name"] == "wflow" and workflow["version"] == "1.0.0" and workflow["type"] == "BUILD"
    assert workflow["owner"] == ACCOUNT and workflow["data"] == DOC
    assert workflow["description"] == "Waits" and workflow["changeDescription"] == "first"
    assert workflow["tags"] == {"team": "a"}
    assert workflow["dateCreated"].endswith("Z")
    assert "state" not in workflow
    assert workflow["parameters"] == [
        {"name": "waitForActionAtEnd", "type": "boolean", "defaultValue": ["true"]},
        {"name": "greeting", "type": "string"},
    ]


def test_same_version_with_new_content_is_a_new_build_identical_content_fails(ib):
    first = create(ib)
    second = create(ib, description="changed")
    assert first.endswith("/1.0.0/1") and second.endswith("/1.0.0/2")
    with pytest.raises(ClientError) as exc:
        create(ib, description="changed")
    assert error(exc) == ("ResourceAlreadyExistsException", 400)
    assert second in exc.value.response["Error"]["Message"]
    # tags alone are not configuration
    with pytest.raises(ClientError):
        create(ib, description="changed", tags={"a": "b"})


def test_names_differing_in_case_or_spaces_are_the_same_workflow(ib):
    create(ib, name="Nightly Build")
    assert create(ib, name="nightly_build", data=MINIMAL).endswith("/nightly-build/1.0.0/2")


def test_same_name_other_type_is_another_workflow(ib):
    assert create(ib, wtype="BUILD").endswith("/build/wflow/1.0.0/1")
    assert create(ib, wtype="TEST").endswith("/test/wflow/1.0.0/1")


def test_create_idempotency(ib):
    one = ib.create_workflow(name="wflow", semanticVersion="1.0.0", type="BUILD", data=DOC, clientToken="tok")
    two = ib.create_workflow(name="wflow", semanticVersion="1.0.0", type="BUILD", data=DOC, clientToken="tok")
    assert one["workflowBuildVersionArn"] == two["workflowBuildVersionArn"]
    with pytest.raises(ClientError) as exc:
        ib.create_workflow(name="wflow", semanticVersion="2.0.0", type="BUILD", data=DOC, clientToken="tok")
    assert error(exc) == ("IdempotentParameterMismatchException", 400)


def test_create_dry_run_creates_nothing(ib):
    with pytest.raises(ClientError) as exc:
        create(ib, dryRun=True)
    assert error(exc) == ("DryRunOperationException", 412)
    assert ib.list_workflows()["workflowVersionList"] == []


@pytest.mark.parametrize("extra", [{"uri": "s3://bucket/wf.yaml"}, {}])
def test_create_needs_exactly_one_of_data_and_uri(ib, extra):
    args = dict(name="wflow", semanticVersion="1.0.0", type="BUILD", **extra)
    if extra:
        args["data"] = DOC
    with pytest.raises(ClientError) as exc:
        ib.create_workflow(**args)
    assert error(exc) == ("InvalidParameterCombinationException", 400)


def test_create_from_uri_reads_moto_s3():
    from moto import mock_aws

    from imagebuilder_mock import mock_imagebuilder

    with mock_aws(), mock_imagebuilder():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="wf-docs")
        s3.put_object(Bucket="wf-docs", Key="wait.yaml", Body=MINIMAL.encode())
        ib = boto3.client("imagebuilder", region_name="us-east-1")
        built = ib.create_workflow(name="from-s3", semanticVersion="1.0.0", type="BUILD",
                                   uri="s3://wf-docs/wait.yaml")["workflowBuildVersionArn"]
        assert ib.get_workflow(workflowBuildVersionArn=built)["workflow"]["data"] == MINIMAL
        with pytest.raises(ClientError) as exc:
            ib.create_workflow(name="from-s3", semanticVersion="1.0.1", type="BUILD", uri="s3://wf-docs/missing.yaml")
        assert error(exc) == ("InvalidParameterValueException", 400)


def test_create_rejects_a_uri_that_is_not_s3(ib):
    with pytest.raises(ClientError) as exc:
        ib.create_workflow(name="wflow", semanticVersion="1.0.0", type="BUILD", uri="https://example.com/wf.yaml")
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert "'uri'" in exc.value.response["Error"]["Message"]


def test_create_version_out_of_bounds(ib):
    with pytest.raises(ClientError) as exc:
        create(ib, version="1073741824.0.0")
    assert error(exc) == ("InvalidVersionNumberException", 400)


def test_create_version_must_have_three_numeric_nodes(ib):
    with pytest.raises(ClientError) as exc:
        create(ib, version="1.0.x")
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert "semanticVersion" in exc.value.response["Error"]["Message"]


def test_create_missing_required_member_over_raw_http(imagebuilder_mock):
    status, headers, body = call(imagebuilder_mock, "CreateWorkflow",
                                 {"name": "wflow", "semanticVersion": "1.0.0", "data": DOC, "clientToken": "x"})
    assert status == 400 and headers["x-amzn-ErrorType"] == "InvalidRequestException"
    assert "type" in body["message"]


def test_create_rejects_an_unknown_type_over_raw_http(imagebuilder_mock):
    status, headers, _ = call(imagebuilder_mock, "CreateWorkflow", {"name": "wflow", "semanticVersion": "1.0.0",
                                                                    "type": "DEPLOY", "data": DOC, "clientToken": "x"})
    assert status == 400 and headers["x-amzn-ErrorType"] == "InvalidParameterValueException"


BAD_DOCUMENTS = {
    "not yaml": ("steps: [", "not valid YAML"),
    "not a mapping": ("- a\n- b\n", "mapping"),
    "no schemaVersion": ("steps:\n  - name: Wait\n    action: WaitForAction\n", "schemaVersion"),
    "schemaVersion 2.0": (MINIMAL.replace("1.0", "2.0"), "schemaVersion"),
    "no steps": ("schemaVersion: 1.0\n", "steps"),
    "empty steps": ("schemaVersion: 1.0\nsteps: []\n", "steps"),
    "bad step name": (MINIMAL.replace("name: Wait", "name: Wait here"), "Invalid step name 'Wait here'"),
    "step name starting with a digit": (MINIMAL.replace("name: Wait", "name: 1Wait"), "Invalid step name"),
    "duplicate step": (MINIMAL + "  - name: Wait\n    action: WaitForAction\n", "Duplicate step name 'Wait'"),
    "unknown action": (MINIMAL.replace("WaitForAction", "ExecuteBash"), "unsupported action 'ExecuteBash'"),
    "action of another stage": (MINIMAL.replace("WaitForAction", "DistributeImage"), "not supported in BUILD"),
    "bad onFailure": (MINIMAL + "    onFailure: Ignore\n", "onFailure 'Ignore'"),
    "timeout over the action's maximum": (MINIMAL.replace("WaitForAction", "LaunchInstance") +
                                          "    timeoutSeconds: 43201\n", "43200"),
    "timeout not an integer": (MINIMAL + "    timeoutSeconds: soon\n", "timeoutSeconds"),
    "rollbackEnabled not boolean": (MINIMAL + "    rollbackEnabled: maybe\n", "rollbackEnabled"),
    "inputs not a mapping": (MINIMAL + "    inputs: [1]\n", "inputs"),
    "parameter without type": ("schemaVersion: 1.0\nparameters:\n  - name: p\n" + MINIMAL[19:], "type"),
    "parameter with unknown type": ("schemaVersion: 1.0\nparameters:\n  - name: p\n    type: number\n" + MINIMAL[19:],
                                    "type 'number'"),
    "default of the wrong type": ("schemaVersion: 1.0\nparameters:\n  - name: p\n    type: boolean\n"
                                  "    default: yes please\n" + MINIMAL[19:], "default value of parameter 'p'"),
    "duplicate parameter": ("schemaVersion: 1.0\nparameters:\n  - name: p\n    type: string\n  - name: p\n"
                            "    type: string\n" + MINIMAL[19:], "Duplicate parameter name 'p'"),
    "undeclared parameter reference": (MINIMAL + "    if:\n      booleanEquals: true\n"
                                                 "      value: \"$.parameters.nope\"\n", "'nope'"),
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_create_rejects_invalid_documents(ib, case):
    data, fragment = BAD_DOCUMENTS[case]
    with pytest.raises(ClientError) as exc:
        create(ib, data=data)
    assert error(exc) == ("InvalidParameterValueException", 400)
    message = exc.value.response["Error"]["Message"]
    assert message.startswith("The value supplied for parameter 'data' is not valid.")
    assert fragment in message
    assert ib.list_workflows()["workflowVersionList"] == []


def test_stage_restricted_actions(ib):
    distribute = MINIMAL.replace("WaitForAction", "DistributeImage")
    assert create(ib, name="dist", wtype="DISTRIBUTION", data=distribute)
    scan = MINIMAL.replace("WaitForAction", "CollectImageScanFindings")
    assert create(ib, name="scan", wtype="TEST", data=scan)
    with pytest.raises(ClientError):
        create(ib, name="scan", wtype="BUILD", data=scan)
    both = distribute + "  - name: Push\n    action: DistributeContainerImage\n"
    with pytest.raises(ClientError) as exc:
        create(ib, name="both", wtype="DISTRIBUTION", data=both)
    assert "DistributeContainerImage" in exc.value.response["Error"]["Message"]


def test_a_step_needs_only_name_and_action(ib):
    built = create(ib, data=MINIMAL)
    assert ib.get_workflow(workflowBuildVersionArn=built)["workflow"]["parameters"] == []


# -- GetWorkflow -------------------------------------------------------------------------------
def test_get_by_version_and_wildcards_resolves_latest_build(ib):
    create(ib, version="1.0.0")
    create(ib, version="1.2.0")
    latest = create(ib, version="1.2.0", description="v2")
    create(ib, version="2.0.0")
    for version, expected in (("1.2.0", latest), ("1.x.x", latest), ("1.2.x", latest)):
        assert ib.get_workflow(workflowBuildVersionArn=arn("build", "wflow", version))["workflow"]["arn"] == expected
    whole = ib.get_workflow(workflowBuildVersionArn=arn("build", "wflow", "x.x.x"))
    assert whole["workflow"]["version"] == "2.0.0"
    assert whole["latestVersionReferences"]["latestPatchVersionArn"] == arn("build", "wflow", "2.0.0")


def test_get_aws_managed_workflow(ib):
    out = ib.get_workflow(workflowBuildVersionArn=arn("build", "build-image", "x.x.x", account="aws"))
    workflow = out["workflow"]
    assert workflow["arn"] == arn("build", "build-image", "1.0.3", 1, account="aws")
    assert workflow["owner"] == "Amazon" and workflow["type"] == "BUILD"
    assert "LaunchBuildInstance" in workflow["data"]


def test_get_missing_workflow(ib):
    create(ib)
    for missing in (arn("build", "wflow", "1.0.0", 9), arn("test", "wflow", "1.0.0", 1), arn("build", "nope", "x.x.x")):
        with pytest.raises(ClientError) as exc:
            ib.get_workflow(workflowBuildVersionArn=missing)
        assert error(exc) == ("ResourceNotFoundException", 404)


def test_get_invalid_wildcard(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_workflow(workflowBuildVersionArn=arn("build", "wflow", "x.2.x"))
    assert error(exc) == ("InvalidVersionNumberException", 400)


def test_get_rejects_an_arn_of_another_type(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_workflow(workflowBuildVersionArn=f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:component/c/1.0.0/1")
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_get_without_arn_over_raw_http(imagebuilder_mock):
    status, headers, _ = call(imagebuilder_mock, "GetWorkflow", {})
    assert status == 400 and headers["x-amzn-ErrorType"] == "InvalidRequestException"


# -- ListWorkflows -----------------------------------------------------------------------------
def test_list_returns_one_entry_per_version(ib):
    create(ib, version="1.0.0")
    create(ib, version="1.0.0", description="second build")
    create(ib, version="1.1.0")
    create(ib, name="other", wtype="TEST")
    out = ib.list_workflows()
    assert "requestId" not in out
    versions = [(w["arn"], w["version"]) for w in out["workflowVersionList"]]
    assert versions == [(arn("build", "wflow", "1.0.0"), "1.0.0"), (arn("build", "wflow", "1.1.0"), "1.1.0"),
                        (arn("test", "other", "1.0.0"), "1.0.0")]
    first = out["workflowVersionList"][0]
    assert first["owner"] == ACCOUNT and first["type"] == "BUILD" and first["description"] == "second build"


def test_list_by_name_aggregates_versions(ib):
    create(ib, version="1.0.0")
    create(ib, version="1.1.0")
    out = ib.list_workflows(byName=True)["workflowVersionList"]
    assert [(w["arn"], w["version"]) for w in out] == [(arn("build", "wflow", "x.x.x"), "1.1.0")]
    with pytest.raises(ClientError) as exc:
        ib.list_workflows(byName=True, filters=[{"name": "version", "values": ["1.0.0"]}])
    assert error(exc) == ("InvalidRequestException", 400)


@needs_filter_value("*")
def test_list_filters(ib):
    create(ib, name="web-build", description="web")
    create(ib, name="db-build", wtype="TEST", version="2.0.0")
    names = lambda **kw: [w["name"] for w in ib.list_workflows(**kw)["workflowVersionList"]]  # noqa: E731
    assert names(filters=[{"name": "name", "values": ["web*"]}]) == ["web-build"]
    assert names(filters=[{"name": "name", "values": ["*build*"]}]) == ["web-build", "db-build"]
    assert names(filters=[{"name": "type", "values": ["TEST"]}]) == ["db-build"]
    assert names(filters=[{"name": "version", "values": ["2.0.0"]}]) == ["db-build"]
    assert names(filters=[{"name": "description", "values": ["web"]}]) == ["web-build"]
    with pytest.raises(ClientError) as exc:
        ib.list_workflows(filters=[{"name": "platform", "values": ["Linux"]}])
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_list_owner_values(ib):
    create(ib)
    amazon = ib.list_workflows(owner="Amazon")["workflowVersionList"]
    assert {w["name"] for w in amazon} >= {"build-image", "test-image", "distribute-image"}
    assert all(w["owner"] == "Amazon" for w in amazon)
    assert ib.list_workflows(owner="AWSMarketplace")["workflowVersionList"] == []
    for owner in ("Shared", "ThirdParty"):
        with pytest.raises(ClientError) as exc:
            ib.list_workflows(owner=owner)
        assert error(exc) == ("InvalidParameterValueException", 400)


def test_list_pagination(ib):
    for minor in range(5):
        create(ib, version=f"1.{minor}.0")
    first = ib.list_workflows(maxResults=2)
    assert len(first["workflowVersionList"]) == 2 and first["nextToken"]
    seen = [w["version"] for w in first["workflowVersionList"]]
    token = first["nextToken"]
    while token:
        page = ib.list_workflows(maxResults=2, nextToken=token)
        seen += [w["version"] for w in page["workflowVersionList"]]
        token = page.get("nextToken")
    assert seen == [f"1.{m}.0" for m in range(5)]
    with pytest.raises(ClientError) as exc:
        ib.list_workflows(nextToken="garbage")
    assert error(exc) == ("InvalidPaginationTokenException", 400)


# -- ListWorkflowBuildVersions -----------------------------------------------------------------
def test_list_build_versions(ib):
    one = create(ib)
    two = create(ib, description="2")
    other = create(ib, version="2.0.0")
    builds = lambda **kw: [w["arn"] for w in ib.list_workflow_build_versions(**kw)["workflowSummaryList"]]  # noqa
    # most recent first (the AWS CLI's example; docs/service-behavior.md)
    assert builds(workflowVersionArn=arn("build", "wflow", "1.0.0")) == [two, one]
    assert builds(workflowVersionArn=arn("build", "wflow", "x.x.x")) == [other, two, one]
    assert builds() == [other, two, one]
    assert builds(workflowVersionArn=arn("build", "nope", "1.0.0")) == []
    summary = ib.list_workflow_build_versions(workflowVersionArn=arn("build", "wflow", "1.0.0"))["workflowSummaryList"][0]
    assert summary["description"] == "2" and summary["owner"] == ACCOUNT and "tags" not in summary
    aws = builds(workflowVersionArn=arn("test", "test-image", "x.x.x", account="aws"))
    assert aws[0] == arn("test", "test-image", "1.0.3", 1, account="aws")


def test_list_build_versions_pagination(ib):
    for n in range(3):
        create(ib, description=f"build {n}")
    page = ib.list_workflow_build_versions(maxResults=2)
    assert len(page["workflowSummaryList"]) == 2
    rest = ib.list_workflow_build_versions(maxResults=2, nextToken=page["nextToken"])
    assert len(rest["workflowSummaryList"]) == 1 and "nextToken" not in rest
    with pytest.raises(ClientError) as exc:
        ib.list_workflow_build_versions(nextToken=page["nextToken"], workflowVersionArn=arn("build", "wflow", "1.0.0"))
    assert error(exc) == ("InvalidPaginationTokenException", 400)


# -- DeleteWorkflow ----------------------------------------------------------------------------
def test_delete_and_get_again(ib):
    built = create(ib)
    assert ib.delete_workflow(workflowBuildVersionArn=built)["workflowBuildVersionArn"] == built
    with pytest.raises(ClientError) as exc:
        ib.get_workflow(workflowBuildVersionArn=built)
    assert error(exc) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as exc:
        ib.delete_workflow(workflowBuildVersionArn=built)
    assert error(exc) == ("ResourceNotFoundException", 404)
    # a deleted build number is not handed out again
    assert create(ib).endswith("/1.0.0/2")


def test_delete_refused_while_a_pipeline_references_it(ib, imagebuilder_mock):
    exact = create(ib, name="exact")
    wildcard = create(ib, name="wild")
    factories.pipeline_record(imagebuilder_mock, "p1", workflows=[{"workflowArn": exact}])
    factories.pipeline_record(imagebuilder_mock, "p2", workflows=[{"workflowArn": arn("build", "wild", "x.x.x")}])
    for referenced in (exact, wildcard):
        with pytest.raises(ClientError) as exc:
            ib.delete_workflow(workflowBuildVersionArn=referenced)
        assert error(exc) == ("ResourceDependencyException", 400)
        assert referenced in exc.value.response["Error"]["Message"]
    # an older build that the wildcard no longer resolves to can go
    newer = create(ib, name="wild", description="newer")
    assert ib.delete_workflow(workflowBuildVersionArn=wildcard)
    with pytest.raises(ClientError):
        ib.delete_workflow(workflowBuildVersionArn=newer)


def test_delete_needs_a_build_arn(ib):
    with pytest.raises(ClientError) as exc:
        ib.delete_workflow(workflowBuildVersionArn=arn("build", "wflow", "1.0.0"))
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_tags_on_workflows(ib):
    built = create(ib)
    ib.tag_resource(resourceArn=built, tags={"k": "v"})
    assert ib.get_workflow(workflowBuildVersionArn=built)["workflow"]["tags"] == {"k": "v"}
    assert ib.list_tags_for_resource(resourceArn=built)["tags"] == {"k": "v"}


# -- server-side errors the model lists (answered by the error injector) -----------------------
_CALLS = {
    "CreateWorkflow": lambda ib: ib.create_workflow(name="wflow", semanticVersion="1.0.0", type="BUILD", data=DOC),
    "GetWorkflow": lambda ib: ib.get_workflow(workflowBuildVersionArn=arn("build", "wflow", "1.0.0", 1)),
    "ListWorkflows": lambda ib: ib.list_workflows(),
    "ListWorkflowBuildVersions": lambda ib: ib.list_workflow_build_versions(),
    "DeleteWorkflow": lambda ib: ib.delete_workflow(workflowBuildVersionArn=arn("build", "wflow", "1.0.0", 1)),
}


@pytest.mark.parametrize("operation", sorted(_CALLS))
@pytest.mark.parametrize("code,status", factories.SERVER_ERRORS)
def test_modelled_server_errors(imagebuilder_mock, operation, code, status):
    assert factories.injected_error(imagebuilder_mock, operation, code, _CALLS[operation]) == (code, status)


@pytest.mark.parametrize("code,status", [("ResourceInUseException", 400), ("ServiceQuotaExceededException", 402)])
def test_create_workflow_other_modelled_errors(imagebuilder_mock, code, status):
    assert factories.injected_error(imagebuilder_mock, "CreateWorkflow", code, create) == (code, status)


# -- WorkflowConfiguration checks (CreateImage uses them) --------------------------------------
def _image(ib, workflows, **kw):
    return ib.create_image(imageRecipeArn=factories.image_recipe(ib),
                           infrastructureConfigurationArn=factories.infrastructure(ib),
                           workflows=workflows, executionRole=ROLE, **kw)


def test_configuration_parameters_are_checked(ib):
    built = create(ib)
    cases = [
        ([{"name": "nope", "value": ["x"]}], "InvalidParameterCombinationException", "not defined"),
        ([{"name": "waitForActionAtEnd", "value": ["false"]}], "InvalidParameterValueException", "greeting"),
        ([{"name": "greeting", "value": ["hi"]}, {"name": "waitForActionAtEnd", "value": ["maybe"]}],
         "InvalidParameterValueException", "boolean"),
        ([{"name": "greeting", "value": ["a", "b"]}], "InvalidParameterValueException", "exactly one value"),
        ([{"name": "greeting", "value": ["a"]}, {"name": "greeting", "value": ["b"]}],
         "InvalidParameterValueException", "more than once"),
    ]
    for parameters, code, fragment in cases:
        with pytest.raises(ClientError) as exc:
            _image(ib, [{"workflowArn": built, "parameters": parameters}])
        assert error(exc) == (code, 400), parameters
        message = exc.value.response["Error"]["Message"]
        assert "'workflows[0].parameters'" in message and fragment in message
    assert _image(ib, [{"workflowArn": built, "parameters": [{"name": "greeting", "value": ["hi"]}]}])


def test_configuration_without_required_parameters(ib):
    built = create(ib)
    with pytest.raises(ClientError) as exc:
        _image(ib, [{"workflowArn": built}])
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert "greeting" in exc.value.response["Error"]["Message"]


def test_configuration_workflow_must_exist(ib):
    with pytest.raises(ClientError) as exc:
        _image(ib, [{"workflowArn": arn("build", "ghost", "1.0.0", 1)}])
    assert error(exc) == ("ResourceNotFoundException", 404)


def test_configuration_aws_managed_workflows_need_x_x_x(ib):
    pinned = arn("build", "build-image", "1.0.1", 1, account="aws")
    with pytest.raises(ClientError) as exc:
        _image(ib, [{"workflowArn": pinned}])
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert "AWS managed workflows must have latest version 'x.x.x'" in exc.value.response["Error"]["Message"]
    assert _image(ib, [{"workflowArn": arn("build", "build-image", "x.x.x", account="aws")}])


def test_configuration_parallel_group_and_continue_only_for_tests(ib):
    build = create(ib, name="bld", data=MINIMAL)
    test = create(ib, name="tst", wtype="TEST", data=MINIMAL)
    for extra, where in (({"parallelGroup": "g1"}, "parallelGroup"), ({"onFailure": "CONTINUE"}, "onFailure")):
        with pytest.raises(ClientError) as exc:
            _image(ib, [{"workflowArn": build, **extra}])
        assert error(exc) == ("InvalidParameterValueException", 400)
        assert f"workflows[0].{where}" in exc.value.response["Error"]["Message"]
    assert _image(ib, [{"workflowArn": build, "onFailure": "ABORT"},
                       {"workflowArn": test, "parallelGroup": "g1", "onFailure": "CONTINUE"}])
