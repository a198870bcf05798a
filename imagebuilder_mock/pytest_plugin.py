"""pytest plugin (entry point `pytest11`): fixtures `imagebuilder_mock` and `imagebuilder_client`,
and the marker `@pytest.mark.imagebuilder_mock(**settings)` that configures the mock of a test.

A failing test that used the fixtures gets a report section "imagebuilder-mock calls": the last calls
the mock served (`m.calls.table()`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator, Iterator

import pytest

from ._mock import MockImageBuilder

if TYPE_CHECKING:
    from mypy_boto3_imagebuilder import ImagebuilderClient

    from .server import ImageBuilderServer

#: how many of the last calls a failure report shows
REPORTED_CALLS = 15


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "imagebuilder_mock(account_id=..., **settings): settings for the imagebuilder_mock fixture of this test",
    )


@pytest.fixture
def imagebuilder_mock(request: pytest.FixtureRequest) -> Iterator[MockImageBuilder]:
    """An active mock with fresh state for this test; configure it with the imagebuilder_mock marker."""
    marker = request.node.get_closest_marker("imagebuilder_mock")
    settings: dict[str, Any] = dict(marker.kwargs) if marker else {}
    with MockImageBuilder(**settings) as mock:
        yield mock


@pytest.fixture
def imagebuilder_client(imagebuilder_mock: MockImageBuilder) -> ImagebuilderClient:
    """A boto3 imagebuilder client (in IMAGEBUILDER_MOCK_REGION, else us-east-1), answered by the
    `imagebuilder_mock` fixture."""
    import boto3

    from ._settings import fixture_region

    client: ImagebuilderClient = boto3.client("imagebuilder", region_name=fixture_region())
    return client


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """A failed test that used the `imagebuilder_mock` fixture shows the last calls its mock served."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.failed:
        return
    mock = getattr(item, "funcargs", {}).get("imagebuilder_mock")
    if isinstance(mock, MockImageBuilder):
        report.sections.append(("imagebuilder-mock calls", mock.calls.table(REPORTED_CALLS)))


@pytest.fixture
def imagebuilder_server(request: pytest.FixtureRequest) -> Iterator[ImageBuilderServer]:
    """An `imagebuilder_mock.ImageBuilderServer` on a free loopback port for this test (`.endpoint_url`,
    `.mock`); configure it with the imagebuilder_mock marker. Requires waitress (the `server` extra)."""
    from .server import ImageBuilderServer

    marker = request.node.get_closest_marker("imagebuilder_mock")
    settings = dict(marker.kwargs) if marker else {}
    with ImageBuilderServer(port=0, **settings) as server:
        yield server
