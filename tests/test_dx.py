"""What test authors reach for (issue 15): the call journal, seeded ids, the leak guard, settings from the
environment, clock.move_to, s3_objects for every downloaded URI, inject_error with botocore's retries,
the typed usage module, the smoke benchmark's one line, and the failure report's call table."""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

import factories
from imagebuilder_mock import MockImageBuilder, mock_imagebuilder
from _model_features import image_available_waiter

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
WORKFLOW = "schemaVersion: 1.0\nsteps:\n  - name: Wait\n    action: WaitForAction\n"
UTC = datetime.timezone.utc
pytest_plugins = ["pytester"]  # the failure report and the fixture's region are checked in a pytest run of their own


def client(**kwargs):
    return boto3.client("imagebuilder", region_name=REGION, **kwargs)


def _code(exc_info) -> str:
    return exc_info.value.response["Error"]["Code"]


# -- the call journal ---------------------------------------------------------------------------
def test_calls_record_every_request_in_order():
    with mock_imagebuilder() as m:
        ib = client()
        arn = ib.create_component(name="comp", semanticVersion="1.0.0", platform="Linux",
                                  data=factories.LINUX_DOC)["componentBuildVersionArn"]
        m.clock.advance(hours=2)
        ib.get_component(componentBuildVersionArn=arn)
        with pytest.raises(ClientError):
            ib.get_component(componentBuildVersionArn=arn.replace("/1.0.0/1", "/9.0.0/1"))
        assert m.calls.operations() == ["CreateComponent", "GetComponent", "GetComponent"]
        create, get, missing = m.calls
        assert create.parameters["name"] == "comp" and create.response["componentBuildVersionArn"] == arn
        assert (create.status, create.error, create.ok) == (200, None, True)
        assert (create.account, create.region) == ("123456789012", REGION)
        assert get.time - create.time >= datetime.timedelta(hours=2)  # the simulated clock's time
        assert (missing.status, missing.error, missing.ok) == (404, "ResourceNotFoundException", False)
        assert "message" in missing.response
        assert m.calls.errors() == [missing] and m.calls.last == missing and m.calls[-1] == missing
        assert [c.request_id for c in m.calls.of("GetComponent")] == [get.request_id, missing.request_id]
        assert m.calls[0:1] == [create] and len(m.calls) == 3
        m.reset()
        assert len(m.calls) == 0 and m.calls.operations() == []


def test_calls_record_the_account_of_the_access_key_and_keep_the_last_max_calls():
    with mock_imagebuilder(max_calls=2) as m:
        m.register_access_key("AKIAPARTNER000000001", "111122223333")
        theirs = client(aws_access_key_id="AKIAPARTNER000000001", aws_secret_access_key="x")
        for _ in range(3):
            theirs.list_components()
        assert len(m.calls) == 2 and {c.account for c in m.calls} == {"111122223333"}
    with pytest.raises(ValueError, match="max_calls"):
        mock_imagebuilder(max_calls=-1)


def test_a_replayed_idempotent_request_and_an_unknown_path_are_recorded():
    with mock_imagebuilder() as m:
        ib = client()
        for _ in range(2):
            ib.create_infrastructure_configuration(name="infra", instanceProfileName="r", clientToken="same")
        status, _headers, _body = m.engine.handle("GET", "/NoSuchOperation", None, {}, b"")
        assert status == 404
        assert m.calls.operations() == ["CreateInfrastructureConfiguration"] * 2 + [None]
        assert m.calls[0].response["infrastructureConfigurationArn"] == m.calls[1].response[
            "infrastructureConfigurationArn"]
        assert m.calls.last.error == "UnknownOperationException" and m.calls.last.parameters is None


def test_a_failing_test_reports_the_last_calls(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(textwrap.dedent("""
        def test_fails(imagebuilder_client):
            imagebuilder_client.list_components()
            imagebuilder_client.list_image_recipes()
            assert False, "boom"

        def test_passes(imagebuilder_client):
            imagebuilder_client.list_components()
    """))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "imagebuilder-mock calls" in out
    assert "2 imagebuilder call(s) served" in out
    section = out[out.index("imagebuilder-mock calls"):]
    assert "ListComponents" in section and "ListImageRecipes" in section
    assert out.count("imagebuilder-mock calls") == 1  # the passing test reports nothing


# -- seeded ids ---------------------------------------------------------------------------------
def _scenario() -> dict:
    """Ids and tokens a test would snapshot: request ids, a pagination token, AMI ids, workflow and
    lifecycle execution ids."""
    ib = client()
    out: dict = {"request_ids": []}
    for i in range(3):
        reply = ib.create_infrastructure_configuration(name=f"infra-{i}", instanceProfileName="r")
        out["request_ids"].append(reply["ResponseMetadata"]["RequestId"])
    out["token"] = ib.list_infrastructure_configurations(maxResults=1)["nextToken"]
    recipe = ib.create_image_recipe(name="recipe", semanticVersion="1.0.0", parentImage=PARENT,
                                    components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:component/"
                                                                 "update-linux/x.x.x"}])["imageRecipeArn"]
    infra = ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"][0]["arn"]
    image = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    image_available_waiter(ib).wait(imageBuildVersionArn=image)
    out["ami"] = ib.get_image(imageBuildVersionArn=image)["image"]["outputResources"]["amis"][0]["image"]
    out["workflow_executions"] = [w["workflowExecutionId"] for w in
                                  ib.list_workflow_executions(imageBuildVersionArn=image)["workflowExecutions"]]
    return out


def test_a_seed_repeats_every_generated_id_and_token():
    with mock_imagebuilder(seed=42) as m:
        first = _scenario()
        m.reset()  # a reset starts the seeded sequence again
        again = _scenario()
    with mock_imagebuilder(seed=42):
        other_mock = _scenario()
    with mock_imagebuilder(seed=43):
        other_seed = _scenario()
    with mock_imagebuilder():
        unseeded = _scenario()
    assert first == again == other_mock
    assert first["workflow_executions"] and first["ami"].startswith("ami-")
    for different in (other_seed, unseeded):
        assert different["request_ids"] != first["request_ids"] and different["ami"] != first["ami"]
        assert different["token"] != first["token"]


def test_a_seed_repeats_ids_across_processes_and_comes_from_the_environment():
    script = textwrap.dedent("""
        import boto3, imagebuilder_mock
        with imagebuilder_mock.mock_imagebuilder():
            ib = boto3.client("imagebuilder", region_name="us-east-1")
            for i in range(2):
                ib.create_infrastructure_configuration(name=f"infra-{i}", instanceProfileName="r")
            print(ib.list_infrastructure_configurations(maxResults=1)["nextToken"],
                  ib.list_components()["ResponseMetadata"]["RequestId"])
    """)
    env = {"IMAGEBUILDER_MOCK_SEED": "99", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "x",
           "PATH": "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true"}
    runs = [subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                           check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0].split()) == 2


def test_a_bad_seed_is_refused():
    with pytest.raises(TypeError, match="seed"):
        mock_imagebuilder(seed=1.5)  # type: ignore[typeddict-item]


# -- block_network ------------------------------------------------------------------------------
def test_block_network_stops_other_services_and_names_them():
    no_retries = Config(retries={"max_attempts": 1, "mode": "standard"})
    s3 = boto3.client("s3", region_name=REGION, endpoint_url="http://127.0.0.1:9", config=no_retries)
    with mock_imagebuilder():  # off: the request is sent (here: to a closed loopback port)
        with pytest.raises(EndpointConnectionError):
            s3.list_buckets()
    with mock_imagebuilder(block_network=True):
        with pytest.raises(RuntimeError, match=r"block_network=True.*s3\.ListBuckets"):
            s3.list_buckets()
        with pytest.raises(RuntimeError, match=r"sts\.GetCallerIdentity"):
            boto3.client("sts", region_name=REGION).get_caller_identity()
        assert client().list_components()["componentVersionList"] == []  # the mock still answers
    with pytest.raises(EndpointConnectionError):  # stopped: nothing is blocked any more
        s3.list_buckets()


def test_block_network_lets_moto_answer():
    from moto import mock_aws

    with mock_imagebuilder(block_network=True), mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="allowed")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["allowed"]


def test_block_network_from_the_environment(monkeypatch):
    monkeypatch.setenv("IMAGEBUILDER_MOCK_BLOCK_NETWORK", "1")
    s3 = boto3.client("s3", region_name=REGION, endpoint_url="http://127.0.0.1:9")
    with mock_imagebuilder() as m:
        assert m.block_network is True
        with pytest.raises(RuntimeError, match="s3.ListBuckets"):
            s3.list_buckets()


# -- settings from the environment ----------------------------------------------------------------
def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("IMAGEBUILDER_MOCK_ACCOUNT_ID", "210987654321")
    monkeypatch.setenv("IMAGEBUILDER_MOCK_PROGRESSION", "poll")
    monkeypatch.setenv("IMAGEBUILDER_MOCK_STAGE_DURATIONS", '{"BUILDING": 60}')
    monkeypatch.setenv("IMAGEBUILDER_MOCK_MAX_CALLS", "5")
    monkeypatch.setenv("IMAGEBUILDER_MOCK_STRICT", "0")
    monkeypatch.setenv("IMAGEBUILDER_MOCK_S3_OBJECTS", '{"s3://b/doc.yaml": "x"}')
    m = MockImageBuilder()
    assert m.account_id == "210987654321"
    assert m.backend.settings["progression"] == "poll" and m.backend.settings["stage_durations"] == {"BUILDING": 60}
    assert m.backend.calls.maxlen == 5 and m.engine.check_output is False
    assert m.backend.settings["s3_objects"] == {"s3://b/doc.yaml": "x"}
    explicit = MockImageBuilder("111122223333", progression="immediate", check_output=True)
    assert explicit.account_id == "111122223333" and explicit.backend.settings["progression"] == "immediate"
    assert explicit.engine.check_output is True
    with m:
        arn = client().create_infrastructure_configuration(name="infra", instanceProfileName="r")[
            "infrastructureConfigurationArn"]
        assert ":210987654321:" in arn


def test_a_decorated_function_reads_the_environment_when_it_runs(monkeypatch):
    @mock_imagebuilder
    def account() -> str:
        return client().create_infrastructure_configuration(name="infra", instanceProfileName="r")[
            "infrastructureConfigurationArn"].split(":")[4]

    assert account() == "123456789012"
    monkeypatch.setenv("IMAGEBUILDER_MOCK_ACCOUNT_ID", "210987654321")
    assert account() == "210987654321"


@pytest.mark.parametrize("variable, value, message", [
    ("IMAGEBUILDER_MOCK_BLOCK_NETWORK", "maybe", "IMAGEBUILDER_MOCK_BLOCK_NETWORK"),
    ("IMAGEBUILDER_MOCK_STAGE_DURATIONS", "[1]", "IMAGEBUILDER_MOCK_STAGE_DURATIONS must be a JSON object"),
    ("IMAGEBUILDER_MOCK_MAX_CALLS", "many", "IMAGEBUILDER_MOCK_MAX_CALLS must be an integer"),
    ("IMAGEBUILDER_MOCK_ACCOUNT_ID", "12", "account_id must be 12 digits"),
    ("IMAGEBUILDER_MOCK_PROGRESSION", "sometimes", "sometimes"),
])
def test_a_bad_environment_value_is_refused_naming_it(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises((ValueError, TypeError), match=message):
        MockImageBuilder()


def test_the_client_fixture_region_comes_from_the_environment(pytester, monkeypatch):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile("""
        def test_region(imagebuilder_client):
            assert imagebuilder_client.meta.region_name == "eu-west-1"
    """)
    monkeypatch.setenv("IMAGEBUILDER_MOCK_REGION", "eu-west-1")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


# -- clock.move_to ------------------------------------------------------------------------------
def test_move_to_sets_the_clock_forward_and_refuses_the_past():
    with mock_imagebuilder() as m:
        target = m.clock.now() + datetime.timedelta(days=3)
        moved = m.clock.move_to(target)
        assert abs(moved - target) < datetime.timedelta(seconds=1)
        naive = (target + datetime.timedelta(hours=1)).replace(tzinfo=None)  # read as UTC
        assert abs(m.clock.move_to(naive) - naive.replace(tzinfo=UTC)) < datetime.timedelta(seconds=1)
        with pytest.raises(ValueError, match="only moves forward"):
            m.clock.move_to(target)
        client().list_components()
        assert m.calls.last.time >= naive.replace(tzinfo=UTC)


# -- s3_objects for every downloaded URI ---------------------------------------------------------
@pytest.mark.imagebuilder_mock(s3_objects={"s3://docs/hello.yaml": factories.LINUX_DOC,
                                           "s3://docs/script.sh": b"echo from s3_objects\n",
                                           "s3://docs/wait.yaml": WORKFLOW})
def test_s3_objects_answer_component_and_workflow_uris(imagebuilder_client):
    ib = imagebuilder_client
    arn = ib.create_component(name="comp", semanticVersion="1.0.0", platform="Linux",
                              uri="s3://docs/hello.yaml")["componentBuildVersionArn"]
    assert ib.get_component(componentBuildVersionArn=arn)["component"]["data"] == factories.LINUX_DOC
    imported = ib.import_component(name="script", semanticVersion="1.0.0", type="BUILD", format="SHELL", platform="Linux",
                                   uri="s3://docs/script.sh")["componentBuildVersionArn"]
    assert "echo from s3_objects" in ib.get_component(componentBuildVersionArn=imported)["component"]["data"]
    workflow = ib.create_workflow(name="flow", semanticVersion="1.0.0", type="BUILD",
                                  uri="s3://docs/wait.yaml")["workflowBuildVersionArn"]
    assert ib.get_workflow(workflowBuildVersionArn=workflow)["workflow"]["data"] == WORKFLOW


@pytest.mark.parametrize("create", [
    lambda ib: ib.create_component(name="comp", semanticVersion="1.0.0", platform="Linux", uri="s3://docs/missing"),
    lambda ib: ib.create_workflow(name="flow", semanticVersion="1.0.0", type="BUILD", uri="s3://docs/missing"),
    lambda ib: ib.create_container_recipe(containerType="DOCKER", name="recipe", semanticVersion="1.0.0",
                                          parentImage="amazonlinux:latest", dockerfileTemplateUri="s3://docs/missing",
                                          targetRepository={"service": "ECR", "repositoryName": "r"},
                                          components=[{"componentArn": "arn:aws:imagebuilder:us-east-1:aws:"
                                                                       "component/update-linux/x.x.x"}]),
])
@pytest.mark.imagebuilder_mock(s3_objects={"s3://docs/other": "x"})
def test_a_missing_object_is_the_services_error(imagebuilder_client, create):
    with pytest.raises(ClientError) as exc:
        create(imagebuilder_client)
    assert _code(exc) == "InvalidParameterValueException"
    assert "s3://docs/missing" in exc.value.response["Error"]["Message"]


def test_workflow_uri_is_read_through_moto_s3():
    from moto import mock_aws

    with mock_aws(), mock_imagebuilder():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="flows")
        s3.put_object(Bucket="flows", Key="wait.yaml", Body=WORKFLOW.encode())
        ib = client()
        arn = ib.create_workflow(name="flow", semanticVersion="1.0.0", type="BUILD",
                                 uri="s3://flows/wait.yaml")["workflowBuildVersionArn"]
        assert ib.get_workflow(workflowBuildVersionArn=arn)["workflow"]["data"] == WORKFLOW


# -- inject_error and botocore's retries -----------------------------------------------------------
def test_a_retried_error_injected_once_is_absorbed_by_the_retry():
    with mock_imagebuilder() as m:
        m.inject_error("ListComponents", "ServiceUnavailableException")
        assert client().list_components()["componentVersionList"] == []
        assert [(c.status, c.error) for c in m.calls] == [(503, "ServiceUnavailableException"), (200, None)]


def test_count_none_fails_every_attempt_until_cleared():
    with mock_imagebuilder() as m:
        m.inject_error("ListComponents", "ServiceUnavailableException", count=None)
        ib = client(config=Config(retries={"max_attempts": 4, "mode": "standard"}))
        for _ in range(2):
            with pytest.raises(ClientError) as exc:
                ib.list_components()
            assert _code(exc) == "ServiceUnavailableException"
        assert [c.status for c in m.calls] == [503] * 10  # every attempt (1 + 4 retries) of both calls
        m.clear_errors("ListComponents")
        assert ib.list_components()["componentVersionList"] == []
        m.inject_error("ListComponents", "ServiceUnavailableException", count=None)
        m.reset()
        assert ib.list_components()["componentVersionList"] == []
    with pytest.raises(ValueError, match="count"):
        MockImageBuilder().inject_error("ListComponents", "ServiceUnavailableException", count=0)


# -- typing, the smoke benchmark ---------------------------------------------------------------
def test_the_typed_usage_module_runs():
    sys.path.insert(0, str(ROOT / "tests" / "typing"))
    try:
        import usage
    finally:
        sys.path.pop(0)
    usage.check()
    assert (ROOT / "imagebuilder_mock" / "py.typed").exists()


def test_the_smoke_benchmark_prints_one_line_and_no_ratios():
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, "benchmarks")
        import run
        run.run = lambda cfg, smoke: {"elapsed_s": 1.5, "mix": "imagebuilder", "per_call_vs_floor": 0.4,
                                      "targets_met": {"per_call_vs_floor": True}}
        sys.exit(run.main(["--smoke"]))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("benchmarks smoke run: every benchmark ran")
    assert "0.4" not in lines[0] and "met" not in lines[0]
