"""What a finished build leaves behind: AMIs per Region and account, or container image URIs.

The build Region's AMI appears when BUILDING ends; distributed copies when DISTRIBUTING ends
(a cancelled build keeps what it already made). Imports have no distribution phase: their one AMI
appears when BUILDING ends. Registered as the first lifecycle listener.
"""

from __future__ import annotations

import datetime
import os
import random
import re

from ..._backend import arns, lifecycle
from ..._backend.clock import UTC
from .._shared import catalog

_VARIABLE = re.compile(r"\{\{\s*imagebuilder:(buildDate|buildVersion)(?::([^}\s]+))?\s*\}\}")
#: Java-style date pattern letters the service accepts in `{{ imagebuilder:buildDate:<format> }}`.
_DATE_LETTERS = (("yyyy", "%Y"), ("yy", "%y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"),
                 ("ss", "%S"))


#: The state of every AMI a build makes: shared, never changed in place.
AMI_AVAILABLE = {"status": "AVAILABLE"}
_RNG = random.Random()  # private: seeding `random` in a test neither repeats our ids nor sees us draw
os.register_at_fork(after_in_child=_RNG.seed)


def new_ami_id(_bits=_RNG.getrandbits) -> str:
    """`ami-` and 17 random hex digits, as EC2 hands them out."""
    return f"ami-{_bits(68):017x}"


def build_date(moment: datetime.datetime, fmt: str | None = None) -> str:
    """The `buildDate` variable: `2022-10-26T22-30-05.912619Z` by default (the model's example)."""
    global _last_second
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    if not fmt:
        if moment.year < 1000:  # strftime's %Y does not pad: keep its text
            return moment.strftime("%Y-%m-%dT%H-%M-%S.%fZ")
        # strftime("%Y-%m-%dT%H-%M-%S.%fZ"): the text up to the second made once per second (builds that
        # start in the same second share it), from the (faster) ISO text "YYYY-MM-DDTHH:MM:SS+00:00"
        second = (moment.second, moment.minute, moment.hour, moment.day, moment.month, moment.year)
        last = _last_second
        if last[0] != second:
            last = _last_second = (second, moment.isoformat(timespec="seconds")[:19].replace(":", "-") + ".")
        return f"{last[1]}{moment.microsecond:06d}Z"
    out = fmt
    for letters, directive in _DATE_LETTERS:
        out = out.replace(letters, moment.strftime(directive))
    return out


_last_second: tuple = ((), "")  # the second and the "YYYY-MM-DDTHH-MM-SS." text of the last `build_date`


def expand(template: str, image: dict, moment: datetime.datetime) -> str:
    """Expand the `{{ imagebuilder:... }}` variables of an AMI name or tag value."""
    def value(match: re.Match) -> str:
        if match.group(1) == "buildDate":
            return build_date(moment, match.group(2))
        return image["version"].rsplit("/", 1)[-1]

    return _VARIABLE.sub(value, template)


def _moment(image: dict) -> datetime.datetime:
    """When the build started, to the microsecond: the lifecycle book's `started` (or an import's `_started`)."""
    started = image.get("_started")
    if started is None:
        book = image.get("_lifecycle")
        if book is not None:
            started = book.started
    if started is not None:
        return datetime.datetime.fromtimestamp(started, UTC)
    return datetime.datetime.strptime(image["dateCreated"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _ami(image: dict, region: str, account: str, settings: dict, build_region: str) -> dict:
    moment = _moment(image)
    template = settings.get("name")
    name = expand(template, image, moment) if template else f"{image['name']} {build_date(moment)}"
    ami = {"region": region, "image": new_ami_id(), "name": name, "accountId": account, "state": AMI_AVAILABLE}
    description = settings.get("description")
    if description is None and region == build_region and account == image.get("owner"):
        description = (image.get("imageRecipe") or {}).get("description")
    if description:
        ami["description"] = description
    return ami


def _targets(image: dict, owner: str, build_region: str) -> list[tuple[str, str, dict]]:
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


def _container_uris(image: dict, owner: str, build_region: str, partition: str, distributed: bool) -> list[dict]:
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


def _where(image: dict) -> tuple[str, str, str]:
    """(partition, region, account) of an image's own ARN (always well formed: no parse needed)."""
    _, partition, _, region, account, _ = image["arn"].split(":", 5)
    return partition, region, account


def _built(image: dict, where: tuple[str, str, str] | None = None) -> None:
    """The build finished: the AMI (or container image) in the build Region exists."""
    partition, build_region, owner = where or _where(image)
    outputs = image.get("outputResources")
    if outputs is None:
        outputs = image["outputResources"] = {}
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
        outputs["amis"] = [_ami(image, build_region, owner, settings, build_region)]


def _distributed(image: dict, where: tuple[str, str, str] | None = None) -> None:
    """Distribution finished: one AMI per target Region and account (the build one reused)."""
    partition, build_region, owner = where or _where(image)
    outputs = image.get("outputResources")
    if outputs is None:
        outputs = image["outputResources"] = {}
    if image.get("type") == "DOCKER":
        outputs["containers"] = _container_uris(image, owner, build_region, partition, True)
        return
    amis = outputs.get("amis")
    if not image.get("distributionConfiguration") and not image.get("_source_amis") and amis and len(amis) == 1 \
            and amis[0]["region"] == build_region and amis[0]["accountId"] == owner:
        return  # no distribution configuration: the one target is the build's own AMI, already there
    existing = {(a["region"], a["accountId"]): a for a in image.get("_source_amis", []) + (outputs.get("amis") or [])}
    amis = []
    for region, account, settings in _targets(image, owner, build_region):
        ami = existing.pop((region, account), None) or _ami(image, region, account, settings, build_region)
        amis.append(ami)
    outputs["amis"] = amis


# -- the image's origin (imageSource) ------------------------------------------------------------
_AMI_ID = re.compile(r"^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$")
_MARKETPLACE_PRODUCT = re.compile(
    r"^(?:prod-[a-z0-9]{8,32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def source_of(image: dict) -> str:
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


def find_by_ami(ctx, ami_id: str) -> dict | None:
    """The image that produced `ami_id` in the request's Region: an AWS-owned catalog image, or a
    build of any account (the AMI may have been distributed to the caller)."""
    for image in catalog.images(ctx.region).values():
        if any(a["image"] == ami_id for a in image["outputResources"]["amis"]):
            return image
    for (_account, region), store in list(ctx.backend.stores.items()):
        if region != ctx.region:
            continue
        for image in store.images.values():
            amis = (image.get("outputResources") or {}).get("amis") or []
            if any(a.get("image") == ami_id and a.get("region") == ctx.region for a in amis):
                return image
    return None


def parent_facts(ctx, parent: str) -> tuple[str | None, str]:
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


def start_scan(ctx, image: dict) -> None:
    """Lifecycle starter: a build with image scanning enabled starts with scanState PENDING."""
    scanning = image.get("imageScanningConfiguration")
    if scanning and scanning.get("imageScanningEnabled"):
        image["scanState"] = {"status": "PENDING"}


def _scan_on_transition(image: dict, old: str, new: str) -> None:
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


def on_transition(ctx, image: dict, old: str, new: str) -> None:
    """Lifecycle listener: produce outputs (and scan states) as the build passes its stages."""
    if "scanState" in image:
        _scan_on_transition(image, old, new)
    if new in ("FAILED", "CANCELLED"):
        return
    if old == "BUILDING":
        _built(image)
    elif old == "DISTRIBUTING":
        _distributed(image)


def _on_run(ctx, image: dict, passed: tuple[str, ...]) -> None:
    """`on_transition` for each step of a run through `passed` (path statuses: no stop among them)."""
    if "scanState" in image:
        for old, new in zip(passed, passed[1:]):
            _scan_on_transition(image, old, new)
    builds, distributes = _RUN_STAGES[passed]
    where = _where(image)
    if builds and distributes and image.get("type") == "AMI" and "outputResources" not in image \
            and not image.get("distributionConfiguration") and not image.get("_source_amis"):
        # the usual build: its one AMI, in the build Region (what `_built` then `_distributed` make)
        _, build_region, owner = where
        image["outputResources"] = {"amis": [_ami(image, build_region, owner, _NO_SETTINGS, build_region)]}
        return
    if builds:
        _built(image, where)
    if distributes:
        _distributed(image, where)


class _RunStages(dict):
    """passed statuses -> (whether BUILDING ends in the run, whether DISTRIBUTING does)."""

    def __missing__(self, passed: tuple[str, ...]) -> tuple[bool, bool]:
        value = self[passed] = ("BUILDING" in passed[:-1], "DISTRIBUTING" in passed[:-1])
        return value


_RUN_STAGES = _RunStages()
_NO_SETTINGS: dict = {}  # the amiDistributionConfiguration of a build without distributions: read-only


on_transition.run = _on_run  # type: ignore[attr-defined]

if on_transition not in lifecycle.listeners:
    lifecycle.listeners.insert(0, on_transition)
if start_scan not in lifecycle.starters:
    lifecycle.starters.append(start_scan)
