"""The staged life of one configuration: each stage runs once, on first need, in order; a test asks
for a stage and reads its own resources' part of the outcome."""

from __future__ import annotations

import json
from typing import Callable

import pytest

from ._workspace import TerraformError, Workspace, planned_actions

# What the provider's own import tests ignore (ImportStateVerifyIgnore), by resource type.
IMPORT_IGNORED = {
    "aws_imagebuilder_component": ("skip_destroy",),
    "aws_imagebuilder_workflow": (),
    "aws_imagebuilder_image_recipe": (),
    "aws_imagebuilder_container_recipe": (),
    "aws_imagebuilder_infrastructure_configuration": (),
    "aws_imagebuilder_distribution_configuration": (),
    "aws_imagebuilder_image": (),
    "aws_imagebuilder_image_pipeline": (),
    "aws_imagebuilder_lifecycle_policy": (),
}
STAGES = ("apply", "plan", "update", "plan_after_update", "import", "plan_after_import", "destroy")


class Staged:
    """One workspace taken through STAGES; `outcome(stage)` runs the stages up to it (once)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.results: dict[str, object] = {}
        self.states: dict[str, dict] = {}

    def outcome(self, stage: str):
        for name in STAGES[:STAGES.index(stage) + 1]:
            if name not in self.results:
                try:
                    self.results[name] = getattr(self, f"_{name}")()
                except TerraformError as exc:
                    self.results[name] = exc
                self.states[name] = self.workspace.state()
        return self.results[stage]

    def actions(self, stage: str, resource_type: str) -> dict[str, str]:
        """The planned actions of `stage` on resources of `resource_type` (fails on a failed stage
        whose errors name this type)."""
        result = self.outcome(stage)
        if isinstance(result, TerraformError):
            if resource_type in str(result) or not any(t in str(result) for t in IMPORT_IGNORED):
                pytest.fail(str(result))
            return {}
        return {address: action for address, action in result.items()
                if address.split(".")[0] == resource_type}

    # -- the stages ---------------------------------------------------------------------------

    def _apply(self) -> dict[str, str]:
        return planned_actions(self.workspace.apply())

    def _plan(self) -> dict[str, str]:
        return self.workspace.plan()

    def _update(self) -> dict[str, str]:
        self.workspace.set_vars(step=2)
        return planned_actions(self.workspace.apply())

    _plan_after_update = _plan

    def _import(self) -> dict[str, str]:
        """Forget every Image Builder resource, import them all again by id (import blocks)."""
        managed = {address: values["id"] for address, values in self.workspace.state().items()
                   if address.startswith("aws_imagebuilder_")}
        self.workspace.forget(sorted(managed))
        self.workspace.write_imports(managed)
        actions = planned_actions(self.workspace.apply())
        # an import with nothing to change plans "will be imported"; anything else is a difference
        return {address: action for address, action in actions.items() if action != "imported"}

    _plan_after_import = _plan

    def _destroy(self) -> dict[str, str]:
        (self.workspace.directory / "imports.tf").unlink(missing_ok=True)
        self.workspace.destroy()
        return {}


def canonical(value):
    """`value` with every list of objects in a canonical order: Terraform keeps set-typed blocks
    (distribution, parameter, ...) as lists whose order means nothing."""
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [canonical(item) for item in value]
        if items and all(isinstance(item, dict) for item in items):
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        return items
    return value


def without_empty(value):
    """`value` with every empty map or list made null, as the provider's import tests compare states:
    ImportStateVerify (terraform-plugin-testing, testing_new_import_state.go `skipEmpty`) leaves out the
    flatmap counts `.%`/`.#` that are "0", so a null map and an empty one are the same there. The SDK
    keeps a nested map left out of the configuration null on apply and reads it back as {} on import."""
    if isinstance(value, dict):
        return {key: without_empty(item) for key, item in value.items()} or None
    if isinstance(value, list):
        return [without_empty(item) for item in value] or None
    return value


def of_type(state: dict, resource_type: str) -> dict[str, dict]:
    return {address: values for address, values in state.items() if address.split(".")[0] == resource_type}


Check = Callable[[dict, object], None]
