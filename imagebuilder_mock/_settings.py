"""The settings of `mock_imagebuilder(...)`: their types (for type checkers) and the `IMAGEBUILDER_MOCK_*`
environment variables that give each a default (docs/usage.md has the table)."""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Literal, Mapping, TypedDict


class Settings(TypedDict, total=False):
    """Keywords of `mock_imagebuilder(...)` besides `account_id` (docs/usage.md describes each)."""

    progression: Literal["immediate", "poll", "clock"]
    stage_durations: Mapping[str, float]
    patch_sleep: bool
    check_output: bool
    s3_objects: Mapping[str, str | bytes]
    seed: int | str
    block_network: bool
    max_calls: int
    catalog_file: str | os.PathLike[str]
    aws_endpoint_url: str


def _boolean(name: str, text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name} must be 1/true/yes/on or 0/false/no/off, got {text!r}")


def _json_object(name: str, text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError(f"{name} must be a JSON object, got {text!r}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a JSON object, got {text!r}")
    return value


def _integer(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {text!r}") from None


def _seed(name: str, text: str) -> int | str:
    return int(text) if text.strip().lstrip("-").isdigit() else text


def _text(name: str, text: str) -> str:
    return text


#: setting -> (environment variable, how its text is read)
ENVIRONMENT: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "account_id": ("IMAGEBUILDER_MOCK_ACCOUNT_ID", _text),
    "progression": ("IMAGEBUILDER_MOCK_PROGRESSION", _text),
    "stage_durations": ("IMAGEBUILDER_MOCK_STAGE_DURATIONS", _json_object),
    "patch_sleep": ("IMAGEBUILDER_MOCK_PATCH_SLEEP", _boolean),
    "check_output": ("IMAGEBUILDER_MOCK_STRICT", _boolean),
    "s3_objects": ("IMAGEBUILDER_MOCK_S3_OBJECTS", _json_object),
    "seed": ("IMAGEBUILDER_MOCK_SEED", _seed),
    "block_network": ("IMAGEBUILDER_MOCK_BLOCK_NETWORK", _boolean),
    "max_calls": ("IMAGEBUILDER_MOCK_MAX_CALLS", _integer),
    "catalog_file": ("IMAGEBUILDER_MOCK_CATALOG_FILE", _text),
    "aws_endpoint_url": ("IMAGEBUILDER_MOCK_AWS_ENDPOINT_URL", _text),
}
#: the region of the `imagebuilder_client` fixture's client
REGION_VARIABLE = "IMAGEBUILDER_MOCK_REGION"


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings the environment gives (a variable that is unset or empty gives none)."""
    environ = os.environ if environ is None else environ
    found: dict[str, Any] = {}
    for setting, (variable, read) in ENVIRONMENT.items():
        text = environ.get(variable)
        if text:
            found[setting] = read(variable, text)
    return found


def fixture_region(environ: Mapping[str, str] | None = None) -> str:
    """The region of the `imagebuilder_client` fixture: IMAGEBUILDER_MOCK_REGION, else us-east-1."""
    environ = os.environ if environ is None else environ
    return environ.get(REGION_VARIABLE) or "us-east-1"
