"""The public mock object: decorator forms, context manager, start/stop, patch scope, identity."""

from __future__ import annotations

import unittest

import boto3
import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from imagebuilder_mock import MockImageBuilder, mock_imagebuilder

import factories

ORIGINAL_GET_RESPONSE = botocore.endpoint.Endpoint.__dict__["_do_get_response"]


def _client(region: str = "us-east-1", **kw):
    return boto3.client("imagebuilder", region_name=region, **kw)


def _infra_names(client) -> list[str]:
    return [s["name"] for s in client.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"]]


class _Canned:
    """A body for a canned AWSResponse."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_):
        yield self.body


def _canned_before_send(seen: list):
    def handler(request, **_):
        seen.append(request.url)
        return AWSResponse(request.url, 200, {}, _Canned(b'{"infrastructureConfigurationSummaryList": []}'))

    return handler


@mock_imagebuilder
def test_bare_decorator_answers_in_process():
    factories.infrastructure(_client(), name="bare")
    assert _infra_names(_client()) == ["bare"]


@mock_imagebuilder(account_id="210987654321")
def test_decorator_with_account_id_sets_the_default_account():
    arn = factories.infrastructure(_client(), name="acct")
    assert ":210987654321:" in arn


def test_each_decorated_call_starts_from_empty_state():
    @mock_imagebuilder
    def create_and_count():
        factories.infrastructure(_client(), name="again")
        return len(_infra_names(_client()))

    assert create_and_count() == 1
    assert create_and_count() == 1


@mock_imagebuilder
async def test_async_decorator_keeps_the_mock_active_while_the_body_runs():
    import asyncio

    await asyncio.sleep(0)
    factories.infrastructure(_client(), name="async")
    assert _infra_names(_client()) == ["async"]


@mock_imagebuilder
class TestClassDecorator:
    def test_first_method_starts_empty(self):
        assert _infra_names(_client()) == []
        factories.infrastructure(_client(), name="first")

    def test_second_method_starts_empty_too(self):
        assert _infra_names(_client()) == []
        factories.infrastructure(_client(), name="second")


@mock_imagebuilder
class UnittestStyle(unittest.TestCase):
    def setUp(self):
        self.client = _client()
        factories.infrastructure(self.client, name="from-setup")

    def test_setup_runs_inside_the_mock(self):
        self.assertEqual(_infra_names(self.client), ["from-setup"])
        self.assertIsInstance(self.imagebuilder_mock, MockImageBuilder)

    def test_each_test_gets_fresh_state(self):
        factories.infrastructure(self.client, name="extra")
        self.assertEqual(sorted(_infra_names(self.client)), ["extra", "from-setup"])


def test_context_manager_gives_the_handle_and_restores_botocore():
    with mock_imagebuilder() as m:
        assert isinstance(m, MockImageBuilder) and m.active
        factories.infrastructure(_client(), name="ctx")
        assert botocore.endpoint.Endpoint.__dict__["_do_get_response"] is not ORIGINAL_GET_RESPONSE
    assert not m.active
    assert botocore.endpoint.Endpoint.__dict__["_do_get_response"] is ORIGINAL_GET_RESPONSE


def test_stop_restores_every_patched_botocore_function_and_time_module():
    import time

    import botocore.credentials
    import botocore.signers
    import botocore.waiter

    patched = [(botocore.endpoint.Endpoint, "_do_get_response"), (botocore.endpoint.Endpoint, "_needs_retry"),
               (botocore.waiter.Waiter, "wait"), (botocore.credentials.CredentialResolver, "load_credentials"),
               (botocore.signers.RequestSigner, "get_auth_instance")]
    originals = [owner.__dict__[name] for owner, name in patched]
    with mock_imagebuilder():
        with mock_imagebuilder():
            assert all(owner.__dict__[name] is not original for (owner, name), original in zip(patched, originals))
            assert botocore.endpoint.time is not time and botocore.waiter.time is not time
        assert botocore.endpoint.time is not time  # the outer mock is still active
    assert [owner.__dict__[name] for owner, name in patched] == originals
    assert botocore.endpoint.time is time and botocore.waiter.time is time


def test_start_stop():
    m = mock_imagebuilder()
    m.start()
    try:
        factories.infrastructure(_client(), name="started")
        assert _infra_names(_client()) == ["started"]
    finally:
        m.stop()
    with pytest.raises(RuntimeError):
        m.stop()


def test_an_exception_inside_the_block_still_restores_everything():
    with pytest.raises(ZeroDivisionError):
        with mock_imagebuilder():
            1 / 0
    assert botocore.endpoint.Endpoint.__dict__["_do_get_response"] is ORIGINAL_GET_RESPONSE


def test_nesting_the_same_mock_keeps_its_state_and_inner_mocks_shadow_outer_ones():
    outer = mock_imagebuilder()
    with outer:
        factories.infrastructure(_client(), name="outer")
        with outer:  # re-entrance: same state
            assert _infra_names(_client()) == ["outer"]
        with mock_imagebuilder():  # a different mock: its own empty state
            assert _infra_names(_client()) == []
        assert _infra_names(_client()) == ["outer"]


def test_reset_forgets_everything():
    with mock_imagebuilder() as m:
        factories.infrastructure(_client(), name="gone")
        m.reset()
        assert _infra_names(_client()) == []


def test_a_client_created_before_the_mock_started_is_answered_by_it():
    early = _client()
    with mock_imagebuilder():
        factories.infrastructure(early, name="early")
        assert _infra_names(early) == ["early"]


def test_a_client_with_a_custom_endpoint_url_is_answered_too():
    with mock_imagebuilder():
        custom = _client(endpoint_url="http://localhost:1")  # nothing listens there
        factories.infrastructure(custom, name="custom")
        assert _infra_names(custom) == ["custom"]


def test_before_the_mock_and_after_it_requests_go_to_botocore_as_usual():
    seen: list = []
    client = _client()
    client.meta.events.register("before-send.imagebuilder", _canned_before_send(seen))
    client.list_infrastructure_configurations()
    assert len(seen) == 1  # no mock: the client's own handler answered
    with mock_imagebuilder():
        factories.infrastructure(client, name="mocked")
        assert _infra_names(client) == ["mocked"]
        assert len(seen) == 1  # the mock answered before any before-send handler ran
    assert client.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"] == []
    assert len(seen) == 2


def test_other_services_pass_through_untouched():
    seen: list = []
    sts = boto3.client("sts", region_name="us-east-1")

    def handler(request, **_):
        seen.append(request.url)
        body = (b"<GetCallerIdentityResponse><GetCallerIdentityResult><Account>999999999999</Account>"
                b"</GetCallerIdentityResult></GetCallerIdentityResponse>")
        return AWSResponse(request.url, 200, {}, _Canned(body))

    sts.meta.events.register("before-send.sts", handler)
    with mock_imagebuilder():
        assert sts.get_caller_identity()["Account"] == "999999999999"
    assert len(seen) == 1


def test_regions_are_isolated():
    with mock_imagebuilder():
        factories.infrastructure(_client("us-east-1"), name="east")
        factories.infrastructure(_client("eu-west-1"), name="west")
        assert _infra_names(_client("us-east-1")) == ["east"]
        assert _infra_names(_client("eu-west-1")) == ["west"]
        arn = _client("eu-west-1").list_infrastructure_configurations()["infrastructureConfigurationSummaryList"][0]["arn"]
        assert arn.startswith("arn:aws:imagebuilder:eu-west-1:")


def test_access_keys_map_clients_to_accounts():
    with mock_imagebuilder() as m:
        m.register_access_key("AKIAOTHERACCOUNT0001", "111122223333")
        mine = _client()
        theirs = _client(aws_access_key_id="AKIAOTHERACCOUNT0001", aws_secret_access_key="x")
        arn = factories.infrastructure(theirs, name="theirs")
        assert ":111122223333:infrastructure-configuration/theirs" in arn
        assert _infra_names(mine) == []
        assert _infra_names(theirs) == ["theirs"]
        with pytest.raises(ClientError) as exc:
            mine.get_infrastructure_configuration(infrastructureConfigurationArn=arn)
        assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
        with pytest.raises(ValueError):
            m.register_access_key("AKIABAD", "not-an-account")


def test_fake_credentials_only_where_none_are_configured(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with mock_imagebuilder():
        session = boto3.session.Session(region_name="us-east-1")
        assert session.get_credentials().access_key == "AKIAIMAGEBUILDERMOCK"
        factories.infrastructure(session.client("imagebuilder"), name="anonymous")
        configured = boto3.session.Session(aws_access_key_id="AKIAMINE", aws_secret_access_key="s",
                                           region_name="us-east-1")
        assert configured.get_credentials().access_key == "AKIAMINE"
    assert boto3.session.Session(region_name="us-east-1").get_credentials() is None


def test_injected_errors_answer_with_the_model_status_and_retryable_ones_are_retried():
    with mock_imagebuilder() as m:
        client = _client()
        m.inject_error("ListInfrastructureConfigurations", "ServiceUnavailableException", count=2)
        before = m.clock.now()
        response = client.list_infrastructure_configurations()
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
        assert m.clock.now() > before  # the back-off moved the simulated clock, not the wall clock
        m.inject_error("CreateInfrastructureConfiguration", "ResourceInUseException", message="busy")
        with pytest.raises(ClientError) as exc:
            factories.infrastructure(client)
        assert exc.value.response["Error"] == {"Code": "ResourceInUseException", "Message": "busy"}
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert _infra_names(client) == []  # the injected call changed nothing
        factories.infrastructure(client, name="after")  # only the next call was affected
        with pytest.raises(ValueError):
            m.inject_error("NoSuchOperation", "ServiceException")
        with pytest.raises(ValueError):
            m.inject_error("CreateImage", "NoSuchException")


def test_clock_advances_without_sleeping():
    import datetime

    with mock_imagebuilder() as m:
        start = m.clock.now()
        m.clock.advance(seconds=3600)
        m.clock.advance(datetime.timedelta(days=1))
        assert m.clock.now() - start >= datetime.timedelta(days=1, hours=1)
        with pytest.raises(ValueError):
            m.clock.advance(-1)


def test_clock_follows_time_machine():
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc), tick=False):
        with mock_imagebuilder() as m:
            client = _client()
            arn = factories.infrastructure(client)
            created = client.get_infrastructure_configuration(infrastructureConfigurationArn=arn)
            assert created["infrastructureConfiguration"]["dateCreated"] == "2030-01-02T03:04:05.000Z"
            m.clock.advance(minutes=1)
            assert m.clock.now() == datetime.datetime(2030, 1, 2, 3, 5, 5, tzinfo=datetime.timezone.utc)


def test_pytest_fixtures(imagebuilder_mock, imagebuilder_client):
    assert isinstance(imagebuilder_mock, MockImageBuilder) and imagebuilder_mock.active
    factories.infrastructure(imagebuilder_client, name="fixture")
    assert _infra_names(imagebuilder_client) == ["fixture"]


@pytest.mark.imagebuilder_mock(account_id="333344445555")
def test_marker_configures_the_fixture(imagebuilder_client):
    assert ":333344445555:" in factories.infrastructure(imagebuilder_client)


@pytest.mark.parametrize("kwargs, error", [
    ({"progresion": "clock"}, TypeError),
    ({"progression": "eventually"}, ValueError),
    ({"stage_durations": {"BAKING": 10}}, ValueError),
    ({"stage_durations": {"BUILDING": -1}}, ValueError),
    ({"s3_objects": {"bucket/key": "x"}}, ValueError),
    ({"account_id": "12345"}, ValueError),
])
def test_settings_are_checked_when_the_mock_is_made(kwargs, error):
    with pytest.raises(error):
        mock_imagebuilder(**kwargs)


def _no_credentials(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_EC2_METADATA_DISABLED",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)


def test_credential_lookups_inside_the_mock_never_reach_the_network(monkeypatch):
    """Without configured credentials botocore would ask the instance metadata service (and, with its
    variables set, the container credentials endpoint) before giving up: inside the mock it asks neither."""
    import botocore.utils

    _no_credentials(monkeypatch)
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds")
    fetched = []
    monkeypatch.setattr(botocore.utils.InstanceMetadataFetcher, "retrieve_iam_role_credentials",
                        lambda self: fetched.append("imds") or {})
    monkeypatch.setattr(botocore.utils.ContainerMetadataFetcher, "retrieve_full_uri",
                        lambda self, *a, **k: fetched.append("container") or {})
    with mock_imagebuilder():
        session = boto3.session.Session(region_name="us-east-1")
        assert session.get_credentials().access_key == "AKIAIMAGEBUILDERMOCK"
        factories.infrastructure(session.client("imagebuilder"), name="no-network")
    assert fetched == []
    with pytest.raises(KeyError):  # outside the mock the same lookup does ask (the stub answers nothing)
        boto3.session.Session(region_name="us-east-1").get_credentials()
    assert fetched == ["container"]


def test_a_client_made_before_the_mock_without_credentials_signs_with_the_fake_ones(monkeypatch):
    from botocore.exceptions import NoCredentialsError

    _no_credentials(monkeypatch)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    early = boto3.session.Session(region_name="us-east-1").client("imagebuilder")
    with mock_imagebuilder():
        arn = factories.infrastructure(early, name="made-before")
        assert early.get_infrastructure_configuration(infrastructureConfigurationArn=arn)[
            "infrastructureConfiguration"]["arn"] == arn
    assert early._request_signer._credentials is None  # the client itself was left as it was
    with pytest.raises(NoCredentialsError):
        early.list_components()  # outside the mock: no credentials, as before (never sent)
