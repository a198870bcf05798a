"""The ResourceType table is the one registry of stored kinds: what the model and the other modules
expect of it."""

from __future__ import annotations

from imagebuilder_mock._backend import arns
from imagebuilder_mock._backend.resource_types import ARN_TYPES, RESOURCE_TYPES, SHAREABLE
from imagebuilder_mock._backend.store import Store
from imagebuilder_mock._engine._model import service_model


def test_every_type_has_its_own_collection_in_a_store():
    store = Store("123456789012", "us-east-1")
    attributes = [t.store_attribute for t in RESOURCE_TYPES]
    assert len(set(attributes)) == len(attributes)
    for resource_type in RESOURCE_TYPES:
        assert store.collection(resource_type) == {}
    store.components["x"] = {}
    assert Store("123456789012", "us-east-1").components == {}  # not shared between stores


def test_shareable_types_are_the_ones_with_policy_operations_in_the_model():
    names = service_model().operation_names
    with_policies = {name[3:-6] for name in names if name.startswith("Put") and name.endswith("Policy")}
    assert set(SHAREABLE) == with_policies
    for name, resource_type in SHAREABLE.items():
        put = service_model().operation_model(f"Put{name}Policy")
        assert resource_type.arn_member in put.input_shape.members


def test_versioned_types_take_a_version_and_built_types_a_build():
    for key, resource_type in ARN_TYPES.items():
        version = "1.0.0" if resource_type.versioned else None
        build = 1 if resource_type.built else None
        workflow_type = "build" if key == "workflow" else None
        arn = arns.make("aws", "us-east-1", "123456789012", key, "name", version, build, workflow_type)
        parsed = arns.parse(arn)
        assert (parsed.resource_type, parsed.version, parsed.build) == (key, version, str(build) if build else None)


def test_the_type_names_are_the_models_resource_names():
    for resource_type in ARN_TYPES.values():
        assert f"Get{resource_type.name}" in service_model().operation_names
