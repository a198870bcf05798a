"""How a user's typed tests use imagebuilder-mock: `tox -e typing` checks this module with
`mypy --strict` (and the mypy-boto3-imagebuilder stubs); tests/test_dx.py runs it, so it stays true."""

from __future__ import annotations

import datetime
import sys
from typing import TYPE_CHECKING

import boto3

if sys.version_info >= (3, 11):
    from typing import assert_type
else:  # pragma: no cover - Python 3.10
    from typing_extensions import assert_type

from imagebuilder_mock import MockImageBuilder, mock_imagebuilder

if TYPE_CHECKING:
    from mypy_boto3_imagebuilder import ImagebuilderClient

    from imagebuilder_mock._journal import Call


def client() -> ImagebuilderClient:
    made: ImagebuilderClient = boto3.client("imagebuilder", region_name="us-east-1")
    return made


@mock_imagebuilder
def bare_decorator(name: str) -> int:
    return len(client().list_components(owner="Self")["componentVersionList"]) + len(name)


@mock_imagebuilder(account_id="111122223333", seed=7, progression="poll")
def configured_decorator(count: int) -> list[str]:
    arn = client().create_infrastructure_configuration(name="typed", instanceProfileName="r", clientToken="typed-1")[
        "infrastructureConfigurationArn"]
    return [arn] * count


@mock_imagebuilder
class TypedTests:
    def test_list(self) -> int:
        return len(client().list_image_recipes()["imageRecipeSummaryList"])


def context_manager() -> datetime.datetime:
    with mock_imagebuilder(block_network=True, max_calls=100) as m:
        assert_type(m, MockImageBuilder)
        client().list_components()
        m.inject_error("ListComponents", "ServiceUnavailableException", count=None)
        m.clear_errors("ListComponents")
        calls = m.calls.of("ListComponents")
        assert_type(calls, "list[Call]")
        first = m.calls[0]
        assert_type(first.operation, "str | None")
        assert_type(first.status, int)
        assert_type(m.calls.last.time, datetime.datetime)
        m.fail_builds(reason="typed", count=2)
        moved = m.clock.move_to(m.clock.now() + datetime.timedelta(days=1))
        return m.clock.advance(hours=1) if moved else moved


def start_stop() -> int:
    m = MockImageBuilder(check_output=True)
    m.start()
    try:
        return len(m.calls)
    finally:
        m.stop()


def misuse(m: MockImageBuilder) -> None:
    """Never run: each line must stay a type error (strict mode's warn_unused_ignores fails the check
    when one becomes accepted, e.g. because a member turned `Any`)."""
    m.inject_error("CreateImage", "ServiceUnavailableException", count="2")  # type: ignore[arg-type]
    m.clock.advance("90")  # type: ignore[arg-type]
    mock_imagebuilder(progression="sometimes")  # type: ignore[call-overload]
    mock_imagebuilder(sede=7)  # type: ignore[call-overload]
    bare_decorator(3)  # type: ignore[arg-type]
    m.calls.of("CreateImage")[0].operation.lower()  # type: ignore[union-attr]


def check() -> None:
    assert_type(bare_decorator("x"), int)
    assert_type(configured_decorator(2), "list[str]")
    assert_type(TypedTests().test_list(), int)
    assert_type(context_manager(), datetime.datetime)
    assert_type(start_stop(), int)
