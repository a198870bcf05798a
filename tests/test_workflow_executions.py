"""Workflow executions as images build: ListWorkflowExecutions, GetWorkflowExecution,
ListWorkflowStepExecutions, GetWorkflowStepExecution, ListWaitingWorkflowSteps, SendWorkflowStepAction."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

import factories
from factories import error
from rawhttp import call

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ib-exec"
WF_ID = re.compile(r"^wf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STEP_ID = re.compile(r"^step-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
WAITING = """name: approve
schemaVersion: 1.0
parameters:
  - name: wait
    type: boolean
    default: true
steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    inputs:
      waitFor: "ssmAgent"
  - name: WaitForApproval
    action: WaitForAction
    onFailure: {on_failure}
    if:
      booleanEquals: true
      value: "$.parameters.wait"
  - name: TerminateBuildInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"
"""
MISSING_WF = "wf-00000000-0000-0000-0000-000000000000"
MISSING_STEP = "step-00000000-0000-0000-0000-000000000000"


def waiting_workflow(ib, wtype: str = "BUILD", on_failure: str = "Abort", name: str = "approve") -> str:
    return ib.create_workflow(name=name, semanticVersion="1.0.0", type=wtype,
                              data=WAITING.format(on_failure=on_failure))["workflowBuildVersionArn"]


def build(ib, workflows=None, recipe=None, **kw) -> str:
    args = dict(imageRecipeArn=recipe or factories.image_recipe(ib),
                infrastructureConfigurationArn=factories.infrastructure(ib), **kw)
    if workflows is not None:
        args.update(workflows=workflows, executionRole=ROLE)
    return ib.create_image(**args)["imageBuildVersionArn"]


def state(ib, image: str) -> dict:
    return ib.get_image(imageBuildVersionArn=image)["image"]["state"]


def executions(ib, image: str) -> list[dict]:
    return ib.list_workflow_executions(imageBuildVersionArn=image)["workflowExecutions"]


def steps(ib, execution_id: str) -> list[dict]:
    return ib.list_workflow_step_executions(workflowExecutionId=execution_id)["steps"]


def waiting_step(ib, image: str) -> dict:
    found = [s for s in ib.list_waiting_workflow_steps()["steps"] if s["imageBuildVersionArn"] == image]
    assert len(found) == 1
    return found[0]


# -- default workflows -------------------------------------------------------------------------
def test_a_build_runs_the_managed_build_and_test_workflows(ib):
    image = build(ib)
    assert state(ib, image)["status"] == "AVAILABLE"
    out = ib.list_workflow_executions(imageBuildVersionArn=image)
    assert out["requestId"] and out["imageBuildVersionArn"] == image and "message" not in out
    build_ex, test_ex = out["workflowExecutions"]
    assert build_ex["workflowBuildVersionArn"] == "arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.0.3/1"
    assert test_ex["workflowBuildVersionArn"] == "arn:aws:imagebuilder:us-east-1:aws:workflow/test/test-image/1.0.3/1"
    assert (build_ex["type"], test_ex["type"]) == ("BUILD", "TEST")
    for execution in (build_ex, test_ex):
        assert WF_ID.match(execution["workflowExecutionId"])
        assert execution["status"] == "COMPLETED" and execution["retried"] is False
        assert execution["totalStepsSucceeded"] + execution["totalStepsSkipped"] == execution["totalStepCount"]
        assert execution["totalStepsFailed"] == 0
        assert execution["startTime"] <= execution["endTime"]
    assert build_ex["totalStepCount"] == 7 and test_ex["totalStepCount"] == 4
    assert build_ex["endTime"] <= test_ex["startTime"]
    listed = steps(ib, build_ex["workflowExecutionId"])
    assert [s["name"] for s in listed] == ["LaunchBuildInstance", "ApplyBuildComponents", "InventoryCollection",
                                          "RunSanitizeScript", "RunSysPrepScript", "CreateOutputAMI",
                                          "TerminateBuildInstance"]
    by_name = {s["name"]: s for s in listed}
    assert by_name["RunSysPrepScript"]["status"] == "SKIPPED"  # Linux: no Sysprep
    assert by_name["CreateOutputAMI"]["status"] == "COMPLETED"
    instance = json.loads(by_name["LaunchBuildInstance"]["outputs"])["instanceId"]
    assert re.match(r"^i-[0-9a-f]{17}$", instance)
    assert json.loads(by_name["ApplyBuildComponents"]["inputs"]) == {"instanceId": instance}
    assert all(STEP_ID.match(s["stepExecutionId"]) for s in listed)


def test_get_execution_and_step_agree_with_the_lists(ib):
    image = build(ib)
    listed = executions(ib, image)[0]
    got = ib.get_workflow_execution(workflowExecutionId=listed["workflowExecutionId"])
    assert got["requestId"] and got["imageBuildVersionArn"] == image
    for key in ("workflowBuildVersionArn", "workflowExecutionId", "type", "status", "totalStepCount", "startTime",
                "endTime"):
        assert got[key] == listed[key]
    first = steps(ib, listed["workflowExecutionId"])[0]
    step = ib.get_workflow_step_execution(stepExecutionId=first["stepExecutionId"])
    assert step["requestId"] and step["imageBuildVersionArn"] == image
    assert step["workflowExecutionId"] == listed["workflowExecutionId"]
    assert step["workflowBuildVersionArn"] == listed["workflowBuildVersionArn"]
    assert (step["name"], step["action"], step["status"]) == ("LaunchBuildInstance", "LaunchInstance", "COMPLETED")
    assert step["onFailure"] == "Abort" and step["timeoutSeconds"] == 4500  # LaunchInstance default: 75 minutes
    assert json.loads(step["inputs"]) == {"waitFor": "ssmAgent"}


def test_no_test_workflow_when_tests_are_disabled(ib):
    image = build(ib, imageTestsConfiguration={"imageTestsEnabled": False})
    assert state(ib, image)["status"] == "AVAILABLE"
    assert [e["type"] for e in executions(ib, image)] == ["BUILD"]


def test_container_builds_use_the_container_workflows(ib):
    image = ib.create_image(
        containerRecipeArn=factories.container_recipe(ib),
        infrastructureConfigurationArn=factories.infrastructure(ib))["imageBuildVersionArn"]
    assert state(ib, image)["status"] == "AVAILABLE"
    assert [e["workflowBuildVersionArn"].split("/")[2] for e in executions(ib, image)] == \
        ["build-container", "test-container"]


@pytest.mark.imagebuilder_mock(progression="poll")
def test_a_running_build_shows_its_running_step(ib):
    # poll progression: each GetImage moves the build one state on
    image = build(ib)
    seen = [state(ib, image)["status"] for _ in range(3)]
    assert seen == ["PENDING", "CREATING", "BUILDING"]
    (execution,) = executions(ib, image)
    assert execution["status"] == "RUNNING" and "endTime" not in execution
    (step,) = steps(ib, execution["workflowExecutionId"])
    assert (step["name"], step["status"]) == ("LaunchBuildInstance", "RUNNING") and "endTime" not in step


# -- WaitForAction: RESUME and STOP ------------------------------------------------------------
def test_resume_lets_a_waiting_build_finish(ib):
    image = build(ib, [{"workflowArn": waiting_workflow(ib)}])
    assert state(ib, image)["status"] == "BUILDING"
    assert state(ib, image)["status"] == "BUILDING"  # held, however often it is read
    waiting = waiting_step(ib, image)
    assert (waiting["name"], waiting["action"]) == ("WaitForApproval", "WaitForAction")
    assert STEP_ID.match(waiting["stepExecutionId"]) and WF_ID.match(waiting["workflowExecutionId"])
    step = ib.get_workflow_step_execution(stepExecutionId=waiting["stepExecutionId"])
    assert step["status"] == "RUNNING" and "timeoutSeconds" not in step  # 3 days: beyond the model's range
    out = ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=image,
                                       action="RESUME", reason="approved", clientToken="resume-1")
    assert out["stepExecutionId"] == waiting["stepExecutionId"] and out["imageBuildVersionArn"] == image
    assert out["clientToken"] == "resume-1" and "requestId" not in out
    assert state(ib, image)["status"] == "AVAILABLE"
    step = ib.get_workflow_step_execution(stepExecutionId=waiting["stepExecutionId"])
    assert step["status"] == "COMPLETED"
    assert json.loads(step["outputs"]) == {"action": "RESUME", "reason": "approved"}
    assert ib.list_waiting_workflow_steps()["steps"] == []
    (execution,) = executions(ib, image)
    assert execution["status"] == "COMPLETED" and execution["totalStepsSucceeded"] == 3
    assert [s["status"] for s in steps(ib, execution["workflowExecutionId"])] == ["COMPLETED"] * 3


def test_stop_fails_the_build(ib):
    workflow = waiting_workflow(ib)
    image = build(ib, [{"workflowArn": workflow}])
    waiting = waiting_step(ib, image)
    ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=image,
                                 action="STOP", reason="rejected")
    image_state = state(ib, image)
    assert image_state["status"] == "FAILED"
    assert image_state["reason"].startswith(f"Workflow Execution ID: '{waiting['workflowExecutionId']}' failed")
    assert image_state["failureContext"] == {
        "imageStatus": "BUILDING", "workflowExecutionId": waiting["workflowExecutionId"], "workflowArn": workflow,
        "stepExecutionId": waiting["stepExecutionId"], "failedStep": "WaitForApproval"}
    out = ib.list_workflow_executions(imageBuildVersionArn=image)
    assert out["message"] == image_state["reason"]
    (execution,) = out["workflowExecutions"]
    assert execution["status"] == "FAILED" and execution["totalStepsFailed"] == 1 and "endTime" in execution
    step = ib.get_workflow_step_execution(stepExecutionId=waiting["stepExecutionId"])
    assert step["status"] == "FAILED" and "rejected" in step["message"]
    assert json.loads(step["outputs"]) == {"action": "STOP", "reason": "rejected"}
    # the terminate step after the abort never ran
    assert [s["name"] for s in steps(ib, execution["workflowExecutionId"])] == ["LaunchBuildInstance",
                                                                               "WaitForApproval"]
    with pytest.raises(ClientError) as exc:
        ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=image,
                                     action="RESUME")
    assert error(exc) == ("ResourceInUseException", 400)


def test_stop_on_a_continue_step_lets_the_workflow_go_on(ib):
    image = build(ib, [{"workflowArn": waiting_workflow(ib, on_failure="Continue")}])
    waiting = waiting_step(ib, image)
    ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=image, action="STOP")
    assert state(ib, image)["status"] == "AVAILABLE"
    (execution,) = executions(ib, image)
    assert execution["status"] == "COMPLETED"
    assert (execution["totalStepsSucceeded"], execution["totalStepsFailed"]) == (2, 1)


def test_a_failed_test_workflow_configured_to_continue_does_not_fail_the_image(ib):
    test = waiting_workflow(ib, wtype="TEST", name="approve-test")
    image = build(ib, [{"workflowArn": "arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/x.x.x"},
                       {"workflowArn": test, "onFailure": "CONTINUE", "parallelGroup": "g1"}])
    assert state(ib, image)["status"] == "TESTING"
    waiting = waiting_step(ib, image)
    ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=image, action="STOP")
    assert state(ib, image)["status"] == "AVAILABLE"
    build_ex, test_ex = executions(ib, image)
    assert (build_ex["status"], test_ex["status"]) == ("COMPLETED", "FAILED")
    assert test_ex["parallelGroup"] == "g1"


def test_a_false_condition_skips_the_wait(ib):
    image = build(ib, [{"workflowArn": waiting_workflow(ib), "parameters": [{"name": "wait", "value": ["false"]}]}])
    assert state(ib, image)["status"] == "AVAILABLE"
    (execution,) = executions(ib, image)
    assert [s["status"] for s in steps(ib, execution["workflowExecutionId"])] == ["COMPLETED", "SKIPPED", "COMPLETED"]
    assert execution["totalStepsSkipped"] == 1


@pytest.mark.imagebuilder_mock(progression="clock")
def test_an_unanswered_wait_times_out_after_three_days(imagebuilder_mock, ib):
    image = build(ib, [{"workflowArn": waiting_workflow(ib)}])
    imagebuilder_mock.clock.advance(hours=2)
    assert state(ib, image)["status"] == "BUILDING"
    assert waiting_step(ib, image)
    imagebuilder_mock.clock.advance(days=3)
    assert ib.list_waiting_workflow_steps()["steps"] == []
    image_state = state(ib, image)
    assert image_state["status"] == "FAILED" and image_state["failureContext"]["failedStep"] == "WaitForApproval"


def test_cancelling_a_waiting_build_cancels_its_execution(ib):
    image = build(ib, [{"workflowArn": waiting_workflow(ib)}])
    waiting = waiting_step(ib, image)
    ib.cancel_image_creation(imageBuildVersionArn=image)
    assert state(ib, image)["status"] == "CANCELLED"
    (execution,) = executions(ib, image)
    assert execution["status"] == "CANCELLED"
    assert ib.get_workflow_step_execution(stepExecutionId=waiting["stepExecutionId"])["status"] == "CANCELLED"
    assert ib.list_waiting_workflow_steps()["steps"] == []


def test_retry_reruns_the_stopped_workflow(ib):
    image = build(ib, [{"workflowArn": waiting_workflow(ib)}])
    first = waiting_step(ib, image)
    ib.send_workflow_step_action(stepExecutionId=first["stepExecutionId"], imageBuildVersionArn=image, action="STOP")
    assert state(ib, image)["status"] == "FAILED"
    ib.retry_image(imageBuildVersionArn=image)
    second = waiting_step(ib, image)
    assert second["workflowExecutionId"] != first["workflowExecutionId"]
    old, new = executions(ib, image)
    assert old["retried"] is True and new["retried"] is False and new["status"] == "RUNNING"
    ib.send_workflow_step_action(stepExecutionId=second["stepExecutionId"], imageBuildVersionArn=image,
                                 action="RESUME")
    assert state(ib, image)["status"] == "AVAILABLE"


def test_an_injected_build_failure_fails_the_running_step(imagebuilder_mock, ib):
    imagebuilder_mock.fail_builds(reason="boom", at="BUILDING")
    image = build(ib)
    image_state = state(ib, image)
    assert image_state["status"] == "FAILED"
    (execution,) = executions(ib, image)
    assert execution["status"] == "FAILED" and execution["message"] == "boom"
    assert image_state["failureContext"]["workflowExecutionId"] == execution["workflowExecutionId"]
    assert [s["status"] for s in steps(ib, execution["workflowExecutionId"])] == ["FAILED"]


# -- errors ------------------------------------------------------------------------------------
def test_send_action_errors(ib):
    image = build(ib, [{"workflowArn": waiting_workflow(ib)}])
    other = build(ib)
    waiting = waiting_step(ib, image)
    with pytest.raises(ClientError) as exc:
        ib.send_workflow_step_action(stepExecutionId=MISSING_STEP, imageBuildVersionArn=image, action="RESUME")
    assert error(exc) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as exc:
        ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=other,
                                     action="RESUME")
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert "imageBuildVersionArn" in exc.value.response["Error"]["Message"]
    launch = steps(ib, waiting["workflowExecutionId"])[0]
    with pytest.raises(ClientError) as exc:
        ib.send_workflow_step_action(stepExecutionId=launch["stepExecutionId"], imageBuildVersionArn=image,
                                     action="RESUME")
    assert error(exc) == ("ResourceInUseException", 400)
    assert state(ib, image)["status"] == "BUILDING"  # nothing changed
    ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=image,
                                 action="RESUME", clientToken="same")
    again = ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=image,
                                         action="RESUME", clientToken="same")
    assert again["stepExecutionId"] == waiting["stepExecutionId"]  # replayed, not re-run
    with pytest.raises(ClientError) as exc:
        ib.send_workflow_step_action(stepExecutionId=waiting["stepExecutionId"], imageBuildVersionArn=image,
                                     action="STOP", clientToken="same")
    assert error(exc) == ("IdempotentParameterMismatchException", 400)


def test_send_action_bad_values_over_raw_http(imagebuilder_mock, ib):
    image = build(ib)
    status, headers, _ = call(imagebuilder_mock, "SendWorkflowStepAction",
                              {"stepExecutionId": MISSING_STEP, "imageBuildVersionArn": image, "action": "PAUSE",
                               "clientToken": "x"})
    assert status == 400 and headers["x-amzn-ErrorType"] == "InvalidParameterValueException"
    status, headers, _ = call(imagebuilder_mock, "SendWorkflowStepAction",
                              {"stepExecutionId": "step-1", "imageBuildVersionArn": image, "action": "RESUME",
                               "clientToken": "y"})
    assert status == 400 and headers["x-amzn-ErrorType"] == "InvalidParameterValueException"
    status, headers, _ = call(imagebuilder_mock, "SendWorkflowStepAction",
                              {"imageBuildVersionArn": image, "action": "RESUME", "clientToken": "z"})
    assert status == 400 and headers["x-amzn-ErrorType"] == "InvalidRequestException"


def test_unknown_ids_are_not_found(ib):
    calls = [
        lambda: ib.get_workflow_execution(workflowExecutionId=MISSING_WF),
        lambda: ib.list_workflow_step_executions(workflowExecutionId=MISSING_WF),
        lambda: ib.get_workflow_step_execution(stepExecutionId=MISSING_STEP),
        lambda: ib.list_workflow_executions(
            imageBuildVersionArn=f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/ghost/1.0.0/1"),
    ]
    for attempt in calls:
        with pytest.raises(ClientError) as exc:
            attempt()
        assert error(exc) == ("ResourceNotFoundException", 404)


def test_ids_must_match_the_model_patterns(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_workflow_execution(workflowExecutionId="wf-123")
    assert error(exc) == ("InvalidParameterValueException", 400)
    with pytest.raises(ClientError) as exc:
        ib.get_workflow_step_execution(stepExecutionId="123")
    assert error(exc) == ("InvalidParameterValueException", 400)


def test_missing_required_ids_over_raw_http(imagebuilder_mock):
    for operation in ("GetWorkflowExecution", "ListWorkflowStepExecutions", "GetWorkflowStepExecution",
                      "ListWorkflowExecutions"):
        status, headers, _ = call(imagebuilder_mock, operation, {})
        assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException"), operation


# -- pagination --------------------------------------------------------------------------------
def test_step_and_execution_lists_paginate(ib):
    image = build(ib)
    execution = executions(ib, image)[0]["workflowExecutionId"]
    names, token = [], None
    while True:
        page = ib.list_workflow_step_executions(workflowExecutionId=execution, maxResults=3,
                                                **({"nextToken": token} if token else {}))
        assert len(page["steps"]) <= 3 and page["workflowExecutionId"] == execution
        names += [s["name"] for s in page["steps"]]
        token = page.get("nextToken")
        if not token:
            break
    assert len(names) == 7 and names[0] == "LaunchBuildInstance"
    first = ib.list_workflow_executions(imageBuildVersionArn=image, maxResults=1)
    assert len(first["workflowExecutions"]) == 1 and first["nextToken"]
    second = ib.list_workflow_executions(imageBuildVersionArn=image, maxResults=1, nextToken=first["nextToken"])
    assert second["workflowExecutions"][0]["type"] == "TEST" and "nextToken" not in second
    for attempt in (lambda: ib.list_workflow_executions(imageBuildVersionArn=image, nextToken="nope"),
                    lambda: ib.list_workflow_step_executions(workflowExecutionId=execution, nextToken="nope"),
                    lambda: ib.list_waiting_workflow_steps(nextToken="nope")):
        with pytest.raises(ClientError) as exc:
            attempt()
        assert error(exc) == ("InvalidPaginationTokenException", 400)


def test_waiting_steps_paginate(ib):
    workflow = waiting_workflow(ib)
    images = [build(ib, [{"workflowArn": workflow}]) for _ in range(3)]
    page = ib.list_waiting_workflow_steps(maxResults=2)
    assert len(page["steps"]) == 2 and page["nextToken"]
    rest = ib.list_waiting_workflow_steps(maxResults=2, nextToken=page["nextToken"])
    assert len(rest["steps"]) == 1 and "nextToken" not in rest
    assert sorted(s["imageBuildVersionArn"] for s in page["steps"] + rest["steps"]) == sorted(images)


# -- server-side errors the model lists --------------------------------------------------------
_IMAGE = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/r/1.0.0/1"
_CALLS = {
    "ListWorkflowExecutions": lambda ib: ib.list_workflow_executions(imageBuildVersionArn=_IMAGE),
    "GetWorkflowExecution": lambda ib: ib.get_workflow_execution(workflowExecutionId=MISSING_WF),
    "ListWorkflowStepExecutions": lambda ib: ib.list_workflow_step_executions(workflowExecutionId=MISSING_WF),
    "GetWorkflowStepExecution": lambda ib: ib.get_workflow_step_execution(stepExecutionId=MISSING_STEP),
    "ListWaitingWorkflowSteps": lambda ib: ib.list_waiting_workflow_steps(),
    "SendWorkflowStepAction": lambda ib: ib.send_workflow_step_action(stepExecutionId=MISSING_STEP,
                                                                      imageBuildVersionArn=_IMAGE, action="RESUME"),
}


@pytest.mark.parametrize("operation", sorted(_CALLS))
@pytest.mark.parametrize("code,status", factories.SERVER_ERRORS)
def test_modelled_server_errors(imagebuilder_mock, operation, code, status):
    assert factories.injected_error(imagebuilder_mock, operation, code, _CALLS[operation]) == (code, status)
