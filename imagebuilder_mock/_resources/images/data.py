"""What a build leaves behind besides the image: ListImagePackages (SSM Inventory at build time),
ListImageScanFindings and ListImageScanFindingAggregations (Amazon Inspector findings).

The data is derived on read from each image (image_inventory), so it is deterministic and always
consistent with the image's state, OS and ARN.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from ... import _lifecycle as lifecycle
from ..._backend.context import RequestContext
from ..._engine._errors import invalid_value
from . import inventory as image_inventory
from .. import operation
from .._shared.common import field, list_response
from .._shared.lookup import resolve
from .._shared.types import Params, Resource, Result

#: Statuses whose build got past the phase that collects the data (the build instance ran
#: inventory in BUILDING; Inspector scanned the test instance in TESTING).
_AFTER_BUILD = frozenset({"TESTING", "DISTRIBUTING", "INTEGRATING", "AVAILABLE", "DEPRECATED", "DISABLED"})
_AFTER_TEST = _AFTER_BUILD - {"TESTING"}

#: ListImageScanFindings filter names (MODEL ImageScanFindingsFilter.name).
FINDING_FILTERS = {
    "imageBuildVersionArn": field("imageBuildVersionArn"),
    "imagePipelineArn": field("imagePipelineArn"),
    "vulnerabilityId": lambda f: f["packageVulnerabilityDetails"]["vulnerabilityId"],
    "severity": field("severity"),
}
#: ListImageScanFindingAggregations: aggregation type -> (response member, key member, key getter)
AGGREGATIONS = {
    "accountId": ("accountAggregation", "accountId", field("awsAccountId")),
    "imageBuildVersionArn": ("imageAggregation", "imageBuildVersionArn", field("imageBuildVersionArn")),
    "imagePipelineArn": ("imagePipelineAggregation", "imagePipelineArn", field("imagePipelineArn")),
    "vulnerabilityId": ("vulnerabilityIdAggregation", "vulnerabilityId", FINDING_FILTERS["vulnerabilityId"]),
}


def _reached(image: Resource, statuses: frozenset[str]) -> bool:
    """Whether the build got to one of `statuses` (a stopped build: where it stopped)."""
    status = image["state"]["status"]
    if status in ("FAILED", "CANCELLED"):
        status = getattr(image.get("_lifecycle"), "stopped_at", None) or "PENDING"
    return status in statuses


def has_inventory(image: Resource) -> bool:
    """AMI builds with enhanced metadata collect a package inventory on the build instance."""
    return (image.get("type", "AMI") == "AMI" and image.get("enhancedImageMetadataEnabled", True) is not False
            and image.get("buildType") not in ("IMPORT", "IMPORT_ISO") and _reached(image, _AFTER_BUILD))


def is_scanned(image: Resource) -> bool:
    """Images whose Inspector findings Image Builder collects: scanning and tests enabled, AMI scans of
    the test instance (TEST_INSTANCE_CVE, the default; ON_DEMAND_AMI_CVE findings live in EC2), and a
    build that got past its test phase."""
    scanning = image.get("imageScanningConfiguration") or {}
    tests = image.get("imageTestsConfiguration") or {}
    if not scanning.get("imageScanningEnabled") or tests.get("imageTestsEnabled") is False:
        return False
    if image.get("type", "AMI") == "AMI" and (scanning.get("imageScanningTypes") or ["TEST_INSTANCE_CVE"]) != [
            "TEST_INSTANCE_CVE"]:
        return False
    return _reached(image, _AFTER_TEST)


@operation("ListImagePackages")
def list_image_packages(ctx: RequestContext, params: Params) -> Result:
    image = resolve(ctx, params["imageBuildVersionArn"], "image", "imageBuildVersionArn")
    lifecycle.settle(ctx, image, poll=False)
    items = image_inventory.packages(image) if has_inventory(image) else []
    return list_response(ctx, params, items, {}, "imagePackageList")


def account_findings(ctx: RequestContext) -> Iterator[Resource]:
    """Every finding of the caller's scanned images, image by image (List order)."""
    for image in list(ctx.store.images.values()):
        lifecycle.settle(ctx, image, poll=False)
        if is_scanned(image):
            yield from image_inventory.findings(image, ctx.account)


@operation("ListImageScanFindings")
def list_image_scan_findings(ctx: RequestContext, params: Params) -> Result:
    return list_response(ctx, params, account_findings(ctx), FINDING_FILTERS, "findings")


def severity_counts(findings: Iterable[Resource]) -> Resource:
    counts = {"all": 0, "critical": 0, "high": 0, "medium": 0}
    for finding in findings:
        counts["all"] += 1
        key = finding["severity"].lower()
        if key in counts:
            counts[key] += 1
    return counts


@operation("ListImageScanFindingAggregations")
def list_image_scan_finding_aggregations(ctx: RequestContext, params: Params) -> Result:
    flt = params.get("filter") or {}
    kind = flt.get("name") or "accountId"
    if kind not in AGGREGATIONS:
        raise invalid_value("filter.name", f"The filter name '{kind}' is not supported. Supported filter names: "
                                           f"[{', '.join(sorted(AGGREGATIONS))}].")
    values = flt.get("values")
    if flt.get("name") is not None and not values:
        raise invalid_value("filter.values", "The filter must have at least one value.")
    member, key_name, key_of = AGGREGATIONS[kind]
    groups: dict[str, list[Resource]] = {ctx.account: []} if kind == "accountId" else {}
    for finding in account_findings(ctx):
        key = key_of(finding)
        if key is not None:
            groups.setdefault(key, []).append(finding)
    keys = [k for k in groups if values is None or k in values]
    responses = ({member: {key_name: k, "severityCounts": severity_counts(groups[k])}} for k in keys)
    return dict(list_response(ctx, params, responses, {}, "responses"), aggregationType=kind)
