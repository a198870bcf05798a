"""Operation handlers, one module per resource family. A module registers its handlers with
`@operation("OpName")`. The engine imports a module when one of its operations is first called
(`handler`), so a mock's start and first request load only what they use; `operations()` loads them all."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

_OPERATIONS: dict[str, Callable] = {}
_LOADED = False

#: module of this package -> the operations it registers (tests/test_performance_invariants.py checks
#: this against the registrations)
_MODULES = {
    "components": ("CreateComponent", "DeleteComponent", "GetComponent", "ImportComponent",
                   "ListComponentBuildVersions", "ListComponents"),
    "container_recipes": ("CreateContainerRecipe", "DeleteContainerRecipe", "GetContainerRecipe",
                          "ListContainerRecipes"),
    "distribution": ("CreateDistributionConfiguration", "DeleteDistributionConfiguration",
                     "GetDistributionConfiguration", "ListDistributionConfigurations",
                     "UpdateDistributionConfiguration"),
    "image_builds": ("CreateImage",),
    "image_data": ("ListImagePackages", "ListImageScanFindingAggregations", "ListImageScanFindings"),
    "image_imports": ("DistributeImage", "ImportDiskImage", "ImportVmImage"),
    "image_recipes": ("CreateImageRecipe", "DeleteImageRecipe", "GetImageRecipe", "ListImageRecipes"),
    "images": ("CancelImageCreation", "DeleteImage", "GetImage", "ListImageBuildVersions", "ListImages",
               "RetryImage"),
    "infrastructure": ("CreateInfrastructureConfiguration", "DeleteInfrastructureConfiguration",
                       "GetInfrastructureConfiguration", "ListInfrastructureConfigurations",
                       "UpdateInfrastructureConfiguration"),
    "lifecycle_executions": ("CancelLifecycleExecution", "GetLifecycleExecution",
                             "ListLifecycleExecutionResources", "ListLifecycleExecutions",
                             "StartResourceStateUpdate"),
    "lifecycle_policies": ("CreateLifecyclePolicy", "DeleteLifecyclePolicy", "GetLifecyclePolicy",
                           "ListLifecyclePolicies", "UpdateLifecyclePolicy"),
    "marketplace": ("GetMarketplaceResource",),
    "pipelines": ("CreateImagePipeline", "DeleteImagePipeline", "GetImagePipeline", "ListImagePipelineImages",
                  "ListImagePipelines", "StartImagePipelineExecution", "UpdateImagePipeline"),
    "policies": ("GetComponentPolicy", "GetContainerRecipePolicy", "GetImagePolicy", "GetImageRecipePolicy",
                 "PutComponentPolicy", "PutContainerRecipePolicy", "PutImagePolicy", "PutImageRecipePolicy"),
    "tags": ("ListTagsForResource", "TagResource", "UntagResource"),
    "workflow_executions": ("GetWorkflowExecution", "GetWorkflowStepExecution", "ListWaitingWorkflowSteps",
                            "ListWorkflowExecutions", "ListWorkflowStepExecutions", "SendWorkflowStepAction"),
    "workflows": ("CreateWorkflow", "DeleteWorkflow", "GetWorkflow", "ListWorkflowBuildVersions",
                  "ListWorkflows"),
}
_MODULE_OF = {name: module for module, names in _MODULES.items() for name in names}
#: modules that join the image lifecycle when imported (listeners, gates, starters, the schedule runner),
#: in the order importing every module gives them: loaded before the first handler, whichever it is
_PARTICIPANTS = ("image_outputs", "pipelines", "workflow_runtime")
_JOINED = False


def operation(name: str) -> Callable[[Callable], Callable]:
    """Register a handler `(ctx, params) -> result dict` for the model operation `name`."""

    def register(handler: Callable) -> Callable:
        if name in _OPERATIONS and _OPERATIONS[name] is not handler:
            raise RuntimeError(f"two handlers for {name}")
        _OPERATIONS[name] = handler
        return handler

    return register


def handler(name: str) -> Callable | None:
    """The handler of operation `name` (importing its module the first time), None if it has none."""
    global _JOINED
    found = _OPERATIONS.get(name)
    if found is None and not _LOADED:
        module = _MODULE_OF.get(name)
        if module is None:
            return operations().get(name)  # not in the table: the table is stale; every module decides
        if not _JOINED:
            for participant in _PARTICIPANTS:
                importlib.import_module(f"{__name__}.{participant}")
            _JOINED = True
        importlib.import_module(f"{__name__}.{module}")
        found = _OPERATIONS.get(name)
    return found


def operations() -> dict[str, Callable]:
    """All registered handlers (importing every module of this package the first time)."""
    global _LOADED
    if not _LOADED:
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        from .._engine._model import service_model

        unknown = set(_OPERATIONS) - set(service_model().operation_names)
        if unknown:
            raise RuntimeError(f"handlers for operations the model does not have: {sorted(unknown)}")
        _LOADED = True
    return _OPERATIONS
