"""What a finished build leaves behind: AMIs per Region and account, or container image URIs.

The build Region's AMI appears when BUILDING ends; distributed copies when DISTRIBUTING ends
(a cancelled build keeps what it already made). Imports have no distribution phase: their one AMI
appears when BUILDING ends. Registered as the first lifecycle listener.
"""

from __future__ import annotations

import datetime
import re
import secrets

from .._backend import arns, lifecycle
from .._backend.clock import UTC

_VARIABLE = re.compile(r"\{\{\s*imagebuilder:(buildDate|buildVersion)(?::([^}\s]+))?\s*\}\}")
#: Java-style date pattern letters the service accepts in `{{ imagebuilder:buildDate:<format> }}`.
_DATE_LETTERS = (("yyyy", "%Y"), ("yy", "%y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"),
                 ("ss", "%S"))


def new_ami_id() -> str:
    """`ami-` and 17 hex digits, as EC2 hands them out."""
    return "ami-" + secrets.token_hex(9)[:17]


def build_date(moment: datetime.datetime, fmt: str | None = None) -> str:
    """The `buildDate` variable: `2022-10-26T22-30-05.912619Z` by default (the model's example)."""
    moment = moment.astimezone(UTC)
    if not fmt:
        return moment.strftime("%Y-%m-%dT%H-%M-%S.%fZ")
    out = fmt
    for letters, directive in _DATE_LETTERS:
        out = out.replace(letters, moment.strftime(directive))
    return out


def expand(template: str, image: dict, moment: datetime.datetime) -> str:
    """Expand the `{{ imagebuilder:... }}` variables of an AMI name or tag value."""
    def value(match: re.Match) -> str:
        if match.group(1) == "buildDate":
            return build_date(moment, match.group(2))
        return image["version"].rsplit("/", 1)[-1]

    return _VARIABLE.sub(value, template)


def _moment(image: dict) -> datetime.datetime:
    if image.get("_started") is not None:
        return datetime.datetime.fromtimestamp(image["_started"], UTC)
    return datetime.datetime.strptime(image["dateCreated"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _ami(image: dict, region: str, account: str, settings: dict, build_region: str) -> dict:
    moment = _moment(image)
    template = settings.get("name")
    name = expand(template, image, moment) if template else f"{image['name']} {build_date(moment)}"
    ami = {"region": region, "image": new_ami_id(), "name": name, "accountId": account,
           "state": {"status": "AVAILABLE"}}
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


def _built(image: dict) -> None:
    """The build finished: the AMI (or container image) in the build Region exists."""
    parsed = arns.parse(image["arn"])
    outputs = image.setdefault("outputResources", {})
    if image.get("type") == "DOCKER":
        if not outputs.get("containers"):
            outputs["containers"] = _container_uris(image, parsed.account, parsed.region, parsed.partition, False)
        return
    if not outputs.get("amis"):
        settings = {}
        for region, account, conf in _targets(image, parsed.account, parsed.region):
            if region == parsed.region and account == parsed.account:
                settings = conf
                break
        outputs["amis"] = [_ami(image, parsed.region, parsed.account, settings, parsed.region)]


def _distributed(image: dict) -> None:
    """Distribution finished: one AMI per target Region and account (the build one reused)."""
    parsed = arns.parse(image["arn"])
    outputs = image.setdefault("outputResources", {})
    if image.get("type") == "DOCKER":
        outputs["containers"] = _container_uris(image, parsed.account, parsed.region, parsed.partition, True)
        return
    existing = {(a["region"], a["accountId"]): a for a in image.get("_source_amis", []) + (outputs.get("amis") or [])}
    amis = []
    for region, account, settings in _targets(image, parsed.account, parsed.region):
        ami = existing.pop((region, account), None) or _ami(image, region, account, settings, parsed.region)
        amis.append(ami)
    outputs["amis"] = amis


def on_transition(ctx, image: dict, old: str, new: str) -> None:
    """Lifecycle listener: produce outputs as the build passes its stages."""
    if new in ("FAILED", "CANCELLED"):
        return
    if old == "BUILDING":
        _built(image)
    elif old == "DISTRIBUTING":
        _distributed(image)


if on_transition not in lifecycle.listeners:
    lifecycle.listeners.insert(0, on_transition)
