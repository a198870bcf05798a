"""AWS-owned resources (account segment `aws`): images, components and workflows that real recipes
and pipelines use as parents, components and workflows. Built per region on first use, read-only."""

from __future__ import annotations

import hashlib

from ..._backend.caches import memoize
from ..._backend import arns

#: (name, platform, osVersion, versions)
IMAGES = (
    ("amazon-linux-2-x86", "Linux", "Amazon Linux 2", ("2024.10.1", "2025.6.2", "2025.11.4")),
    ("amazon-linux-2-arm64", "Linux", "Amazon Linux 2", ("2025.6.2", "2025.11.4")),
    ("amazon-linux-2023-x86", "Linux", "Amazon Linux 2023", ("2025.6.2", "2025.11.4")),
    ("amazon-linux-2023-arm64", "Linux", "Amazon Linux 2023", ("2025.11.4",)),
    ("ubuntu-server-22-lts-x86", "Linux", "Ubuntu 22", ("2025.6.2", "2025.11.4")),
    ("ubuntu-server-24-lts-x86", "Linux", "Ubuntu 24", ("2025.11.4",)),
    ("windows-server-2022-english-full-base-x86", "Windows", "Microsoft Windows Server 2022", ("2025.6.2", "2025.11.4")),
    ("windows-server-2019-english-full-base-x86", "Windows", "Microsoft Windows Server 2019", ("2025.11.4",)),
)

_LINUX_DOC = """name: {name}
description: {description}
schemaVersion: 1.0
{parameters}phases:
  - name: {phase}
    steps:
      - name: {step}
        action: ExecuteBash
        inputs:
          commands:
            - {command}
"""
_WINDOWS_DOC = _LINUX_DOC.replace("ExecuteBash", "ExecutePowerShell")

#: (name, platform, type, description, phase, step, command, versions)
COMPONENTS = (
    ("update-linux", "Linux", "BUILD", "Updates Linux with the latest security updates.", "build", "UpdateOS",
     "sudo yum update -y || sudo apt-get update -y", ("1.0.0", "1.0.1", "1.0.2")),
    ("aws-cli-version-2-linux", "Linux", "BUILD", "Installs the latest version of the AWS CLI version 2.", "build",
     "InstallAWSCLI", "curl -s https://awscli.amazonaws.com/awscli-exe-linux-x86_64.zip -o awscliv2.zip",
     ("1.0.0", "1.0.4")),
    ("reboot-linux", "Linux", "BUILD", "Reboots the instance.", "build", "Reboot", "sudo reboot", ("1.0.0", "1.0.1")),
    ("amazon-cloudwatch-agent-linux", "Linux", "BUILD", "Installs the Amazon CloudWatch agent.", "build",
     "InstallAgent", "sudo yum install -y amazon-cloudwatch-agent", ("1.0.0", "1.0.1")),
    ("reboot-test-linux", "Linux", "TEST", "Tests that the instance can reboot.", "test", "RebootTest",
     "sudo reboot", ("1.0.0",)),
    ("simple-boot-test-linux", "Linux", "TEST", "Tests that the instance boots.", "test", "BootTest",
     "echo booted", ("1.0.0", "1.0.1")),
    ("update-windows", "Windows", "BUILD", "Updates Windows with the latest security updates.", "build",
     "UpdateWindows", "Install-WindowsUpdate -AcceptAll", ("1.0.0", "1.0.1")),
    ("reboot-windows", "Windows", "BUILD", "Reboots the instance.", "build", "Reboot", "Restart-Computer",
     ("1.0.0",)),
    ("stig-build-linux", "Linux", "BUILD", "Applies the STIG settings to Linux instances.", "build",
     "ApplySTIGSettings", "echo 'Applying STIG settings with InstallPackages={{ InstallPackages }}'",
     ("2025.3.0", "2025.4.0")),
    ("stig-build-windows", "Windows", "BUILD", "Applies the STIG settings to Windows instances.", "build",
     "ApplySTIGSettings", "Write-Host 'Applying STIG settings'", ("2025.3.0",)),
)

#: name -> the `parameters` section of an AWS-owned component's document (real STIG components
#: declare these, with defaults, so recipes may leave them out).
COMPONENT_PARAMETERS = {
    "stig-build-linux": """parameters:
  - InstallPackages:
      type: string
      default: 'No'
      description: Install additional packages that the STIG settings need (Yes or No).
  - SetDoDConsentBanner:
      type: string
      default: 'No'
      description: Display the DoD consent banner at log in (Yes or No).
""",
    "stig-build-windows": """parameters:
  - SetDoDConsentBanner:
      type: string
      default: 'No'
      description: Display the DoD consent banner at log in (Yes or No).
""",
}

_BUILD_IMAGE_DOC = """name: build-image
description: Workflow to build an AMI
schemaVersion: 1.0

steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: "ssmAgent"

  - name: ApplyBuildComponents
    action: ExecuteComponents
    onFailure: Abort
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

  - name: InventoryCollection
    action: CollectImageMetadata
    onFailure: Abort
    if:
      and:
        - stringEquals: "AMI"
          value: "$.imagebuilder.imageType"
        - booleanEquals: true
          value: "$.imagebuilder.collectImageMetadata"
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

  - name: RunSanitizeScript
    action: SanitizeInstance
    onFailure: Abort
    if:
      and:
        - stringEquals: "AMI"
          value: "$.imagebuilder.imageType"
        - not:
            stringEquals: "Windows"
            value: "$.imagebuilder.platform"
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

  - name: RunSysPrepScript
    action: RunSysPrep
    onFailure: Abort
    if:
      and:
        - stringEquals: "AMI"
          value: "$.imagebuilder.imageType"
        - stringEquals: "Windows"
          value: "$.imagebuilder.platform"
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

  - name: CreateOutputAMI
    action: CreateImage
    onFailure: Abort
    if:
      stringEquals: "AMI"
      value: "$.imagebuilder.imageType"
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

  - name: TerminateBuildInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

outputs:
  - name: "ImageId"
    value: "$.stepOutputs.CreateOutputAMI.imageId"
"""

_TEST_IMAGE_DOC = """name: test-image
description: Workflow to test an AMI
schemaVersion: 1.0

steps:
  - name: LaunchTestInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: "ssmAgent"

  - name: CollectImageScanFindings
    action: CollectImageScanFindings
    onFailure: Continue
    if:
      and:
        - booleanEquals: true
          value: "$.imagebuilder.collectImageScanFindings"
        - or:
            - stringEquals: "Linux"
              value: "$.imagebuilder.platform"
            - stringEquals: "Windows"
              value: "$.imagebuilder.platform"
    inputs:
      instanceId.$: "$.stepOutputs.LaunchTestInstance.instanceId"

  - name: ApplyTestComponents
    action: ExecuteComponents
    onFailure: Abort
    inputs:
      instanceId.$: "$.stepOutputs.LaunchTestInstance.instanceId"

  - name: TerminateTestInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchTestInstance.instanceId"
"""

_DISTRIBUTE_IMAGE_DOC = """name: distribute-image
description: Workflow to distribute an AMI
schemaVersion: 1.0

steps:
  - name: DistributeImage
    action: DistributeImage
    onFailure: Abort

  - name: ApplyImageConfigurations
    action: ApplyImageConfigurations
    onFailure: Abort
    inputs:
      distributedImages.$: "$.stepOutputs.DistributeImage.distributedImages"
"""

_BUILD_CONTAINER_DOC = """name: build-container
description: Workflow to build a container image
schemaVersion: 1.0

steps:
  - name: LaunchBuildInstance
    action: LaunchInstance
    onFailure: Abort
    inputs:
      waitFor: "ssmAgent"

  - name: BootstrapBuildInstance
    action: BootstrapInstanceForContainer
    onFailure: Abort
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

  - name: ApplyBuildComponents
    action: ExecuteComponents
    onFailure: Abort
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"

  - name: TerminateBuildInstance
    action: TerminateInstance
    onFailure: Continue
    inputs:
      instanceId.$: "$.stepOutputs.LaunchBuildInstance.instanceId"
"""

_TEST_CONTAINER_DOC = _BUILD_CONTAINER_DOC.replace("build-container", "test-container").replace(
    "build a container", "test a container").replace("Build", "Test")

#: (name, type, description, data, versions) — AWS-managed workflows (account `aws`). build-image and
#: test-image are the defaults for AMI builds (APIREF ListWorkflowExecutions example: build-image/1.0.3,
#: test-image/1.0.3). Documents follow the managed ones as mirrored by terraform-provider-aws'
#: image_test.go; the container and distribution documents are INFERRED (see docs/notes/workflows.md).
WORKFLOWS: tuple = (
    ("build-image", "BUILD", "Workflow to build an AMI", _BUILD_IMAGE_DOC, ("1.0.0", "1.0.1", "1.0.2", "1.0.3")),
    ("test-image", "TEST", "Workflow to test an AMI", _TEST_IMAGE_DOC, ("1.0.0", "1.0.1", "1.0.2", "1.0.3")),
    ("distribute-image", "DISTRIBUTION", "Workflow to distribute an AMI", _DISTRIBUTE_IMAGE_DOC, ("1.0.0",)),
    ("build-container", "BUILD", "Workflow to build a container image", _BUILD_CONTAINER_DOC, ("1.0.0", "1.0.1")),
    ("test-container", "TEST", "Workflow to test a container image", _TEST_CONTAINER_DOC, ("1.0.0", "1.0.1")),
)

CATALOG_DATE = "2025-11-04T00:00:00.000Z"


def ami_id(seed: str) -> str:
    """A stable AMI id shaped like a real one: `ami-` and 17 hex digits."""
    return "ami-" + hashlib.sha1(seed.encode()).hexdigest()[:17]


def _arn(region: str, resource_type: str, name: str, version: str | None = None, build: int | None = None,
         workflow_type: str | None = None) -> str:
    return arns.make(arns.partition_for(region), region, "aws", resource_type, name, version, build, workflow_type)


@memoize(maxsize=None)
def images(region: str) -> dict[str, dict]:
    """Build ARN -> AWS-owned image (AVAILABLE) in `region`."""
    out = {}
    for name, platform, os_version, versions in IMAGES:
        for version in versions:
            arn = _arn(region, "image", name, version, 1)
            out[arn] = {
                "arn": arn, "type": "AMI", "name": name, "version": f"{version}/1", "platform": platform,
                "osVersion": os_version, "owner": "Amazon", "state": {"status": "AVAILABLE"},
                "dateCreated": CATALOG_DATE, "buildType": "USER_INITIATED", "tags": {},
                "enhancedImageMetadataEnabled": True,
                "outputResources": {"amis": [{"region": region, "image": ami_id(f"{name}/{version}/{region}"),
                                              "name": f"{name} {version}", "accountId": "aws",
                                              "state": {"status": "AVAILABLE"}}]},
                "_build": 1,
            }
    return out


@memoize(maxsize=None)
def components(region: str) -> dict[str, dict]:
    """Build ARN -> AWS-owned component in `region`."""
    from ..components.documents import parse as parse_document

    out = {}
    for name, platform, ctype, description, phase, step, command, versions in COMPONENTS:
        doc = (_WINDOWS_DOC if platform == "Windows" else _LINUX_DOC).format(
            name=name, description=description, phase=phase, step=step, command=command,
            parameters=COMPONENT_PARAMETERS.get(name, ""))
        parameters = parse_document(doc, platform).parameters
        for version in versions:
            arn = _arn(region, "component", name, version, 1)
            out[arn] = {
                "arn": arn, "name": name, "version": version, "description": description, "type": ctype,
                "platform": platform, "state": {"status": "ACTIVE"}, "owner": "Amazon", "data": doc,
                "encrypted": True, "dateCreated": CATALOG_DATE, "tags": {}, "_build": 1,
            }
            if parameters:
                out[arn]["parameters"] = parameters
    return out


@memoize(maxsize=None)
def workflows(region: str) -> dict[str, dict]:
    """Build ARN -> AWS-managed workflow in `region`."""
    from ..workflows.documents import parameter_details, parse

    out = {}
    for name, wtype, description, data, versions in WORKFLOWS:
        parameters = parameter_details(parse(data, wtype))
        for version in versions:
            arn = _arn(region, "workflow", name, version, 1, wtype)
            out[arn] = {"arn": arn, "name": name, "version": version, "description": description, "type": wtype,
                        "owner": "Amazon", "data": data, "dateCreated": CATALOG_DATE, "tags": {},
                        "parameters": parameters, "_build": 1}
    return out


#: Account segments of AWS-owned resources the catalog holds (`third-party` has no entries).
ACCOUNTS = ("aws", "aws-marketplace", "third-party")


@memoize(maxsize=None)
def collection(region: str, resource_type: str, account: str | None = None) -> dict[str, dict]:
    """The catalog's resources of one ARN resource type, of one catalog `account` (`aws`,
    `aws-marketplace`, `third-party`) or, without `account`, of all of them (empty for types the
    catalog has none of). AWS Marketplace components come from `marketplace.py`."""
    if account is None:
        merged: dict[str, dict] = {}
        for each in ACCOUNTS:
            merged.update(collection(region, resource_type, each))
        return merged
    if account == "aws-marketplace":
        if resource_type != "component":
            return {}
        from ..marketplace.handlers import marketplace_components  # marketplace imports this module

        return marketplace_components(region)
    if account != "aws":
        return {}
    if resource_type == "image":
        return images(region)
    if resource_type == "component":
        return components(region)
    if resource_type == "workflow":
        return workflows(region)
    return {}


@memoize(maxsize=None)
def by_name(region: str, resource_type: str, account: str) -> dict[str, tuple[dict, ...]]:
    """`collection(region, resource_type, account)` by the name in each ARN: what a version or wildcard
    ARN of that name can match (the catalog never changes, so this is built once per Region)."""
    named: dict[str, list[dict]] = {}
    for item in collection(region, resource_type, account).values():
        named.setdefault(arns.parse(item["arn"]).name, []).append(item)
    return {name: tuple(items) for name, items in named.items()}
