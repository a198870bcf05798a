"""Shared fixtures. Every test goes through boto3 as a user's test does; strict mode checks every
response we emit against the model's output shape."""

from __future__ import annotations

import os

import boto3
import pytest

import _model_features
import _network_guard

os.environ.setdefault("IMAGEBUILDER_MOCK_STRICT", "1")
# Tests never touch the network: no real credentials, no real endpoints.
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_name, None)
os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing-secret")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

_network_guard.install()
# Older botocore models require a recipe's components; calls written for the newest model get one there.
_model_features.install_component_filler()


@pytest.fixture(autouse=True)
def _no_network():
    """Fail the test if anything in it reached (or tried to reach) beyond loopback (`_network_guard.py`)."""
    del _network_guard.violations[:]
    yield
    found, _network_guard.violations[:] = list(_network_guard.violations), []
    assert not found, f"the test tried to reach the network: {found}"


@pytest.fixture
def ib(imagebuilder_mock):
    """An imagebuilder client in us-east-1 on a fresh mock (the plugin's fixtures)."""
    return boto3.client("imagebuilder", region_name="us-east-1")
