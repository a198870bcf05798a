"""pytest plugin (entry point `pytest11`): fixtures `imagebuilder_mock` and `imagebuilder_client`,
and the marker `@pytest.mark.imagebuilder_mock(**settings)` that configures the mock of a test."""

from __future__ import annotations

from typing import Iterator

import pytest

from ._mock import MockImageBuilder


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "imagebuilder_mock(account_id=..., **settings): settings for the imagebuilder_mock fixture of this test",
    )


@pytest.fixture
def imagebuilder_mock(request: pytest.FixtureRequest) -> Iterator[MockImageBuilder]:
    """An active mock with fresh state for this test; configure it with the imagebuilder_mock marker."""
    marker = request.node.get_closest_marker("imagebuilder_mock")
    settings = dict(marker.kwargs) if marker else {}
    with MockImageBuilder(**settings) as mock:
        yield mock


@pytest.fixture
def imagebuilder_client(imagebuilder_mock: MockImageBuilder):
    """A boto3 imagebuilder client in us-east-1, answered by the `imagebuilder_mock` fixture."""
    import boto3

    return boto3.client("imagebuilder", region_name="us-east-1")


@pytest.fixture
def imagebuilder_server(request: pytest.FixtureRequest):
    """An `imagebuilder_mock.ImageBuilderServer` on a free loopback port for this test (`.endpoint_url`,
    `.mock`); configure it with the imagebuilder_mock marker. Requires waitress (the `server` extra)."""
    from .server import ImageBuilderServer

    marker = request.node.get_closest_marker("imagebuilder_mock")
    settings = dict(marker.kwargs) if marker else {}
    with ImageBuilderServer(port=0, **settings) as server:
        yield server
