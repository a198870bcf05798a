"""Cold start: handler modules load on their operation's first call; the table that says which module
registers which operation must match the registrations."""

from __future__ import annotations

import os
import subprocess
import sys

import imagebuilder_mock._resources as resources


def test_the_module_table_matches_the_registrations():
    registered = resources.operations()
    for module, names in resources._MODULES.items():
        for name in names:
            assert registered[name].__module__ == f"{resources.__name__}.{module}", name
    assert set(resources._MODULE_OF) == set(registered)


_FRESH = """
import sys, boto3, imagebuilder_mock
client = boto3.client("imagebuilder", region_name="us-east-1", aws_access_key_id="AKIAX",
                      aws_secret_access_key="s")
with imagebuilder_mock.mock_imagebuilder():
    loaded = sorted(m for m in sys.modules if m.startswith("imagebuilder_mock._resources."))
    assert loaded == [], loaded
    arn = client.create_infrastructure_configuration(name="infra", instanceProfileName="p")[
        "infrastructureConfigurationArn"]
    assert "imagebuilder_mock._resources.components" not in sys.modules
    assert client.get_infrastructure_configuration(infrastructureConfigurationArn=arn)[
        "infrastructureConfiguration"]["name"] == "infra"
    assert client.list_tags_for_resource(resourceArn=arn)["tags"] == {}
print("ok")
"""


def test_a_fresh_process_loads_only_the_handlers_it_calls():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


_PARTICIPANTS = """
import imagebuilder_mock._resources as resources
from imagebuilder_mock._backend import lifecycle
from imagebuilder_mock._resources import schedules

def registered():
    return [[f"{f.__module__}.{f.__qualname__}" for f in group]
            for group in (lifecycle.listeners, lifecycle.gates, lifecycle.starters, schedules._runner)]

resources.handler("GetImage")
first = registered()
resources.operations()
assert registered() == first, (first, registered())
print(first)
"""


def test_the_lifecycle_participants_join_in_the_order_importing_everything_gives():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", _PARTICIPANTS], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "image_outputs.on_transition" in done.stdout and "workflow_runtime.gate" in done.stdout
