"""Simulated time: waiters over "clock" builds without real sleeping, and patch_sleep=True."""

from __future__ import annotations

import datetime
import threading
import time

import boto3
import pytest
from botocore.exceptions import WaiterError

from _image_helpers import build, status
from imagebuilder_mock import mock_imagebuilder
from _model_features import needs_waiter, waiter_missing

REGION = "us-east-1"
LONG_BUILD = {"PENDING": 120, "CREATING": 600, "BUILDING": 3 * 3600, "TESTING": 3600, "DISTRIBUTING": 1800,
              "INTEGRATING": 300}


@pytest.mark.imagebuilder_mock(progression="clock", stage_durations=LONG_BUILD)
@needs_waiter("ImageAvailable")
def test_image_available_waiter_over_a_multi_hour_build_takes_no_wall_time(imagebuilder_mock, ib):
    arn = build(ib)
    start_sim, start_wall = imagebuilder_mock.clock.now(), time.monotonic()
    ib.get_waiter("image_available").wait(imageBuildVersionArn=arn)
    wall = time.monotonic() - start_wall
    simulated = imagebuilder_mock.clock.now() - start_sim
    assert status(ib, arn) == "AVAILABLE"
    assert wall < 10.0, wall  # hours of simulated time; generous for a loaded machine
    total = sum(LONG_BUILD.values())
    assert datetime.timedelta(seconds=total) <= simulated < datetime.timedelta(seconds=total + 61)


@pytest.mark.imagebuilder_mock(progression="clock")
@needs_waiter("ImageAvailable")
def test_waiter_raises_for_a_failed_build(imagebuilder_mock, ib):
    imagebuilder_mock.fail_builds(reason="Build failed", at="TESTING")
    arn = build(ib)
    started = time.monotonic()
    with pytest.raises(WaiterError) as exc:
        ib.get_waiter("image_available").wait(imageBuildVersionArn=arn)
    assert exc.value.last_response["image"]["state"]["status"] == "FAILED"
    assert time.monotonic() - started < 1.0


@pytest.mark.imagebuilder_mock(progression="clock")
@needs_waiter("ImageAvailable")
def test_waiter_raises_for_a_cancelled_build(imagebuilder_mock, ib):
    arn = build(ib)
    imagebuilder_mock.clock.advance(minutes=10)
    ib.cancel_image_creation(imageBuildVersionArn=arn)
    with pytest.raises(WaiterError) as exc:
        ib.get_waiter("image_available").wait(imageBuildVersionArn=arn)
    assert exc.value.last_response["image"]["state"]["status"] == "CANCELLED"


@pytest.mark.imagebuilder_mock(progression="clock", stage_durations={"BUILDING": 30 * 3600})
@needs_waiter("ImageAvailable")
def test_waiter_gives_up_after_its_documented_attempts(imagebuilder_mock, ib):
    arn = build(ib)
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        ib.get_waiter("image_available").wait(imageBuildVersionArn=arn)
    assert status(ib, arn) == "BUILDING"  # 360 attempts x 60 s = 6 h < 30 h


@pytest.mark.imagebuilder_mock(progression="clock")
def test_clock_advance_moves_builds(imagebuilder_mock, ib):
    arn = build(ib)
    assert status(ib, arn) == "PENDING"
    imagebuilder_mock.clock.advance(datetime.timedelta(hours=2))
    assert status(ib, arn) == "AVAILABLE"


def test_patch_sleep_advances_the_simulated_clock():
    real_sleep = time.sleep
    with mock_imagebuilder(progression="clock", patch_sleep=True) as mock:
        ib = boto3.client("imagebuilder", region_name=REGION)
        arn = build(ib)
        before, wall = mock.clock.now(), time.monotonic()
        polls = 0
        while status(ib, arn) != "AVAILABLE":  # a user's own polling loop
            time.sleep(60)
            polls += 1
        assert time.monotonic() - wall < 1.0
        moved = mock.clock.now() - before  # the simulated clock also follows real time (milliseconds here)
        assert datetime.timedelta(seconds=60 * polls) <= moved < datetime.timedelta(seconds=60 * polls + 1)
        assert 40 <= polls <= 60
    assert time.sleep is real_sleep


def test_patch_sleep_only_affects_the_thread_that_started_the_mock():
    with mock_imagebuilder(patch_sleep=True) as mock:
        before = mock.clock.now()
        worker = threading.Thread(target=time.sleep, args=(0.01,))
        worker.start()
        worker.join()
        assert mock.clock.now() - before < datetime.timedelta(seconds=1)
        time.sleep(3600)
        assert mock.clock.now() - before >= datetime.timedelta(hours=1)


def test_patch_sleep_is_off_by_default():
    real_sleep = time.sleep
    with mock_imagebuilder():
        assert time.sleep is real_sleep


def test_patch_sleep_nested_mocks_restore_in_order():
    real_sleep = time.sleep
    outer = mock_imagebuilder(patch_sleep=True)
    inner = mock_imagebuilder(patch_sleep=True)
    with outer:
        with inner:
            before_outer, before_inner = outer.clock.now(), inner.clock.now()
            time.sleep(600)
            assert inner.clock.now() - before_inner >= datetime.timedelta(minutes=10)
            assert outer.clock.now() - before_outer < datetime.timedelta(minutes=10)
        before_outer = outer.clock.now()
        time.sleep(600)
        assert outer.clock.now() - before_outer >= datetime.timedelta(minutes=10)
        assert time.sleep is not real_sleep
    assert time.sleep is real_sleep


def test_patch_sleep_rejects_negative_lengths():
    with mock_imagebuilder(patch_sleep=True):
        with pytest.raises(ValueError):
            time.sleep(-1)


def _doc_examples() -> list[str]:
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "time-and-lifecycle.md"
    return re.findall(r"```python\n(.*?)```", page.read_text(), re.S)


@pytest.mark.parametrize("index", range(len(_doc_examples())))
def test_the_user_page_examples_run(index):
    if "image_available" in _doc_examples()[index] and waiter_missing("ImageAvailable"):
        pytest.skip(waiter_missing("ImageAvailable"))
    real_sleep = time.sleep
    started = time.monotonic()
    exec(compile(_doc_examples()[index], f"time-and-lifecycle.md example {index + 1}", "exec"), {})
    assert time.monotonic() - started < 10.0  # simulated hours; generous for a loaded machine
    assert time.sleep is real_sleep


def test_the_user_page_has_examples():
    assert len(_doc_examples()) >= 6


def test_retry_back_off_is_simulated_for_imagebuilder_and_real_for_other_services(monkeypatch):
    """botocore's retry back-off (Endpoint._needs_retry) moves the simulated clock for an imagebuilder
    request and really sleeps for any other service's, even one made while a mock is active."""
    from botocore.awsrequest import AWSResponse
    from botocore.config import Config

    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # what a real back-off calls (via botocore.endpoint.time)
    with mock_imagebuilder() as mock:
        config = Config(retries={"mode": "standard", "total_max_attempts": 3})
        sqs = boto3.client("sqs", region_name=REGION, config=config)
        answers = iter([503, 503, 200])

        class Raw:  # the minimal urllib3-like body botocore reads
            def stream(self, **_):
                yield b"{}"

        sqs.meta.events.register("before-send", lambda request, **_: AWSResponse(
            request.url, next(answers), {"x-amzn-query-error": "ServiceUnavailable;Receiver"}, Raw()))
        advances: list[None] = []
        mock.clock.on_advance(lambda: advances.append(None))
        assert sqs.list_queues()["ResponseMetadata"]["RetryAttempts"] == 2
        assert len(slept) == 2 and all(delay > 0 for delay in slept)  # real sleeps, not the clock
        assert advances == []

        mock.inject_error("ListComponents", "ServiceUnavailableException", count=2)
        ib = boto3.client("imagebuilder", region_name=REGION, config=config)
        assert ib.list_components()["ResponseMetadata"]["RetryAttempts"] == 2
        assert len(slept) == 2  # no real sleep for imagebuilder's back-off ...
        assert len(advances) == 2  # ... the simulated clock moved instead


def _answer_with(client, statuses: list[int], body: bytes) -> None:
    """`client`'s requests are answered, before they are sent, with `statuses` in turn (then 200)."""
    from botocore.awsrequest import AWSResponse

    class Raw:  # the minimal urllib3-like body botocore reads
        def stream(self, **_):
            yield body

    answers = iter(statuses)
    client.meta.events.register("before-send", lambda request, **_: AWSResponse(
        request.url, next(answers, 200), {}, Raw()))


@pytest.mark.parametrize("mode", ["standard", "legacy", "adaptive"])
def test_an_injected_503s_back_off_moves_the_simulated_clock_not_the_wall_clock(monkeypatch, mode):
    from botocore.config import Config

    from imagebuilder_mock import _patch

    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    with mock_imagebuilder() as mock:
        ib = boto3.client("imagebuilder", region_name=REGION,
                          config=Config(retries={"mode": mode, "total_max_attempts": 4}))
        mock.inject_error("ListComponents", "ServiceUnavailableException", count=3)
        before, started = mock.clock.now(), time.monotonic()
        assert ib.list_components()["ResponseMetadata"]["RetryAttempts"] == 3
        assert slept == [] and time.monotonic() - started < 1.0  # no real sleep
        assert mock.clock.now() - before > datetime.timedelta(0)  # the back-off moved the simulated clock
        assert _patch._retrying.get() is None  # only while botocore decides on a retry


@pytest.mark.imagebuilder_mock(progression="clock")
@needs_waiter("ImageAvailable")
def test_an_s3_retry_inside_an_imagebuilder_waiter_sleeps_for_real(imagebuilder_mock, ib, monkeypatch):
    """The waiter's delays move the simulated clock; an S3 request made meanwhile (here from an event
    handler of each poll) backs off with real sleeps."""
    from botocore.config import Config

    s3 = boto3.client("s3", region_name=REGION, config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    _answer_with(s3, [503, 503], b"<ListAllMyBucketsResult></ListAllMyBucketsResult>")
    polls: list[None] = []

    def list_buckets_once(**_):
        if not polls:
            assert s3.list_buckets()["ResponseMetadata"]["RetryAttempts"] == 2
        polls.append(None)

    ib.meta.events.register("after-call.imagebuilder.GetImage", list_buckets_once)
    arn = build(ib)
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    before = imagebuilder_mock.clock.now()
    ib.get_waiter("image_available").wait(imageBuildVersionArn=arn)
    assert status(ib, arn) == "AVAILABLE" and len(polls) > 2
    assert len(slept) == 2 and all(delay > 0 for delay in slept)  # S3's two back-offs, for real
    assert imagebuilder_mock.clock.now() - before >= datetime.timedelta(minutes=30)  # the waiter's, simulated
