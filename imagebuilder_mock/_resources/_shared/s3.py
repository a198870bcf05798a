"""The objects the service downloads from S3 (component and workflow documents, Dockerfile templates):
from the `s3_objects` setting first, else through moto's S3 when moto's mock is active in this process
(read with a public boto3 call: moto answers in process). The network is never touched; an object found
in neither is the service's error for an unreadable object."""

from __future__ import annotations

import contextvars
import re
import sys

from ..._backend.context import RequestContext
from ..._engine._errors import invalid_value

S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$")


def read_object(ctx: RequestContext, uri: str, param: str, unreadable: str) -> str:
    """The text of the object at `uri` (an `s3://bucket/key` the caller has checked), or
    InvalidParameterValueException naming `param` with the message `unreadable`."""
    objects = ctx.backend.settings.get("s3_objects") or {}
    if uri in objects:
        content = objects[uri]
        return content.decode("utf-8") if isinstance(content, bytes) else content
    match = S3_URI.match(uri)
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    if match is None or stubber is None or not getattr(stubber, "enabled", False):
        raise invalid_value(param, unreadable)
    import boto3
    from botocore.exceptions import ClientError

    def download() -> str:
        s3 = boto3.client("s3", region_name=ctx.region)
        body: bytes = s3.get_object(Bucket=match["bucket"], Key=match["key"])["Body"].read()
        return body.decode("utf-8")

    try:
        # A fresh context: the nested S3 call must not look like the imagebuilder request being served.
        return contextvars.Context().run(download)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchBucket", "404", "AccessDenied"):
            raise invalid_value(param, unreadable) from None
        raise invalid_value(param, f"{unreadable} ({exc})") from None
    except UnicodeDecodeError:
        raise invalid_value(param, f"The object at '{uri}' is not UTF-8 text.") from None
