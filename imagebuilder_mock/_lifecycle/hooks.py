"""What follows a build as it progresses: `LifecycleHook`s, in one ordered list (`in_order`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._backend.caches import memoize

if TYPE_CHECKING:
    from .._backend.context import RequestContext


class LifecycleHook:
    """One concern that follows builds. The lifecycle calls every hook, in `in_order()`'s order:

    - `on_begin(ctx, image)` when a new build is put in PENDING;
    - `allows(ctx, image, next_status)` before the build moves on along its path: any False holds it
      where it is (and the next settle asks again); a hook may fail the build from here;
    - `on_transition(ctx, image, old, new)` after every status change (`image["state"]` is the new one).
    """

    def on_begin(self, ctx: RequestContext, image: dict[str, Any]) -> None:
        """A new build is PENDING."""

    def allows(self, ctx: RequestContext, image: dict[str, Any], next_status: str) -> bool:
        """Whether the build may move on to `next_status` now."""
        return True

    def on_transition(self, ctx: RequestContext, image: dict[str, Any], old: str, new: str) -> None:
        """The image moved from `old` to `new`."""


@memoize()  # a function of the code alone: the same hooks, in the same order, for every backend
def in_order() -> tuple[LifecycleHook, ...]:
    """Every hook, in the order the lifecycle calls them (imported here, not at import time: the hooks'
    modules import the lifecycle).

    1. outputs: the AMIs / container images a stage leaves, and scan states; first, because what runs
       after it reads them (a workflow's CreateImage step shows the build's AMI);
    2. AWS effects (`_aws/`, off unless moto or an endpoint is there): checks, AMIs / container images in
       the other services, notifications; after outputs, whose AMI ids it replaces with EC2's, and before
       workflows, whose steps show those ids;
    3. workflows: executions and steps per stage; its gate holds a stage on a WaitForAction step and
       may fail the build;
    4. pipelines: lastRunStatus, consecutiveFailures, auto-disable; last, as it only records outcomes.
    """
    from .._aws.effects import AWS_EFFECTS
    from .._resources.images.outputs import OUTPUTS
    from .._resources.pipelines.handlers import PIPELINE_OUTCOMES
    from .._resources.workflows.runtime import WORKFLOWS

    return (OUTPUTS, AWS_EFFECTS, WORKFLOWS, PIPELINE_OUTCOMES)
