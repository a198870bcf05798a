"""The AWS CLI (v1, from PyPI) against the served mock: every imagebuilder example of the CLI's documentation
(data/aws_cli_examples.json, made by scripts/cli_examples.py from awscli/examples/imagebuilder/*.rst), the
waiter, pagination, error output and exit codes. `tox -e cli` installs the CLI and runs this file.

Each example runs on a fresh state holding what it needs, built through boto3 from the examples' own inputs
(the recipe's Windows Server 2016 parent is replaced by one the catalog has until the catalog work lands);
the examples' ARNs are replaced by those of the resources made, and the output's keys and value formats
are compared with the documented output's (tests/conformance/shapes.py).
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .examples_world import (CATALOG_WINDOWS, DATA, EXAMPLES, WINDOWS_DOC, build_world,
                            deep_substitute, put_s3_objects, substitute)
from .served import ACCOUNT, REGION
from .shapes import differences

if importlib.util.find_spec("awscli") is None:
    pytest.skip("the AWS CLI (awscli) is not installed here: `tox -e cli` installs it and runs this suite",
                allow_module_level=True)

# -- running the CLI -------------------------------------------------------------------------------------
class CliRunner:
    """One process running CLI commands one after another (cli_runner.py)."""

    def __init__(self, env: dict) -> None:
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).parent / "cli_runner.py")], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def __call__(self, args: list[str]) -> subprocess.CompletedProcess:
        self.process.stdin.write(json.dumps(args) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the CLI runner stopped (exit {self.process.poll()})"
        done = json.loads(line)
        return subprocess.CompletedProcess(["aws", *args], done["rc"], done["stdout"], done["stderr"])

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def cli(client_env):
    runner = CliRunner(client_env)
    yield runner
    runner.close()


def aws(server, cli, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`aws --endpoint-url <server> imagebuilder ...` (through the CLI's driver in the runner process)."""
    done = cli(["--endpoint-url", server.endpoint_url, "imagebuilder", *args])
    if check:
        assert done.returncode == 0, f"aws imagebuilder {' '.join(args)} exited {done.returncode}: {done.stderr}"
    return done


def aws_process(server, env, *args: str) -> subprocess.CompletedProcess:
    """The same as its own `python -m awscli` process: the entry point users run."""
    return subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", server.endpoint_url, "imagebuilder",
                           *args], env=env, capture_output=True, text=True, timeout=120)


def output(done: subprocess.CompletedProcess):
    return json.loads(done.stdout) if done.stdout.strip() else None


def _output_members(cli_operation: str) -> set[str]:
    """The output members of an operation in the model (botocore's loader), by its CLI name."""
    import botocore.session

    name = "".join(part.capitalize() for part in cli_operation.split("-"))
    return set(botocore.session.get_session().get_service_model("imagebuilder").operation_model(
        name).output_shape.members)


def _example_params() -> list:
    return [pytest.param(entry, id=entry["operation"]) for entry in DATA["examples"]]


@pytest.mark.parametrize("entry", _example_params())
def test_documented_example(mock_server, cli, tmp_path, entry):
    world = build_world(mock_server, entry["operation"])
    args: list[str] = []
    for flag, value in entry["args"].items():
        if flag == "--cli-input-json":
            path = tmp_path / "input.json"
            path.write_text(json.dumps(deep_substitute(entry["input"], world)))
            value = f"file://{path}"
        args += [flag] if value is None else [flag, substitute(value, world)]
    moto_context = put_s3_objects(entry)
    try:
        done = aws(mock_server, cli, entry["operation"], *args)
    finally:
        if moto_context is not None:
            moto_context.stop()
    got = output(done)
    if entry.get("erratum") and not set(entry["output"]) <= _output_members(entry["operation"]):
        # the documented output is another operation's: the real one has the model's members only
        assert got and set(got) <= _output_members(entry["operation"]), (entry["erratum"], got)
        assert all(value for key, value in got.items() if key != "requestId"), got
    elif entry["output"] is None:
        assert got is None, f"{entry['source']} documents no output; got {got}"
    else:
        assert differences(entry["output"], got) == [], f"{entry['source']}: {json.dumps(got)[:2000]}"


# -- the waiter ----------------------------------------------------------------------------------------
def _cli_waiters(env) -> tuple[str, list[str] | None]:
    """The installed CLI's version and the imagebuilder waiters of the model it bundles (None: none)."""
    probe = ("import awscli, json\nfrom awscli.clidriver import create_clidriver\n"
             "from botocore.exceptions import DataNotFoundError\n"
             "session = create_clidriver().session\n"
             "try:\n    names = session.get_waiter_model('imagebuilder').waiter_names\n"
             "except DataNotFoundError:\n    names = None\n"
             "print(json.dumps([awscli.__version__, names]))\n")
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    version, names = json.loads(done.stdout)
    return version, names


def _image(server) -> tuple[str, str]:
    """A fresh state with an image recipe and an infrastructure configuration: (recipe, infra)."""
    server.mock.reset()
    ib = server.client()
    recipe = ib.create_image_recipe(name="waited", semanticVersion="1.0.0", parentImage=CATALOG_WINDOWS)
    infra = ib.create_infrastructure_configuration(name="waited", instanceProfileName="role")
    return recipe["imageRecipeArn"], infra["infrastructureConfigurationArn"]


def test_wait_image_available(mock_server, cli, client_env):
    version, waiters = _cli_waiters(client_env)
    if not waiters or "ImageAvailable" not in waiters:
        pytest.skip(f"the installed AWS CLI {version} bundles an imagebuilder model without the ImageAvailable "
                    "waiter (no waiters-2.json), so it has no `aws imagebuilder wait image-available`")
    recipe, infra = _image(mock_server)
    ib = mock_server.client()
    arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    aws(mock_server, cli, "wait", "image-available", "--image-build-version-arn", arn)
    mock_server.mock.fail_builds(reason="broken on purpose")
    failed = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    done = aws(mock_server, cli, "wait", "image-available", "--image-build-version-arn", failed, check=False)
    assert done.returncode == 255 and "terminal failure state" in done.stderr, done.stderr


# -- pagination ------------------------------------------------------------------------------------------
def _components(server, count: int) -> list[str]:
    server.mock.reset()
    ib = server.client()
    return [ib.create_component(name=f"paged-{n}", semanticVersion="1.0.0", platform="Windows",
                                data=WINDOWS_DOC)["componentBuildVersionArn"] for n in range(count)]


def _requests(stderr: str, operation: str) -> int:
    """How many requests of `operation` the CLI made (its --debug log)."""
    return len(re.findall(rf"Making request for OperationModel\(name={operation}\)", stderr))


def test_max_items_and_starting_token(mock_server, cli):
    made = _components(mock_server, 5)
    first = output(aws(mock_server, cli, "list-components", "--max-items", "2"))
    assert len(first["componentVersionList"]) == 2 and first["NextToken"]
    second = output(aws(mock_server, cli, "list-components", "--max-items", "2",
                        "--starting-token", first["NextToken"]))
    assert len(second["componentVersionList"]) == 2 and second["NextToken"]
    rest = output(aws(mock_server, cli, "list-components", "--starting-token", second["NextToken"]))
    assert len(rest["componentVersionList"]) == 1 and "NextToken" not in rest
    seen = [c["arn"] for page in (first, second, rest) for c in page["componentVersionList"]]
    assert sorted(seen) == sorted(arn.rsplit("/", 1)[0] for arn in made)  # ListComponents lists versions


def test_page_size_pages_through_everything(mock_server, cli):
    _components(mock_server, 5)
    done = aws(mock_server, cli, "list-components", "--page-size", "2", "--debug")
    assert len(output(done)["componentVersionList"]) == 5
    assert _requests(done.stderr, "ListComponents") == 3  # 2 + 2 + 1
    done = aws(mock_server, cli, "list-components", "--page-size", "2", "--max-items", "3", "--debug")
    page = output(done)
    assert len(page["componentVersionList"]) == 3 and page["NextToken"]
    assert _requests(done.stderr, "ListComponents") == 2


def test_no_paginate_returns_one_service_page(mock_server, cli):
    _components(mock_server, 3)
    page = output(aws(mock_server, cli, "list-components", "--no-paginate", "--max-results", "2"))
    assert len(page["componentVersionList"]) == 2 and page["nextToken"]


# -- errors and exit codes ------------------------------------------------------------------------------
MISSING_IMAGE = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image/nope/1.0.0/1"


def test_a_service_error_prints_its_code_and_message_and_exits_255(mock_server, cli, client_env):
    mock_server.mock.reset()
    for done in (aws(mock_server, cli, "get-image", "--image-build-version-arn", MISSING_IMAGE, check=False),
                 aws_process(mock_server, client_env, "get-image", "--image-build-version-arn", MISSING_IMAGE)):
        assert done.returncode == 255 and done.stdout == ""
        assert "An error occurred (ResourceNotFoundException) when calling the GetImage operation" in done.stderr
        assert MISSING_IMAGE in done.stderr


def test_a_value_the_cli_passes_is_refused_by_the_service_naming_the_parameter(mock_server, cli):
    mock_server.mock.reset()
    done = aws(mock_server, cli, "create-component", "--name", "bad-version", "--semantic-version", "1.0",
               "--platform", "Linux", "--data", WINDOWS_DOC, check=False)
    assert done.returncode == 255
    assert "(InvalidParameterValueException) when calling the CreateComponent operation" in done.stderr
    assert "semanticVersion" in done.stderr
    assert output(aws(mock_server, cli, "list-components"))["componentVersionList"] == []  # nothing made


def test_a_missing_required_argument_is_a_usage_error(mock_server, cli, client_env):
    for done in (aws(mock_server, cli, "get-image", check=False), aws_process(mock_server, client_env, "get-image")):
        assert done.returncode == 2 and "--image-build-version-arn" in done.stderr


def test_the_aws_entry_point_runs_an_example(mock_server, client_env):
    """The runner process uses the CLI's driver; this is `python -m awscli` itself, end to end."""
    world = build_world(mock_server, "get-image")
    done = aws_process(mock_server, client_env, "get-image", "--image-build-version-arn", world["image"])
    assert done.returncode == 0, done.stderr
    assert differences(EXAMPLES["get-image"]["output"], output(done)) == []


@pytest.mark.parametrize("code, status", [("ServiceUnavailableException", 503), ("CallRateLimitExceededException", 429),
                                          ("ForbiddenException", 403)])
def test_injected_server_errors_reach_the_cli(mock_server, cli, code, status):
    mock_server.mock.reset()
    mock_server.mock.inject_error("ListImages", code)
    done = aws(mock_server, cli, "list-images", "--debug", check=False)
    assert done.returncode == 255 and f"An error occurred ({code}) when calling the ListImages operation" in done.stderr
    assert f'/ListImages HTTP/1.1" {status}' in done.stderr  # urllib3's debug line: the HTTP status


def test_text_and_table_output(mock_server, cli):
    made = _components(mock_server, 2)
    text = aws(mock_server, cli, "list-components", "--output", "text",
               "--query", "componentVersionList[].arn").stdout.split()
    assert sorted(text) == sorted(arn.rsplit("/", 1)[0] for arn in made)
    table = aws(mock_server, cli, "get-component", "--component-build-version-arn", made[0],
                "--output", "table").stdout
    assert "GetComponent" in table and "paged-0" in table


def test_iso8601_timestamps_from_the_config_file(mock_server, cli):
    recipe, infra = _image(mock_server)
    ib = mock_server.client()
    arn = ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)["imageBuildVersionArn"]
    image = output(aws(mock_server, cli, "get-image", "--image-build-version-arn", arn))["image"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", image["dateCreated"])
    # a timestamp member (`deprecationTime`) prints in ISO 8601 under cli_timestamp_format = iso8601
    ib.start_resource_state_update(resourceArn=arn, state={"status": "DEPRECATED"},
                                   updateAt=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1))
    image = output(aws(mock_server, cli, "get-image", "--image-build-version-arn", arn))["image"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", image["deprecationTime"]), image
