"""Fixtures of the Terraform conformance suite (`tox -e terraform`).

The suite needs a `terraform` binary and a filesystem mirror holding registry.terraform.io/hashicorp/aws
(neither can be installed from the registries CI reaches); where either is missing every case skips
and says which. It runs only when IMAGEBUILDER_MOCK_TERRAFORM=1 (the tox env sets it), so the main
suite does not spend minutes on it.
"""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest

from . import _tools
from ._workspace import Workspace, terraform_env

ENABLE_ENV = "IMAGEBUILDER_MOCK_TERRAFORM"


@pytest.fixture(scope="session")
def terraform_setup(tmp_path_factory):
    """(terraform binary, CLI config path, provider version), or a skip saying what is missing."""
    if os.environ.get(ENABLE_ENV) != "1":
        pytest.skip(f"the Terraform conformance suite runs in `tox -e terraform` (or with {ENABLE_ENV}=1)")
    binary = _tools.find_terraform()
    if not binary:
        pytest.skip("no terraform binary on PATH (or in $IMAGEBUILDER_MOCK_TERRAFORM_BIN): "
                    "terraform cannot be installed from the registries this machine reaches")
    mirror = _tools.find_mirror()
    if mirror is None:
        pytest.skip("no filesystem mirror holding registry.terraform.io/hashicorp/aws was found "
                    f"(searched {', '.join(_tools._SEARCH_ROOTS)}; set ${_tools.MIRROR_ENV} to its root)")
    version = os.environ.get(_tools.PROVIDER_VERSION_ENV) or _tools.mirrored_versions(mirror)[-1]
    home = tmp_path_factory.mktemp("terraform")
    cache = home / "plugin-cache"
    cache.mkdir()
    cli_config = _tools.write_cli_config(home / "cli.tfrc", mirror, cache)
    return binary, cli_config, version


@pytest.fixture(scope="session")
def servers(terraform_setup):
    """(mock, imagebuilder endpoint, moto endpoint) shared by every configuration of the session."""
    try:
        import moto.server  # noqa: F401 - moto[server] brings flask
    except ImportError as exc:
        pytest.skip(f"moto's server is not installed (pip install 'moto[server]'): {exc}")
    with _tools.serve_imagebuilder() as (mock, imagebuilder), _tools.serve_moto() as moto_url:
        yield mock, imagebuilder, moto_url


@pytest.fixture(scope="session")
def imagebuilder(servers):
    """A boto3 client on the mock the configurations talk to (to check what Terraform did)."""
    _mock, endpoint, _moto = servers
    return boto3.client("imagebuilder", region_name="us-east-1", endpoint_url=endpoint,
                        aws_access_key_id="AKIATERRAFORMTEST001", aws_secret_access_key="s")


@pytest.fixture(scope="session")
def new_workspace(terraform_setup, servers, tmp_path_factory):
    """A function making an initialised Workspace of one directory under configurations/."""
    binary, cli_config, version = terraform_setup
    _mock, imagebuilder_url, moto_url = servers
    env = terraform_env(cli_config)

    def make(configuration: str, name: str) -> Workspace:
        workspace = Workspace(Path(tmp_path_factory.mktemp(configuration)), configuration, binary, env, version)
        workspace.set_vars(imagebuilder_endpoint=imagebuilder_url, moto_endpoint=moto_url,
                           name=name, step=1)
        workspace.init()
        return workspace

    return make
