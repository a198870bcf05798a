"""ImportVmImage, ImportDiskImage and DistributeImage through boto3."""

from __future__ import annotations

import pytest

from _image_helpers import AMI_ID, ami_dist, build, dist, infra, raises, recipe, status

ACCOUNT = "123456789012"
REGION = "us-east-1"
poll = pytest.mark.imagebuilder_mock(progression="poll")


# -- ImportVmImage / ImportDiskImage -----------------------------------------------------------
def test_import_vm_image(imagebuilder_mock, ib):
    out = ib.import_vm_image(name="Imported VM", semanticVersion="1.0.0", platform="Linux", osVersion="Ubuntu 22",
                             vmImportTaskId="import-ami-0123456789abcdef0", tags={"src": "vm"})
    arn = out["imageArn"]
    assert arn == f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/imported-vm/1.0.0/1" and out["requestId"]
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["name"] == "Imported VM" and image["buildType"] == "IMPORT" and image["imageSource"] == "IMPORTED"
    assert image["state"]["status"] == "AVAILABLE" and image["osVersion"] == "Ubuntu 22"
    assert [a["region"] for a in image["outputResources"]["amis"]] == [REGION]
    again = ib.import_vm_image(name="imported_vm", semanticVersion="1.0.0", platform="Linux",
                               vmImportTaskId="import-ami-0123456789abcdef1")
    assert again["imageArn"].endswith("/imported-vm/1.0.0/2")


@pytest.mark.imagebuilder_mock(progression="poll")
def test_imports_start_pending(ib):
    arn = ib.import_vm_image(name="my-vm", semanticVersion="1.0.0", platform="Linux",
                             vmImportTaskId="import-ami-0123456789abcdef0")["imageArn"]
    assert status(ib, arn) == "PENDING"


def test_import_vm_image_errors(ib):
    with raises("InvalidParameterValueException", 400):
        ib.import_vm_image(name="my-vm", semanticVersion="1.0.0", platform="Linux", vmImportTaskId="task-1")
    with raises("InvalidParameterValueException", 400):
        ib.import_vm_image(name="my-vm", semanticVersion="1.0.0", platform="Linux",
                           vmImportTaskId="import-ami-0123456789abcdef0",
                           loggingConfiguration={"logGroupName": "/other/logs"})
    with raises("InvalidParameterValueException", 400):
        ib.import_vm_image(name="vm", semanticVersion="1.0.0", platform="Linux",  # under 3 characters
                           vmImportTaskId="import-ami-0123456789abcdef0")
    with raises("InvalidParameterValueException", 400):
        ib.import_vm_image(name="my-vm!", semanticVersion="1.0.0", platform="Linux",
                           vmImportTaskId="import-ami-0123456789abcdef0")
    assert ib.list_image_build_versions()["imageSummaryList"] == []


def _disk(ib, **overrides):
    params = dict(name="win11", semanticVersion="1.0.0", platform="Windows", osVersion="Microsoft Windows 11",
                  infrastructureConfigurationArn=infra(ib), uri="s3://my-isos/win11.iso")
    params.update(overrides)
    return ib.import_disk_image(**params)


def test_import_disk_image(ib):
    out = _disk(ib, windowsConfiguration={"imageIndex": 3}, registerImageOptions={"secureBootEnabled": True})
    arn = out["imageBuildVersionArn"]
    assert arn.endswith("image/win11/1.0.0/1") and out["clientToken"]
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["buildType"] == "IMPORT_ISO" and image["platform"] == "Windows"
    assert image["osVersion"] == "Microsoft Windows 11" and image["state"]["status"] == "AVAILABLE"


@pytest.mark.parametrize("overrides", [
    {"platform": "Linux"},
    {"osVersion": "Microsoft Windows Server 2022"},
    {"uri": "s3://my-isos/win11.img"},
    {"uri": "https://example.com/win11.iso"},
    {"registerImageOptions": {"secureBootEnabled": False, "uefiData": "QUJD"}},
])
def test_import_disk_image_invalid_values(ib, overrides):
    with raises("InvalidParameterValueException", 400):
        _disk(ib, **overrides)


def test_import_disk_image_missing_infrastructure(ib):
    with raises("ResourceNotFoundException", 404):
        _disk(ib, infrastructureConfigurationArn=f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:"
                                                 "infrastructure-configuration/nope")


# -- DistributeImage ---------------------------------------------------------------------------
def test_distribute_image_from_an_image_arn(ib):
    source = build(ib, recipe(ib, name="golden"))
    source_ami = ib.get_image(imageBuildVersionArn=source)["image"]["outputResources"]["amis"][0]["image"]
    dist_arn = dist(ib, ami_dist(REGION, "eu-west-1"))
    out = ib.distribute_image(sourceImage=source.rsplit("/", 1)[0], distributionConfigurationArn=dist_arn,
                              executionRole="ib-distribute", tags={"why": "copy"})
    arn = out["imageBuildVersionArn"]
    assert arn.endswith("image/golden/1.0.0/2") and out["clientToken"]
    image = ib.get_image(imageBuildVersionArn=arn)["image"]
    assert image["state"]["status"] == "AVAILABLE" and image["tags"] == {"why": "copy"}
    amis = {a["region"]: a["image"] for a in image["outputResources"]["amis"]}
    assert amis[REGION] == source_ami and AMI_ID.match(amis["eu-west-1"]) and amis["eu-west-1"] != source_ami


def test_distribute_image_from_an_ami_id(ib):
    out = ib.distribute_image(sourceImage="ami-0123456789abcdef0",
                              distributionConfigurationArn=dist(ib, ami_dist("eu-west-1")),
                              executionRole="ib-distribute")
    image = ib.get_image(imageBuildVersionArn=out["imageBuildVersionArn"])["image"]
    assert [a["region"] for a in image["outputResources"]["amis"]] == ["eu-west-1"]


@poll
def test_distribute_image_errors(ib):
    dist_arn = dist(ib, ami_dist("eu-west-1"))
    with raises("InvalidParameterValueException", 400):
        ib.distribute_image(sourceImage="not-an-image", distributionConfigurationArn=dist_arn, executionRole="r")
    with raises("ResourceNotFoundException", 404):
        ib.distribute_image(sourceImage=f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/nope/1.0.0/1",
                            distributionConfigurationArn=dist_arn, executionRole="r")
    with raises("ResourceNotFoundException", 404):
        ib.distribute_image(sourceImage="ami-0123456789abcdef0", executionRole="r",
                            distributionConfigurationArn=dist_arn.replace(dist_arn.rsplit("/", 1)[1], "nope"))
    building = build(ib)
    with raises("ResourceInUseException", 400):  # code INFERRED
        ib.distribute_image(sourceImage=building, distributionConfigurationArn=dist_arn, executionRole="r")
