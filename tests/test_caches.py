"""The process keeps no mutable state outside the one registry of caches that `reset` clears: after a
warm-up, a workload over every family leaves every module-level container of the package as it was."""

from __future__ import annotations

import importlib
import pkgutil

import boto3

import imagebuilder_mock
import tests.factories as f
from imagebuilder_mock import mock_imagebuilder
from imagebuilder_mock._backend import caches

REGION = "us-east-1"


def _workload(round_: int, region: str = REGION) -> None:
    ib = boto3.client("imagebuilder", region_name=region)
    component = f.component(ib, name=f"cache-{round_}")
    recipe = f.image_recipe(ib, components=[component], region=region)
    container = f.container_recipe(ib)
    pipeline = f.pipeline(ib, recipe=recipe, distributionConfigurationArn=f.distribution(ib))
    image = ib.start_image_pipeline_execution(imagePipelineArn=pipeline)["imageBuildVersionArn"]
    ib.get_image(imageBuildVersionArn=image)
    ib.list_workflow_executions(imageBuildVersionArn=image)
    ib.tag_resource(resourceArn=recipe, tags={"round": str(round_)})
    for method in ("list_components", "list_images", "list_image_recipes", "list_container_recipes",
                   "list_image_pipelines", "list_workflows", "list_lifecycle_policies"):
        getattr(ib, method)(maxResults=1)
    ib.get_container_recipe(containerRecipeArn=container)
    ib.get_component(componentBuildVersionArn=f"arn:aws:imagebuilder:{region}:aws:component/"
                                              "update-linux/x.x.x")


def _containers() -> dict[str, object]:
    found = {}
    for info in pkgutil.walk_packages(imagebuilder_mock.__path__, "imagebuilder_mock."):
        try:
            module = importlib.import_module(info.name)
        except ModuleNotFoundError as missing:  # _patch_async needs aiobotocore, an optional dependency
            if missing.name != "aiobotocore":
                raise
            continue
        for name, value in vars(module).items():
            if type(value) in (dict, list, set) and not name.startswith("__"):
                found[f"{info.name}.{name}"] = value
    return found


def _fingerprint(value: object) -> object:
    return len(value), repr(sorted(map(repr, value))) if isinstance(value, (dict, set)) else repr(value)


def test_no_module_level_container_changes_while_the_mock_serves():
    with mock_imagebuilder():
        _workload(0)  # warm: handlers registered, lazy imports done
    before = {name: _fingerprint(value) for name, value in _containers().items()}
    with mock_imagebuilder(account_id="444455556666"):
        _workload(1, "eu-west-1")  # another account and Region: what a cache keyed by them would keep
    after = {name: _fingerprint(value) for name, value in _containers().items()}
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert changed == []


def test_reset_empties_every_registered_cache():
    with mock_imagebuilder() as mock:
        _workload(2)
        assert any(cache.cache_info().currsize for cache in caches.registered())
        mock.reset()
        assert all(cache.cache_info().currsize == 0 for cache in caches.registered())
        _workload(3)  # and everything still works after
