"""Semantic versions, `x` wildcards and latestVersionReferences, as the service resolves them."""

from __future__ import annotations

from typing import Any, Callable, Iterable, TypeVar

from .caches import memoize
from .._engine._errors import ServiceError

T = TypeVar("T")
MAX_NODE = 2**30 - 1


def invalid_version(param: str, version: str, detail: str = "") -> ServiceError:
    return ServiceError(
        "InvalidVersionNumberException",
        f"The value supplied for parameter '{param}' is not valid. The version '{version}' is out of bounds "
        f"or does not follow the required syntax <major>.<minor>.<patch>{detail}.",
    )


def parse(version: str, param: str = "semanticVersion", wildcards: bool = False) -> tuple[int | None, ...]:
    """'1.2.3' -> (1, 2, 3); with wildcards '1.x.x' -> (1, None, None). Only trailing x are allowed."""
    nodes = version.split(".")
    if len(nodes) != 3:
        raise invalid_version(param, version)
    out: list[int | None] = []
    for node in nodes:
        if node == "x" and wildcards:
            out.append(None)
        elif node.isdigit() and int(node) <= MAX_NODE:
            if out and out[-1] is None:
                raise invalid_version(param, version, ", and once a node is 'x' every node to its right must be 'x'")
            out.append(int(node))
        else:
            raise invalid_version(param, version)
    return tuple(out)


@memoize(maxsize=1024)
def check(version: str, param: str = "semanticVersion") -> str:
    """`version` if `parse` accepts it (no wildcards), else `parse`'s error; remembered (errors are not)."""
    parse(version, param)
    return version


@memoize(maxsize=16384)
def key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in version.split("."))


def matches(pattern: tuple[int | None, ...], version: str) -> bool:
    return all(p is None or p == v for p, v in zip(pattern, key(version)))


def latest(items: Iterable[T], version_of: Callable[[T], str],
           build_of: Callable[[T], Any] = lambda item: 0) -> T | None:
    """The item with the highest (version, build)."""
    best: T | None = None
    best_key: tuple[tuple[int, ...], int] | None = None
    for item in items:
        k = (key(version_of(item)), int(build_of(item) or 0))
        if best_key is None or k > best_key:
            best, best_key = item, k
    return best
