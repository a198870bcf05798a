"""Lifecycle policy rules: what a valid policy is, and which images each rule acts on.

Validation follows the model's documentation (one rule per action type, COUNT only with DELETE,
container policies only DELETE, includeResources limits, exactly one resource selection); the
evaluation is how an execution picks images (see docs/notes/lifecycle-policies.md for what is
CONFIRMED and what is INFERRED).
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
from typing import Iterable, cast

from ..._backend import arns, versions
from ..._backend.clock import UTC, parse_iso
from ..._engine._errors import ServiceError, invalid_combination, invalid_value
from .._shared.types import Params, Resource

#: Strongest first: an image that several rules match gets the strongest action.
SEVERITY = ("DELETE", "DISABLE", "DEPRECATE")
#: Image statuses each action can act on (the image must have been built and not deleted).
ACTIONABLE = {
    "DELETE": frozenset({"AVAILABLE", "DEPRECATED", "DISABLED"}),
    "DISABLE": frozenset({"AVAILABLE", "DEPRECATED"}),
    "DEPRECATE": frozenset({"AVAILABLE"}),
}
#: Statuses of built images that count towards COUNT and retainAtLeast.
ON_HAND = frozenset({"AVAILABLE", "DEPRECATED", "DISABLED"})
IMAGE_TYPE = {"AMI_IMAGE": "AMI", "CONTAINER_IMAGE": "DOCKER"}
TARGET_STATUS = {"DELETE": "DELETED", "DISABLE": "DISABLED", "DEPRECATE": "DEPRECATED"}


# -- validation ------------------------------------------------------------------------------
def validate_policy(params: Params) -> None:
    """Every semantic rule of a policy the model documents (patterns/enums/ranges are the engine's)."""
    resource_type = params["resourceType"]
    seen: set[str] = set()
    for index, detail in enumerate(params["policyDetails"]):
        _validate_detail(detail, f"policyDetails[{index}]", resource_type, seen)
    _validate_selection(params["resourceSelection"])


def _validate_detail(detail: Resource, path: str, resource_type: str, seen: set[str]) -> None:
    action = detail["action"]["type"]
    if action in seen:
        raise invalid_value("policyDetails", f"A lifecycle policy can contain at most one rule per action type, "
                                             f"but the action type '{action}' appears more than once.")
    seen.add(action)
    if resource_type == "CONTAINER_IMAGE" and action != "DELETE":
        raise invalid_value(f"{path}.action.type", f"Lifecycle policies for CONTAINER_IMAGE resources support only "
                                                   f"the DELETE action, not '{action}'.")
    _validate_include(detail["action"].get("includeResources") or {}, f"{path}.action.includeResources",
                      action, resource_type)
    flt = detail["filter"]
    if flt["type"] == "COUNT":
        if action != "DELETE":
            raise invalid_value(f"{path}.filter.type", "You can only use the COUNT filter with the DELETE action type.")
        if flt.get("unit") is not None:
            raise invalid_value(f"{path}.filter.unit", "A unit applies only to AGE filters.")
        if flt.get("retainAtLeast") is not None:
            raise invalid_value(f"{path}.filter.retainAtLeast", "retainAtLeast applies only to AGE filters.")
    elif flt.get("unit") is None:
        raise invalid_value(f"{path}.filter.unit", "A unit is required for AGE filters.")
    rules = detail.get("exclusionRules")
    if rules is not None:
        if not rules.get("tagMap") and rules.get("amis") is None:
            raise invalid_value(f"{path}.exclusionRules", "Exclusion rules must specify tagMap or amis.")
        if rules.get("amis") is not None and resource_type == "CONTAINER_IMAGE":
            raise invalid_value(f"{path}.exclusionRules.amis", "AMI exclusion rules apply only to AMI_IMAGE policies.")


def _validate_include(include: Resource, path: str, action: str, resource_type: str) -> None:
    if resource_type == "AMI_IMAGE" and include.get("containers"):
        raise invalid_value(f"{path}.containers", "containers can be included only by CONTAINER_IMAGE policies.")
    if resource_type == "CONTAINER_IMAGE" and (include.get("amis") or include.get("snapshots")):
        raise invalid_value(path, "amis and snapshots can be included only by AMI_IMAGE policies.")
    if action != "DELETE" and include.get("snapshots"):
        raise invalid_value(f"{path}.snapshots", f"{action} rules can include AMIs only; snapshots can be included "
                                                 "only by DELETE rules.")
    if include.get("snapshots") and not include.get("amis"):
        raise invalid_value(f"{path}.snapshots", "You can only include snapshots together with AMIs.")


def _validate_selection(selection: Resource) -> None:
    given = [name for name in ("recipes", "tagMap") if selection.get(name)]
    if len(given) != 1:
        raise invalid_combination("resourceSelection", "You must specify exactly one selection criteria: either "
                                                       "recipes or a tag map, not both.")
    for index, recipe in enumerate(selection.get("recipes") or []):
        versions.parse(recipe["semanticVersion"], f"resourceSelection.recipes[{index}].semanticVersion",
                       wildcards=True)


# -- dates -----------------------------------------------------------------------------------
def as_datetime(value: str | float | datetime.datetime) -> datetime.datetime:
    """A stored date (ISO string, epoch number or datetime) as an aware datetime."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, UTC)
    try:
        return parse_iso(value)
    except ValueError:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def minus(moment: datetime.datetime, value: int, unit: str) -> datetime.datetime:
    """`moment` moved back `value` DAYS/WEEKS/MONTHS/YEARS (calendar months and years)."""
    if unit == "DAYS":
        return moment - datetime.timedelta(days=value)
    if unit == "WEEKS":
        return moment - datetime.timedelta(weeks=value)
    months = value * (12 if unit == "YEARS" else 1)
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


# -- selection -------------------------------------------------------------------------------
def has_any_tag(tags: Resource | None, wanted: Resource | None) -> bool:
    """Whether `tags` has any of the `wanted` key/value pairs (both must match)."""
    tags = tags or {}
    return any(key in tags and tags[key] == value for key, value in (wanted or {}).items())


def selects(policy: Resource, image: Resource) -> bool:
    """Whether the policy's resourceType and resourceSelection pick `image`."""
    if image.get("type") != IMAGE_TYPE[policy["resourceType"]]:
        return False
    selection = policy["resourceSelection"]
    if selection.get("tagMap"):
        return has_any_tag(image.get("tags"), selection["tagMap"])
    parsed = arns.parse(image["arn"])
    for recipe in selection.get("recipes") or []:
        if arns.normalize_name(recipe["name"]) != parsed.name:
            continue
        if versions.matches(versions.parse(recipe["semanticVersion"], wildcards=True),
                            cast(str, parsed.version)):  # an image ARN has a version
            return True
    return False


def group_key(image: Resource) -> str:
    """Images of one recipe version form a group for COUNT and retainAtLeast."""
    return arns.parse(image["arn"]).version_arn


def _newest_first(images: Iterable[Resource]) -> list[Resource]:
    return sorted(images, key=lambda i: (as_datetime(i["dateCreated"]), int(arns.parse(i["arn"]).build or 0)),
                  reverse=True)


def filter_matches(detail: Resource, images: list[Resource], now: datetime.datetime) -> dict[str, str]:
    """Image ARN -> reason, for the images of `images` (all of one policy) this rule's filter picks."""
    flt = detail["filter"]
    groups: dict[str, list[Resource]] = {}
    for image in images:
        if image["state"]["status"] in ON_HAND:
            groups.setdefault(group_key(image), []).append(image)
    picked: dict[str, str] = {}
    for members in groups.values():
        ordered = _newest_first(members)
        if flt["type"] == "COUNT":
            for image in ordered[flt["value"]:]:
                picked[image["arn"]] = f"The image is older than the newest {flt['value']} images of its recipe."
            continue
        cutoff = minus(now, flt["value"], flt["unit"])
        keep = flt.get("retainAtLeast") or 0
        for image in ordered[keep:]:
            if as_datetime(image["dateCreated"]) <= cutoff:
                picked[image["arn"]] = (f"The image is older than {flt['value']} {flt['unit'].lower()}"
                                        + (f" and more than {keep} images are on hand." if keep else "."))
    return picked


# -- exclusions ------------------------------------------------------------------------------
def excluded_by_tags(detail: Resource, image: Resource) -> bool:
    return has_any_tag(image.get("tags"), (detail.get("exclusionRules") or {}).get("tagMap"))


def _ami_distribution(image: Resource, region: str | None) -> Resource:
    for entry in (image.get("distributionConfiguration") or {}).get("distributions") or []:
        if entry.get("region") == region:
            return entry.get("amiDistributionConfiguration") or {}
    return {}


def ami_exclusion(rules: Resource | None, image: Resource, ami: Resource) -> str | None:
    """Why `ami` (an entry of the image's outputResources.amis) is excluded, or None.

    The mock has no EC2: public/shared/tags come from the image's distribution settings for the
    AMI's region; no launch is ever recorded, so `lastLaunched` never excludes (as documented for
    AMIs without a last-launched time)."""
    if not rules:
        return None
    region = ami.get("region")
    if region in (rules.get("regions") or []):
        return f"The AMI is in the excluded region {region}."
    settings = _ami_distribution(image, region)
    permission = settings.get("launchPermission") or {}
    if rules.get("isPublic") and "all" in (permission.get("userGroups") or []):
        return "The AMI is public."
    shared = set(permission.get("userIds") or []) & set(rules.get("sharedAccounts") or [])
    if shared:
        return f"The AMI is shared with the excluded account {sorted(shared)[0]}."
    if has_any_tag(settings.get("amiTags"), rules.get("tagMap")):
        return "The AMI has an excluded tag."
    return None


def snapshot_id(ami_id: str) -> str:
    """A stable, EC2-shaped snapshot id for an AMI of the mock (one root snapshot per AMI)."""
    return "snap-" + hashlib.sha1(ami_id.encode()).hexdigest()[:17]


def not_actionable(image: Resource, status: str) -> ServiceError:
    return ServiceError("InvalidRequestException",
                        f"The image '{image['arn']}' is in state {image['state']['status']} and cannot move to "
                        f"{status}.")
