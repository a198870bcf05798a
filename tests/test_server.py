"""The engine behind a real WSGI server on loopback, driven by an ordinary boto3 client."""

from __future__ import annotations

import threading

import boto3
import pytest
from werkzeug.serving import make_server

from imagebuilder_mock import MockImageBuilder
from imagebuilder_mock.server import make_app


@pytest.fixture
def served():
    mock = MockImageBuilder()
    server = make_server("127.0.0.1", 0, make_app(mock))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield mock, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_boto3_over_http_gets_the_same_answers(served):
    mock, url = served
    client = boto3.client("imagebuilder", region_name="eu-west-1", endpoint_url=url,
                          aws_access_key_id="AKIASERVERTEST000001", aws_secret_access_key="s")
    arn = client.create_infrastructure_configuration(name="Over HTTP", instanceProfileName="p",
                                                     tags={"team": "images"})["infrastructureConfigurationArn"]
    assert arn == "arn:aws:imagebuilder:eu-west-1:123456789012:infrastructure-configuration/over-http"
    client.tag_resource(resourceArn=arn, tags={"stage": "prod"})
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "images", "stage": "prod"}
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_infrastructure_configuration(infrastructureConfigurationArn=arn + "-missing")
    # the server's state is the mock's state
    assert list(mock.backend.store("123456789012", "eu-west-1").infrastructure_configurations) == [arn]


# -- ImageBuilderServer, the fixture, the control API, state export ---------------------------------
import json  # noqa: E402
import urllib.request  # noqa: E402

from imagebuilder_mock import ImageBuilderServer  # noqa: E402
import importlib.util  # noqa: E402
from imagebuilder_mock._engine._model import service_model  # noqa: E402
from imagebuilder_mock.server import CONTROL_PREFIX  # noqa: E402
from imagebuilder_mock.server._control import ENDPOINTS  # noqa: E402


needs_waitress = pytest.mark.skipif(importlib.util.find_spec("waitress") is None,
                                    reason="waitress is not installed (the test and server extras install it)")


def _client(url: str, region: str = "us-east-1", key: str = "AKIASERVERTEST000001"):
    return boto3.client("imagebuilder", region_name=region, endpoint_url=url,
                        aws_access_key_id=key, aws_secret_access_key="s")


def _control(url: str, method: str, path: str, payload: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url + CONTROL_PREFIX + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {"_type": error.headers.get("x-amzn-ErrorType"), **json.loads(error.read())}


def test_the_control_prefix_cannot_collide_with_a_service_route():
    model = service_model()
    uris = [model.operation_model(name).http["requestUri"] for name in model.operation_names]
    assert uris and all(uri.startswith("/") for uri in uris)
    assert not [uri for uri in uris if uri.startswith(CONTROL_PREFIX) or uri.startswith("/_")]


@needs_waitress
def test_image_builder_server_is_a_threaded_context_manager_with_the_handle():
    with ImageBuilderServer(port=0, account_id="111122223333") as server:
        assert server.endpoint_url.startswith("http://127.0.0.1:") and server.port > 0
        client = _client(server.endpoint_url)
        arn = client.create_infrastructure_configuration(name="threaded", instanceProfileName="p")[
            "infrastructureConfigurationArn"]
        assert ":111122223333:" in arn
        assert list(server.mock.backend.store("111122223333", "us-east-1").infrastructure_configurations) == [arn]
    with pytest.raises(RuntimeError, match="not running"):
        server.endpoint_url  # noqa: B018


@needs_waitress
def test_start_and_stop_free_the_port():
    server = ImageBuilderServer(port=0).start()
    url = server.endpoint_url
    assert _control(url, "GET", "/health")[0] == 200
    server.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(url + CONTROL_PREFIX + "/health", timeout=2)


@needs_waitress
def test_the_pytest_fixture_serves_a_fresh_mock(imagebuilder_server):
    client = _client(imagebuilder_server.endpoint_url)
    assert client.list_components()["componentVersionList"] == []
    assert imagebuilder_server.mock.backend.stores == {} or all(
        not store.components for store in imagebuilder_server.mock.backend.stores.values())


@pytest.fixture
def server():
    with ImageBuilderServer(port=0) as running:
        yield running


def test_every_control_endpoint_is_documented():
    import pathlib

    with open(pathlib.Path(__file__).parent.parent / "docs" / "server.md", encoding="utf-8") as handle:
        text = handle.read()
    for method, path in ENDPOINTS:
        assert f"`{method} {CONTROL_PREFIX}{path}`" in text, (method, path)


@needs_waitress
def test_control_reset_forgets_resources(server):
    client = _client(server.endpoint_url)
    client.create_infrastructure_configuration(name="gone", instanceProfileName="p")
    assert _control(server.endpoint_url, "POST", "/reset") == (200, {})
    assert client.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"] == []


@needs_waitress
def test_control_clock_now_and_advance(server):
    status, before = _control(server.endpoint_url, "GET", "/clock")
    assert status == 200
    status, after = _control(server.endpoint_url, "POST", "/clock/advance", {"days": 2})
    assert status == 200
    from imagebuilder_mock._backend.clock import parse_iso

    moved = parse_iso(after["now"]) - parse_iso(before["now"])
    assert 2 * 86400 <= moved.total_seconds() < 2 * 86400 + 60
    client = _client(server.endpoint_url)
    arn = client.create_infrastructure_configuration(name="dated", instanceProfileName="p")[
        "infrastructureConfigurationArn"]
    created = client.get_infrastructure_configuration(infrastructureConfigurationArn=arn)[
        "infrastructureConfiguration"]["dateCreated"]
    assert created >= after["now"][:19]
    status, error = _control(server.endpoint_url, "POST", "/clock/advance", {"seconds": -5})
    assert status == 400 and error["_type"] == "InvalidRequestException" and "forward" in error["message"]
    status, moved_to = _control(server.endpoint_url, "POST", "/clock/move_to", {"time": "2099-01-01T00:00:00Z"})
    assert status == 200 and moved_to["now"].startswith("2099-01-01T00:00")


@needs_waitress
def test_control_inject_error_answers_the_next_call(server):
    status, _ = _control(server.endpoint_url, "POST", "/inject_error",
                         {"operation": "ListComponents", "code": "ResourceNotFoundException", "message": "nope"})
    assert status == 200
    client = _client(server.endpoint_url)
    with pytest.raises(client.exceptions.ResourceNotFoundException, match="nope"):
        client.list_components()
    assert client.list_components()["componentVersionList"] == []
    status, error = _control(server.endpoint_url, "POST", "/inject_error",
                             {"operation": "NoSuchOperation", "code": "ServiceException"})
    assert status == 400 and "NoSuchOperation" in error["message"]
    status, error = _control(server.endpoint_url, "POST", "/inject_error", {"operation": "ListComponents"})
    assert status == 400 and "code" in error["message"]


@needs_waitress
def test_control_register_access_key_sets_the_account(server):
    status, _ = _control(server.endpoint_url, "POST", "/register_access_key",
                         {"access_key_id": "AKIAOTHERACCOUNT0001", "account_id": "444455556666"})
    assert status == 200
    client = _client(server.endpoint_url, key="AKIAOTHERACCOUNT0001")
    arn = client.create_infrastructure_configuration(name="other", instanceProfileName="p")[
        "infrastructureConfigurationArn"]
    assert ":444455556666:" in arn
    status, error = _control(server.endpoint_url, "POST", "/register_access_key",
                             {"access_key_id": "AKIA2", "account_id": "12"})
    assert status == 400 and "12 digits" in error["message"]


@needs_waitress
def test_control_unknown_endpoint_and_bad_json(server):
    status, error = _control(server.endpoint_url, "GET", "/nothing-here")
    assert status == 404 and error["_type"] == "UnknownOperationException"
    status, error = _control(server.endpoint_url, "GET", "/reset")
    assert status == 404 and "POST" in error["message"]
    request = urllib.request.Request(server.endpoint_url + CONTROL_PREFIX + "/reset", data=b"{not json",
                                     method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 400 and "not valid JSON" in json.loads(caught.value.read())["message"]
    status, error = _control(server.endpoint_url, "POST", "/fail_builds", {"colour": "red"})
    assert status == 400 and "colour" in error["message"]
    server.app.max_body_size = 10
    status, error = _control(server.endpoint_url, "PUT", "/state", {"format": 1, "stores": []})
    assert status == 400 and error["_type"] == "InvalidRequestException" and "10 bytes" in error["message"]


@needs_waitress
def test_control_journal_lists_the_requests_served(server):
    client = _client(server.endpoint_url)
    client.list_components()
    with pytest.raises(client.exceptions.ClientError):
        client.get_component(componentBuildVersionArn="arn:aws:imagebuilder:us-east-1:123456789012:component/x/1.0.0/1")
    status, journal = _control(server.endpoint_url, "GET", "/calls")
    served = [(c["operation"], c["status"]) for c in journal["calls"] if c["operation"] != "control"]
    assert served == [("ListComponents", 200), ("GetComponent", 404)]
    assert all(c["milliseconds"] >= 0 and c["requestId"] for c in journal["calls"][:2])
    assert _control(server.endpoint_url, "DELETE", "/calls") == (200, {})
    assert [c["operation"] for c in _control(server.endpoint_url, "GET", "/calls")[1]["calls"]] == ["control"]


AL2_PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"


def _image(client, name: str, **kw) -> str:
    recipe = client.create_image_recipe(name=name, semanticVersion="1.0.0", parentImage=AL2_PARENT)["imageRecipeArn"]
    infra = client.create_infrastructure_configuration(name=name, instanceProfileName="p")[
        "infrastructureConfigurationArn"]
    return client.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra, **kw)[
        "imageBuildVersionArn"]


@needs_waitress
def test_control_fail_builds_fails_the_next_build(server):
    status, _ = _control(server.endpoint_url, "POST", "/fail_builds", {"reason": "disk full", "at": "TESTING"})
    assert status == 200
    client = _client(server.endpoint_url)
    state = client.get_image(imageBuildVersionArn=_image(client, "failing"))["image"]["state"]
    assert state == {"status": "FAILED", "reason": "disk full"} or (state["status"], state["reason"]) == (
        "FAILED", "disk full")
    assert client.get_image(imageBuildVersionArn=_image(client, "fine"))["image"]["state"]["status"] == "AVAILABLE"
    status, error = _control(server.endpoint_url, "POST", "/fail_builds", {"at": "NOWHERE"})
    assert status == 400 and "at must be one of" in error["message"]


@needs_waitress
def test_control_run_lifecycle_policies_returns_the_executions(server):
    client = _client(server.endpoint_url)
    assert _control(server.endpoint_url, "POST", "/run_lifecycle_policies") == (200, {"lifecycleExecutionIds": []})
    image = _image(client, "web")
    client.get_image(imageBuildVersionArn=image)
    client.create_lifecycle_policy(
        name="keep-fresh", executionRole="arn:aws:iam::123456789012:role/lifecycle", resourceType="AMI_IMAGE",
        policyDetails=[{"action": {"type": "DEPRECATE"}, "filter": {"type": "AGE", "value": 30, "unit": "DAYS"}}],
        resourceSelection={"recipes": [{"name": "web", "semanticVersion": "1.x.x"}]})
    _control(server.endpoint_url, "POST", "/clock/advance", {"days": 40})
    status, out = _control(server.endpoint_url, "POST", "/run_lifecycle_policies", {"region": "us-east-1"})
    assert status == 200 and len(out["lifecycleExecutionIds"]) == 1
    execution = client.get_lifecycle_execution(lifecycleExecutionId=out["lifecycleExecutionIds"][0])
    assert execution["lifecycleExecution"]["lifecycleExecutionId"] == out["lifecycleExecutionIds"][0]
    assert client.get_image(imageBuildVersionArn=image)["image"]["state"]["status"] == "DEPRECATED"


def _observe(client) -> dict:
    """What a client sees of the state: every List and the Gets of what they list."""
    components = client.list_components(owner="Self")["componentVersionList"]
    recipes = client.list_image_recipes()["imageRecipeSummaryList"]
    images = client.list_images()["imageVersionList"]
    pipelines = client.list_image_pipelines()["imagePipelineList"]
    builds = [client.get_image(imageBuildVersionArn=arn)["image"]
              for v in images for arn in [b["arn"] for b in client.list_image_build_versions(
                  imageVersionArn=v["arn"])["imageSummaryList"]]]
    seen = {"components": components, "recipes": recipes, "images": images, "pipelines": pipelines,
            "builds": builds, "tags": [client.list_tags_for_resource(resourceArn=r["arn"])["tags"] for r in recipes]}
    for key in ("builds",):
        for item in seen[key]:
            item.pop("requestId", None)
    return json.loads(json.dumps(seen, default=str))


@needs_waitress
def test_state_export_and_import_round_trip(server):
    client = _client(server.endpoint_url)
    client.create_component(name="hello", semanticVersion="1.0.0", platform="Linux", tags={"a": "b"},
                            data="name: hello\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n"
                                 "      - name: s\n        action: ExecuteBash\n        inputs:\n"
                                 "          commands: ['echo hi']\n", clientToken="token-1")
    image = _image(client, "exported", tags={"team": "images"})
    client.get_image(imageBuildVersionArn=image)
    client.create_image_pipeline(name="nightly", imageRecipeArn=client.list_image_recipes()[
        "imageRecipeSummaryList"][0]["arn"], infrastructureConfigurationArn=client.list_infrastructure_configurations()[
        "infrastructureConfigurationSummaryList"][0]["arn"], schedule={"scheduleExpression": "cron(0 0 * * ? *)"})
    _control(server.endpoint_url, "POST", "/register_access_key",
             {"access_key_id": "AKIAOTHERACCOUNT0002", "account_id": "444455556666"})
    _control(server.endpoint_url, "POST", "/clock/advance", {"hours": 3})
    _control(server.endpoint_url, "POST", "/inject_error", {"operation": "DeleteImage", "code": "ResourceDependencyException"})
    status, exported = _control(server.endpoint_url, "GET", "/state")
    assert status == 200 and exported["format"] == 1
    text = json.dumps(exported)  # plain JSON: survives a file
    before = _observe(client)

    with ImageBuilderServer(port=0) as seeded:
        assert _control(seeded.endpoint_url, "PUT", "/state", json.loads(text)) == (200, {})
        other = _client(seeded.endpoint_url)
        assert _observe(other) == before
        assert _control(seeded.endpoint_url, "GET", "/clock")[1]["now"] >= _control(
            server.endpoint_url, "GET", "/clock")[1]["now"][:16]
        # the client token's first answer, the access key's account, the pending injection came along
        again = other.create_component(name="hello", semanticVersion="1.0.0", platform="Linux", tags={"a": "b"},
                                       data=client.get_component(componentBuildVersionArn=before["components"][0][
                                           "arn"] + "/1")["component"]["data"], clientToken="token-1")
        assert again["componentBuildVersionArn"] == before["components"][0]["arn"] + "/1"
        keyed = _client(seeded.endpoint_url, key="AKIAOTHERACCOUNT0002")
        assert ":444455556666:" in keyed.create_infrastructure_configuration(
            name="keyed", instanceProfileName="p")["infrastructureConfigurationArn"]
        with pytest.raises(other.exceptions.ResourceDependencyException):
            other.delete_image(imageBuildVersionArn=image)
        # the next build number continues where the exporter's would
        second = other.create_image(imageRecipeArn=before["recipes"][0]["arn"],
                                    infrastructureConfigurationArn=client.list_infrastructure_configurations()[
                                        "infrastructureConfigurationSummaryList"][0]["arn"])["imageBuildVersionArn"]
        assert second.endswith("/2")


@needs_waitress
def test_state_import_refuses_what_it_cannot_read(server):
    status, error = _control(server.endpoint_url, "PUT", "/state", {"format": 99})
    assert status == 400 and "format" in error["message"]
    status, exported = _control(server.endpoint_url, "GET", "/state")
    exported["extensions"] = {"x": {"__ib": "function", "name": "os:system"}}
    status, error = _control(server.endpoint_url, "PUT", "/state", exported)
    assert status == 400 and "imagebuilder_mock" in error["message"]


@needs_waitress
def test_a_build_in_progress_resumes_in_the_server_seeded_from_its_export():
    with ImageBuilderServer(progression="clock") as first, ImageBuilderServer(progression="clock") as second:
        client = _client(first.endpoint_url)
        image = _image(client, "resumed")
        first.mock.clock.advance(minutes=3)
        assert client.get_image(imageBuildVersionArn=image)["image"]["state"]["status"] not in ("AVAILABLE", "FAILED")
        _, exported = _control(first.endpoint_url, "GET", "/state")
        assert _control(second.endpoint_url, "PUT", "/state", exported)[0] == 200
        seeded = _client(second.endpoint_url)
        for server in (first, second):
            _control(server.endpoint_url, "POST", "/clock/advance", {"hours": 2})
        mine, theirs = (c.get_image(imageBuildVersionArn=image)["image"] for c in (client, seeded))
        assert mine["state"] == theirs["state"] == {"status": "AVAILABLE"}
        assert mine["dateCreated"] == theirs["dateCreated"] and mine["version"] == theirs["version"]
        flows = [[(w["workflowBuildVersionArn"], w["status"]) for w in c.list_workflow_executions(
            imageBuildVersionArn=image)["workflowExecutions"]] for c in (client, seeded)]
        assert flows[0] == flows[1] and len(flows[0]) == 2
