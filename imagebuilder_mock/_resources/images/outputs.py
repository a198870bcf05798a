"""What a finished build leaves behind: AMIs per Region and account, or container image URIs.

The build Region's AMI appears when BUILDING ends; distributed copies when DISTRIBUTING ends
(a cancelled build keeps what it already made). Imports have no distribution phase: their one AMI
appears when BUILDING ends. The first lifecycle hook (`_lifecycle/hooks.py`).
"""

from __future__ import annotations

import datetime
import random
import re

from ... import _lifecycle as lifecycle
from ..._backend import arns, ids
from ..._backend.clock import UTC
from .._shared import catalog
from ..._backend.context import RequestContext
from .._shared.types import Resource

_VARIABLE = re.compile(r"\{\{\s*imagebuilder:(buildDate|buildVersion)(?::([^}\s]+))?\s*\}\}")
#: Java-style date pattern letters the service accepts in `{{ imagebuilder:buildDate:<format> }}`.
_DATE_LETTERS = (("yyyy", "%Y"), ("yy", "%y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"),
                 ("ss", "%S"))


#: The state of every AMI a build makes: shared, never changed in place.
AMI_AVAILABLE = {"status": "AVAILABLE"}
_RNG = ids.SHARED  # the unseeded mocks' generator (backend/ids.py)


def new_ami_id(rng: random.Random = _RNG) -> str:
    """`ami-` and 17 random hex digits, as EC2 hands them out, from the backend's generator `rng`."""
    return f"ami-{rng.getrandbits(68):017x}"


def build_date(moment: datetime.datetime, fmt: str | None = None) -> str:
    """The `buildDate` variable: `2020-02-18T22-49-08.131Z` by default (milliseconds, as the AWS CLI's
    examples show AMI names)."""
    moment = moment.astimezone(UTC)
    if not fmt:
        return f"{moment.strftime('%Y-%m-%dT%H-%M-%S')}.{moment.microsecond // 1000:03d}Z"
    out = fmt
    for letters, directive in _DATE_LETTERS:
        out = out.replace(letters, moment.strftime(directive))
    return out


def expand(template: str, image: Resource, moment: datetime.datetime) -> str:
    """Expand the `{{ imagebuilder:... }}` variables of an AMI name or tag value."""
    def value(match: re.Match[str]) -> str:
        if match.group(1) == "buildDate":
            return build_date(moment, match.group(2))
        version: str = image["version"]
        return version.rsplit("/", 1)[-1]

    return _VARIABLE.sub(value, template)


def _moment(image: Resource) -> datetime.datetime:
    """When the build started, to the microsecond: its progress's `started` (or an import's `_started`)."""
    started = image.get("_started")
    if started is None:
        progress = image.get("_lifecycle")
        if progress is not None:
            started = progress.started
    if started is not None:
        return datetime.datetime.fromtimestamp(started, UTC)
    return datetime.datetime.strptime(image["dateCreated"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _ami(image: Resource, region: str, account: str, settings: Resource, build_region: str,
         rng: random.Random) -> Resource:
    moment = _moment(image)
    template = settings.get("name")
    name = expand(template, image, moment) if template else f"{image['name']} {build_date(moment)}"
    ami = {"region": region, "image": new_ami_id(rng), "name": name, "accountId": account, "state": AMI_AVAILABLE}
    description = settings.get("description")
    if description is None and region == build_region and account == image.get("owner"):
        description = (image.get("imageRecipe") or {}).get("description")
    if description:
        ami["description"] = description
    return ami


def _targets(image: Resource, owner: str, build_region: str) -> list[tuple[str, str, Resource]]:
    """(region, account, amiDistributionConfiguration) for every AMI the build distributes."""
    dist = image.get("distributionConfiguration")
    if not dist:
        return [(build_region, owner, {})]
    out = []
    for entry in dist.get("distributions") or []:
        settings = entry.get("amiDistributionConfiguration") or {}
        for account in settings.get("targetAccountIds") or [owner]:
            out.append((entry["region"], account, settings))
    return out


def _container_uris(image: Resource, owner: str, build_region: str, partition: str,
                    distributed: bool) -> list[Resource]:
    """ECR URIs per Region: the recipe's repository in the build Region, tagged `<version>-<build>` and
    `latest` (two URIs: CONFIRMED count, INFERRED tags), plus each distribution's repository."""
    recipe = image.get("containerRecipe") or {}
    default_tags = [image["version"].replace("/", "-"), "latest"]
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    by_region: dict[str, list[str]] = {}

    def add(region: str, repository: str, tags: list[str]) -> None:
        uris = by_region.setdefault(region, [])
        for tag in tags:
            uri = f"{owner}.dkr.ecr.{region}.{suffix}/{repository}:{tag}"
            if uri not in uris:
                uris.append(uri)

    repository = (recipe.get("targetRepository") or {}).get("repositoryName")
    if repository:
        add(build_region, repository, default_tags)
    entries = ((image.get("distributionConfiguration") or {}).get("distributions") or []) if distributed else []
    for entry in entries:
        container = entry.get("containerDistributionConfiguration")
        if container:
            add(entry["region"], container["targetRepository"]["repositoryName"],
                container.get("containerTags") or default_tags)
    return [{"region": region, "imageUris": uris} for region, uris in by_region.items()]


def _where(image: Resource) -> tuple[str, str, str]:
    """(partition, region, account) of an image's own ARN (always well formed: no parse needed)."""
    _, partition, _, region, account, _ = image["arn"].split(":", 5)
    return partition, region, account


def _built(image: Resource, rng: random.Random) -> None:
    """The build finished: the AMI (or container image) in the build Region exists."""
    partition, build_region, owner = _where(image)
    outputs = image.setdefault("outputResources", {})
    if image.get("type") == "DOCKER":
        if not outputs.get("containers"):
            outputs["containers"] = _container_uris(image, owner, build_region, partition, False)
        return
    if not outputs.get("amis"):
        settings = {}
        if image.get("distributionConfiguration"):
            for region, account, conf in _targets(image, owner, build_region):
                if region == build_region and account == owner:
                    settings = conf
                    break
        outputs["amis"] = [_ami(image, build_region, owner, settings, build_region, rng)]


def _distributed(image: Resource, rng: random.Random) -> None:
    """Distribution finished: one AMI per target Region and account (the build one reused)."""
    partition, build_region, owner = _where(image)
    outputs = image.setdefault("outputResources", {})
    if image.get("type") == "DOCKER":
        outputs["containers"] = _container_uris(image, owner, build_region, partition, True)
        return
    existing = {(a["region"], a["accountId"]): a for a in image.get("_source_amis", []) + (outputs.get("amis") or [])}
    amis = []
    for region, account, settings in _targets(image, owner, build_region):
        ami = existing.pop((region, account), None) or _ami(image, region, account, settings, build_region, rng)
        amis.append(ami)
    outputs["amis"] = amis


# -- the image's origin (imageSource) ------------------------------------------------------------
_AMI_ID = re.compile(r"^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$")
_MARKETPLACE_PRODUCT = re.compile(
    r"^(?:prod-[a-z0-9]{8,32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def source_of(image: Resource) -> str:
    """imageSource of a build whose base image is `image`: AWS-owned images are AMAZON_MANAGED,
    Marketplace ones AWS_MARKETPLACE, imports IMPORTED, anything else built by a customer CUSTOM."""
    account = arns.parse(image["arn"]).account
    if account == "aws":
        return "AMAZON_MANAGED"
    if account == "aws-marketplace":
        return "AWS_MARKETPLACE"
    if image.get("buildType") in ("IMPORT", "IMPORT_ISO"):
        return "IMPORTED"
    return "CUSTOM"


def find_by_ami(ctx: RequestContext, ami_id: str) -> Resource | None:
    """The image that produced `ami_id` in the request's Region: an AWS-owned catalog image, or a
    build of any account (the AMI may have been distributed to the caller)."""
    image: Resource
    for image in catalog.view(ctx).images(ctx.region).values():
        if any(a["image"] == ami_id for a in image["outputResources"].get("amis", ())):
            return image
    for (_account, region), store in list(ctx.backend.stores.items()):
        if region != ctx.region:
            continue
        for image in store.images.values():
            amis = (image.get("outputResources") or {}).get("amis") or []
            if any(a.get("image") == ami_id and a.get("region") == ctx.region for a in amis):
                return image
    return None


def parent_facts(ctx: RequestContext, parent: str) -> tuple[str | None, str]:
    """(osVersion, imageSource) for a parent image given as an AMI id or a Marketplace product id
    (an AMI the mock did not make, an `ssm:` parameter: unknown OS, CUSTOM)."""
    if _AMI_ID.match(parent):
        image = find_by_ami(ctx, parent)
        if image is not None:
            return image.get("osVersion"), source_of(image)
    elif _MARKETPLACE_PRODUCT.match(parent):
        return None, "AWS_MARKETPLACE"
    return None, "CUSTOM"


# -- vulnerability scans (scanState) ------------------------------------------------------------
_SCAN_DONE = frozenset({"COMPLETED", "ABANDONED", "FAILED", "TIMED_OUT"})


def start_scan(ctx: RequestContext, image: Resource) -> None:
    """Lifecycle starter: a build with image scanning enabled starts with scanState PENDING."""
    scanning = image.get("imageScanningConfiguration")
    if scanning and scanning.get("imageScanningEnabled"):
        image["scanState"] = {"status": "PENDING"}


def _scan_on_transition(image: Resource, old: str, new: str) -> None:
    """PENDING → SCANNING (tests run) → COLLECTING (tests done) → COMPLETED (before INTEGRATING);
    ABANDONED when the build stops first; RetryImage restarts an abandoned scan."""
    scan = image.get("scanState")
    if scan is None:
        return
    status = scan["status"]
    if new in ("FAILED", "CANCELLED"):
        if status not in _SCAN_DONE:
            image["scanState"] = {"status": "ABANDONED", "reason": f"The image build ended with status {new} "
                                                                   "before the scan findings were collected."}
        return
    if old in ("FAILED", "CANCELLED"):  # RetryImage
        if status == "COMPLETED":
            return
        if new == "TESTING":
            status = "SCANNING"
        elif lifecycle.path_order(new) > lifecycle.path_order("TESTING"):
            status = "COLLECTING"
        else:
            status = "PENDING"
    elif new == "TESTING":
        status = "SCANNING"
    elif old == "TESTING":
        status = "COLLECTING"
    elif new in ("INTEGRATING", "AVAILABLE") and status not in _SCAN_DONE:
        status = "COMPLETED"
    if status != scan["status"]:
        image["scanState"] = {"status": status}


def on_transition(ctx: RequestContext, image: Resource, old: str, new: str) -> None:
    """Lifecycle listener: produce outputs (and scan states) as the build passes its stages."""
    if "scanState" in image:
        _scan_on_transition(image, old, new)
    if new in ("FAILED", "CANCELLED"):
        return
    if old == "BUILDING":
        _built(image, ctx.backend.random)
    elif old == "DISTRIBUTING":
        _distributed(image, ctx.backend.random)


class _Outputs(lifecycle.LifecycleHook):
    """The lifecycle hook of this module: scan states from the start, outputs as stages end."""

    def on_begin(self, ctx: RequestContext, image: Resource) -> None:
        start_scan(ctx, image)

    def on_transition(self, ctx: RequestContext, image: Resource, old: str, new: str) -> None:
        on_transition(ctx, image, old, new)


OUTPUTS = _Outputs()
