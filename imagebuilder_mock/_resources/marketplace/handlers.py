"""GetMarketplaceResource, and the AWS Marketplace components it serves (account segment
`aws-marketplace`, owner `AWSMarketplace`).

The mock has no Marketplace: every component in MARKETPLACE_COMPONENTS counts as subscribed; any
other `aws-marketplace` component is one the caller is not entitled to (ForbiddenException).
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

from ..._backend.caches import memoize
from ..._backend import arns, versions
from ..._backend.context import RequestContext
from ..._engine._errors import ServiceError, invalid_request
from .. import operation
from .._shared.lookup import latest_match
from .._shared.catalog import CATALOG_DATE
from .._shared.types import Params, Resource, Result

MARKETPLACE_ACCOUNT = "aws-marketplace"

#: (name, platform, description, product code, supported OS versions, versions, install command)
MARKETPLACE_COMPONENTS = (
    ("Example Security Agent for Linux-prod-a1b2c3d4e5f6g", "Linux", "Installs the example security agent.",
     "3xmpl3s3cur1tyag3nt00001", ("Amazon Linux 2", "Amazon Linux 2023", "Ubuntu 22"), ("1.0.0", "1.1.0"),
     "sudo /tmp/install-agent.sh"),
    ("Example Hardening for Windows-prod-h7i8j9k0l1m2n", "Windows", "Applies the example hardening baseline.",
     "3xmpl3h4rd3n1ngw1n00001", ("Microsoft Windows Server 2022",), ("2.0.0",),
     "C:\\Temp\\Harden.ps1"),
)

_DOC = """name: {name}
description: {description}
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Download
        action: S3Download
        inputs:
          - source: s3://{bucket}/artifacts/{slug}/{version}/installer
            destination: {destination}
      - name: Install
        action: {action}
        inputs:
          commands:
            - {command}
"""


def _slug(name: str) -> str:
    return arns.normalize_name(name)


@memoize(maxsize=None)
def marketplace_components(region: str) -> dict[str, Resource]:
    """Build ARN -> AWS Marketplace component in `region` (the shape ListComponents/GetComponent show)."""
    out = {}
    partition = arns.partition_for(region)
    for name, platform, description, code, os_versions, component_versions, command in MARKETPLACE_COMPONENTS:
        windows = platform == "Windows"
        for version in component_versions:
            arn = arns.make(partition, region, MARKETPLACE_ACCOUNT, "component", name, version, 1)
            data = _DOC.format(name=_slug(name), description=description, bucket=f"aws-marketplace-{region}",
                               slug=_slug(name), version=version, command=command,
                               destination="C:\\Temp\\installer" if windows else "/tmp/installer",
                               action="ExecutePowerShell" if windows else "ExecuteBash")
            out[arn] = {
                "arn": arn, "name": name, "version": version, "description": description, "type": "BUILD",
                "platform": platform, "supportedOsVersions": list(os_versions), "state": {"status": "ACTIVE"},
                "owner": "AWSMarketplace", "data": data, "encrypted": True, "dateCreated": CATALOG_DATE,
                "tags": {}, "productCodes": [{"productCodeId": code, "productCodeType": "marketplace"}],
                "_build": 1,
            }
    return out


def _find(arn: str) -> Resource:
    parsed = arns.parse(arn, "resourceArn")
    if parsed.account != MARKETPLACE_ACCOUNT or parsed.resource_type != "component":
        raise invalid_request(f"The resource '{arn}' is not an AWS Marketplace component. "
                              f"GetMarketplaceResource supports only AWS Marketplace components.")
    catalog = marketplace_components(parsed.region)
    item = catalog.get(arn)
    if item is None and parsed.version is not None and parsed.build is None:
        pattern = versions.parse(parsed.version, "resourceArn", wildcards=True)
        item = latest_match(catalog.values(), parsed, pattern, "component")
    if item is None:
        raise ServiceError("ForbiddenException",
                           f"You are not subscribed to the AWS Marketplace product of the resource '{arn}'.")
    return item


def _presigned(ctx: RequestContext, location: str) -> str:
    """A time-limited S3 presigned URL for `location` (deterministic per request time)."""
    bucket, _, key = location[len("s3://"):].partition("/")
    stamp = ctx.now().strftime("%Y%m%dT%H%M%SZ")
    signature = hashlib.sha256(f"{location}|{stamp}|{ctx.account}".encode()).hexdigest()
    credential = quote(f"ASIAMOCKIMAGEBUILDER/{stamp[:8]}/{ctx.region}/s3/aws4_request", safe="")
    return (f"https://{bucket}.s3.{ctx.region}.amazonaws.com/{quote(key)}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Credential={credential}&X-Amz-Date={stamp}&X-Amz-Expires=900"
            f"&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}")


@operation("GetMarketplaceResource")
def get_marketplace_resource(ctx: RequestContext, params: Params) -> Result:
    component = _find(params["resourceArn"])
    out = {"resourceArn": component["arn"]}
    if params["resourceType"] == "COMPONENT_DATA":
        # "obfuscated data that contains the YAML content of the component"
        out["data"] = base64.b64encode(component["data"].encode()).decode()
    else:
        location = params.get("resourceLocation")
        if not location:
            raise invalid_request("You must specify resourceLocation when resourceType is COMPONENT_ARTIFACT.")
        out["url"] = _presigned(ctx, location)
    return out
