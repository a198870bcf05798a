"""Images that don't come from a recipe: ImportVmImage, ImportDiskImage, DistributeImage."""

from __future__ import annotations

import copy
import re
from typing import Any, cast

from ... import _lifecycle as lifecycle
from ..._backend import arns
from ..._backend.context import RequestContext
from ..._engine._errors import in_use, invalid_request, invalid_value
from ..._engine._model import service_model
from .. import operation
from .._shared.common import own_tags
from .._shared.lookup import resolve
from .options import LOG_NAMESPACE as _LOG_NAMESPACE
from .._shared.types import Params, Resource, Result

_VM_IMPORT_TASK = re.compile(r"^import-ami-[0-9a-zA-Z]{1,64}$")
_ISO_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/.+\.(?:iso|ISO|Iso)$")
_AMI_ID = re.compile(r"^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$")
_ARN_NAME = re.compile(r"^[a-z0-9-_]+$")
#: An image's name is a ResourceName (ImportVmImage's request shape is looser than the Image it makes).
_RESOURCE_NAME = re.compile(service_model().shape_for("ResourceName").metadata["pattern"])


def _new_image(ctx: RequestContext, name: str, version: str, **members: Any) -> Resource:
    """A new build `image/<name>/<version>/<n>` of the caller's, PENDING, with `members`."""
    if not _RESOURCE_NAME.match(name) or not _ARN_NAME.match(arns.normalize_name(name)):
        raise invalid_value("name", f"name must match pattern {_RESOURCE_NAME.pattern}")
    build = ctx.store.next_build(ctx.arn("image", name, version))
    arn = ctx.arn("image", name, version, build)
    image = {"arn": arn, "type": "AMI", "name": name, "version": f"{version}/{build}",
             "enhancedImageMetadataEnabled": True, "state": {"status": "PENDING"}, "dateCreated": ctx.iso_now(),
             "owner": ctx.account, "tags": {}, "_build": build, "_started": ctx.now().timestamp()}
    image.update({k: copy.deepcopy(v) for k, v in members.items() if v is not None})
    return image


def _check_logging(params: Params, namespace_only: bool) -> None:
    group = (params.get("loggingConfiguration") or {}).get("logGroupName")
    if not group or group.startswith(_LOG_NAMESPACE):
        return
    if namespace_only:
        raise invalid_value("loggingConfiguration.logGroupName",
                            f"For ImportVmImage, the log group name must be within the {_LOG_NAMESPACE} namespace.")
    if not params.get("executionRole"):
        raise invalid_value("loggingConfiguration.logGroupName",
                            f"A log group outside the {_LOG_NAMESPACE} namespace requires an executionRole "
                            "that can write to it.")


@operation("ImportVmImage")
def import_vm_image(ctx: RequestContext, params: Params) -> Result:
    if not _VM_IMPORT_TASK.match(params["vmImportTaskId"]):
        raise invalid_value("vmImportTaskId", f"'{params['vmImportTaskId']}' is not a valid EC2 VM import task ID "
                                              "(import-ami-...).")
    _check_logging(params, namespace_only=True)
    from ..._aws.refusals import check_vm_import_task  # under moto or with aws_endpoint_url: EC2 must have it

    check_vm_import_task(ctx, params["vmImportTaskId"])
    image = _new_image(ctx, params["name"], params["semanticVersion"], platform=params["platform"],
                       osVersion=params.get("osVersion"), loggingConfiguration=params.get("loggingConfiguration"),
                       buildType="IMPORT", imageSource="IMPORTED", tags=own_tags(params),
                       _description=params.get("description"), _vmImportTaskId=params["vmImportTaskId"])
    lifecycle.begin(ctx, image, lifecycle.IMPORT_PATH)
    ctx.store.images[image["arn"]] = image
    return {"imageArn": image["arn"]}


@operation("ImportDiskImage")
def import_disk_image(ctx: RequestContext, params: Params) -> Result:
    if params["platform"] != "Windows":
        raise invalid_value("platform", f"The platform '{params['platform']}' is not supported. "
                                        "Allowed values: Windows.")
    if params["osVersion"] != "Microsoft Windows 11":
        raise invalid_value("osVersion", f"The OS version '{params['osVersion']}' is not supported. "
                                         "The only supported value is Microsoft Windows 11.")
    if not _ISO_URI.match(params["uri"]):
        raise invalid_value("uri", "The uri must have the form s3://bucket/key and the key must end with "
                                   ".iso, .ISO or .Iso.")
    options = params.get("registerImageOptions") or {}
    if options.get("uefiData") and options.get("secureBootEnabled") is False:
        raise invalid_value("registerImageOptions.uefiData",
                            "You can specify uefiData only when secureBootEnabled is true or unspecified.")
    infra_arn = params["infrastructureConfigurationArn"]
    infra = resolve(ctx, infra_arn, "infrastructure-configuration", "infrastructureConfigurationArn")
    _check_logging(params, namespace_only=False)
    image = _new_image(ctx, params["name"], params["semanticVersion"], platform="Windows",
                       osVersion=params["osVersion"], infrastructureConfiguration=infra,
                       executionRole=params.get("executionRole"),
                       loggingConfiguration=params.get("loggingConfiguration"), buildType="IMPORT_ISO",
                       imageSource="IMPORTED", tags=own_tags(params),
                       _description=params.get("description"), _uri=params["uri"])
    lifecycle.begin(ctx, image, lifecycle.IMPORT_PATH)
    ctx.store.images[image["arn"]] = image
    return {"imageBuildVersionArn": image["arn"]}


def _source(ctx: RequestContext, source: str) -> tuple[str, str, Resource | None, list[Resource]]:
    """(name, version, source image or None, source AMIs in this Region) of DistributeImage's sourceImage."""
    if source.startswith("arn:"):
        parsed = arns.parse(source, "sourceImage")
        if parsed.resource_type != "image" or parsed.version is None:
            raise invalid_value("sourceImage", f"The ARN '{source}' is not a valid image ARN.")
        if parsed.region != ctx.region:
            raise invalid_value("sourceImage", "The source image must resolve to an AMI in the current Region.")
        usable = None if parsed.build is not None else (lambda i: i["state"]["status"] == "AVAILABLE")
        image = resolve(ctx, source, "image", "sourceImage", usable=usable)
        lifecycle.settle(ctx, image, poll=False)
        if image["state"]["status"] != "AVAILABLE":
            raise in_use(f"The image '{image['arn']}' must be AVAILABLE to be distributed; "
                         f"its status is {image['state']['status']}.")
        if image.get("type") != "AMI":
            raise invalid_request(f"The image '{image['arn']}' is a container image; DistributeImage "
                                  "distributes AMIs.")
        amis = [a for a in (image.get("outputResources") or {}).get("amis") or [] if a.get("region") == ctx.region]
        if not amis:
            raise invalid_value("sourceImage", "The source image must resolve to an AMI in the current Region.")
        owned = [dict(a, accountId=ctx.account) for a in amis[:1]]
        # a wildcard sourceImage (x.x.x) names the version of the build it resolved to
        return image["name"], cast(str, arns.parse(image["arn"]).version), image, owned  # a build ARN's
    if source.startswith("ssm:"):
        parameter = source[4:]
        if not parameter:
            raise invalid_value("sourceImage", "The SSM parameter reference 'ssm:' names no parameter.")
        name = re.sub(r"[^a-z0-9-_]+", "-", parameter.rsplit("parameter/", 1)[-1].lower()).strip("-") or "ssm"
        return name, "1.0.0", None, []
    if _AMI_ID.match(source):
        ami = {"region": ctx.region, "image": source, "name": source, "accountId": ctx.account,
               "state": {"status": "AVAILABLE"}}
        return source, "1.0.0", None, [ami]
    raise invalid_value("sourceImage", f"'{source}' is not an AMI ID, an ssm: parameter reference or an "
                                       "Image Builder image ARN.")


@operation("DistributeImage")
def distribute_image(ctx: RequestContext, params: Params) -> Result:
    name, version, source, amis = _source(ctx, params["sourceImage"])
    dist_arn = params["distributionConfigurationArn"]
    dist = resolve(ctx, dist_arn, "distribution-configuration", "distributionConfigurationArn")
    if arns.parse(dist_arn).region != ctx.region:
        raise invalid_value("distributionConfigurationArn",
                            "The distribution configuration must be in the same Region as this operation.")
    _check_logging(params, namespace_only=False)
    members = {"platform": (source or {}).get("platform"), "osVersion": (source or {}).get("osVersion"),
               "imageSource": (source or {}).get("imageSource", "CUSTOM"), "distributionConfiguration": dist,
               "executionRole": params["executionRole"], "loggingConfiguration": params.get("loggingConfiguration"),
               "buildType": "USER_INITIATED", "tags": own_tags(params), "_source_amis": amis,
               "_sourceImage": params["sourceImage"]}
    if source is not None and source.get("imageRecipe"):
        members["imageRecipe"] = source["imageRecipe"]
    image = _new_image(ctx, name, version, **members)
    lifecycle.begin(ctx, image, lifecycle.DISTRIBUTE_PATH, match=(params["sourceImage"],))
    ctx.store.images[image["arn"]] = image
    return {"imageBuildVersionArn": image["arn"]}


