"""A request commits whole or not at all: when the handler or the rendering of its answer fails, nothing
it stored stays behind (no half-created resource, no build number used up, no pipeline run recorded)."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import factories as f
from imagebuilder_mock import mock_imagebuilder

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


class _FailingSerializer:
    """The engine's serialiser, failing (like a bug of ours would) for the next `count` answers of `shape`."""

    def __init__(self, inner, shape: str, count: int = 1) -> None:
        self.inner, self.shape, self.count = inner, shape, count

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def serialize(self, shape, result):
        if shape.name == self.shape and self.count:
            self.count -= 1
            raise RuntimeError("rendering failed")
        return self.inner.serialize(shape, result)


@pytest.fixture
def lenient():
    """A mock that answers a bug of ours with a clean 500 (strict mode raises it instead)."""
    with mock_imagebuilder(check_output=False) as mock:
        yield mock


def _fail_rendering(mock, output_shape: str, count: int = 10) -> None:
    mock.engine.serializer = _FailingSerializer(mock.engine.serializer, output_shape, count)


def test_a_create_whose_answer_fails_to_render_stores_nothing(lenient):
    ib = boto3.client("imagebuilder", region_name="us-east-1", config=NO_RETRIES)
    _fail_rendering(lenient, "CreateComponentResponse", count=1)
    with pytest.raises(ClientError) as exc:
        f.component(ib, "half")
    assert f.error(exc) == ("ServiceException", 500)
    assert ib.list_components()["componentVersionList"] == []
    # the same request again succeeds: nothing of the first one is in its way
    assert f.component(ib, "half").endswith("/half/1.0.0/1")


def test_a_build_whose_answer_fails_leaves_no_image_and_no_gap_in_build_numbers(lenient):
    ib = boto3.client("imagebuilder", region_name="us-east-1", config=NO_RETRIES)
    recipe, infra = f.image_recipe(ib), f.infrastructure(ib)
    _fail_rendering(lenient, "CreateImageResponse", count=1)
    with pytest.raises(ClientError) as exc:
        ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)
    assert f.error(exc) == ("ServiceException", 500)
    assert ib.list_images(owner="Self")["imageVersionList"] == []
    arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    assert arn.endswith("/1.0.0/1")


def test_botocores_retry_of_a_failed_create_gets_the_first_build_number(lenient):
    ib = boto3.client("imagebuilder", region_name="us-east-1")  # retries 500s
    recipe, infra = f.image_recipe(ib), f.infrastructure(ib)
    _fail_rendering(lenient, "CreateImageResponse", count=1)
    arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    assert arn.endswith("/1.0.0/1")
    assert [i["arn"] for i in ib.list_image_build_versions(imageVersionArn=arn.rsplit("/", 1)[0])[
        "imageSummaryList"]] == [arn]


def test_a_pipeline_run_whose_answer_fails_is_not_recorded_on_the_pipeline(lenient):
    ib = boto3.client("imagebuilder", region_name="us-east-1", config=NO_RETRIES)
    pipeline = f.pipeline(ib, dist=False)
    before = ib.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
    _fail_rendering(lenient, "StartImagePipelineExecutionResponse")
    with pytest.raises(ClientError):
        ib.start_image_pipeline_execution(imagePipelineArn=pipeline)
    after = ib.get_image_pipeline(imagePipelineArn=pipeline)["imagePipeline"]
    assert after == before and "dateLastRun" not in after
    assert ib.list_image_pipeline_images(imagePipelineArn=pipeline)["imageSummaryList"] == []


def test_a_handler_failing_after_it_stored_something_undoes_it(lenient, monkeypatch):
    """A ServiceError raised late in a handler (here: after the image is stored) leaves nothing behind."""
    from imagebuilder_mock._engine._errors import ServiceError
    from imagebuilder_mock._resources.images import builds

    ib = boto3.client("imagebuilder", region_name="us-east-1", config=NO_RETRIES)
    recipe, infra = f.image_recipe(ib), f.infrastructure(ib)
    original = builds.start_build

    def start_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise ServiceError("ResourceDependencyException", "refused after storing")

    monkeypatch.setattr(builds, "start_build", start_then_fail)
    with pytest.raises(ClientError) as exc:
        ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)
    assert f.error(exc)[0] == "ResourceDependencyException"
    monkeypatch.setattr(builds, "start_build", original)
    assert ib.list_images(owner="Self")["imageVersionList"] == []
    assert ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)[
        "imageBuildVersionArn"].endswith("/1")


def test_a_failed_delete_keeps_the_resource(lenient):
    ib = boto3.client("imagebuilder", region_name="us-east-1", config=NO_RETRIES)
    arn = f.component(ib, "kept")
    _fail_rendering(lenient, "DeleteComponentResponse")
    with pytest.raises(ClientError):
        ib.delete_component(componentBuildVersionArn=arn)
    assert ib.get_component(componentBuildVersionArn=arn)["component"]["arn"] == arn
    assert [c["name"] for c in ib.list_components(byName=True)["componentVersionList"]] == ["kept"]


def test_a_bug_of_ours_is_a_clean_500_without_the_exception_text(lenient):
    ib = boto3.client("imagebuilder", region_name="us-east-1", config=NO_RETRIES)
    _fail_rendering(lenient, "CreateComponentResponse", count=1)
    with pytest.raises(ClientError) as exc:
        f.component(ib, "secret")
    message = exc.value.response["Error"]["Message"]
    assert f.error(exc) == ("ServiceException", 500)
    assert "rendering failed" not in message and "Traceback" not in message
    assert exc.value.response["ResponseMetadata"]["RequestId"] in message
