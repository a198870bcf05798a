"""More end-to-end flows, beyond tests/test_scenarios.py: container pipelines distributed to two
Regions, Windows images with fast launch and launch templates, imported images as parents,
DistributeImage, cancel/retry at every stage on the simulated clock, a COUNT lifecycle policy over
weeks of scheduled builds, and list ordering and filters after many builds."""

from __future__ import annotations

import datetime
import re

import boto3
import pytest
import time_machine
from botocore.exceptions import ClientError
from _model_features import collect, needs_filter_value

MONDAY_NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.timezone.utc)
OWNER, REGION = "123456789012", "us-east-1"
PREFIX = f"arn:aws:imagebuilder:{REGION}:{OWNER}"
AL2 = f"arn:aws:imagebuilder:{REGION}:aws:image/amazon-linux-2-x86/x.x.x"
WINDOWS_2022 = f"arn:aws:imagebuilder:{REGION}:aws:image/windows-server-2022-english-full-base-x86/x.x.x"
UPDATE_LINUX = f"arn:aws:imagebuilder:{REGION}:aws:component/update-linux/x.x.x"
UPDATE_WINDOWS = f"arn:aws:imagebuilder:{REGION}:aws:component/update-windows/x.x.x"
AMI_ID = re.compile(r"^ami-[0-9a-f]{17}$")
STAGES = ("PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING")
DURATIONS = {"PENDING": 60, "CREATING": 300, "BUILDING": 1200, "TESTING": 900, "DISTRIBUTING": 600,
             "INTEGRATING": 120}
DOCKERFILE = "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\n"


def _error(excinfo) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _client():
    return boto3.client("imagebuilder", region_name=REGION)


def _infra(ib, name: str = "builders") -> str:
    return ib.create_infrastructure_configuration(name=name,
                                                  instanceProfileName="ib-role")["infrastructureConfigurationArn"]


def _recipe(ib, name: str = "web", version: str = "1.0.0", parent: str = AL2, **kw) -> str:
    return ib.create_image_recipe(name=name, semanticVersion=version, parentImage=parent, **kw)["imageRecipeArn"]


def _image(ib, arn: str) -> dict:
    return ib.get_image(imageBuildVersionArn=arn)["image"]


def _status(ib, arn: str) -> str:
    return _image(ib, arn)["state"]["status"]


# -- 1. a container pipeline distributed to two Regions ----------------------------------------------
def test_container_pipeline_pushes_to_ecr_in_two_regions(imagebuilder_mock):
    ib = _client()
    recipe = ib.create_container_recipe(
        containerType="DOCKER", name="api", semanticVersion="2.1.0", parentImage="amazonlinux:2023",
        platformOverride="Linux", components=[{"componentArn": UPDATE_LINUX}], dockerfileTemplateData=DOCKERFILE,
        targetRepository={"service": "ECR", "repositoryName": "api-builds"})["containerRecipeArn"]
    assert recipe == f"{PREFIX}:container-recipe/api/2.1.0"
    dist = ib.create_distribution_configuration(name="api-regions", distributions=[
        {"region": REGION, "containerDistributionConfiguration": {
            "containerTags": ["stable", "2.1"], "targetRepository": {"service": "ECR", "repositoryName": "api"}}},
        {"region": "eu-west-1", "containerDistributionConfiguration": {
            "description": "EU copy", "targetRepository": {"service": "ECR", "repositoryName": "api-eu"}}},
    ])["distributionConfigurationArn"]
    pipeline = ib.create_image_pipeline(name="api-pipeline", containerRecipeArn=recipe,
                                        infrastructureConfigurationArn=_infra(ib),
                                        distributionConfigurationArn=dist)["imagePipelineArn"]
    got = ib.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
    assert got["containerRecipeArn"] == recipe and "imageRecipeArn" not in got

    first = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    second = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    assert (first, second) == (f"{PREFIX}:image/api/2.1.0/1", f"{PREFIX}:image/api/2.1.0/2")

    image = _image(ib, second)
    assert image["type"] == "DOCKER" and image["state"]["status"] == "AVAILABLE"
    assert image["sourcePipelineArn"] == pipeline and image["containerRecipe"]["arn"] == recipe
    assert "amis" not in image["outputResources"]
    east, eu = f"{OWNER}.dkr.ecr.{REGION}.amazonaws.com", f"{OWNER}.dkr.ecr.eu-west-1.amazonaws.com"
    assert image["outputResources"]["containers"] == [
        {"region": REGION, "imageUris": [f"{east}/api-builds:2.1.0-2", f"{east}/api-builds:latest",
                                         f"{east}/api:stable", f"{east}/api:2.1"]},
        {"region": "eu-west-1", "imageUris": [f"{eu}/api-eu:2.1.0-2", f"{eu}/api-eu:latest"]},
    ]
    made = ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
    assert sorted(i["arn"] for i in made) == [first, second]
    assert all(i["type"] == "DOCKER" and i["outputResources"]["containers"] for i in made)
    listed = ib.list_images(filters=[{"name": "type", "values": ["DOCKER"]}])["imageVersionList"]
    assert [i["arn"] for i in listed] == [f"{PREFIX}:image/api/2.1.0"]
    assert ib.list_images(filters=[{"name": "type", "values": ["AMI"]}])["imageVersionList"] == []
    # the pipeline holds its container recipe
    with pytest.raises(ClientError) as exc:
        ib.delete_container_recipe(containerRecipeArn=recipe)
    assert _error(exc) == ("ResourceDependencyException", 400)


# -- 2. a Windows image with fast launch and launch templates -------------------------------------
def test_windows_image_with_fast_launch_and_launch_templates(imagebuilder_mock):
    ib = _client()
    recipe = _recipe(ib, name="win-base", parent=WINDOWS_2022, components=[{"componentArn": UPDATE_WINDOWS}])
    assert ib.get_image_recipe(imageRecipeArn=recipe)["imageRecipe"]["platform"] == "Windows"
    fast_launch = {"enabled": True, "snapshotConfiguration": {"targetResourceCount": 5}, "maxParallelLaunches": 6,
                   "launchTemplate": {"launchTemplateId": "lt-0123456789abcdef0", "launchTemplateVersion": "1"},
                   "accountId": OWNER}
    distributions = [
        {"region": REGION, "amiDistributionConfiguration": {"name": "win-{{ imagebuilder:buildDate }}"},
         "fastLaunchConfigurations": [fast_launch],
         "launchTemplateConfigurations": [{"launchTemplateId": "lt-0123456789abcdef0", "setDefaultVersion": True}]},
        {"region": "eu-west-1", "launchTemplateConfigurations": [{"launchTemplateId": "lt-0fedcba9876543210"}]},
    ]
    dist = ib.create_distribution_configuration(name="win-dist", distributions=distributions)[
        "distributionConfigurationArn"]
    arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=_infra(ib),
                          distributionConfigurationArn=dist)["imageBuildVersionArn"]
    image = _image(ib, arn)
    assert image["state"]["status"] == "AVAILABLE" and image["platform"] == "Windows"
    assert image["osVersion"] == "Microsoft Windows Server 2022" and image["imageSource"] == "AMAZON_MANAGED"
    assert image["distributionConfiguration"]["distributions"] == distributions
    amis = image["outputResources"]["amis"]
    assert [(a["region"], a["accountId"]) for a in amis] == [(REGION, OWNER), ("eu-west-1", OWNER)]
    assert all(AMI_ID.match(a["image"]) for a in amis) and amis[0]["name"].startswith("win-")
    listed = ib.list_images(filters=[{"name": "platform", "values": ["Windows"]}])["imageVersionList"]
    assert [(i["arn"], i["osVersion"]) for i in listed] == [(f"{PREFIX}:image/win-base/1.0.0",
                                                             "Microsoft Windows Server 2022")]
    assert ib.list_images(filters=[{"name": "platform", "values": ["Linux"]}])["imageVersionList"] == []


# -- 3. imported images as parents ---------------------------------------------------------------
def test_imported_vm_image_is_a_parent_by_arn_and_by_ami(imagebuilder_mock):
    ib = _client()
    imported = ib.import_vm_image(name="legacy-vm", semanticVersion="3.0.0", platform="Linux",
                                  osVersion="Ubuntu 22", vmImportTaskId="import-ami-0123456789abcdef0")["imageArn"]
    source = _image(ib, imported)
    assert source["state"]["status"] == "AVAILABLE" and source["buildType"] == "IMPORT"
    ami = source["outputResources"]["amis"][0]["image"]
    infra = _infra(ib)
    parents = {"build": imported, "wildcard": f"{PREFIX}:image/legacy-vm/x.x.x", "ami": ami}
    for label, parent in parents.items():
        recipe = _recipe(ib, name=f"on-{label}", parent=parent)
        got = ib.get_image_recipe(imageRecipeArn=recipe)["imageRecipe"]
        assert got["parentImage"] == parent and got["platform"] == "Linux", label
        child = _image(ib, ib.create_image(imageRecipeArn=recipe,
                                           infrastructureConfigurationArn=infra)["imageBuildVersionArn"])
        assert child["state"]["status"] == "AVAILABLE", label
        assert (child["imageSource"], child.get("osVersion")) == ("IMPORTED", "Ubuntu 22"), label


def test_imported_disk_image_is_a_windows_parent(imagebuilder_mock):
    ib = _client()
    infra = _infra(ib)
    imported = ib.import_disk_image(name="win11-iso", semanticVersion="1.0.0", platform="Windows",
                                    osVersion="Microsoft Windows 11", infrastructureConfigurationArn=infra,
                                    uri="s3://my-isos/win11.iso")["imageBuildVersionArn"]
    assert _image(ib, imported)["buildType"] == "IMPORT_ISO"
    recipe = _recipe(ib, name="win11-desktop", parent=imported, components=[{"componentArn": UPDATE_WINDOWS}])
    assert ib.get_image_recipe(imageRecipeArn=recipe)["imageRecipe"]["platform"] == "Windows"
    child = _image(ib, ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)[
        "imageBuildVersionArn"])
    assert child["state"]["status"] == "AVAILABLE" and child["platform"] == "Windows"
    assert (child["imageSource"], child["osVersion"]) == ("IMPORTED", "Microsoft Windows 11")


# -- 4. DistributeImage of an AVAILABLE image -------------------------------------------------------
@pytest.mark.parametrize("form", ["build", "version", "wildcard"])
def test_distribute_available_image_to_new_regions(imagebuilder_mock, form):
    ib = _client()
    source = ib.create_image(imageRecipeArn=_recipe(ib, name="golden"),
                             infrastructureConfigurationArn=_infra(ib))["imageBuildVersionArn"]
    source_ami = _image(ib, source)["outputResources"]["amis"][0]["image"]
    dist = ib.create_distribution_configuration(name="fan-out", distributions=[
        {"region": r, "amiDistributionConfiguration": {"name": "golden-{{ imagebuilder:buildDate }}"}}
        for r in ("eu-west-1", "ap-southeast-2")])["distributionConfigurationArn"]
    source_image = {"build": source, "version": f"{PREFIX}:image/golden/1.0.0",
                    "wildcard": f"{PREFIX}:image/golden/x.x.x"}[form]
    arn = ib.distribute_image(sourceImage=source_image, distributionConfigurationArn=dist,
                              executionRole="ib-distribute")["imageBuildVersionArn"]
    assert arn == f"{PREFIX}:image/golden/1.0.0/2"
    image = _image(ib, arn)
    assert image["state"]["status"] == "AVAILABLE" and image["version"] == "1.0.0/2"
    amis = image["outputResources"]["amis"]
    assert [a["region"] for a in amis] == ["eu-west-1", "ap-southeast-2"]
    assert source_ami not in {a["image"] for a in amis} and all(AMI_ID.match(a["image"]) for a in amis)
    assert [b["arn"] for b in ib.list_image_build_versions(imageVersionArn=f"{PREFIX}:image/golden/1.0.0")[
        "imageSummaryList"]] == [source, arn]


@pytest.mark.imagebuilder_mock(progression="poll")
def test_distribute_image_walks_its_own_path_and_refuses_unfinished_sources(imagebuilder_mock):
    ib = _client()
    source = ib.create_image(imageRecipeArn=_recipe(ib, name="golden"),
                             infrastructureConfigurationArn=_infra(ib))["imageBuildVersionArn"]
    dist = ib.create_distribution_configuration(name="fan-out", distributions=[
        {"region": "eu-west-1", "amiDistributionConfiguration": {"name": "g-{{ imagebuilder:buildDate }}"}}])[
        "distributionConfigurationArn"]
    with pytest.raises(ClientError) as exc:
        ib.distribute_image(sourceImage=source, distributionConfigurationArn=dist, executionRole="r")
    assert _error(exc) == ("ResourceInUseException", 400)
    while _status(ib, source) != "AVAILABLE":
        pass
    arn = ib.distribute_image(sourceImage=source, distributionConfigurationArn=dist,
                              executionRole="r")["imageBuildVersionArn"]
    assert [_status(ib, arn) for _ in range(4)] == ["PENDING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE"]


# -- 5. cancel and retry at every in-progress stage, on the simulated clock -------------------------
@pytest.mark.imagebuilder_mock(progression="clock")
@pytest.mark.parametrize("stage", STAGES)
def test_cancel_and_retry_at_each_stage_in_clock_mode(imagebuilder_mock, stage):
    m, ib = imagebuilder_mock, _client()
    arn = ib.create_image(imageRecipeArn=_recipe(ib), infrastructureConfigurationArn=_infra(ib),
                          distributionConfigurationArn=ib.create_distribution_configuration(
                              name="two", distributions=[
                                  {"region": r, "amiDistributionConfiguration": {"name": "w-{{ imagebuilder:buildDate }}"}}
                                  for r in (REGION, "eu-west-1")])["distributionConfigurationArn"])[
        "imageBuildVersionArn"]
    m.clock.advance(seconds=sum(DURATIONS[s] for s in STAGES[:STAGES.index(stage)]) + 30)
    assert _status(ib, arn) == stage
    with pytest.raises(ClientError) as exc:
        ib.delete_image(imageBuildVersionArn=arn)
    assert _error(exc) == ("ResourceDependencyException", 400)
    with pytest.raises(ClientError) as exc:
        ib.retry_image(imageBuildVersionArn=arn)
    assert _error(exc) == ("ResourceInUseException", 400)

    assert ib.cancel_image_creation(imageBuildVersionArn=arn)["imageBuildVersionArn"] == arn
    cancelled = _image(ib, arn)
    assert cancelled["state"]["status"] == "CANCELLED"
    built = STAGES.index(stage) > STAGES.index("BUILDING")
    distributed = STAGES.index(stage) > STAGES.index("DISTRIBUTING")
    regions = [a["region"] for a in cancelled.get("outputResources", {}).get("amis", [])]
    assert regions == ([REGION, "eu-west-1"] if distributed else [REGION] if built else []), (stage, regions)
    m.clock.advance(hours=5)
    assert _status(ib, arn) == "CANCELLED"  # time does not move a cancelled build
    with pytest.raises(ClientError) as exc:
        ib.cancel_image_creation(imageBuildVersionArn=arn)
    assert _error(exc) == ("ResourceInUseException", 400)

    assert ib.retry_image(imageBuildVersionArn=arn)["imageBuildVersionArn"] == arn
    assert _status(ib, arn) == stage
    m.clock.advance(seconds=DURATIONS[stage] - 1)
    assert _status(ib, arn) == stage
    m.clock.advance(seconds=sum(DURATIONS.values()))
    image = _image(ib, arn)
    assert image["state"]["status"] == "AVAILABLE" and image["arn"] == arn
    assert [a["region"] for a in image["outputResources"]["amis"]] == [REGION, "eu-west-1"]
    assert [b["arn"] for b in ib.list_image_build_versions()["imageSummaryList"]] == [arn]
    ib.delete_image(imageBuildVersionArn=arn)


# -- 6. a COUNT lifecycle policy over weeks of scheduled pipeline builds ------------------------------
@pytest.mark.imagebuilder_mock(progression="clock")
def test_count_policy_keeps_the_newest_weekly_builds(imagebuilder_mock):
    with time_machine.travel(MONDAY_NOON, tick=False):
        m, ib = imagebuilder_mock, _client()
        recipe = _recipe(ib, components=[{"componentArn": UPDATE_LINUX}])
        pipeline = ib.create_image_pipeline(
            name="weekly", imageRecipeArn=recipe, infrastructureConfigurationArn=_infra(ib),
            schedule={"scheduleExpression": "cron(0 6 ? * TUE *)",
                      "pipelineExecutionStartCondition": "EXPRESSION_MATCH_ONLY"})["imagePipelineArn"]
        ib.create_lifecycle_policy(
            name="keep-three", executionRole=f"arn:aws:iam::{OWNER}:role/lifecycle", resourceType="AMI_IMAGE",
            policyDetails=[{"action": {"type": "DELETE"}, "filter": {"type": "COUNT", "value": 3}}],
            resourceSelection={"recipes": [{"name": "web", "semanticVersion": "1.0.0"}]})
        for week in range(1, 7):
            m.clock.advance(days=7)
            builds = ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"]
            versions = sorted(int(b["version"].rsplit("/", 1)[1]) for b in builds)
            # the policy runs daily; after its run the newest three builds are kept
            assert versions == list(range(max(1, week - 2), week + 1)), (week, versions)
        kept = ib.list_image_build_versions(imageVersionArn=f"{PREFIX}:image/web/1.0.0")["imageSummaryList"]
        assert [b["version"] for b in kept] == ["1.0.0/4", "1.0.0/5", "1.0.0/6"]
        assert {b["buildType"] for b in kept} == {"SCHEDULED"}
        assert _status(ib, f"{PREFIX}:image/web/1.0.0/1") == "DELETED"
        executions = ib.list_lifecycle_executions(resourceArn=f"{PREFIX}:lifecycle-policy/keep-three")[
            "lifecycleExecutions"]
        assert executions and {e["state"]["status"] for e in executions} == {"SUCCESS"}


# -- 7. list ordering and filters after many builds --------------------------------------------------
@needs_filter_value("*")
def test_list_images_and_build_versions_after_many_builds(imagebuilder_mock):
    m, ib = imagebuilder_mock, _client()
    infra = _infra(ib)
    recipes = {(name, version): _recipe(ib, name=name, version=version)
               for name in ("web", "worker") for version in ("1.0.0", "1.2.0", "2.0.0")}
    windows = _recipe(ib, name="desktop", parent=WINDOWS_2022)
    built: dict[str, list[str]] = {}
    for round_ in range(3):
        for (name, version), recipe in recipes.items():
            arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
            built.setdefault(f"{PREFIX}:image/{name}/{version}", []).append(arn)
            m.clock.advance(minutes=1)
    built[f"{PREFIX}:image/desktop/1.0.0"] = [
        ib.create_image(imageRecipeArn=windows, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]]

    def listed(operation, key, **params):
        return [item for page in ib.get_paginator(operation).paginate(PaginationConfig={"PageSize": 4}, **params)
                for item in page[key]]

    versions = listed("list_images", "imageVersionList")
    assert sorted(v["arn"] for v in versions) == sorted(built)
    assert len({v["arn"] for v in versions}) == len(versions)
    assert all(v["owner"] == OWNER and v["version"] == v["arn"].rsplit("/", 1)[1] for v in versions)
    by_name = listed("list_images", "imageVersionList", byName=True)
    assert sorted((v["name"], v["version"]) for v in by_name) == [("desktop", "1.0.0"), ("web", "2.0.0"),
                                                                  ("worker", "2.0.0")]

    def names(filters):
        return sorted(v["arn"].split("/", 1)[1] for v in listed("list_images", "imageVersionList", filters=filters))

    assert names([{"name": "name", "values": ["web"]}]) == ["web/1.0.0", "web/1.2.0", "web/2.0.0"]
    assert names([{"name": "name", "values": ["wor*"]}]) == ["worker/1.0.0", "worker/1.2.0", "worker/2.0.0"]
    assert names([{"name": "version", "values": ["1.2.0"]}]) == ["web/1.2.0", "worker/1.2.0"]
    assert names([{"name": "platform", "values": ["Windows"]}]) == ["desktop/1.0.0"]
    assert names([{"name": "name", "values": ["web", "desktop"]},
                  {"name": "version", "values": ["1.0.0"]}]) == ["desktop/1.0.0", "web/1.0.0"]
    assert names([{"name": "osVersion", "values": ["Microsoft Windows Server 2022"]}]) == ["desktop/1.0.0"]

    all_builds = listed("list_image_build_versions", "imageSummaryList")
    assert sorted(b["arn"] for b in all_builds) == sorted(a for arns in built.values() for a in arns)
    for version_arn, arns in built.items():
        builds = listed("list_image_build_versions", "imageSummaryList", imageVersionArn=version_arn)
        assert sorted((b["arn"] for b in builds), key=lambda a: int(a.rsplit("/", 1)[1])) == arns
        assert [b["version"] for b in builds] == [b["arn"].split("/", 2)[2] for b in builds]
        assert all(b["state"]["status"] == "AVAILABLE" for b in builds)
    one = listed("list_image_build_versions", "imageSummaryList", imageVersionArn=f"{PREFIX}:image/web/1.2.0",
                 filters=[{"name": "version", "values": ["1.2.0"]}])
    assert len(one) == 3
    assert listed("list_image_build_versions", "imageSummaryList", imageVersionArn=f"{PREFIX}:image/web/9.9.9") == []
    ib.delete_image(imageBuildVersionArn=built[f"{PREFIX}:image/web/2.0.0"][-1])
    latest = ib.get_image(imageBuildVersionArn=f"{PREFIX}:image/web/x.x.x")["image"]
    assert latest["arn"] == built[f"{PREFIX}:image/web/2.0.0"][1]

    # pages of any size put together are the one-page list, in the same order
    for operation, key in (("list_images", "imageVersionList"), ("list_image_build_versions", "imageSummaryList")):
        whole = collect(ib, operation, key)
        assert [i["arn"] for i in listed(operation, key)] == [i["arn"] for i in whole]


def test_deleting_while_paginating_visits_every_build(imagebuilder_mock):
    ib = _client()
    recipe, infra = _recipe(ib), _infra(ib)
    arns = [ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
            for _ in range(8)]
    seen = []
    for page in ib.get_paginator("list_image_build_versions").paginate(PaginationConfig={"PageSize": 3}):
        for build in page["imageSummaryList"]:
            seen.append(build["arn"])
            ib.delete_image(imageBuildVersionArn=build["arn"])
    assert sorted(seen) == sorted(arns)
    assert ib.list_image_build_versions()["imageSummaryList"] == []


@pytest.mark.imagebuilder_mock(progression="poll")
def test_container_build_cancels_but_cannot_be_retried(imagebuilder_mock):
    ib = _client()
    recipe = ib.create_container_recipe(
        containerType="DOCKER", name="svc", semanticVersion="1.0.0", parentImage="amazonlinux:2023",
        platformOverride="Linux", dockerfileTemplateData=DOCKERFILE,
        targetRepository={"service": "ECR", "repositoryName": "svc"})["containerRecipeArn"]
    arn = ib.create_image(containerRecipeArn=recipe, infrastructureConfigurationArn=_infra(ib))["imageBuildVersionArn"]
    assert [_status(ib, arn) for _ in range(4)] == ["PENDING", "CREATING", "BUILDING", "TESTING"]
    ib.cancel_image_creation(imageBuildVersionArn=arn)
    image = _image(ib, arn)
    assert image["state"]["status"] == "CANCELLED"
    assert image["outputResources"]["containers"][0]["imageUris"][0].endswith("/svc:1.0.0-1")
    with pytest.raises(ClientError) as exc:
        ib.retry_image(imageBuildVersionArn=arn)
    assert _error(exc) == ("InvalidRequestException", 400)
    ib.delete_image(imageBuildVersionArn=arn)
    with pytest.raises(ClientError) as exc:
        _image(ib, arn)
    assert _error(exc) == ("ResourceNotFoundException", 404)
