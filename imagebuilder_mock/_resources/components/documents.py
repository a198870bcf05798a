"""AWSTOE component documents: the YAML that CreateComponent stores, parsed and validated as the
service does before it accepts a component (UG toe-use-documents, toe-action-modules,
toe-user-defined-variables). Every problem is InvalidParameterValueException naming `data`.

Sources and CONFIRMED/INFERRED status of each rule: docs/notes/components.md.
"""

from __future__ import annotations

import re
from typing import Any, Callable, NamedTuple

from ..._backend.caches import memoize
from ..._engine._errors import ServiceError, invalid_value
from .._shared.types import Resource

#: schemaVersion values AWSTOE accepts (YAML reads `1.0` as a float).
SCHEMA_VERSIONS = ("1.0",)
#: At least one of these phases must be present; a single `test` phase makes a TEST component.
STAGE_PHASES = ("build", "validate", "test")
ON_FAILURE = ("Abort", "Continue", "Ignore")
#: Document parameter type -> the ComponentParameterType the API returns (model pattern casing).
PARAMETER_TYPES = {"string": "String", "integer": "Integer", "boolean": "Boolean", "stringList": "StringList"}
_ANY = ("linux", "windows", "macos")
#: AWSTOE action modules and the os platforms each runs on.
ACTIONS = {
    "ExecuteBash": ("linux", "macos"), "ExecuteBinary": _ANY, "ExecuteDocument": _ANY,
    "ExecutePowerShell": ("windows",),
    "S3Download": _ANY, "S3Upload": _ANY, "WebDownload": _ANY,
    "AppendFile": _ANY, "CopyFile": _ANY, "CopyFolder": _ANY, "CreateFile": _ANY, "CreateFolder": _ANY,
    "CreateSymlink": _ANY, "DeleteFile": _ANY, "DeleteFolder": _ANY, "ListFiles": _ANY, "MoveFile": _ANY,
    "MoveFolder": _ANY, "ReadFile": _ANY, "SetFileEncoding": _ANY, "SetFileOwner": _ANY,
    "SetFolderOwner": _ANY, "SetFilePermissions": _ANY, "SetFolderPermissions": _ANY,
    "InstallMSI": ("windows",), "UninstallMSI": ("windows",),
    "Reboot": _ANY, "SetRegistry": ("windows",), "UpdateOS": _ANY,
}
#: Actions whose `inputs` may be left out.
OPTIONAL_INPUTS = frozenset({"Reboot", "UpdateOS"})
_STEP_NAME = re.compile(r"^[0-9A-Za-z_-]+$")
_VARIABLE_NAME = re.compile(r"^[0-9A-Za-z_-]{3,128}$")
PARAM = "data"


class Document(NamedTuple):
    """What the service derives from a valid document."""

    type: str  # BUILD | TEST
    parameters: list[Resource]  # ComponentParameterDetail dicts, in document order
    phases: list[str]


def _bad(detail: str, param: str) -> ServiceError:
    return invalid_value(param, detail)


class YamlError(Exception):
    """A document that is not YAML; the message is PyYAML's pure-Python loader's."""


def load_yaml(text: str) -> Any:
    """`yaml.safe_load(text)`, through libyaml (`CSafeLoader`, ~7x faster) when it is installed.

    Whatever libyaml refuses is loaded again by the pure-Python loader, so results and error
    messages (YamlError) are always the pure-Python loader's. yaml is imported on first use (cold start)."""
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass  # the pure-Python loader decides, and words the error
    try:
        return yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlError(str(exc)) from None


def parse(data: str, platform: str, param: str = PARAM) -> Document:
    """Validate `data` as an AWSTOE document for `platform` and return what the service derives.

    Valid documents are remembered by their text (a test suite creates many components from one
    document): a fresh Document each call, with its own lists and parameter dicts."""
    document = _parse_cached(data, platform, param)
    parameters = [{k: list(v) if isinstance(v, list) else v for k, v in p.items()} for p in document.parameters]
    return Document(document.type, parameters, list(document.phases))


def type_and_parameters(data: str, platform: str, param: str = PARAM) -> tuple[str, list[Resource]]:
    """`parse`'s type and parameters (what a component keeps): the parameters a fresh list of fresh
    dicts, or a fresh empty list (the usual document declares none)."""
    document = _parse_cached(data, platform, param)
    if not document.parameters:
        return document.type, []
    return document.type, parse(data, platform, param).parameters


@memoize(maxsize=256)
def _parse_cached(data: str, platform: str, param: str) -> Document:
    try:
        document = load_yaml(data)
    except YamlError as exc:
        detail = str(exc).replace("\n", " ")
        raise _bad(f"The document is not a valid YAML document: {detail}", param) from None
    if not isinstance(document, dict):
        raise _bad("The document must be a YAML mapping with 'schemaVersion' and 'phases'.", param)
    _check_schema_version(document, param)
    for key in ("name", "description"):
        if key in document and not isinstance(document[key], str):
            raise _bad(f"The document '{key}' must be a string.", param)
    parameters = _parameters(document.get("parameters"), param)
    _constants(document.get("constants"), {p["name"] for p in parameters}, param)
    phases = _phases(document.get("phases"), platform, param)
    ctype = "TEST" if phases == ["test"] else "BUILD"
    return Document(ctype, parameters, phases)


def _check_schema_version(document: Resource, param: str) -> None:
    if "schemaVersion" not in document or document["schemaVersion"] is None:
        raise _bad("The document is missing the required property 'schemaVersion'.", param)
    version = document["schemaVersion"]
    # a number: `1.0` (YAML's float) or `1` (an int, what Terraform's yamlencode of 1.0 renders; the
    # provider's acceptance test passes against AWS): docs/service-behavior.md
    numeric = isinstance(version, (int, float)) and not isinstance(version, bool)
    text = f"{float(version):.1f}" if numeric else str(version)
    if isinstance(version, bool) or text not in SCHEMA_VERSIONS:
        raise _bad(f"Unsupported schemaVersion '{version}'. Supported versions: {', '.join(SCHEMA_VERSIONS)}.",
                   param)


def _named_entries(section: Any, what: str, param: str) -> list[tuple[str, Resource]]:
    """`parameters`/`constants` are lists of single-key maps: `- Name: {type: ..., ...}`."""
    if section is None:
        return []
    if not isinstance(section, list):
        raise _bad(f"The document '{what}' must be a list.", param)
    out = []
    for entry in section:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise _bad(f"Each entry of '{what}' must be a map with exactly one key: the {what[:-1]} name.",
                       param)
        (name, body), = entry.items()
        if not isinstance(name, str) or not _VARIABLE_NAME.match(name):
            raise _bad(f"Invalid {what[:-1]} name '{name}'. Names must be 3 to 128 characters long and contain "
                       "only numbers [0-9], english letters [a-z,A-Z] and special characters [-_].", param)
        if not isinstance(body, dict):
            raise _bad(f"The {what[:-1]} '{name}' must be a map with a 'type'.", param)
        out.append((name, body))
    return out


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parameters(section: Any, param: str) -> list[Resource]:
    details: list[Resource] = []
    seen: set[str] = set()
    for name, body in _named_entries(section, "parameters", param):
        if name in seen:
            raise _bad(f"Duplicate parameter name '{name}'. Parameter names must be unique in the document.",
                       param)
        seen.add(name)
        ptype = body.get("type")
        if not isinstance(ptype, str) or ptype not in PARAMETER_TYPES:
            raise _bad(f"Invalid type '{ptype}' for parameter '{name}'. Supported types: "
                       f"{', '.join(PARAMETER_TYPES)}.", param)
        detail: Resource = {"name": name, "type": PARAMETER_TYPES[ptype]}
        if "default" in body and body["default"] is not None:
            default = body["default"]
            values = default if isinstance(default, list) and ptype == "stringList" else [default]
            if isinstance(default, (dict, list)) and ptype != "stringList":
                raise _bad(f"The default value of parameter '{name}' must be a {ptype}.", param)
            texts = [_scalar_text(v) for v in values]
            for text in texts:
                check_value(ptype, text, name, param)
            detail["defaultValue"] = texts
        if body.get("description") is not None:
            detail["description"] = str(body["description"])
        details.append(detail)
    return details


def check_value(ptype: str, value: str, name: str, param: str) -> None:
    """A parameter value must read as its declared type."""
    ok: Callable[[str], bool] = {"integer": lambda v: re.fullmatch(r"-?[0-9]+", v) is not None,
          "boolean": lambda v: v.lower() in ("true", "false")}.get(ptype, lambda v: True)
    if not ok(value):
        raise _bad(f"The value '{value}' of parameter '{name}' is not a valid {ptype}.", param)


def _constants(section: Any, parameter_names: set[str], param: str) -> None:
    seen: set[str] = set()
    for name, body in _named_entries(section, "constants", param):
        if name in seen or name in parameter_names:
            raise _bad(f"Duplicate constant name '{name}'. Constant names must be unique in the document and "
                       "differ from parameter names.", param)
        seen.add(name)
        if body.get("type") != "string":
            raise _bad(f"Invalid type '{body.get('type')}' for constant '{name}'. Supported types: string.", param)
        if "value" not in body or body["value"] is None:
            raise _bad(f"The constant '{name}' is missing the required property 'value'.", param)


def _phases(phases: Any, platform: str, param: str) -> list[str]:
    if phases is None:
        raise _bad("The document is missing the required property 'phases'.", param)
    if not isinstance(phases, list) or not phases:
        raise _bad("The document 'phases' must be a non-empty list.", param)
    names: list[str] = []
    for phase in phases:
        if not isinstance(phase, dict) or not isinstance(phase.get("name"), str) or not phase["name"]:
            raise _bad("Each phase must be a map with a 'name' and 'steps'.", param)
        name = phase["name"]
        if name in names:
            raise _bad(f"Duplicate phase name '{name}'. Phase names must be unique in the document.", param)
        names.append(name)
        _steps(name, phase.get("steps"), platform, param)
    if not any(name in STAGE_PHASES for name in names):
        raise _bad("The document must include at least one of the following phases: "
                   f"{', '.join(STAGE_PHASES)}.", param)
    return names


def _steps(phase: str, steps: Any, platform: str, param: str) -> None:
    if not isinstance(steps, list) or not steps:
        raise _bad(f"Phase '{phase}' must contain a non-empty list of 'steps'.", param)
    seen: set[str] = set()
    for step in steps:
        if not isinstance(step, dict) or step.get("name") is None:
            raise _bad(f"Each step in phase '{phase}' must be a map with 'name', 'action' and 'inputs'.", param)
        name = str(step["name"])
        if not _STEP_NAME.match(name):
            # CONFIRMED wording (reference §4).
            raise _bad(f"Invalid step name '{name}' in phase '{phase}'. Allowed characters are combinations of "
                       "numbers [0-9], english letters [a-z,A-Z] and special characters [-_].", param)
        if name in seen:
            raise _bad(f"Duplicate step name '{name}' in phase '{phase}'. Step names must be unique in a phase.",
                       param)
        seen.add(name)
        problem = _step_problem(step, platform)
        if problem:
            # CONFIRMED wording of the envelope (docs/notes/components.md).
            raise _bad(f"Parsing step '{name}' in phase '{phase}' failed. Error: {problem}", param)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _step_problem(step: Resource, platform: str) -> str | None:
    action = step.get("action")
    if not isinstance(action, str) or not action:
        return "The step is missing the required property 'action'."
    if action not in ACTIONS:
        return f"Unsupported action {action}."
    os_platform = platform.lower()
    if os_platform not in ACTIONS[action]:
        return f"Unsupported action {action} for os platform {os_platform}."  # CONFIRMED wording
    inputs = step.get("inputs")
    if not inputs and action not in OPTIONAL_INPUTS:
        return f"Action {action} has no inputs; it requires an 'inputs'"  # CONFIRMED wording
    if inputs is not None and not isinstance(inputs, (dict, list, str)):
        return f"The inputs of action {action} must be a map or a list."
    on_failure = step.get("onFailure", "Abort")
    if on_failure not in ON_FAILURE:
        return f"Invalid onFailure value '{on_failure}'. Allowed values: {', '.join(ON_FAILURE)}."
    attempts = step.get("maxAttempts", 1)
    if not _is_int(attempts) or attempts < 1:
        return f"Invalid maxAttempts value '{attempts}'. maxAttempts must be a positive integer."
    timeout = step.get("timeoutSeconds", 7200)
    if not _is_int(timeout) or (timeout < 1 and timeout != -1):
        return (f"Invalid timeoutSeconds value '{timeout}'. timeoutSeconds must be a positive integer, or -1 "
                "for no timeout.")
    if action == "ExecuteDocument" and (step.get("timeoutSeconds", -1) != -1 or step.get("maxAttempts", 1) != 1):
        return "Action ExecuteDocument does not support timeoutSeconds other than -1 or maxAttempts other than 1."
    return None


def shell_document(name: str, description: str | None, script: str, platform: str, ctype: str) -> str:
    """The document ImportComponent(format=SHELL) makes of a script: one phase (build for BUILD, test
    for TEST) with a single step that runs the script with the platform's shell."""
    action = "ExecutePowerShell" if platform == "Windows" else "ExecuteBash"
    phase = "test" if ctype == "TEST" else "build"
    document: Resource = {"name": name}
    if description:
        document["description"] = description
    document["schemaVersion"] = 1.0
    document["phases"] = [{"name": phase, "steps": [
        {"name": "ExecuteScript", "action": action, "inputs": {"commands": [script]}}]}]
    import yaml

    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=10**6)
