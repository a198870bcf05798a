"""Lifecycle actions on what a build left in other services, on exactly the resources the lifecycle
execution's records select (`includeResources`, the AMI exclusion rules): DEPRECATE deprecates the
selected AMIs in EC2, DISABLE disables them, DELETE deregisters them and deletes their snapshots when
snapshots are included (container images: their tags leave ECR when containers are included).

The records come from `_resources/lifecycle_policies/runs.py` as the image's `_lifecycle_targets`
while it changes status: one per AMI or container image, SKIPPED when an exclusion rule keeps it, with
`snapshots` only when `includeResources.snapshots`. The snapshot records get EC2's snapshot ids. A
status change without records (StartResourceStateUpdate without `includeResources`) changes the image
only. DeleteImage does none of this: the service documents that it leaves the AMIs and images.
"""

from __future__ import annotations

import datetime
from typing import Any

from botocore.exceptions import ClientError

from . import amis, containers
from .sessions import Clients

_GONE = ("NotFound", "Unavailable")  # the AMI went some other way (the user deregistered it)


def _selected(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record for record in targets if record["state"]["status"] != "SKIPPED"]


def act(clients: Clients, image: dict[str, Any], status: str) -> None:
    targets = _selected(image.get("_lifecycle_targets") or [])
    if image.get("type") == "DOCKER":
        if status == "DELETED" and any("imageUris" in record for record in targets):
            containers.delete(clients, image)
        return
    selected = {(r["region"], r["accountId"], r["resourceId"]): r for r in targets if "imageUris" not in r}
    for ami in (image.get("outputResources") or {}).get("amis") or []:
        record = selected.get((ami["region"], ami["accountId"], ami.get("image")))
        if record is None:
            continue
        try:
            _act_on_ami(clients, image, ami, record, status)
        except ClientError as error:
            if not any(word in (error.response.get("Error") or {}).get("Code", "") for word in _GONE):
                raise


def _act_on_ami(clients: Clients, image: dict[str, Any], ami: dict[str, Any], record: dict[str, Any],
                status: str) -> None:
    ec2 = clients("ec2", ami["accountId"], ami["region"])
    if status == "DEPRECATED":
        at = image.get("deprecationTime") or record.get("startTime") or datetime.datetime.now(datetime.timezone.utc)
        ec2.enable_image_deprecation(ImageId=ami["image"], DeprecateAt=at)
    elif status == "DISABLED":
        ec2.disable_image(ImageId=ami["image"])
    elif status == "DELETED":
        snapshots = amis.snapshots_of(clients, ami) if "snapshots" in record else []
        ec2.deregister_image(ImageId=ami["image"])
        if "snapshots" in record:
            record["snapshots"] = [{"snapshotId": snapshot, "state": dict(record["state"])} for snapshot in snapshots]
        for snapshot in snapshots:
            ec2.delete_snapshot(SnapshotId=snapshot)
