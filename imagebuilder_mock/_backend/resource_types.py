"""Every kind of stored resource, in one table that the registries read: which Store collection holds
it, its ARN type, whether its ARN carries a version and a build, what identifies it in a list, whether
images hold it by reference, and whether it can be shared with a resource policy.

Adding a resource family starts here: one row, then its handlers (docs/architecture.md).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ResourceType:
    """One kind of stored resource."""

    key: str  #: the ARN's resource type ("image-recipe"); for records without an ARN, a name of our own
    name: str  #: "ImageRecipe": error messages ("resource 'ImageRecipe' cannot be found") and Get/Put<name>Policy
    store_attribute: str  #: the Store collection (a dict keyed by `id_member`)
    id_member: str = "arn"  #: the member that identifies an item (its key in the collection, in tokens)
    versioned: bool = False  #: the ARN carries a semantic version after the name
    built: bool = False  #: the ARN carries a build number after the version
    held_by_reference: bool = False  #: images keep it as it was at build time: replaced, never changed in place
    #: shareable (Get/Put<name>Policy): the actions of its RAM managed permission (UG manage-shared-resources)
    policy_actions: tuple[str, ...] = ()

    @property
    def has_arn(self) -> bool:
        return self.id_member == "arn"

    @property
    def arn_member(self) -> str:
        """The request member that names one ("imageRecipeArn")."""
        return self.name[0].lower() + self.name[1:] + "Arn"


def _actions(name: str) -> tuple[str, ...]:
    return (f"imagebuilder:Get{name}", f"imagebuilder:List{name}s")


RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType("component", "Component", "components", versioned=True, built=True,
                 policy_actions=_actions("Component")),
    ResourceType("image-recipe", "ImageRecipe", "image_recipes", versioned=True, held_by_reference=True,
                 policy_actions=_actions("ImageRecipe")),
    ResourceType("container-recipe", "ContainerRecipe", "container_recipes", versioned=True,
                 held_by_reference=True, policy_actions=_actions("ContainerRecipe")),
    ResourceType("infrastructure-configuration", "InfrastructureConfiguration", "infrastructure_configurations",
                 held_by_reference=True),
    ResourceType("distribution-configuration", "DistributionConfiguration", "distribution_configurations",
                 held_by_reference=True),
    ResourceType("image-pipeline", "ImagePipeline", "image_pipelines"),
    ResourceType("image", "Image", "images", versioned=True, built=True, policy_actions=_actions("Image")),
    ResourceType("workflow", "Workflow", "workflows", versioned=True, built=True),
    ResourceType("lifecycle-policy", "LifecyclePolicy", "lifecycle_policies"),
    ResourceType("workflow-execution", "WorkflowExecution", "workflow_executions", id_member="workflowExecutionId"),
    ResourceType("workflow-step-execution", "WorkflowStepExecution", "workflow_step_executions",
                 id_member="stepExecutionId"),
    ResourceType("lifecycle-execution", "LifecycleExecution", "lifecycle_executions",
                 id_member="lifecycleExecutionId"),
)

#: The types with an ARN, by ARN resource type.
ARN_TYPES: dict[str, ResourceType] = {t.key: t for t in RESOURCE_TYPES if t.has_arn}
#: The types a resource policy can share, by name ("Component").
SHAREABLE: dict[str, ResourceType] = {t.name: t for t in RESOURCE_TYPES if t.policy_actions}
