"""Container builds: the image pushed to ECR under every URI of `outputResources.containers`."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .sessions import Clients

_MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


def manifest(image: dict[str, Any]) -> str:
    """A Docker v2 manifest, its digests derived from the build's ARN (one image, however many tags)."""
    def digest(what: str) -> str:
        return "sha256:" + hashlib.sha256(f"{image['arn']}/{what}".encode()).hexdigest()

    return json.dumps({
        "schemaVersion": 2, "mediaType": _MANIFEST_TYPE,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1024,
                   "digest": digest("config")},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 4096,
                    "digest": digest("layer")}],
    })


def parse_uri(uri: str) -> tuple[str, str, str, str]:
    """(account, region, repository, tag) of `<account>.dkr.ecr.<region>.<suffix>/<repository>:<tag>`."""
    host, _, rest = uri.partition("/")
    account, _, _, region = host.split(".")[:4]
    repository, _, tag = rest.rpartition(":")
    return account, region, repository, tag


def push(clients: Clients, image: dict[str, Any]) -> None:
    body = manifest(image)
    for entry in (image.get("outputResources") or {}).get("containers") or []:
        for uri in entry.get("imageUris") or []:
            account, region, repository, tag = parse_uri(uri)
            clients("ecr", account, region).put_image(
                repositoryName=repository, imageManifest=body, imageTag=tag, imageManifestMediaType=_MANIFEST_TYPE)


def delete(clients: Clients, image: dict[str, Any]) -> None:
    """Lifecycle DELETE of a container image: its tags go from every repository."""
    for entry in (image.get("outputResources") or {}).get("containers") or []:
        for uri in entry.get("imageUris") or []:
            account, region, repository, tag = parse_uri(uri)
            clients("ecr", account, region).batch_delete_image(repositoryName=repository,
                                                               imageIds=[{"imageTag": tag}])
