"""AWS-owned resources (account segment `aws`): the images, components and workflows that real recipes
and pipelines use as parents, components and workflows. The entries come from `data/catalog.yaml`
(docs/catalog.md lists its sources); each Region's resources are built from them on first use and are
read-only. `view(ctx)` is what a request sees: this catalog, or the mock's own extension of it
(`m.catalog`, `catalog_extension.py`)."""

from __future__ import annotations

import hashlib
import pathlib
from typing import Any, Iterable, Protocol

from ..._backend.caches import memoize
from ..._backend import arns
from ..._backend.context import RequestContext
from .types import Resource

CATALOG_DATE = "2025-11-04T00:00:00.000Z"
DATA_FILE = pathlib.Path(__file__).with_name("data") / "catalog.yaml"
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")

#: Account segments of AWS-owned resources the catalog holds (`third-party` has no entries).
ACCOUNTS = ("aws", "aws-marketplace", "third-party")

_DOCUMENT = """name: {name}
description: {description}
schemaVersion: 1.0
{parameters}phases:
  - name: {phase}
    steps:
      - name: {step}
        action: {action}
        inputs:
          commands:
            - {command}
"""


def load_yaml_file(path: str | pathlib.Path) -> Any:
    """A YAML (or JSON: YAML's subset) file, read with libyaml where PyYAML has it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader


def entries(document: Resource, kind: str) -> list[Resource]:
    """The entries of one kind (`images`, `components`, `workflows`) of a catalog document: each group's
    keys are the defaults of its `entries`; an item without `entries` is an entry itself."""
    out: list[Resource] = []
    for group in document.get(kind) or ():
        if "entries" in group:
            defaults = {k: v for k, v in group.items() if k != "entries"}
            out.extend({**defaults, **entry} for entry in group["entries"])
        else:
            out.append(dict(group))
    return out


@memoize(maxsize=None)
def _data() -> Resource:
    """The built-in catalog document (read once per process)."""
    document: Resource = load_yaml_file(DATA_FILE)
    return document


def builtin_entries(kind: str) -> list[Resource]:
    return entries(_data(), kind)


def ami_id(seed: str) -> str:
    """A stable AMI id shaped like a real one: `ami-` and 17 hex digits."""
    return "ami-" + hashlib.sha1(seed.encode()).hexdigest()[:17]


def _arn(region: str, resource_type: str, name: str, version: str | None = None, build: int | None = None,
         workflow_type: str | None = None, account: str = "aws") -> str:
    return arns.make(arns.partition_for(region), region, account, resource_type, name, version, build, workflow_type)


def _offered(entry: Resource, region: str) -> bool:
    return arns.partition_for(region) in (entry.get("partitions") or PARTITIONS)


def _versions(entry: Resource) -> list[str]:
    return [str(v) for v in entry.get("versions") or ("1.0.0",)]


def build_images(region: str, image_entries: Iterable[Resource], account: str = "aws") -> dict[str, Resource]:
    """Build ARN -> image (AVAILABLE) in `region` for each entry's versions."""
    out = {}
    for entry in image_entries:
        if not _offered(entry, region):
            continue
        name, image_type = entry["name"], entry.get("type", "AMI")
        for version in _versions(entry):
            arn = _arn(region, "image", name, version, 1, account=account)
            image = {
                "arn": arn, "type": image_type, "name": name, "version": f"{version}/1",
                "platform": entry.get("platform", "Linux"), "osVersion": entry.get("osVersion"),
                "owner": "Amazon" if account == "aws" else account, "state": {"status": "AVAILABLE"},
                "dateCreated": entry.get("dateCreated", CATALOG_DATE), "buildType": "USER_INITIATED",
                "tags": {}, "enhancedImageMetadataEnabled": True, "_build": 1,
                "_source": entry.get("source"),
            }
            if image_type == "DOCKER":
                uri = entry.get("uri") or f"{name}:latest"
                image["outputResources"] = {"containers": [{"region": region, "imageUris": [uri]}]}
            else:
                image["outputResources"] = {"amis": [{
                    "region": region, "image": entry.get("amiId") or ami_id(f"{name}/{version}/{region}"),
                    "name": f"{name} {version}", "accountId": account, "state": {"status": "AVAILABLE"}}]}
            out[arn] = {k: v for k, v in image.items() if v is not None}
    return out


def component_document(entry: Resource) -> str:
    """The entry's `data`, or an AWSTOE document generated from its description, phase, parameters and command."""
    if entry.get("data"):
        data: str = entry["data"]
        return data
    windows = entry.get("platform") == "Windows"
    parameters = ""
    if entry.get("parameters"):
        lines = ["parameters:"]
        for parameter in entry["parameters"]:
            lines.append(f"  - {parameter['name']}:")
            lines.append(f"      type: {parameter.get('type', 'string')}")
            if "default" in parameter:
                lines.append(f"      default: '{parameter['default']}'")
            if parameter.get("description"):
                lines.append(f"      description: {parameter['description']}")
        parameters = "\n".join(lines) + "\n"
    phase = entry.get("phase") or ("test" if entry.get("type") == "TEST" else "build")
    name = entry["name"]
    return _DOCUMENT.format(
        name=name, description=entry.get("description") or name, parameters=parameters, phase=phase,
        step=entry.get("step") or "".join(part.capitalize() for part in name.split("-"))[:100],
        action="ExecutePowerShell" if windows else "ExecuteBash",
        command=entry.get("command") or (f"Write-Host '{name}'" if windows else f"echo '{name}'"))


def build_components(region: str, component_entries: Iterable[Resource], account: str = "aws") -> dict[str, Resource]:
    """Build ARN -> component in `region` for each entry's versions."""
    from ..components.documents import parse as parse_document

    out = {}
    for entry in component_entries:
        if not _offered(entry, region):
            continue
        platform = entry.get("platform", "Linux")
        doc = component_document(entry)
        parameters = parse_document(doc, platform).parameters
        for version in _versions(entry):
            arn = _arn(region, "component", entry["name"], version, 1, account=account)
            item = {
                "arn": arn, "name": entry["name"], "version": version, "description": entry.get("description"),
                "type": entry.get("type", "BUILD"), "platform": platform, "state": {"status": "ACTIVE"},
                "owner": "Amazon" if account == "aws" else account, "data": doc, "encrypted": True,
                "dateCreated": entry.get("dateCreated", CATALOG_DATE), "tags": {}, "_build": 1,
                "_source": entry.get("source"),
            }
            if entry.get("supportedOsVersions"):
                item["supportedOsVersions"] = list(entry["supportedOsVersions"])
            if parameters:
                item["parameters"] = parameters
            out[arn] = {k: v for k, v in item.items() if v is not None}
    return out


def build_workflows(region: str, workflow_entries: Iterable[Resource], account: str = "aws") -> dict[str, Resource]:
    """Build ARN -> workflow in `region` for each entry's versions."""
    from ..workflows.documents import parameter_details, parse

    out = {}
    for entry in workflow_entries:
        if not _offered(entry, region):
            continue
        wtype, data = entry["type"], entry["data"]
        parameters = parameter_details(parse(data, wtype))
        for version in _versions(entry):
            arn = _arn(region, "workflow", entry["name"], version, 1, wtype, account=account)
            out[arn] = {"arn": arn, "name": entry["name"], "version": version, "description": entry.get("description"),
                        "type": wtype, "owner": "Amazon" if account == "aws" else account, "data": data,
                        "dateCreated": entry.get("dateCreated", CATALOG_DATE), "tags": {},
                        "parameters": parameters, "_build": 1, "_source": entry.get("source")}
    return out


@memoize(maxsize=None)
def images(region: str) -> dict[str, Resource]:
    """Build ARN -> AWS-owned image (AVAILABLE) in `region`."""
    return build_images(region, builtin_entries("images"))


@memoize(maxsize=None)
def components(region: str) -> dict[str, Resource]:
    """Build ARN -> AWS-owned component in `region`."""
    return build_components(region, builtin_entries("components"))


@memoize(maxsize=None)
def workflows(region: str) -> dict[str, Resource]:
    """Build ARN -> AWS-managed workflow in `region`."""
    return build_workflows(region, builtin_entries("workflows"))


@memoize(maxsize=None)
def collection(region: str, resource_type: str, account: str | None = None) -> dict[str, Resource]:
    """The catalog's resources of one ARN resource type, of one catalog `account` (`aws`,
    `aws-marketplace`, `third-party`) or, without `account`, of all of them (empty for types the
    catalog has none of). AWS Marketplace components come from `marketplace.py`."""
    if account is None:
        merged: dict[str, Resource] = {}
        for each in ACCOUNTS:
            merged.update(collection(region, resource_type, each))
        return merged
    if account == "aws-marketplace":
        if resource_type != "component":
            return {}
        from ..marketplace.handlers import marketplace_components  # marketplace imports this module

        return marketplace_components(region)
    if account != "aws":
        return {}
    if resource_type == "image":
        return images(region)
    if resource_type == "component":
        return components(region)
    if resource_type == "workflow":
        return workflows(region)
    return {}


@memoize(maxsize=None)
def by_name(region: str, resource_type: str, account: str) -> dict[str, tuple[Resource, ...]]:
    """`collection(region, resource_type, account)` by the name in each ARN: what a version or wildcard
    ARN of that name can match (the catalog never changes, so this is built once per Region)."""
    return group_by_name(collection(region, resource_type, account).values())


def group_by_name(items: Iterable[Resource]) -> dict[str, tuple[Resource, ...]]:
    named: dict[str, list[Resource]] = {}
    for item in items:
        named.setdefault(arns.parse(item["arn"]).name, []).append(item)
    return {name: tuple(found) for name, found in named.items()}


class CatalogView(Protocol):
    """What lookups and listings read a catalog through: `BuiltinCatalog`, or a mock's `m.catalog`
    (`catalog_extension.CatalogExtension`) once it has entries."""

    def collection(self, region: str, resource_type: str, account: str | None = None) -> dict[str, Resource]: ...

    def images(self, region: str) -> dict[str, Resource]: ...

    def components(self, region: str) -> dict[str, Resource]: ...

    def workflows(self, region: str) -> dict[str, Resource]: ...

    def by_name(self, region: str, resource_type: str, account: str) -> dict[str, tuple[Resource, ...]]: ...


class BuiltinCatalog:
    """The built-in catalog as a request sees it (the same methods as the mock's extension)."""

    extended = False

    def collection(self, region: str, resource_type: str, account: str | None = None) -> dict[str, Resource]:
        return collection(region, resource_type, account)

    def images(self, region: str) -> dict[str, Resource]:
        return images(region)

    def components(self, region: str) -> dict[str, Resource]:
        return components(region)

    def workflows(self, region: str) -> dict[str, Resource]:
        return workflows(region)

    def by_name(self, region: str, resource_type: str, account: str) -> dict[str, tuple[Resource, ...]]:
        return by_name(region, resource_type, account)


BUILTIN = BuiltinCatalog()


def view(ctx: RequestContext) -> CatalogView:
    """The catalog `ctx`'s mock serves: the built-in one, or its `m.catalog` extension once it has entries."""
    extension = ctx.backend.catalog_extension
    return extension if extension is not None and extension.extended else BUILTIN
