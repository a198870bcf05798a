"""ARNs and name normalisation, as the service shapes them."""

from __future__ import annotations

import re
from typing import NamedTuple

from .caches import memoize
from .._engine._errors import invalid_value
from .resource_types import ARN_TYPES

_ARN = re.compile(r"^arn:(?P<partition>aws[^:]*):imagebuilder:(?P<region>[^:]*):(?P<account>[^:]*):(?P<rest>.+)$")


class Arn(NamedTuple):
    partition: str
    region: str
    account: str
    resource_type: str
    name: str
    version: str | None  # "1.0.0", "1.x.x" or None
    build: str | None  # "1" or None
    workflow_type: str | None = None  # build|test|distribution for workflows

    @property
    def version_arn(self) -> str:
        """The ARN without its build node."""
        return make(self.partition, self.region, self.account, self.resource_type, self.name,
                    self.version, None, self.workflow_type)


def normalize_name(name: str) -> str:
    """The ARN segment of a name: lower case, spaces and underscores made hyphens."""
    low = name.lower()
    return low.replace(" ", "-").replace("_", "-") if " " in low or "_" in low else low


def partition_for(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def make(partition: str, region: str, account: str, resource_type: str, name: str,
         version: str | None = None, build: str | int | None = None, workflow_type: str | None = None) -> str:
    """`arn:partition:imagebuilder:region:account:type[/workflow type]/name[/version[/build]]`."""
    node = normalize_name(name)
    if workflow_type:
        node = f"{workflow_type.lower()}/{node}"
    if version is None:
        return f"arn:{partition}:imagebuilder:{region}:{account}:{resource_type}/{node}"
    if build is None:
        return f"arn:{partition}:imagebuilder:{region}:{account}:{resource_type}/{node}/{version}"
    return f"arn:{partition}:imagebuilder:{region}:{account}:{resource_type}/{node}/{version}/{build}"


def parse(arn: str, param: str = "arn") -> Arn:
    """Split an Image Builder ARN; anything else is the service's InvalidParameterValueException."""
    parsed = _split(arn) if isinstance(arn, str) else None
    if parsed is None:
        raise invalid_value(param, f"The ARN '{arn}' is not a valid Image Builder ARN.")
    return parsed


@memoize(maxsize=128)
def _split(arn: str) -> Arn | None:
    """The parts of `arn`, or None if it is no Image Builder ARN. Cached: a request parses ~16 ARNs, the
    same few again and again, and an Arn is immutable; a small cache (a larger one holds every create's
    new ARN, which the memory benchmark counts: 1,024 entries cost ~440 bytes per stored image)."""
    fields = arn.split(":", 5)
    if len(fields) < 6 or fields[0] != "arn" or fields[2] != "imagebuilder" or "\n" in arn:
        return _split_strictly(arn)
    _, partition, _, region, account, rest = fields
    if not partition.startswith("aws") or not rest:
        return None
    return _parts(partition, region, account, rest)


def _split_strictly(arn: str) -> Arn | None:
    """`_split` by the regular expression (what the quick split leaves to it: line breaks, non-ARNs)."""
    match = _ARN.match(arn)
    if not match:
        return None
    return _parts(match["partition"], match["region"], match["account"], match["rest"])


def _parts(partition: str, region: str, account: str, rest: str) -> Arn | None:
    segments = rest.split("/")
    resource_type = segments[0]
    workflow_type = None
    if resource_type == "workflow" and len(segments) > 1:
        workflow_type = segments[1]
        segments = [resource_type] + segments[2:]
    if len(segments) < 2 or not all(segments):
        return None
    name = segments[1]
    version = segments[2] if len(segments) > 2 else None
    build = segments[3] if len(segments) > 3 else None
    if len(segments) > 4 or (version is not None and not _versioned(resource_type)):
        return None
    return Arn(partition, region, account, resource_type, name, version, build, workflow_type)


def _versioned(resource_type: str) -> bool:
    """Whether ARNs of `resource_type` carry a semantic version after the name."""
    known = ARN_TYPES.get(resource_type)
    return known is not None and known.versioned
