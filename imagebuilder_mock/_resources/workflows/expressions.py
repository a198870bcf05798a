"""Workflow documents at run time: a step's `if` conditions and its `inputs` with `$.path` references,
evaluated against the execution's context (parameters, step outputs, imagebuilder facts), and the
outputs each completed step leaves there."""

from __future__ import annotations

import hashlib
import operator
import uuid
from collections.abc import Callable
from typing import Any

from ..._backend.context import RequestContext
from .._shared.types import Resource


def lookup_path(path: Any, context: Resource) -> Any:
    """The value a `$.a.b[0]` path names in `context` (None if absent); anything else as it is."""
    if not isinstance(path, str) or not path.startswith("$."):
        return path
    value: Any = context
    for part in path[2:].replace("[", ".").replace("]", "").split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _num(value: Any) -> float | None:
    try:
        return float(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _numbers(test: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    """A number* comparison: false unless both sides read as numbers."""

    def compare(a: Any, b: Any) -> bool:
        x, y = _num(a), _num(b)
        return x is not None and y is not None and test(x, y)

    return compare


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "booleanEquals": lambda a, b: a is b or (isinstance(a, bool) and a == b),
    "stringEquals": lambda a, b: a is not None and str(a) == str(b),
    "numberEquals": lambda a, b: _num(a) is not None and _num(a) == _num(b),
    "numberGreaterThan": _numbers(operator.gt),
    "numberGreaterThanEquals": _numbers(operator.ge),
    "numberLessThan": _numbers(operator.lt),
    "numberLessThanEquals": _numbers(operator.le),
}


def condition(node: Any, context: Resource) -> bool:
    """Evaluate a step's `if` (and / or / not, booleanEquals, stringEquals, number*). Absent → true."""
    if node is None:
        return True
    if not isinstance(node, dict):
        return bool(node)
    if "and" in node:
        return all(condition(n, context) for n in node["and"] or [])
    if "or" in node:
        return any(condition(n, context) for n in node["or"] or [])
    if "not" in node:
        return not condition(node["not"], context)
    value = lookup_path(node.get("value"), context)
    for name, compare in _COMPARISONS.items():
        if name in node:
            return compare(value, node[name])
    return True  # an operator the mock does not know does not skip the step


def resolve(inputs: Any, context: Resource) -> Any:
    """Inputs with `key.$: "$.path"` references replaced by their values (`key: value`)."""
    if isinstance(inputs, dict):
        out = {}
        for key, value in inputs.items():
            if isinstance(key, str) and key.endswith(".$"):
                out[key[:-2]] = lookup_path(value, context)
            else:
                out[key] = resolve(value, context)
        return out
    if isinstance(inputs, list):
        return [resolve(v, context) for v in inputs]
    return inputs


def execution_context(image: Resource, execution: Resource) -> Resource:
    """What `$.` paths of a running execution read: its parameters, step outputs and imagebuilder facts."""
    scanning = image.get("imageScanningConfiguration") or {}
    return {
        "parameters": execution["_plan"]["parameters"],
        "stepOutputs": execution["_outputs"],
        "imagebuilder": {
            "imageType": "AMI" if image.get("type") == "AMI" else "Docker",
            "platform": image.get("platform"),
            "collectImageMetadata": image.get("enhancedImageMetadataEnabled", True) is not False,
            "collectImageScanFindings": bool(scanning.get("imageScanningEnabled")),
            "imageBuildVersionArn": image["arn"],
        },
    }


# -- step outputs ------------------------------------------------------------------------------
def _fake_id(prefix: str, seed: str, size: int = 17) -> str:
    return prefix + hashlib.sha1(seed.encode()).hexdigest()[:size]


def step_outputs(ctx: RequestContext, image: Resource, step: Resource,
                 own_ami: Callable[[Any, Resource], str | None]) -> Resource | None:
    """The outputs of a completed step (None: it has none); `own_ami(ctx, image)` is the build's AMI."""
    seed = step["stepExecutionId"]
    action = step["action"]
    if action == "LaunchInstance":
        return {"instanceId": _fake_id("i-", seed)}
    if action in ("CreateImage", "RegisterImage", "CreateImageFromIso"):
        return {"imageId": own_ami(ctx, image) or _fake_id("ami-", image["arn"])}
    if action == "CollectImageMetadata":
        return {"osVersion": image.get("osVersion") or "", "associationId": str(uuid.uuid5(uuid.NAMESPACE_URL, seed))}
    if action == "DistributeImage":
        regions = [d["region"] for d in (image.get("distributionConfiguration") or {}).get("distributions") or []]
        return {"distributedImages": [
            {"region": r, "amiId": _fake_id("ami-", image["arn"] + r), "accountId": ctx.account,
             "status": "Completed", "step": "Completed"} for r in regions or [ctx.region]]}
    if action in ("TerminateInstance", "WaitForAction"):
        return None
    return {"runCommandId": str(uuid.uuid5(uuid.NAMESPACE_URL, seed)), "status": "Success", "output": ""}
