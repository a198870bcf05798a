"""The lifecycle hook that carries builds into other AWS services (`AWS_EFFECTS`), at the moments the
service acts: checks when the build starts, the build Region's AMI (or the container image) when
BUILDING ends, distribution when DISTRIBUTING ends, the SNS message when the build ends, lifecycle
actions on the AMIs. Off (one check per call) unless `sessions.active`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from .. import _lifecycle as lifecycle
from . import amis, checks, containers, distribution, notify, policies
from .sessions import Clients, active

if TYPE_CHECKING:
    from .._backend.context import RequestContext
    from .._backend.store import Backend

logger = logging.getLogger("imagebuilder_mock")


class _State:
    """What the hook keeps on an image (`image["_aws"]`)."""

    __slots__ = ("clients", "amis", "checked")

    def __init__(self, backend: Backend) -> None:
        self.clients = Clients(backend)
        self.amis: dict[tuple[str, str], str] = {}  # (region, account) -> EC2 AMI id
        self.checked: set[str] = set()  # the checks made: "build", "distribution"


def _state(ctx: RequestContext, image: dict[str, Any]) -> _State:
    state = image.get("_aws")
    if state is None:
        state = image["_aws"] = _State(ctx.backend)
    return state


def _reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        detail = error.response.get("Error") or {}
        return f"{detail.get('Code')}: {detail.get('Message')}"
    return str(error)


class _AwsEffects(lifecycle.LifecycleHook):
    def allows(self, ctx: RequestContext, image: dict[str, Any], next_status: str) -> bool:
        if not active(ctx.backend):
            return True
        status = image["state"]["status"]
        # a container image is pushed when BUILDING ends: its repositories are checked before
        writes_at = "BUILDING" if image.get("type") == "DOCKER" else "DISTRIBUTING"
        check = ("build", checks.before_build) if status == "PENDING" else \
            ("distribution", checks.before_distribution) if status == writes_at else None
        if check is None or image.get("buildType") in ("IMPORT", "IMPORT_ISO") and status == "PENDING":
            return True
        state = _state(ctx, image)
        name, run = check
        if name in state.checked:
            return True
        try:
            reason = run(state.clients, image)
        except (ClientError, BotoCoreError) as error:
            reason = f"Image Builder could not reach a service the build depends on: {_reason(error)}"
        state.checked.add(name)
        if reason is None:
            return True
        lifecycle.fail(ctx, image, reason)
        return False

    def on_transition(self, ctx: RequestContext, image: dict[str, Any], old: str, new: str) -> None:
        if not active(ctx.backend):
            return
        state = _state(ctx, image)
        try:
            self._act(state, image, old, new)
        except Exception as error:  # noqa: BLE001 - a service refused what the checks let through: never a 500
            logger.warning("imagebuilder-mock: %s -> %s of %s: %s", old, new, image["arn"], _reason(error))

    @staticmethod
    def _act(state: _State, image: dict[str, Any], old: str, new: str) -> None:
        clients = state.clients
        if new not in ("FAILED", "CANCELLED"):
            if old == "BUILDING":
                if image.get("type") == "DOCKER":
                    containers.push(clients, image)
                else:
                    amis.register_all(clients, image, state.amis)
            elif old == "DISTRIBUTING":
                if image.get("type") == "DOCKER":
                    containers.push(clients, image)
                else:
                    amis.register_all(clients, image, state.amis)
                    distribution.distribute(clients, image)
        if new in ("DEPRECATED", "DISABLED", "DELETED") and old != new:
            policies.act(clients, image, new)
        notify.state_change_event(clients, image, old, new)
        if new in notify.ANNOUNCED:
            notify.sns_message(clients, image)


AWS_EFFECTS = _AwsEffects()
