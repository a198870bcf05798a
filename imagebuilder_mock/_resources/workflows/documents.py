"""Workflow documents (YAML): parsing and validating them as CreateWorkflow does, the parameters they
declare, and the values a WorkflowConfiguration may give those parameters.

Document schema (UG image-workflow-create-document, wfdoc-step-actions): `name`, `description`,
`schemaVersion` (1.0), `parameters` (`name`, `type`, `default`, `description`), `steps` (`name`,
`action`, `description`, `onFailure` Abort|Continue, `rollbackEnabled`, `timeoutSeconds`, `inputs`, `if`)
and `outputs`. Keys the mock does not know are accepted (the service's full schema is not published).
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from ..._backend.caches import memoize
from ..._engine._errors import ServiceError, invalid_combination, invalid_value
from ..components.documents import YamlError, load_yaml
from .._shared.types import Document, Resource

SCHEMA_VERSIONS = ("1.0",)
STEP_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-_]{1,99}$")  # model shape WorkflowStepName
PARAMETER_TYPES = ("string", "integer", "boolean", "stringList")
STEP_ON_FAILURE = ("Abort", "Continue")
ALL_STAGES = frozenset({"BUILD", "TEST", "DISTRIBUTION"})


class Action(NamedTuple):
    stages: frozenset[str]
    default_timeout: int  # seconds
    max_timeout: int  # seconds


_H = 3600
#: The step actions the service supports, the workflow types that may use them, and their timeouts
#: (UG wfdoc-step-actions: stage table, "Default Timeout", "Max Timeout").
ACTIONS: dict[str, Action] = {
    "ApplyImageConfigurations": Action(frozenset({"DISTRIBUTION"}), 6 * _H, 12 * _H),
    "BootstrapInstanceForContainer": Action(ALL_STAGES, 1 * _H, 12 * _H),
    "CollectImageMetadata": Action(ALL_STAGES, 30 * 60, 12 * _H),
    "CollectImageScanFindings": Action(frozenset({"TEST"}), 2 * _H, 12 * _H),
    "CreateImage": Action(ALL_STAGES, 12 * _H, 72 * _H),
    "CreateImageFromIso": Action(ALL_STAGES, 12 * _H, 12 * _H),
    "DistributeContainerImage": Action(frozenset({"DISTRIBUTION"}), 2 * _H, 12 * _H),
    "DistributeImage": Action(frozenset({"DISTRIBUTION"}), 6 * _H, 12 * _H),
    "ExecuteComponents": Action(frozenset({"BUILD", "TEST"}), 12 * _H, 24 * _H),
    "ExecuteStateMachine": Action(ALL_STAGES, 6 * _H, 24 * _H),
    "LaunchInstance": Action(ALL_STAGES, 75 * 60, 12 * _H),
    "ModifyImageAttributes": Action(frozenset({"DISTRIBUTION"}), 2 * _H, 3 * _H),
    "RegisterImage": Action(ALL_STAGES, 9 * _H, 12 * _H),
    "RunCommand": Action(ALL_STAGES, 12 * _H, 12 * _H),
    "RunSysPrep": Action(ALL_STAGES, 1 * _H, 12 * _H),
    "SanitizeInstance": Action(ALL_STAGES, 1 * _H, 12 * _H),
    "TerminateInstance": Action(ALL_STAGES, 30 * 60, 12 * _H),
    "WaitForAction": Action(ALL_STAGES, 72 * _H, 168 * _H),
    "WaitForSSMAgent": Action(ALL_STAGES, 1 * _H, 3 * _H),
}
_AMI_DISTRIBUTION = ("DistributeImage", "ModifyImageAttributes", "ApplyImageConfigurations")
_PARAMETER_REF = re.compile(r"\$\.parameters\.([A-Za-z0-9_-]+)")


def _bad(detail: str, param: str = "data") -> ServiceError:
    return invalid_value(param, detail)


@memoize(maxsize=256)
def parse(data: str, workflow_type: str, param: str = "data") -> Document:
    """The parsed document, or the service's InvalidParameterValueException naming `param`.

    Cached by the document's text (documents are immutable strings; every new image's workflows parse
    the AWS-managed documents again): the result is SHARED, and callers must never mutate it.
    Errors are not cached (each invalid request raises afresh)."""
    try:
        doc = load_yaml(data)
    except YamlError as exc:
        raise _bad(f"The workflow document is not valid YAML: {str(exc).splitlines()[0]}", param) from None
    if not isinstance(doc, dict):
        raise _bad("The workflow document must be a YAML mapping.", param)
    for key in ("name", "description"):
        if key in doc and not isinstance(doc[key], str):
            raise _bad(f"The document '{key}' must be a string.", param)
    _check_schema_version(doc, param)
    names = _check_parameters(doc.get("parameters"), param)
    _check_steps(doc.get("steps"), workflow_type, names, param)
    outputs = doc.get("outputs")
    if outputs is not None and not (isinstance(outputs, list) and all(
            isinstance(o, dict) and isinstance(o.get("name"), str) and "value" in o for o in outputs)):
        raise _bad("'outputs' must be a list of objects with 'name' and 'value'.", param)
    return doc


def _check_schema_version(doc: Document, param: str) -> None:
    if "schemaVersion" not in doc:
        raise _bad("The workflow document is missing the required property 'schemaVersion'.", param)
    version = doc["schemaVersion"]
    text = f"{version:.1f}" if isinstance(version, float) else str(version)
    if isinstance(version, bool) or text not in SCHEMA_VERSIONS:
        raise _bad(f"The schemaVersion '{version}' is not supported. Supported values: [{', '.join(SCHEMA_VERSIONS)}].",
                   param)


def _check_parameters(parameters: Any, param: str) -> set[str]:
    if parameters is None:
        return set()
    if not isinstance(parameters, list):
        raise _bad("'parameters' must be a list.", param)
    names: set[str] = set()
    for index, item in enumerate(parameters):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise _bad(f"Parameter {index + 1} must have a 'name'.", param)
        name = item["name"]
        if name in names:
            raise _bad(f"Duplicate parameter name '{name}'.", param)
        names.add(name)
        ptype = item.get("type")
        if ptype not in PARAMETER_TYPES:
            raise _bad(f"Parameter '{name}' has type '{ptype}'. Supported types: [{', '.join(PARAMETER_TYPES)}].", param)
        if "default" in item and not _matches_type(item["default"], ptype):
            raise _bad(f"The default value of parameter '{name}' is not a valid {ptype}.", param)
        if "description" in item and not isinstance(item["description"], str):
            raise _bad(f"The description of parameter '{name}' must be a string.", param)
    return names


def _matches_type(value: Any, ptype: str) -> bool:
    if ptype == "boolean":
        return isinstance(value, bool)
    if ptype == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if ptype == "stringList":
        return isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                               for v in value)
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _check_steps(steps: Any, workflow_type: str, parameter_names: set[str], param: str) -> None:
    if steps is None:
        raise _bad("The workflow document is missing the required property 'steps'.", param)
    if not isinstance(steps, list) or not steps:
        raise _bad("'steps' must be a list with at least one step.", param)
    seen: set[str] = set()
    actions: set[str] = set()
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            raise _bad(f"Step {index + 1} must be a mapping.", param)
        name = step.get("name")
        if not isinstance(name, str) or not STEP_NAME.match(name):
            raise _bad(f"Invalid step name '{name}'. Step names must be 2 to 100 characters, start with a letter and "
                       "contain only letters [a-z,A-Z], numbers [0-9] and the special characters [-_].", param)
        if name in seen:
            raise _bad(f"Duplicate step name '{name}'. Step names must be unique within a workflow document.", param)
        seen.add(name)
        action_name: Any = step.get("action")  # a string once `action` is found
        action = ACTIONS.get(action_name) if isinstance(action_name, str) else None
        if action is None:
            raise _bad(f"Step '{name}' has an unsupported action '{action_name}'. Supported actions: "
                       f"[{', '.join(sorted(ACTIONS))}].", param)
        if workflow_type not in action.stages:
            raise _bad(f"The action '{action_name}' of step '{name}' is not supported in {workflow_type} workflows.",
                       param)
        actions.add(action_name)
        _check_step_fields(step, name, action_name, action, param)
        for ref in _PARAMETER_REF.findall(json.dumps([step.get("inputs"), step.get("if")], default=str)):
            if ref not in parameter_names:
                raise _bad(f"Step '{name}' references the parameter '{ref}', which the document does not define.",
                           param)
    if "DistributeContainerImage" in actions and actions.intersection(_AMI_DISTRIBUTION):
        raise _bad("A workflow that uses DistributeContainerImage cannot also use DistributeImage, "
                   "ModifyImageAttributes or ApplyImageConfigurations.", param)


def _check_step_fields(step: Document, name: str, action_name: str, action: Action, param: str) -> None:
    on_failure = step.get("onFailure", "Abort")
    if on_failure not in STEP_ON_FAILURE:
        raise _bad(f"Step '{name}' has onFailure '{on_failure}'. Allowed values: [{', '.join(STEP_ON_FAILURE)}].",
                   param)
    if "rollbackEnabled" in step and not isinstance(step["rollbackEnabled"], bool):
        raise _bad(f"Step '{name}': rollbackEnabled must be a boolean.", param)
    if "timeoutSeconds" in step:
        timeout = step["timeoutSeconds"]
        if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1:
            raise _bad(f"Step '{name}': timeoutSeconds must be a positive integer.", param)
        if timeout > action.max_timeout:
            raise _bad(f"Step '{name}': timeoutSeconds {timeout} exceeds the maximum of {action.max_timeout} seconds "
                       f"for the action '{action_name}'.", param)
    for key in ("inputs", "if"):
        if key in step and step[key] is not None and not isinstance(step[key], dict):
            raise _bad(f"Step '{name}': '{key}' must be a mapping.", param)
    if "description" in step and not isinstance(step["description"], str):
        raise _bad(f"Step '{name}': description must be a string.", param)


# -- parameters --------------------------------------------------------------------------------
def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parameter_details(doc: Document) -> list[Resource]:
    """The document's parameters as the model's WorkflowParameterDetail list (values as strings)."""
    out = []
    for item in doc.get("parameters") or []:
        detail = {"name": item["name"], "type": item["type"]}
        if "default" in item:
            default = item["default"]
            detail["defaultValue"] = [_as_text(v) for v in default] if isinstance(default, list) else [_as_text(default)]
        if item.get("description"):
            detail["description"] = item["description"]
        out.append(detail)
    return out


def check_parameter_values(details: list[Resource], given: list[Resource] | None, param: str) -> dict[str, list[str]]:
    """Check a WorkflowConfiguration's parameters against the workflow's declared ones.

    Returns the effective values (given or default) by name. Undeclared names fail as the service
    fails for component parameters (InvalidParameterCombinationException); bad values, duplicates
    and missing required parameters fail with InvalidParameterValueException.
    """
    declared = {d["name"]: d for d in details}
    values: dict[str, list[str]] = {}
    unknown = [p["name"] for p in given or [] if p["name"] not in declared]
    if unknown:
        raise invalid_combination(param, "The following parameters are not defined in the provided workflow: "
                                         + ", ".join(unknown))
    for item in given or []:
        name, value = item["name"], list(item.get("value") or [])
        if name in values:
            raise invalid_value(param, f"The parameter '{name}' is specified more than once.")
        ptype = declared[name]["type"]
        if ptype != "stringList" and len(value) != 1:
            raise invalid_value(param, f"The parameter '{name}' of type {ptype} takes exactly one value.")
        if ptype == "boolean" and value[0] not in ("true", "false"):
            raise invalid_value(param, f"The value '{value[0]}' for parameter '{name}' is not a valid boolean.")
        if ptype == "integer" and not re.fullmatch(r"-?[0-9]+", value[0]):
            raise invalid_value(param, f"The value '{value[0]}' for parameter '{name}' is not a valid integer.")
        values[name] = value
    missing = [d["name"] for d in details if d["name"] not in values and "defaultValue" not in d]
    if missing:
        raise invalid_value(param, "The following required parameters are missing: " + ", ".join(missing))
    for detail in details:
        values.setdefault(detail["name"], list(detail.get("defaultValue") or []))
    return values
