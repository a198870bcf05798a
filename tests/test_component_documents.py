"""AWSTOE component documents as CreateComponent validates them: every problem is an
InvalidParameterValueException (400) naming parameter 'data'; a valid document is stored as given,
with its type and parameters derived from it."""

from __future__ import annotations

import textwrap

import pytest
from botocore.exceptions import ClientError

from tests import factories
from _model_features import collect


def doc(body: str) -> str:
    return textwrap.dedent(body).lstrip("\n")


def create(ib, data: str, platform: str = "Linux", **kw) -> dict:
    arn = ib.create_component(name=factories.unique("doc"), semanticVersion="1.0.0", platform=platform,
                              data=data, **kw)["componentBuildVersionArn"]
    return ib.get_component(componentBuildVersionArn=arn)["component"]


def rejected(ib, data: str, platform: str = "Linux") -> str:
    with pytest.raises(ClientError) as exc:
        create(ib, data, platform)
    response = exc.value.response
    assert response["Error"]["Code"] == "InvalidParameterValueException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message = response["Error"]["Message"]
    assert message.startswith("The value supplied for parameter 'data' is not valid. ")
    return message


STEP = """
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo hello
"""


def phases(*names: str, step: str = STEP) -> str:
    body = textwrap.indent(textwrap.dedent(step).lstrip("\n"), "      ")
    return "".join(f"  - name: {n}\n    steps:\n{body}" for n in names)


def document(*names: str, header: str = "schemaVersion: 1.0\n", step: str = STEP) -> str:
    return header + "phases:\n" + phases(*names, step=step)


# -- valid documents ---------------------------------------------------------------------------
def test_the_factory_document_is_valid_and_stored_verbatim(ib):
    component = create(ib, factories.LINUX_DOC)
    assert component["data"] == factories.LINUX_DOC
    assert component["type"] == "BUILD"


@pytest.mark.parametrize("names, expected", [
    (("test",), "TEST"),
    (("build",), "BUILD"),
    (("validate",), "BUILD"),
    (("build", "test"), "BUILD"),
    (("build", "validate", "test"), "BUILD"),
    (("test", "container-host-test"), "BUILD"),
])
def test_type_is_derived_from_the_phases(ib, names, expected):
    assert create(ib, document(*names))["type"] == expected


@pytest.mark.parametrize("version", ["1.0", "'1.0'", '"1.0"'])
def test_schema_version_as_number_or_string(ib, version):
    assert create(ib, document("build", header=f"schemaVersion: {version}\n"))["type"] == "BUILD"


def test_parameters_are_returned_as_parameter_details(ib):
    data = doc("""
        schemaVersion: 1.0
        parameters:
          - Greeting:
              type: string
              default: hello
              description: What to say.
          - Count:
              type: integer
              default: 3
          - Verbose:
              type: boolean
              default: false
          - Hosts:
              type: stringList
              default: [a, b]
          - Required:
              type: string
        phases:
          - name: build
            steps:
              - name: Say
                action: ExecuteBash
                inputs:
                  commands: ["echo '{{ Greeting }}'"]
    """)
    assert create(ib, data)["parameters"] == [
        {"name": "Greeting", "type": "String", "defaultValue": ["hello"], "description": "What to say."},
        {"name": "Count", "type": "Integer", "defaultValue": ["3"]},
        {"name": "Verbose", "type": "Boolean", "defaultValue": ["false"]},
        {"name": "Hosts", "type": "StringList", "defaultValue": ["a", "b"]},
        {"name": "Required", "type": "String"},
    ]


def test_no_parameters_member_without_parameters(ib):
    assert "parameters" not in create(ib, document("build"))


def test_step_options_within_bounds_are_accepted(ib):
    step = """
      - name: Retry_me-1
        action: ExecuteBash
        onFailure: Continue
        maxAttempts: 3
        timeoutSeconds: -1
        inputs:
          commands: [echo]
      - name: Reboot
        action: Reboot
    """
    assert create(ib, document("build", step=step))["type"] == "BUILD"


def test_windows_actions_on_windows(ib):
    step = """
      - name: Hello
        action: ExecutePowerShell
        inputs:
          commands: [Write-Host hi]
    """
    assert create(ib, document("build", step=step), platform="Windows")["platform"] == "Windows"


def test_constants_are_accepted(ib):
    data = "constants:\n  - Source:\n      type: string\n      value: https://example.com\n" + document("build")
    assert create(ib, data)["type"] == "BUILD"


# -- invalid documents -------------------------------------------------------------------------
def test_step_name_with_a_space_uses_the_services_wording(ib):
    step = """
      - name: Install PowerShell
        action: ExecuteBash
        inputs:
          commands: [echo]
    """
    message = rejected(ib, document("build", step=step))
    assert message == ("The value supplied for parameter 'data' is not valid. Invalid step name 'Install PowerShell' "
                       "in phase 'build'. Allowed characters are combinations of numbers [0-9], english letters "
                       "[a-z,A-Z] and special characters [-_].")


def test_action_of_another_platform_uses_the_services_wording(ib):
    step = """
      - name: DisableWindowsUpdate
        action: ExecutePowerShell
        inputs:
          commands: [Write-Host hi]
    """
    message = rejected(ib, document("update", "build", step=step))
    assert message.endswith("Parsing step 'DisableWindowsUpdate' in phase 'update' failed. Error: Unsupported "
                            "action ExecutePowerShell for os platform linux.")


def test_bash_on_windows_is_rejected(ib):
    assert "for os platform windows" in rejected(ib, document("build"), platform="Windows")


def test_empty_inputs_use_the_services_wording(ib):
    step = """
      - name: Download
        action: S3Download
        inputs: []
    """
    assert rejected(ib, document("build", step=step)).endswith(
        "Parsing step 'Download' in phase 'build' failed. Error: Action S3Download has no inputs; it requires an "
        "'inputs'")


@pytest.mark.parametrize("data, fragment", [
    ("phases: [", "not a valid YAML document"),
    ("just a string", "must be a YAML mapping"),
    ("- a\n- b\n", "must be a YAML mapping"),
    ("phases:\n" + phases("build"), "'schemaVersion'"),
    ("schemaVersion: 2.0\nphases:\n" + phases("build"), "Unsupported schemaVersion '2.0'"),
    ("schemaVersion: 1.0\n", "'phases'"),
    ("schemaVersion: 1.0\nphases: []\n", "non-empty list"),
    ("schemaVersion: 1.0\nphases: build\n", "non-empty list"),
    ("schemaVersion: 1.0\nphases:\n  - steps: []\n", "'name'"),
])
def test_document_structure(ib, data, fragment):
    assert fragment in rejected(ib, data)


def test_at_least_one_stage_phase(ib):
    assert "at least one of the following phases: build, validate, test" in rejected(ib, document("update"))


def test_phase_names_are_unique(ib):
    assert "Duplicate phase name 'build'" in rejected(ib, document("build", "build"))


def test_phase_needs_steps(ib):
    assert "Phase 'build' must contain a non-empty list of 'steps'" in rejected(
        ib, "schemaVersion: 1.0\nphases:\n  - name: build\n    steps: []\n")


def test_step_names_are_unique_per_phase(ib):
    assert "Duplicate step name 'Hello' in phase 'build'" in rejected(ib, document("build", step=STEP + STEP))


def test_same_step_name_in_two_phases_is_fine(ib):
    assert create(ib, document("build", "validate"))["type"] == "BUILD"


@pytest.mark.parametrize("step, fragment", [
    ("- name: A\n  inputs: {commands: [x]}\n", "missing the required property 'action'"),
    ("- name: A\n  action: RunMagic\n  inputs: {commands: [x]}\n", "Unsupported action RunMagic."),
    ("- name: A\n  action: ExecuteBash\n", "Action ExecuteBash has no inputs"),
    ("- name: A\n  action: ExecuteBash\n  onFailure: Retry\n  inputs: {commands: [x]}\n", "Invalid onFailure"),
    ("- name: A\n  action: ExecuteBash\n  maxAttempts: 0\n  inputs: {commands: [x]}\n", "Invalid maxAttempts"),
    ("- name: A\n  action: ExecuteBash\n  maxAttempts: two\n  inputs: {commands: [x]}\n", "Invalid maxAttempts"),
    ("- name: A\n  action: ExecuteBash\n  timeoutSeconds: 0\n  inputs: {commands: [x]}\n", "Invalid timeoutSeconds"),
    ("- name: A\n  action: ExecuteBash\n  timeoutSeconds: -5\n  inputs: {commands: [x]}\n", "Invalid timeoutSeconds"),
    ("- name: A\n  action: ExecuteDocument\n  maxAttempts: 2\n  inputs: {document: d.yaml}\n", "ExecuteDocument"),
])
def test_step_rules(ib, step, fragment):
    message = rejected(ib, document("build", step=step))
    assert "Parsing step 'A' in phase 'build' failed. Error: " in message and fragment in message


def test_step_without_a_name(ib):
    assert "must be a map with 'name'" in rejected(ib, document("build", step="- action: ExecuteBash\n"))


@pytest.mark.parametrize("parameters, fragment", [
    ("parameters:\n  - Greeting:\n      type: float\n", "Invalid type 'float' for parameter 'Greeting'"),
    ("parameters:\n  - Greeting: {}\n", "Invalid type 'None'"),
    ("parameters:\n  - ab:\n      type: string\n", "Invalid parameter name 'ab'"),
    ("parameters:\n  - Bad Name:\n      type: string\n", "Invalid parameter name 'Bad Name'"),
    ("parameters:\n  - Same:\n      type: string\n  - Same:\n      type: string\n", "Duplicate parameter name"),
    ("parameters:\n  - Count:\n      type: integer\n      default: many\n", "not a valid integer"),
    ("parameters:\n  - Flag:\n      type: boolean\n      default: maybe\n", "not a valid boolean"),
    ("parameters: {Greeting: {type: string}}\n", "must be a list"),
    ("parameters:\n  - {A1b: {type: string}, B2c: {type: string}}\n", "exactly one key"),
    ("constants:\n  - Src:\n      type: integer\n      value: 1\n", "for constant 'Src'"),
    ("constants:\n  - Src:\n      type: string\n", "missing the required property 'value'"),
    ("parameters:\n  - Src:\n      type: string\nconstants:\n  - Src:\n      type: string\n      value: x\n",
     "Duplicate constant name 'Src'"),
])
def test_parameter_and_constant_rules(ib, parameters, fragment):
    assert fragment in rejected(ib, "schemaVersion: 1.0\n" + parameters + "phases:\n" + phases("build"))


def test_a_rejected_document_creates_nothing(ib):
    rejected(ib, document("update"))
    assert ib.list_components()["componentVersionList"] == []
    assert ib.list_component_build_versions()["componentSummaryList"] == []


def test_aws_owned_documents_pass_the_validator(ib):
    for entry in collect(ib, "list_components", "componentVersionList", owner="Amazon"):
        component = ib.get_component(componentBuildVersionArn=entry["arn"])["component"]
        copy = create(ib, component["data"], platform=component["platform"])
        assert copy["type"] == component["type"]
        assert copy.get("parameters") == component.get("parameters")
