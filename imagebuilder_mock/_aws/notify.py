"""Notifications: the SNS message to the infrastructure configuration's topic when a build ends
(AVAILABLE or FAILED; the message is the image as JSON, as GetImage shows it), and the EventBridge
event "EC2 Image Builder Image State Change" on the default bus at every status change."""

from __future__ import annotations

import json
from typing import Any

from .sessions import Clients

#: The statuses whose arrival Image Builder announces on the SNS topic (user guide, integ-sns).
ANNOUNCED = frozenset({"AVAILABLE", "FAILED"})
DETAIL_TYPE = "EC2 Image Builder Image State Change"


def image_json(image: dict[str, Any]) -> str:
    """The image as GetImage's `image` member, as JSON."""
    from .._engine._json import dumps
    from .._engine._model import service_model
    from .._engine.engine import _protocol
    from .._engine import _codegen

    serializer = _protocol(_codegen.enabled())[4]
    out = serializer.serialize(service_model().shape_for("Image"), image)
    return dumps(out).decode()


def sns_message(clients: Clients, image: dict[str, Any]) -> None:
    topic = (image.get("infrastructureConfiguration") or {}).get("snsTopicArn")
    if not topic:
        return
    _, _, _, region, account, _ = topic.split(":", 5)
    clients("sns", account, region).publish(TopicArn=topic, Message=image_json(image))


def state_change_event(clients: Clients, image: dict[str, Any], old: str, new: str) -> None:
    _, _, _, region, account, _ = image["arn"].split(":", 5)
    state = {"status": new}
    if image["state"].get("reason"):
        state["reason"] = image["state"]["reason"]
    detail = {"previous-state": {"status": old}, "state": state}
    clients("events", account, region).put_events(Entries=[{
        "Source": "aws.imagebuilder", "DetailType": DETAIL_TYPE, "Resources": [image["arn"]],
        "Detail": json.dumps(detail), "EventBusName": "default"}])
