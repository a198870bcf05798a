"""aiobotocore and aioboto3 clients answered in process by the same engine (docs/usage.md, "Async clients").

Runs where aiobotocore is installed (tox env `async`; the default env's newest botocore is newer than any
aiobotocore accepts, so there the module is skipped). pytest-asyncio runs the coroutine tests (auto mode)."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from pathlib import Path

import pytest

aiobotocore_session = pytest.importorskip(
    "aiobotocore.session", reason="aiobotocore is not installed (tox -e async installs it)")

from aiobotocore.config import AioConfig  # noqa: E402
from botocore.exceptions import ClientError, EndpointConnectionError  # noqa: E402
from botocore.waiter import WaiterModel  # noqa: E402

from imagebuilder_mock import mock_imagebuilder  # noqa: E402

from factories import AL2, LINUX_DOC  # noqa: E402

REGION = "us-east-1"


def _client(**kwargs):
    return aiobotocore_session.get_session().create_client("imagebuilder", region_name=REGION, **kwargs)


@pytest.fixture
async def aib(imagebuilder_mock):
    """An aiobotocore imagebuilder client on the plugin's fresh mock."""
    async with _client() as client:
        yield client


class _NoNetwork:
    """Makes every DNS lookup and socket connect fail, and records what was tried."""

    def __init__(self) -> None:
        self.attempts: list = []

    def getaddrinfo(self, host, *args, **kwargs):
        self.attempts.append(host)
        raise socket.gaierror(f"network is off in this test (looked up {host})")

    def connect(self, sock, address):
        self.attempts.append(address)
        raise OSError(f"network is off in this test (connect to {address})")


@pytest.fixture
def no_network(monkeypatch):
    guard = _NoNetwork()
    monkeypatch.setattr(socket, "getaddrinfo", guard.getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guard.connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guard.connect)
    return guard


def _image_available_waiter(client):
    """The model's `image_available` waiter where the loaded botocore has it (its waiters-2 file), else the
    same definition as a custom waiter (as a user of that botocore would write it)."""
    if "image_available" in client.waiter_names:
        return client.get_waiter("image_available")
    from aiobotocore.waiter import create_waiter_with_client

    config = {"version": 2, "waiters": {"ImageAvailable": {
        "operation": "GetImage", "delay": 30, "maxAttempts": 120,
        "acceptors": [{"matcher": "path", "argument": "image.state.status", "expected": "AVAILABLE",
                       "state": "success"},
                      {"matcher": "path", "argument": "image.state.status", "expected": "FAILED",
                       "state": "failure"}]}}}
    return create_waiter_with_client("ImageAvailable", WaiterModel(config), client)


async def _component(client, name: str) -> str:
    response = await client.create_component(name=name, semanticVersion="1.0.0", platform="Linux", data=LINUX_DOC)
    return response["componentBuildVersionArn"]


async def _pipeline(client) -> str:
    component = await _component(client, "hello")
    recipe = (await client.create_image_recipe(
        name="golden", semanticVersion="1.0.0", parentImage=AL2.format(region=REGION),
        components=[{"componentArn": component}]))["imageRecipeArn"]
    infra = (await client.create_infrastructure_configuration(
        name="infra", instanceProfileName="ib-role"))["infrastructureConfigurationArn"]
    dist = (await client.create_distribution_configuration(name="dist", distributions=[
        {"region": REGION, "amiDistributionConfiguration": {"name": "golden-{{ imagebuilder:buildDate }}"}}]))[
        "distributionConfigurationArn"]
    return (await client.create_image_pipeline(
        name="pipe", imageRecipeArn=recipe, infrastructureConfigurationArn=infra,
        distributionConfigurationArn=dist))["imagePipelineArn"]


@pytest.mark.imagebuilder_mock(progression="clock")
async def test_a_full_pipeline_builds_an_image_and_the_waiter_advances_the_clock(imagebuilder_mock, aib, no_network):
    pipeline = await _pipeline(aib)
    image = (await aib.start_image_pipeline_execution(imagePipelineArn=pipeline))["imageBuildVersionArn"]
    started, began = imagebuilder_mock.clock.now(), time.monotonic()

    await _image_available_waiter(aib).wait(imageBuildVersionArn=image)

    state = (await aib.get_image(imageBuildVersionArn=image))["image"]
    assert state["state"]["status"] == "AVAILABLE"
    assert state["outputResources"]["amis"][0]["region"] == REGION
    assert (imagebuilder_mock.clock.now() - started).total_seconds() >= 60  # the build took simulated minutes
    assert time.monotonic() - began < 10  # ... and no real ones
    assert no_network.attempts == []


async def test_paginators_walk_every_page(aib):
    for index in range(12):
        await _component(aib, f"comp-{index:02d}")
    pages = [page async for page in aib.get_paginator("list_components").paginate(
        owner="Self", PaginationConfig={"PageSize": 5})]
    assert [len(page["componentVersionList"]) for page in pages] == [5, 5, 2]
    names = [item["name"] for page in pages for item in page["componentVersionList"]]
    assert sorted(names) == [f"comp-{index:02d}" for index in range(12)]


async def test_errors_are_the_clients_typed_exceptions(aib):
    missing = f"arn:aws:imagebuilder:{REGION}:123456789012:component/nope/1.0.0/1"
    with pytest.raises(aib.exceptions.ResourceNotFoundException) as exc:
        await aib.get_component(componentBuildVersionArn=missing)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as exc:
        await aib.create_component(name="x", semanticVersion="1.0.0", platform="Linux", data=LINUX_DOC)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "'name'" in exc.value.response["Error"]["Message"]


async def test_gathered_calls_keep_consistent_counts(aib):
    arns = await asyncio.gather(*(_component(aib, f"many-{index:03d}") for index in range(60)))
    assert len(set(arns)) == 60
    fetched = await asyncio.gather(*(aib.get_component(componentBuildVersionArn=arn) for arn in arns))
    assert [item["component"]["arn"] for item in fetched] == list(arns)
    listed = [item async for page in aib.get_paginator("list_components").paginate(owner="Self")
              for item in page["componentVersionList"]]
    assert len(listed) == 60


async def test_retries_run_on_the_simulated_clock(imagebuilder_mock, monkeypatch):
    real_sleep = asyncio.sleep
    slept: list[float] = []

    async def recording_sleep(delay, result=None):
        slept.append(delay)
        return await real_sleep(delay, result)

    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    imagebuilder_mock.inject_error("ListComponents", "ServiceUnavailableException", count=2)
    async with _client(config=AioConfig(retries={"mode": "standard", "max_attempts": 5})) as client:
        response = await client.list_components()
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert [delay for delay in slept if delay > 0] == []  # the back-off slept on the simulated clock only


async def test_no_request_leaves_the_process_even_without_credentials(imagebuilder_mock, monkeypatch, no_network):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_EC2_METADATA_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    async with _client() as client:  # no credentials anywhere: the instance metadata provider is skipped
        await _component(client, "offline")
        assert len((await client.list_components())["componentVersionList"]) == 1
    credentials = await aiobotocore_session.get_session().get_credentials()
    assert credentials.access_key == "AKIAIMAGEBUILDERMOCK"
    assert no_network.attempts == []


async def test_the_guard_sees_a_request_that_is_not_mocked(no_network):
    async with _client(config=AioConfig(retries={"total_max_attempts": 1})) as client:
        with pytest.raises(EndpointConnectionError):
            await client.list_components()
    assert any("imagebuilder" in str(attempt) for attempt in no_network.attempts)


async def test_other_services_pass_through(imagebuilder_mock, no_network):
    """moto does not answer aiobotocore clients (its responses are not awaitable), so the pass-through is
    shown by the guard: an S3 request goes to the network path, not to the mock."""
    async with aiobotocore_session.get_session().create_client(
            "s3", region_name=REGION, config=AioConfig(retries={"total_max_attempts": 1})) as s3, _client() as ib:
        with pytest.raises(EndpointConnectionError):
            await s3.list_buckets()
        await ib.list_components()
    assert no_network.attempts and all("s3" in str(attempt) for attempt in no_network.attempts)


@mock_imagebuilder(block_network=True)
async def test_block_network_stops_an_async_request_of_another_service(no_network):
    from imagebuilder_mock._patch import NetworkBlockedError

    async with aiobotocore_session.get_session().create_client("s3", region_name=REGION) as s3, _client() as ib:
        with pytest.raises(NetworkBlockedError, match=r"s3\.ListBuckets"):
            await s3.list_buckets()
        await ib.list_components()  # imagebuilder is answered in process as ever
    assert no_network.attempts == []


@mock_imagebuilder
async def test_the_decorator_mocks_a_coroutine_function(no_network):
    async with _client() as client:
        arn = await _component(client, "decorated")
        assert (await client.get_component(componentBuildVersionArn=arn))["component"]["name"] == "decorated"
    assert no_network.attempts == []


async def test_aioboto3_clients_are_answered(imagebuilder_mock, no_network):
    aioboto3 = pytest.importorskip("aioboto3", reason="aioboto3 is not installed (tox -e async-aioboto3 installs it; it pins an older aiobotocore than tox -e async)")
    async with aioboto3.Session().client("imagebuilder", region_name=REGION) as client:
        arn = await _component(client, "from-aioboto3")
        listed = (await client.list_components(owner="Self"))["componentVersionList"]
    assert [item["arn"] for item in listed] == [arn.rsplit("/", 1)[0]]
    assert no_network.attempts == []


async def test_server_mode_answers_an_async_client():
    serving = pytest.importorskip("werkzeug.serving", reason="werkzeug is not installed (the server extra)")
    from imagebuilder_mock.server import make_app

    app = make_app()
    server = serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        async with _client(endpoint_url=f"http://127.0.0.1:{server.server_port}",
                           aws_access_key_id="AKIATESTTESTTESTTEST", aws_secret_access_key="x") as client:
            arn = await _component(client, "served")
            fetched = await client.get_component(componentBuildVersionArn=arn)
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                await client.get_component(componentBuildVersionArn=arn.replace("served", "absent"))
    finally:
        server.shutdown()
        thread.join()
    assert fetched["component"]["name"] == "served"
    assert len(app.mock.backend.store("123456789012", REGION).components) == 1


def test_the_usage_page_example_runs(no_network):
    text = (Path(__file__).resolve().parent.parent / "docs" / "usage.md").read_text()
    section = text.split("## Async clients (aiobotocore, aioboto3)", 1)[1]
    example = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    exec(compile(example, "docs/usage.md (async clients)", "exec"), {})
    assert no_network.attempts == []
