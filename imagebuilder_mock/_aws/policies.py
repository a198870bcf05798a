"""Lifecycle actions on what a build left in other services: DEPRECATE deprecates the AMIs in EC2,
DISABLE disables them, DELETE deregisters them and deletes their snapshots (container images: their tags
leave ECR). DeleteImage does none of this: the service documents that it leaves the AMIs and images."""

from __future__ import annotations

import datetime
from typing import Any

from botocore.exceptions import ClientError

from . import amis, containers
from .sessions import Clients


def act(clients: Clients, image: dict[str, Any], status: str) -> None:
    if image.get("type") == "DOCKER":
        if status == "DELETED":
            containers.delete(clients, image)
        return
    for ami in (image.get("outputResources") or {}).get("amis") or []:
        ec2 = clients("ec2", ami["accountId"], ami["region"])
        try:
            if status == "DEPRECATED":
                at = image.get("deprecationTime") or datetime.datetime.now(datetime.timezone.utc)
                ec2.enable_image_deprecation(ImageId=ami["image"], DeprecateAt=at)
            elif status == "DISABLED":
                ec2.disable_image(ImageId=ami["image"])
            elif status == "DELETED":
                snapshots = amis.snapshots_of(clients, ami)
                ec2.deregister_image(ImageId=ami["image"])
                for snapshot in snapshots:
                    ec2.delete_snapshot(SnapshotId=snapshot)
        except ClientError as error:  # the AMI went some other way (the user deregistered it)
            if "NotFound" not in error.response.get("Error", {}).get("Code", "") and \
                    "Unavailable" not in error.response.get("Error", {}).get("Code", ""):
                raise
