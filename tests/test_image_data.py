"""ListImagePackages, ListImageScanFindings, ListImageScanFindingAggregations, GetMarketplaceResource."""

from __future__ import annotations

import base64

import boto3
import pytest
from botocore.exceptions import ClientError

from imagebuilder_mock import mock_imagebuilder
from tests import factories
from tests.factories import error
from tests.rawhttp import call
from _model_features import collect, needs_member

ACCOUNT = "123456789012"
PARENTS = {
    "al2": "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x",
    "al2023": "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2023-x86/x.x.x",
    "ubuntu": "arn:aws:imagebuilder:us-east-1:aws:image/ubuntu-server-22-lts-x86/x.x.x",
    "windows": "arn:aws:imagebuilder:us-east-1:aws:image/windows-server-2022-english-full-base-x86/x.x.x",
}
SCANNING = {"imageScanningEnabled": True}
MISSING_IMAGE = f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/nope/1.0.0/1"


def build(ib, parent="al2", components=(), **kw) -> str:
    """An image build of a fresh recipe, read once so it settles (progression "immediate")."""
    args = dict(name=factories.unique("recipe"), semanticVersion="1.0.0", parentImage=PARENTS[parent])
    if components:
        args["components"] = [{"componentArn": c} for c in components]
    recipe = ib.create_image_recipe(**args)["imageRecipeArn"]
    arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=factories.infrastructure(ib),
                          **kw)["imageBuildVersionArn"]
    ib.get_image(imageBuildVersionArn=arn)
    return arn


def scanned_pipeline_build(ib, recipe_name: str) -> tuple[str, str]:
    """A pipeline with image scanning and the finished build it started: (pipeline ARN, image ARN)."""
    recipe = ib.create_image_recipe(name=recipe_name, semanticVersion="1.0.0", parentImage=PARENTS["al2"])
    pipeline = factories.pipeline(ib, recipe=recipe["imageRecipeArn"], dist=False, imageScanningConfiguration=SCANNING)
    arn = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    ib.get_image(imageBuildVersionArn=arn)
    return pipeline, arn


def all_pages(ib, method: str, key: str, **params) -> list:
    return [item for page in ib.get_paginator(method).paginate(**params) for item in page[key]]


# -- ListImagePackages -------------------------------------------------------------------------
def test_packages_of_an_available_ami_build(ib):
    arn = build(ib)
    response = ib.list_image_packages(imageBuildVersionArn=arn)
    packages = response["imagePackageList"]
    assert response["requestId"]
    assert len(packages) == 21 and "nextToken" not in response
    names = [p["packageName"] for p in packages]
    assert names == sorted(names, key=str.lower) and len(set(names)) == len(names)
    assert {"kernel", "glibc", "amazon-ssm-agent", "yum"} <= set(names)
    assert all(p["packageVersion"] for p in packages)
    assert ib.list_image_packages(imageBuildVersionArn=arn)["imagePackageList"] == packages


@pytest.mark.parametrize("parent, expected, absent", [
    ("al2023", "dnf", "yum"),
    ("ubuntu", "apt", "yum"),
    ("windows", "Amazon SSM Agent", "bash"),
])
def test_packages_follow_the_operating_system(ib, parent, expected, absent):
    names = {p["packageName"] for p in all_pages(ib, "list_image_packages", "imagePackageList",
                                                 imageBuildVersionArn=build(ib, parent))}
    assert expected in names and absent not in names


def test_packages_include_what_aws_components_install(ib):
    arn = build(ib, components=["arn:aws:imagebuilder:us-east-1:aws:component/amazon-cloudwatch-agent-linux/x.x.x"])
    names = {p["packageName"] for p in all_pages(ib, "list_image_packages", "imagePackageList",
                                                 imageBuildVersionArn=arn)}
    assert "amazon-cloudwatch-agent" in names


def test_packages_paginate(ib):
    arn = build(ib)
    everything = ib.list_image_packages(imageBuildVersionArn=arn)["imagePackageList"]
    first = ib.list_image_packages(imageBuildVersionArn=arn, maxResults=5)
    assert first["imagePackageList"] == everything[:5] and first["nextToken"]
    second = ib.list_image_packages(imageBuildVersionArn=arn, maxResults=5, nextToken=first["nextToken"])
    assert second["imagePackageList"] == everything[5:10]
    pages = list(ib.get_paginator("list_image_packages").paginate(imageBuildVersionArn=arn,
                                                                  PaginationConfig={"PageSize": 4}))
    assert [p for page in pages for p in page["imagePackageList"]] == everything
    assert len(pages) == 6


def test_packages_of_an_aws_managed_image(ib):
    arn = "arn:aws:imagebuilder:us-east-1:aws:image/ubuntu-server-22-lts-x86/2025.11.4/1"
    names = {p["packageName"] for p in all_pages(ib, "list_image_packages", "imagePackageList",
                                                 imageBuildVersionArn=arn)}
    assert "apt" in names


def test_no_packages_without_enhanced_image_metadata(ib):
    arn = build(ib, enhancedImageMetadataEnabled=False)
    assert ib.list_image_packages(imageBuildVersionArn=arn)["imagePackageList"] == []


def test_no_packages_before_the_build_ran():
    with mock_imagebuilder(progression="poll"):
        ib = boto3.client("imagebuilder", region_name="us-east-1")
        recipe = ib.create_image_recipe(name="waiting", semanticVersion="1.0.0", parentImage=PARENTS["al2"])
        arn = ib.create_image(imageRecipeArn=recipe["imageRecipeArn"],
                              infrastructureConfigurationArn=factories.infrastructure(ib))["imageBuildVersionArn"]
        assert ib.list_image_packages(imageBuildVersionArn=arn)["imagePackageList"] == []
        for _ in range(10):
            if ib.get_image(imageBuildVersionArn=arn)["image"]["state"]["status"] == "AVAILABLE":
                break
        assert ib.list_image_packages(imageBuildVersionArn=arn)["imagePackageList"]


def test_no_packages_for_a_container_image(ib):
    recipe = ib.create_container_recipe(
        containerType="DOCKER", name="container", semanticVersion="1.0.0", parentImage="amazonlinux:latest",
        platformOverride="Linux", dockerfileTemplateData="FROM {{{ imagebuilder:parentImage }}}\n"
                                                         "{{{ imagebuilder:components }}}\n",
        components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"}],
        targetRepository={"service": "ECR", "repositoryName": "repo"})["containerRecipeArn"]
    arn = ib.create_image(containerRecipeArn=recipe, infrastructureConfigurationArn=factories.infrastructure(ib),
                          imageScanningConfiguration=SCANNING)["imageBuildVersionArn"]
    ib.get_image(imageBuildVersionArn=arn)
    assert ib.list_image_packages(imageBuildVersionArn=arn)["imagePackageList"] == []
    findings = ib.list_image_scan_findings()["findings"]
    assert findings and all("sourceLayerHash" in f["packageVulnerabilityDetails"]["vulnerablePackages"][0]
                            for f in findings)


def test_packages_of_a_missing_image_are_not_found(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_image_packages(imageBuildVersionArn=MISSING_IMAGE)
    assert error(exc) == ("ResourceNotFoundException", 404)
    assert MISSING_IMAGE in exc.value.response["Error"]["Message"]


def test_packages_with_a_foreign_token_is_an_invalid_token(ib):
    arn = build(ib)
    with pytest.raises(ClientError) as exc:
        ib.list_image_packages(imageBuildVersionArn=arn, nextToken="forged-token")
    assert error(exc) == ("InvalidPaginationTokenException", 400)
    token = ib.list_image_packages(imageBuildVersionArn=arn, maxResults=2)["nextToken"]
    with pytest.raises(ClientError) as exc:
        ib.list_image_packages(imageBuildVersionArn=build(ib), nextToken=token)
    assert error(exc) == ("InvalidPaginationTokenException", 400)


@pytest.mark.parametrize("params, param", [
    ({"imageBuildVersionArn": f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image/x/1.0.0"}, "imageBuildVersionArn"),
    ({"imageBuildVersionArn": MISSING_IMAGE, "maxResults": 101}, "maxResults"),
])
def test_packages_input_the_client_does_not_check(imagebuilder_mock, params, param):
    status, headers, body = call(imagebuilder_mock, "ListImagePackages", params)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidParameterValueException")
    assert f"'{param}'" in body["message"]


def test_packages_without_an_arn_is_an_invalid_request(imagebuilder_mock):
    status, headers, body = call(imagebuilder_mock, "ListImagePackages", {})
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestException")
    assert "imageBuildVersionArn" in body["message"]


# -- ListImageScanFindings ---------------------------------------------------------------------
def test_no_findings_without_scanning(ib):
    build(ib)
    response = ib.list_image_scan_findings()
    assert response["findings"] == [] and response["requestId"]


def test_findings_of_a_scanned_image(ib):
    arn = build(ib, imageScanningConfiguration=SCANNING)
    findings = all_pages(ib, "list_image_scan_findings", "findings")
    assert findings
    installed = {p["packageName"]: p["packageVersion"]
                 for p in ib.list_image_packages(imageBuildVersionArn=arn)["imagePackageList"]}
    order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED"]
    assert [order.index(f["severity"]) for f in findings] == sorted(order.index(f["severity"]) for f in findings)
    for finding in findings:
        assert finding["awsAccountId"] == ACCOUNT
        assert finding["imageBuildVersionArn"] == arn
        assert finding["type"] == "PACKAGE_VULNERABILITY"
        assert "imagePipelineArn" not in finding  # not built by a pipeline
        details = finding["packageVulnerabilityDetails"]
        assert details["vulnerabilityId"].startswith("CVE-")
        package = details["vulnerablePackages"][0]
        release = f"-{package['release']}" if package.get("release") else ""
        epoch = f"{package['epoch']}:" if package.get("epoch") else ""
        assert installed[package["name"]] == f"{epoch}{package['version']}{release}"
        assert finding["title"] == f"{details['vulnerabilityId']} - {package['name']}"
        assert finding["fixAvailable"] in ("YES", "NO")
        assert ("fixedInVersion" in package) == (finding["fixAvailable"] == "YES")
        assert finding["inspectorScore"] == details["cvss"][0]["baseScore"]
        assert finding["firstObservedAt"] <= finding["updatedAt"]
    assert all_pages(ib, "list_image_scan_findings", "findings") == findings


@pytest.mark.parametrize("options", [
    {"imageScanningConfiguration": {"imageScanningEnabled": False}},
    pytest.param({"imageScanningConfiguration": dict(SCANNING, imageScanningTypes=["ON_DEMAND_AMI_CVE"])},
                 marks=needs_member("ImageScanningConfiguration", "imageScanningTypes")),
])
def test_no_findings_when_inspector_does_not_scan_the_test_instance(ib, options):
    build(ib, **options)
    assert ib.list_image_scan_findings()["findings"] == []


def test_findings_are_per_account(ib, imagebuilder_mock):
    build(ib, imageScanningConfiguration=SCANNING)
    imagebuilder_mock.register_access_key("AKIAOTHERACCOUNT0002", "111122223333")
    other = boto3.client("imagebuilder", region_name="us-east-1", aws_access_key_id="AKIAOTHERACCOUNT0002",
                         aws_secret_access_key="x")
    assert other.list_image_scan_findings()["findings"] == []


def test_findings_filters(ib):
    first = build(ib, imageScanningConfiguration=SCANNING)
    second = build(ib, "ubuntu", imageScanningConfiguration=SCANNING)
    everything = all_pages(ib, "list_image_scan_findings", "findings")
    assert {f["imageBuildVersionArn"] for f in everything} == {first, second}

    def only(name, value):
        return all_pages(ib, "list_image_scan_findings", "findings", filters=[{"name": name, "values": [value]}])

    assert only("imageBuildVersionArn", second) == [f for f in everything if f["imageBuildVersionArn"] == second]
    vulnerability = everything[0]["packageVulnerabilityDetails"]["vulnerabilityId"]
    assert only("vulnerabilityId", vulnerability) == [
        f for f in everything if f["packageVulnerabilityDetails"]["vulnerabilityId"] == vulnerability]
    severity = everything[-1]["severity"]
    assert only("severity", severity) == [f for f in everything if f["severity"] == severity]
    assert only("severity", "high") == []  # values are case-sensitive
    assert only("imagePipelineArn", f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:image-pipeline/none") == []


def test_findings_filter_by_pipeline(ib):
    pipeline, arn = scanned_pipeline_build(ib, "piped")
    build(ib, imageScanningConfiguration=SCANNING)
    found = all_pages(ib, "list_image_scan_findings", "findings",
                      filters=[{"name": "imagePipelineArn", "values": [pipeline]}])
    assert found and {f["imageBuildVersionArn"] for f in found} == {arn}
    assert all(f["imagePipelineArn"] == pipeline for f in found)


def test_findings_unsupported_filter_name(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_image_scan_findings(filters=[{"name": "platform", "values": ["Linux"]}])
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert "'filters[0].name'" in exc.value.response["Error"]["Message"]


def test_findings_paginate(ib):
    build(ib, imageScanningConfiguration=SCANNING)
    build(ib, imageScanningConfiguration=SCANNING)
    everything = collect(ib, "list_image_scan_findings", "findings")
    first = ib.list_image_scan_findings(maxResults=2)
    assert first["findings"] == everything[:2] and first["nextToken"]
    with pytest.raises(ClientError) as exc:
        ib.list_image_scan_findings(maxResults=2, nextToken=first["nextToken"],
                                    filters=[{"name": "severity", "values": ["HIGH"]}])
    assert error(exc) == ("InvalidPaginationTokenException", 400)


@pytest.mark.parametrize("filters, param", [
    ([{"name": "severity", "values": ["HIGH"]}, {"name": "severity", "values": ["LOW"]}], "filters"),
    ([{"name": "severity", "values": ["HIGH", "LOW"]}], "filters[0].values"),
    ([{"name": "bad-name", "values": ["x"]}], "filters[0].name"),
])
def test_findings_filter_limits_the_client_does_not_check(imagebuilder_mock, filters, param):
    status, headers, body = call(imagebuilder_mock, "ListImageScanFindings", {"filters": filters})
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidParameterValueException")
    assert f"'{param}'" in body["message"]


# -- ListImageScanFindingAggregations ----------------------------------------------------------
def counts(findings) -> dict:
    out = {"all": len(findings)}
    for level in ("critical", "high", "medium"):
        out[level] = sum(1 for f in findings if f["severity"] == level.upper())
    return out


def test_account_aggregation_by_default(ib):
    empty = ib.list_image_scan_finding_aggregations()
    assert empty["aggregationType"] == "accountId"
    assert empty["responses"] == [{"accountAggregation": {"accountId": ACCOUNT, "severityCounts": {
        "all": 0, "critical": 0, "high": 0, "medium": 0}}}]
    build(ib, imageScanningConfiguration=SCANNING)
    findings = all_pages(ib, "list_image_scan_findings", "findings")
    response = ib.list_image_scan_finding_aggregations()
    assert response["responses"][0]["accountAggregation"]["severityCounts"] == counts(findings)


def test_aggregations_by_image_and_vulnerability(ib):
    first = build(ib, imageScanningConfiguration=SCANNING)
    second = build(ib, "ubuntu", imageScanningConfiguration=SCANNING)
    findings = all_pages(ib, "list_image_scan_findings", "findings")

    by_image = ib.list_image_scan_finding_aggregations(
        filter={"name": "imageBuildVersionArn", "values": [second, first]})
    assert by_image["aggregationType"] == "imageBuildVersionArn"
    assert {r["imageAggregation"]["imageBuildVersionArn"]: r["imageAggregation"]["severityCounts"]
            for r in by_image["responses"]} == {
        arn: counts([f for f in findings if f["imageBuildVersionArn"] == arn]) for arn in (first, second)}

    cve = findings[0]["packageVulnerabilityDetails"]["vulnerabilityId"]
    by_cve = ib.list_image_scan_finding_aggregations(filter={"name": "vulnerabilityId", "values": [cve]})
    assert by_cve["aggregationType"] == "vulnerabilityId"
    assert by_cve["responses"] == [{"vulnerabilityIdAggregation": {"vulnerabilityId": cve, "severityCounts": counts(
        [f for f in findings if f["packageVulnerabilityDetails"]["vulnerabilityId"] == cve])}}]


def test_aggregation_by_pipeline(ib):
    pipeline, arn = scanned_pipeline_build(ib, "aggregated")
    response = ib.list_image_scan_finding_aggregations(filter={"name": "imagePipelineArn", "values": [pipeline]})
    assert response["aggregationType"] == "imagePipelineArn"
    [entry] = response["responses"]
    assert entry["imagePipelineAggregation"]["imagePipelineArn"] == pipeline
    assert entry["imagePipelineAggregation"]["severityCounts"]["all"] > 0


def test_aggregation_keys_without_findings_are_left_out(ib):
    response = ib.list_image_scan_finding_aggregations(filter={"name": "vulnerabilityId", "values": ["CVE-0000-0"]})
    assert (response["aggregationType"], response["responses"]) == ("vulnerabilityId", [])


def test_aggregation_unsupported_filter_name(ib):
    with pytest.raises(ClientError) as exc:
        ib.list_image_scan_finding_aggregations(filter={"name": "severity", "values": ["HIGH"]})
    assert error(exc) == ("InvalidParameterValueException", 400)
    assert "'filter.name'" in exc.value.response["Error"]["Message"]


def test_aggregation_filter_without_values(imagebuilder_mock):
    status, headers, body = call(imagebuilder_mock, "ListImageScanFindingAggregations",
                                 {"filter": {"name": "vulnerabilityId"}})
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidParameterValueException")
    assert "'filter.values'" in body["message"]


def test_aggregations_paginate(ib):
    arns = [build(ib, imageScanningConfiguration=SCANNING) for _ in range(3)]
    pages = list(ib.get_paginator("list_image_scan_finding_aggregations").paginate(
        filter={"name": "imageBuildVersionArn", "values": arns}))
    assert len(pages) == 1 and len(pages[0]["responses"]) == 3
    with pytest.raises(ClientError) as exc:
        ib.list_image_scan_finding_aggregations(nextToken="not-a-token")
    assert error(exc) == ("InvalidPaginationTokenException", 400)


# -- GetMarketplaceResource --------------------------------------------------------------------
MARKETPLACE = "arn:aws:imagebuilder:us-east-1:aws-marketplace:component/" \
              "example-security-agent-for-linux-prod-a1b2c3d4e5f6g"


def test_marketplace_component_data(ib):
    response = ib.get_marketplace_resource(resourceType="COMPONENT_DATA", resourceArn=f"{MARKETPLACE}/1.0.0/1")
    assert response["resourceArn"] == f"{MARKETPLACE}/1.0.0/1"
    document = base64.b64decode(response["data"]).decode()
    assert "schemaVersion: 1.0" in document and "phases:" in document
    assert "url" not in response


def test_marketplace_version_and_wildcard_arns_resolve_to_the_latest_build(ib):
    for arn in (f"{MARKETPLACE}/1.1.0", f"{MARKETPLACE}/x.x.x", f"{MARKETPLACE}/1.x.x"):
        response = ib.get_marketplace_resource(resourceType="COMPONENT_DATA", resourceArn=arn)
        assert response["resourceArn"] == f"{MARKETPLACE}/1.1.0/1"


def test_marketplace_component_artifact_url(ib):
    location = "s3://aws-marketplace-us-east-1/artifacts/agent/1.0.0/installer"
    response = ib.get_marketplace_resource(resourceType="COMPONENT_ARTIFACT", resourceArn=f"{MARKETPLACE}/1.0.0/1",
                                           resourceLocation=location)
    assert response["url"].startswith(
        "https://aws-marketplace-us-east-1.s3.us-east-1.amazonaws.com/artifacts/agent/1.0.0/installer?")
    assert "X-Amz-Signature=" in response["url"] and "X-Amz-Expires=" in response["url"]
    assert "data" not in response


def test_marketplace_artifact_needs_a_location(ib):
    with pytest.raises(ClientError) as exc:
        ib.get_marketplace_resource(resourceType="COMPONENT_ARTIFACT", resourceArn=f"{MARKETPLACE}/1.0.0/1")
    assert error(exc) == ("InvalidRequestException", 400)
    assert "resourceLocation" in exc.value.response["Error"]["Message"]


@pytest.mark.parametrize("arn", [
    "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/1.0.0/1",
    f"arn:aws:imagebuilder:us-east-1:{ACCOUNT}:component/mine/1.0.0/1",
    "arn:aws:imagebuilder:us-east-1:aws-marketplace:image/some-image/1.0.0/1",
])
def test_marketplace_rejects_resources_that_are_not_marketplace_components(ib, arn):
    with pytest.raises(ClientError) as exc:
        ib.get_marketplace_resource(resourceType="COMPONENT_DATA", resourceArn=arn)
    assert error(exc) == ("InvalidRequestException", 400)


def test_marketplace_component_without_a_subscription_is_forbidden(ib):
    arn = "arn:aws:imagebuilder:us-east-1:aws-marketplace:component/unknown-product-prod-zzzzzzzzzzzzz/1.0.0/1"
    with pytest.raises(ClientError) as exc:
        ib.get_marketplace_resource(resourceType="COMPONENT_DATA", resourceArn=arn)
    assert error(exc) == ("ForbiddenException", 403)


@pytest.mark.parametrize("params, param", [
    ({"resourceType": "COMPONENT_ZIP", "resourceArn": f"{MARKETPLACE}/1.0.0/1"}, "resourceType"),
    ({"resourceType": "COMPONENT_DATA", "resourceArn": "arn:aws:s3:::bucket"}, "resourceArn"),
    ({"resourceType": "COMPONENT_ARTIFACT", "resourceArn": f"{MARKETPLACE}/1.0.0/1",
      "resourceLocation": "https://bucket/key"}, "resourceLocation"),
])
def test_marketplace_input_the_client_does_not_check(imagebuilder_mock, params, param):
    status, headers, body = call(imagebuilder_mock, "GetMarketplaceResource", params)
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidParameterValueException")
    assert f"'{param}'" in body["message"]
