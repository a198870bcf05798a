"""The AWS SDK for JavaScript v3 (`@aws-sdk/client-imagebuilder` from npm) against the served mock: the
node scenario js/scenario.mjs builds an image through a pipeline, pages with paginateListComponents,
catches each typed exception, tags and deletes everything. `tox -e js` installs the SDK
(IMAGEBUILDER_MOCK_NPM_INSTALL=1) and runs this file; elsewhere it runs if the SDK is installed already.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import botocore.session
import pytest

JS = Path(__file__).parent / "js"
SDK = JS / "node_modules" / "@aws-sdk" / "client-imagebuilder" / "package.json"
#: the errors the scenario provokes with real requests, in its order
PROVOKED = ["ResourceNotFoundException", "InvalidParameterValueException", "ResourceAlreadyExistsException",
            "InvalidParameterCombinationException", "InvalidVersionNumberException", "ResourceDependencyException",
            "ResourceInUseException", "InvalidPaginationTokenException", "IdempotentParameterMismatchException"]
MODEL = botocore.session.get_session().get_service_model("imagebuilder")
#: every other error of the model (server faults, throttling, quotas, ...), queued on the scenario's first
#: ListImages calls: each typed exception of the SDK is caught once
INJECTED = sorted(shape.name for shape in MODEL.error_shapes if shape.name not in PROVOKED)


def _node_and_sdk() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed here: the JS SDK suite needs them (`tox -e js`)")
    if not SDK.exists():
        if os.environ.get("IMAGEBUILDER_MOCK_NPM_INSTALL") != "1":
            pytest.skip("@aws-sdk/client-imagebuilder is not installed in tests/conformance/js: `tox -e js` "
                        "installs it (npm install) and runs this suite")
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"],
                              cwd=JS, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.skip(f"npm could not install @aws-sdk/client-imagebuilder: {done.stderr.strip()[-500:]}")
    return node, json.loads(SDK.read_text())["version"]


def _status(code: str) -> int:
    """The HTTP status the model gives error `code` (botocore's loader)."""
    return MODEL.shape_for(code).metadata["error"]["httpStatusCode"]


def test_js_sdk_scenario(mock_server):
    node, version = _node_and_sdk()
    mock_server.mock.reset()
    for code in INJECTED:
        mock_server.mock.inject_error("ListImages", code)
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(IMAGEBUILDER_ENDPOINT=mock_server.endpoint_url, IMAGEBUILDER_INJECTED=json.dumps(INJECTED),
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true",
               NO_PROXY="127.0.0.1,localhost")
    done = subprocess.run([node, "scenario.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"@aws-sdk/client-imagebuilder {version}: {done.stderr[-4000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    names = [error["name"] for error in report["errors"]]
    assert names == INJECTED + PROVOKED
    assert sorted(names) == sorted(shape.name for shape in MODEL.error_shapes)  # each typed exception
    for error in report["errors"]:  # the status each exception carries is the model's
        assert error["status"] == _status(error["name"]), error
        assert error["fault"] == ("server" if error["status"] >= 500 else "client"), error
    assert report["pages"] == [2, 2, 2]
    assert report["steps"][-1] == {"deleted": True}
    # and nothing is left behind, as boto3 sees it
    ib = mock_server.client()
    assert ib.list_components()["componentVersionList"] == []
    assert ib.list_image_recipes()["imageRecipeSummaryList"] == []
    assert ib.list_infrastructure_configurations()["infrastructureConfigurationSummaryList"] == []
