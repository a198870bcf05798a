"""`m.catalog`: a mock's own additions to the AWS-managed catalog (third-party, Marketplace or
in-house entries a team references by `arn:...:aws:...`), or a replacement of it.

Entries have the shape of `data/catalog.yaml`'s. They belong to one mock (its backend), survive
`m.reset()` (they are configuration, like registered access keys) and go with `clear()`. Each
Region's resources are built on first use and rebuilt after a change.
"""

from __future__ import annotations

import pathlib
from typing import Any, Callable, Iterable, TypeVar

from ..._backend import arns
from . import catalog as _catalog
from .types import Resource

_KINDS = {"images": "image", "components": "component", "workflows": "workflow"}
_PLATFORMS = ("Linux", "Windows", "macOS")
_T = TypeVar("_T")


class CatalogExtension:
    """The catalog a mock serves: the built-in entries (unless replaced) plus the ones added here.

    `m.catalog.add_image("my-base-x86", "Linux", "Amazon Linux 2023", versions=["2025.1.0"])`,
    `add_component(...)`, `add_workflow(...)`, `load("catalog.yaml")`; `clear()` forgets them.
    """

    def __init__(self) -> None:
        self._added: dict[str, list[Resource]] = {kind: [] for kind in _KINDS}
        self._replace = False
        self._built: dict[tuple[str, ...], Any] = {}

    # -- the public API ----------------------------------------------------------------------
    def add_image(self, name: str, platform: str, os_version: str, versions: Iterable[str] = ("1.0.0",), *,
                  type: str = "AMI", architecture: str | None = None, uri: str | None = None,  # noqa: A002
                  ami_id: str | None = None, partitions: Iterable[str] | None = None,
                  source: str = "user") -> None:
        """An AWS-owned image `arn:<partition>:imagebuilder:<region>:aws:image/<name>/<version>/1` in
        every Region (of `partitions`), AVAILABLE; `type` AMI or DOCKER (`uri`: the container image)."""
        _check_platform(platform)
        if type not in ("AMI", "DOCKER"):
            raise ValueError(f"type must be AMI or DOCKER, got {type!r}")
        self._add("images", _entry(name=name, platform=platform, osVersion=os_version, versions=versions,
                                   type=type, architecture=architecture, uri=uri, amiId=ami_id,
                                   partitions=partitions, source=source))

    def add_component(self, name: str, platform: str, versions: Iterable[str] = ("1.0.0",), *,
                      data: str | None = None, type: str = "BUILD", description: str | None = None,  # noqa: A002
                      supported_os_versions: Iterable[str] | None = None, parameters: list[Resource] | None = None,
                      partitions: Iterable[str] | None = None, source: str = "user") -> None:
        """An AWS-owned component with the AWSTOE document `data` (or one generated from `parameters`:
        `[{"name": ..., "type": "string", "default": ...}]`); the document is validated here."""
        _check_platform(platform)
        if type not in ("BUILD", "TEST"):
            raise ValueError(f"type must be BUILD or TEST, got {type!r}")
        entry = _entry(name=name, platform=platform, versions=versions, data=data, type=type,
                       description=description, parameters=parameters, partitions=partitions, source=source,
                       supportedOsVersions=list(supported_os_versions) if supported_os_versions else None)
        _catalog.build_components("us-east-1", [entry])  # a bad document fails now, not at the first request
        self._add("components", entry)

    def add_workflow(self, name: str, type: str, data: str, versions: Iterable[str] = ("1.0.0",), *,  # noqa: A002
                     description: str | None = None, partitions: Iterable[str] | None = None,
                     source: str = "user") -> None:
        """An AWS-managed workflow of `type` BUILD, TEST or DISTRIBUTION with the document `data`."""
        if type not in ("BUILD", "TEST", "DISTRIBUTION"):
            raise ValueError(f"type must be BUILD, TEST or DISTRIBUTION, got {type!r}")
        entry = _entry(name=name, type=type, data=data, versions=versions, description=description,
                       partitions=partitions, source=source)
        _catalog.build_workflows("us-east-1", [entry])
        self._add("workflows", entry)

    def load(self, path: str | pathlib.Path, replace: bool = False) -> None:
        """Add the entries of a catalog file (YAML or JSON, `data/catalog.yaml`'s shape: `images`,
        `components`, `workflows`). `replace=True` (or `replace: true` in the file) drops the built-in
        entries, so the mock serves the file's alone."""
        document = _catalog.load_yaml_file(path)
        if not isinstance(document, dict) or not set(document) <= {"images", "components", "workflows",
                                                                   "sources", "replace"}:
            raise ValueError(f"{path}: a catalog file is a mapping of images, components and workflows")
        loaded = {kind: _catalog.entries(document, kind) for kind in _KINDS}
        _catalog.build_images("us-east-1", loaded["images"])  # validate before keeping any of it
        _catalog.build_components("us-east-1", loaded["components"])
        _catalog.build_workflows("us-east-1", loaded["workflows"])
        for kind, found in loaded.items():
            self._added[kind].extend(found)
        self._replace = self._replace or replace or bool(document.get("replace"))
        self._built.clear()

    def clear(self) -> None:
        """Forget every addition (and a replacement): the mock serves the built-in catalog again."""
        for found in self._added.values():
            found.clear()
        self._replace = False
        self._built.clear()

    def entries(self, kind: str) -> list[Resource]:
        """The entries served of `kind` (images, components, workflows): built-in (unless replaced) and added."""
        return ([] if self._replace else _catalog.builtin_entries(kind)) + list(self._added[kind])

    # -- what a request reads (catalog.BuiltinCatalog's methods) ---------------------------------
    @property
    def extended(self) -> bool:
        return self._replace or any(self._added.values())

    def _add(self, kind: str, entry: Resource) -> None:
        self._added[kind].append(entry)
        self._built.clear()

    def _cached(self, key: tuple[str, ...], build: Callable[[], _T]) -> _T:
        found = self._built.get(key)
        if found is None:
            found = self._built[key] = build()
        return found

    def images(self, region: str) -> dict[str, Resource]:
        return self._cached(("image", region), lambda: _catalog.build_images(region, self.entries("images")))

    def components(self, region: str) -> dict[str, Resource]:
        return self._cached(("component", region),
                            lambda: _catalog.build_components(region, self.entries("components")))

    def workflows(self, region: str) -> dict[str, Resource]:
        return self._cached(("workflow", region),
                            lambda: _catalog.build_workflows(region, self.entries("workflows")))

    def collection(self, region: str, resource_type: str, account: str | None = None) -> dict[str, Resource]:
        if account is None:
            merged: dict[str, Resource] = {}
            for each in _catalog.ACCOUNTS:
                merged.update(self.collection(region, resource_type, each))
            return merged
        if account != "aws":
            return _catalog.collection(region, resource_type, account)
        own = {"image": self.images, "component": self.components, "workflow": self.workflows}.get(resource_type)
        return own(region) if own is not None else {}

    def by_name(self, region: str, resource_type: str, account: str) -> dict[str, tuple[Resource, ...]]:
        return self._cached(("by_name", region, resource_type, account),
                            lambda: _catalog.group_by_name(self.collection(region, resource_type, account).values()))


def _check_platform(platform: str) -> None:
    if platform not in _PLATFORMS:
        raise ValueError(f"platform must be one of {list(_PLATFORMS)}, got {platform!r}")


def _entry(**fields: Any) -> Resource:
    name = fields["name"]
    if not isinstance(name, str) or arns.normalize_name(name) != name or not name:
        raise ValueError(f"name must be lower case without spaces or underscores (an ARN's name node), got {name!r}")
    versions = [str(v) for v in fields["versions"]]
    for version in versions:
        nodes = version.split(".")
        if len(nodes) != 3 or not all(n.isdigit() for n in nodes):
            raise ValueError(f"version must be <major>.<minor>.<patch>, got {version!r}")
    fields["versions"] = versions
    if fields.get("partitions") is not None:
        fields["partitions"] = list(fields["partitions"])
    return {k: v for k, v in fields.items() if v is not None}
