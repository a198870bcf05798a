"""The state each AWS CLI example needs, built through boto3 from the examples' own inputs, and the
substitution of the resources made for the examples' ARNs (test_aws_cli.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from .served import ACCOUNT, REGION

DATA = json.loads((Path(__file__).parent / "data" / "aws_cli_examples.json").read_text())
EXAMPLES = {entry["operation"]: entry for entry in DATA["examples"]}
#: the examples' own parent image: an AWS-managed Windows image with the `xxxx.x.x` wildcard (docs/catalog.md)
CATALOG_WINDOWS = f"arn:aws:imagebuilder:{REGION}:aws:image/windows-server-2016-english-full-base-x86/xxxx.x.x"
WINDOWS_DOC = """name: ExampleWindowsDocument
description: Says hello on Windows.
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: HelloWorldStep
        action: ExecutePowerShell
        inputs:
          commands:
            - Write-Host 'Hello World!'
"""
SHELL_SCRIPT = "Write-Host 'Hello from an imported script'\n"
S3_URI = re.compile(r"^s3://([^/]+)/(.+)$")
#: where the 2020 examples no longer hold: the service now refuses five-field cron expressions with
#: InvalidParameterValueException (CONFIRMED: terraform-provider-aws#17396; shared reference §4), so the
#: examples' `cron(0 0 * * SUN)` runs as its six-field equivalent
OUTDATED = {re.compile(r"cron\(0 0 \* \* (\w+)\)"): r"cron(0 0 ? * \1 *)"}


# -- the state each example needs ------------------------------------------------------------------------
#: what each resource of the examples' story needs first
NEEDS = {"component": (), "imported": (), "recipe": ("component", "imported"), "infra": (), "dist": (),
         "pipeline": ("recipe", "infra", "dist"), "image": ("pipeline",)}
#: the examples' lists show their resources tagged so
TAGS = {"KeyName": "KeyValue"}
#: the resource an example creates (absent before it runs, with whatever needs it) or deletes (what needs
#: it is absent, so nothing depends on it)
CREATES = {"create-component": "component", "import-component": "imported", "create-image-recipe": "recipe",
           "create-infrastructure-configuration": "infra", "create-distribution-configuration": "dist",
           "create-image-pipeline": "pipeline"}
DELETES = {"delete-component": "component", "delete-image-recipe": "recipe", "delete-image": "image",
           "delete-infrastructure-configuration": "infra", "delete-image-pipeline": "pipeline"}


def _dependents(name: str) -> set[str]:
    out = {n for n, needs in NEEDS.items() if name in needs}
    return out | {d for n in out for d in _dependents(n)}


def _input(operation: str) -> dict:
    return json.loads(json.dumps(EXAMPLES[operation]["input"])) | {"tags": TAGS}


def build_world(server, operation: str) -> dict[str, str]:
    """Reset the mock and create the examples' resources an example of `operation` needs (by type)."""
    server.mock.reset()
    ib = server.client()
    skip = set()
    if operation in CREATES:
        skip = {CREATES[operation]} | _dependents(CREATES[operation])
    elif operation in DELETES:
        skip = _dependents(DELETES[operation])
    world: dict[str, str] = {}
    if "component" not in skip:
        args = _input("create-component")
        args.pop("uri")
        world["component"] = ib.create_component(data=WINDOWS_DOC, **args)["componentBuildVersionArn"]
    if "imported" not in skip:
        args = _input("import-component")
        args.pop("uri")
        world["imported"] = ib.import_component(data=SHELL_SCRIPT, **args)["componentBuildVersionArn"]
    if "recipe" not in skip:
        args = _input("create-image-recipe")  # its parent: CATALOG_WINDOWS
        world["image-recipe"] = ib.create_image_recipe(**args)["imageRecipeArn"]
    if "infra" not in skip:
        world["infrastructure-configuration"] = ib.create_infrastructure_configuration(
            **_input("create-infrastructure-configuration"))["infrastructureConfigurationArn"]
    if "dist" not in skip:
        world["distribution-configuration"] = ib.create_distribution_configuration(
            **_input("create-distribution-configuration"))["distributionConfigurationArn"]
    if "pipeline" not in skip:
        world["image-pipeline"] = ib.create_image_pipeline(
            **deep_substitute(_input("create-image-pipeline"), world))["imagePipelineArn"]
    if "image" not in skip:
        world["image"] = ib.start_image_pipeline_execution(
            imagePipelineArn=world["image-pipeline"])["imageBuildVersionArn"]
        assert ib.get_image(imageBuildVersionArn=world["image"])["image"]["state"]["status"] == "AVAILABLE"
    # the examples' resource policies name only the owner account: they share nothing
    for kind, put, member in (("component", "put_component_policy", "componentArn"),
                              ("image", "put_image_policy", "imageArn"),
                              ("image-recipe", "put_image_recipe_policy", "imageRecipeArn")):
        if kind in world:
            policy = EXAMPLES[put.replace("_", "-")]["args"]["--policy"]
            getattr(ib, put)(**{member: world[kind], "policy": substitute(policy, world)})
    return world


_OWN_ARN = re.compile(rf"arn:aws:imagebuilder:[a-z0-9-]+:{ACCOUNT}:([a-z-]+)/([A-Za-z0-9_./-]+)")


def substitute(text: str, world: dict[str, str]) -> str:
    """The example's text with each of its own-account ARNs replaced by the made resource of that type
    (same form: a version ARN stays a version ARN)."""
    def one(match: re.Match) -> str:
        kind = match.group(1)
        key = "imported" if kind == "component" and "imported" in match.group(2) else kind
        made = world.get(key)
        if made is None:
            return match.group(0)
        if kind in ("component", "image") and match.group(2).count("/") == 1:
            made = made.rsplit("/", 1)[0]  # the version ARN of the build
        return made

    text = _OWN_ARN.sub(one, text)
    for outdated, current in OUTDATED.items():
        text = outdated.sub(current, text)
    return text


def deep_substitute(value, world):
    if isinstance(value, str):
        return substitute(value, world)
    if isinstance(value, list):
        return [deep_substitute(v, world) for v in value]
    if isinstance(value, dict):
        return {k: deep_substitute(v, world) for k, v in value.items()}
    return value


def put_s3_objects(entry: dict):
    """moto's S3 in this process holds the objects an example's `uri` names (the server reads them there)."""
    uri = (entry.get("input") or {}).get("uri")
    if not uri:
        return None
    moto = pytest.importorskip("moto", reason="examples reading S3 need moto (the `test` extra)")
    import boto3

    context = moto.mock_aws()
    context.start()
    bucket, key = S3_URI.match(uri).groups()
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=bucket, Key=key, Body=(SHELL_SCRIPT if entry["input"].get("format") else WINDOWS_DOC).encode())
    return context
