"""The format of a JSON value, so a real output can be compared with the AWS CLI's documented one."""

from __future__ import annotations

import json
import re

_ARN = re.compile(r"^arn:aws[^:]*:([a-z0-9-]+):[^:]*:[^:]*:([a-z-]+)")
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
_UUID = re.compile(r"^[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}$")


def value_format(value) -> str:
    """The format tag of one documented (or real) JSON leaf value."""
    if isinstance(value, bool):
        return "<boolean>"
    if isinstance(value, (int, float)):
        return "<number>"
    if value is None:
        return "<null>"
    text = str(value)
    arn = _ARN.match(text)
    if arn:
        return f"<arn:imagebuilder:{arn.group(2)}>" if arn.group(1) == "imagebuilder" else f"<arn:{arn.group(1)}>"
    stamp = _TIMESTAMP.match(text)
    if stamp:
        return "<timestamp-ms>" if stamp.group(1) and len(stamp.group(1)) == 4 else "<timestamp>"
    if _UUID.match(text):
        return "<uuid>"
    if re.fullmatch(r"ami-[0-9a-f]{8,17}", text):
        return "<ami-id>"
    if re.fullmatch(r"\d{12}", text):
        return "<account-id>"
    if re.fullmatch(r"\d+\.\d+\.\d+/\d+", text):
        return "<version/build>"
    if re.fullmatch(r"\d+\.\d+\.\d+", text):
        return "<version>"
    if text.lstrip().startswith("{") and _is_json_object(text):
        return "<json>"
    if re.fullmatch(r"[A-Z][A-Z_]+", text):
        return "<ENUM>"
    return "<string>"


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def shape_of(value):
    """Keys kept, leaves replaced by their format; a list by what all its items share (`_common`)."""
    if isinstance(value, dict):
        return {key: shape_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_common([shape_of(item) for item in value])] if value else []
    return value_format(value)


def _common(shapes: list):
    """What every shape of a list shares: the keys all items have (a failed build's `state.reason` is
    not required of an available one), formats all agree on (else `<any>`)."""
    first = shapes[0]
    if all(isinstance(s, dict) for s in shapes):
        return {key: _common([s[key] for s in shapes]) for key in first if all(key in s for s in shapes)}
    if all(isinstance(s, list) for s in shapes):
        items = [s[0] for s in shapes if s]
        return [_common(items)] if len(items) == len(shapes) else []
    return first if all(s == first for s in shapes) else "<any>"




def _matches(documented: str, actual) -> bool:
    if documented == "<any>":
        return True
    if documented == "<string>":
        return isinstance(actual, str)
    if documented == "<ENUM>":
        return isinstance(actual, str) and re.fullmatch(r"[A-Z][A-Z_]+", actual) is not None
    return value_format(actual) == documented


def differences(documented, actual, path: str = "$") -> list[str]:
    """Where `actual` (a real output) departs from `documented` (a shape from `shape_of`): a documented key
    that is missing, a value of another format, a list item of another shape. Keys the documentation does
    not show are allowed (the model has grown since; strict mode checks them against the model)."""
    if isinstance(documented, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        out = []
        for key, shape in documented.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            else:
                out.extend(differences(shape, actual[key], f"{path}.{key}"))
        return out
    if isinstance(documented, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {actual!r}"]
        if documented and actual:
            return [d for i, item in enumerate(actual) for d in differences(documented[0], item, f"{path}[{i}]")]
        return []
    return [] if _matches(documented, actual) else [f"{path}: documented {documented}, got {actual!r}"]
