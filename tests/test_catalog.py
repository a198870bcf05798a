"""The AWS-managed catalog: its entry kinds, wildcard resolution, partitions, parentImage forms, the
listings with owner=Amazon, and the extension API (`m.catalog`, `catalog_file`)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

import factories as f
from imagebuilder_mock import mock_imagebuilder

AWS = "arn:aws:imagebuilder:us-east-1:aws"


def _all(ib, operation: str, key: str, **kw) -> list[dict]:
    return [x for page in ib.get_paginator(operation).paginate(**kw) for x in page[key]]


def _recipe(ib, parent: str, component: str = f"{AWS}:component/update-linux/x.x.x") -> str:
    return ib.create_image_recipe(name=f.unique("recipe"), semanticVersion="1.0.0", parentImage=parent,
                                  components=[{"componentArn": component}])["imageRecipeArn"]


def test_images_of_every_kind_are_listed_with_platform_and_os(ib):
    images = {v["name"]: v for v in _all(ib, "list_images", "imageVersionList", owner="Amazon")}
    assert images["amazon-linux-2023-arm64"]["osVersion"] == "Amazon Linux 2023"
    assert images["windows-server-2025-english-core-base-x86"]["platform"] == "Windows"
    assert images["macos-sequoia-arm64"]["platform"] == "macOS"
    assert images["amazon-linux-x86-2"]["type"] == "DOCKER" and images["ubuntu-server-24-lts-arm64"]["type"] == "AMI"
    docker = _all(ib, "list_images", "imageVersionList", owner="Amazon",
                  filters=[{"name": "type", "values": ["DOCKER"]}, {"name": "platform", "values": ["Windows"]}])
    assert docker and {v["type"] for v in docker} == {"DOCKER"} and {v["platform"] for v in docker} == {"Windows"}


def test_by_name_lists_each_managed_image_once(ib):
    every = _all(ib, "list_images", "imageVersionList", owner="Amazon")
    by_name = _all(ib, "list_images", "imageVersionList", owner="Amazon", byName=True)
    assert len(by_name) == len({v["name"] for v in every}) < len(every)


@pytest.mark.parametrize("wildcard,expected", [
    ("x.x.x", "2025.11.4/1"), ("2025.x.x", "2025.11.4/1"), ("2019.x.x", "2019.11.21/1"),
    ("2025.6.x", "2025.6.2/1"), ("xxxx.x.x", "2025.11.4/1")])
def test_wildcards_resolve_to_the_latest_catalog_version(ib, wildcard, expected):
    recipe = ib.get_image_recipe(imageRecipeArn=_recipe(ib, f"{AWS}:image/amazon-linux-2-x86/{wildcard}"))
    assert recipe["imageRecipe"]["parentImage"].endswith(wildcard)
    image = ib.get_image(imageBuildVersionArn=f"{AWS}:image/amazon-linux-2-x86/{expected}")["image"]
    assert image["version"] == expected


def test_a_wildcard_no_catalog_version_matches_is_not_found(ib):
    with pytest.raises(ClientError) as exc:
        _recipe(ib, f"{AWS}:image/amazon-linux-2-x86/2030.x.x")
    assert f.error(exc) == ("ResourceNotFoundException", 404)


def test_components_build_and_test_with_parameters_and_os_versions(ib):
    stig = ib.get_component(componentBuildVersionArn=f"{AWS}:component/stig-build-linux-high/2025.3.0/1")["component"]
    assert stig["type"] == "BUILD" and [p["name"] for p in stig["parameters"]] == ["InstallPackages",
                                                                                 "SetDoDConsentBanner"]
    test = ib.get_component(componentBuildVersionArn=f"{AWS}:component/inspector-test-windows/1.0.0/1")["component"]
    assert test["type"] == "TEST" and test["platform"] == "Windows" and "ExecutePowerShell" in test["data"]
    docker = ib.get_component(componentBuildVersionArn=f"{AWS}:component/docker-ce-linux/1.0.0/1")["component"]
    assert docker["supportedOsVersions"] == ["Amazon Linux 2"]
    listed = _all(ib, "list_components", "componentVersionList", owner="Amazon",
                  filters=[{"name": "platform", "values": ["Windows"]}, {"name": "type", "values": ["TEST"]}])
    names = {c["name"] for c in listed}
    assert {"windows-activation-test", "reboot-test-windows"} <= names
    assert all(c["platform"] == "Windows" and c["type"] == "TEST" for c in listed)


def test_a_managed_component_of_the_wrong_platform_is_refused(ib):
    with pytest.raises(ClientError) as exc:
        _recipe(ib, f"{AWS}:image/amazon-linux-2023-x86/x.x.x", f"{AWS}:component/update-windows/x.x.x")
    assert f.error(exc)[1] == 400


def test_managed_workflows_of_every_type(ib):
    listed = _all(ib, "list_workflows", "workflowVersionList", owner="Amazon")
    by_name = {w["name"]: w for w in listed}
    assert {n: by_name[n]["type"] for n in ("build-image", "test-image", "distribute-image", "build-container",
                                            "test-container", "distribute-container")} == {
        "build-image": "BUILD", "test-image": "TEST", "distribute-image": "DISTRIBUTION",
        "build-container": "BUILD", "test-container": "TEST", "distribute-container": "DISTRIBUTION"}
    got = ib.get_workflow(workflowBuildVersionArn=f"{AWS}:workflow/build/build-image/1.0.3/1")["workflow"]
    assert got["owner"] == "Amazon" and "LaunchBuildInstance" in got["data"]


@pytest.mark.parametrize("region,partition", [("cn-northwest-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov"),
                                              ("ap-southeast-5", "aws")])
def test_catalog_arns_carry_the_regions_partition(imagebuilder_mock, region, partition):
    ib = boto3.client("imagebuilder", region_name=region)
    images = _all(ib, "list_images", "imageVersionList", owner="Amazon")
    assert images and all(v["arn"].startswith(f"arn:{partition}:imagebuilder:{region}:aws:image/") for v in images)
    macs = [v for v in images if v["platform"] == "macOS"]
    assert bool(macs) == (partition != "aws-cn")  # no EC2 Mac in the China Regions
    arn = f"arn:{partition}:imagebuilder:{region}:aws:image/amazon-linux-2023-x86/x.x.x"
    assert ib.get_image_recipe(imageRecipeArn=_recipe(
        ib, arn, f"arn:{partition}:imagebuilder:{region}:aws:component/update-linux/x.x.x"))["imageRecipe"]


def test_another_partitions_arn_is_not_found(ib):
    with pytest.raises(ClientError) as exc:
        _recipe(ib, "arn:aws-cn:imagebuilder:cn-north-1:aws:image/amazon-linux-2-x86/x.x.x")
    assert f.error(exc) == ("ResourceNotFoundException", 404)


# -- parentImage forms --------------------------------------------------------------------------
@pytest.mark.parametrize("parent", ["ami-0123456789abcdef0", "ami-01234567",
                                    "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
                                    "ssm:my-golden-ami", "ssm:arn:aws:ssm:us-east-1:123456789012:parameter/golden"])
def test_image_recipe_parents_that_are_not_arns(ib, parent):
    recipe = ib.get_image_recipe(imageRecipeArn=_recipe(ib, parent))["imageRecipe"]
    assert recipe["parentImage"] == parent


@pytest.mark.parametrize("parent", ["ami-12345", "ami-0123456789ABCDEF0", "ssm:", "ssm:bad name", "ubuntu:22.04"])
def test_malformed_image_recipe_parents(ib, parent):
    with pytest.raises(ClientError) as exc:
        _recipe(ib, parent)
    code, message, status = f.error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400) and "parentImage" in message


@pytest.mark.parametrize("parent", ["amazonlinux:latest", "library/ubuntu:22.04", "ubuntu",
                                    "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/base:1.2",
                                    "registry.example.com:5000/base@sha256:" + "a" * 64])
def test_container_recipe_parents(ib, parent):
    arn = f.container_recipe(ib, parentImage=parent)
    assert ib.get_container_recipe(containerRecipeArn=arn)["containerRecipe"]["parentImage"] == parent


@pytest.mark.parametrize("parent", ["Amazonlinux:latest", "amazon linux:latest", "amazonlinux:", "repo:tag:extra",
                                    "public.ecr.aws/amazonlinux/amazonlinux:latest"])
def test_malformed_container_recipe_parents(ib, parent):
    with pytest.raises(ClientError) as exc:
        f.container_recipe(ib, parentImage=parent)
    code, message, status = f.error_detail(exc)
    assert (code, status) == ("InvalidParameterValueException", 400) and "parentImage" in message


def test_ecr_public_parent_with_a_platform_override(ib):
    arn = f.container_recipe(ib, parentImage="public.ecr.aws/amazonlinux/amazonlinux:latest", platformOverride="Linux")
    assert ib.get_container_recipe(containerRecipeArn=arn)["containerRecipe"]["platform"] == "Linux"


# -- the extension API -------------------------------------------------------------------------
ACME_DOC = """name: acme-agent
description: Installs the ACME agent.
schemaVersion: 1.0
parameters:
  - Token:
      type: string
      default: none
phases:
  - name: build
    steps:
      - name: Install
        action: ExecuteBash
        inputs:
          commands:
            - echo {{ Token }}
"""


def test_added_entries_resolve_list_and_survive_reset():
    with mock_imagebuilder() as m:
        m.catalog.add_image("acme-base-x86", "Linux", "Amazon Linux 2023", versions=["2025.1.0", "2025.2.0"])
        m.catalog.add_component("acme-agent", "Linux", versions=["1.0.0"], data=ACME_DOC)
        m.catalog.add_workflow("acme-build", "BUILD", data="name: acme-build\nschemaVersion: 1.0\nsteps:\n"
                               "  - name: Launch\n    action: LaunchInstance\n    onFailure: Abort\n")
        ib = boto3.client("imagebuilder", region_name="eu-west-1")
        base = "arn:aws:imagebuilder:eu-west-1:aws"
        recipe = _recipe(ib, f"{base}:image/acme-base-x86/x.x.x", f"{base}:component/acme-agent/x.x.x")
        assert ib.get_image_recipe(imageRecipeArn=recipe)["imageRecipe"]["platform"] == "Linux"
        got = ib.get_component(componentBuildVersionArn=f"{base}:component/acme-agent/1.0.0/1")["component"]
        assert got["parameters"][0]["name"] == "Token"
        assert ib.get_workflow(workflowBuildVersionArn=f"{base}:workflow/build/acme-build/1.0.0/1")["workflow"]
        names = {v["name"] for v in _all(ib, "list_images", "imageVersionList", owner="Amazon",
                                         filters=[{"name": "name", "values": ["acme-base-x86"]}])}
        assert names == {"acme-base-x86"}
        m.reset()
        assert ib.get_image(imageBuildVersionArn=f"{base}:image/acme-base-x86/2025.2.0/1")["image"]
        assert ib.get_image(imageBuildVersionArn=f"{base}:image/amazon-linux-2-x86/2025.11.4/1")["image"]
        m.catalog.clear()
        with pytest.raises(ClientError) as exc:
            ib.get_image(imageBuildVersionArn=f"{base}:image/acme-base-x86/2025.2.0/1")
        assert f.error(exc) == ("ResourceNotFoundException", 404)


def test_additions_belong_to_one_mock():
    first = mock_imagebuilder()
    first.catalog.add_image("acme-only-here", "Linux", "Amazon Linux 2023")
    with mock_imagebuilder():
        ib = boto3.client("imagebuilder", region_name="us-east-1")
        with pytest.raises(ClientError) as exc:
            ib.get_image(imageBuildVersionArn=f"{AWS}:image/acme-only-here/1.0.0/1")
        assert f.error(exc) == ("ResourceNotFoundException", 404)


def test_catalog_file_setting_and_replace(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("replace: true\nimages:\n  - platform: Windows\n    osVersion: Microsoft Windows Server 2022\n"
                    "    versions: [2025.1.0]\n    entries:\n      - {name: acme-win-x86}\n")
    with mock_imagebuilder(catalog_file=str(path)):
        ib = boto3.client("imagebuilder", region_name="us-east-1")
        listed = _all(ib, "list_images", "imageVersionList", owner="Amazon")
        assert [(v["name"], v["platform"]) for v in listed] == [("acme-win-x86", "Windows")]
        with pytest.raises(ClientError) as exc:
            _recipe(ib, f"{AWS}:image/amazon-linux-2-x86/x.x.x")
        assert f.error(exc) == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize("call", [
    lambda c: c.add_image("Bad Name", "Linux", "Amazon Linux 2"),
    lambda c: c.add_image("ok", "Solaris", "Solaris 11"),
    lambda c: c.add_image("ok", "Linux", "Amazon Linux 2", versions=["1.x.0"]),
    lambda c: c.add_component("ok", "Linux", data="not: [a, component"),
    lambda c: c.add_workflow("ok", "DEPLOY", data="name: ok"),
])
def test_bad_additions_fail_at_the_call(call):
    m = mock_imagebuilder()
    with pytest.raises(Exception) as exc:
        call(m.catalog)
    assert not isinstance(exc.value, AssertionError)
    assert not m.catalog.extended


def test_a_bad_catalog_file_fails_at_construction(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("imagez: []\n")
    with pytest.raises(ValueError, match="a catalog file is a mapping"):
        mock_imagebuilder(catalog_file=str(path))
