"""Calling the engine the way an HTTP client would, bypassing boto3's client-side checks."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import botocore.session

MODEL = botocore.session.get_session().get_service_model("imagebuilder")
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKIATESTTESTTESTTEST/20260101/us-east-1/imagebuilder/aws4_request, "
                           "SignedHeaders=host, Signature=0"}


def call(mock, operation: str, params: dict, headers: dict | None = None) -> tuple[int, dict, dict]:
    """Serialise `params` for `operation` as botocore's rest-json serialiser would, without validating."""
    op = MODEL.operation_model(operation)
    uri = op.http["requestUri"]
    query: list = []
    body: dict = {}
    for name, value in params.items():
        member = op.input_shape.members.get(name) if op.input_shape else None
        location = member.serialization.get("location") if member is not None else None
        wire = member.serialization.get("name", name) if member is not None else name
        if location == "uri":
            uri = uri.replace("{" + wire + "}", quote(str(value), safe=""))
        elif location == "querystring":
            values = value if isinstance(value, list) else [value]
            query.extend((wire, str(v).lower() if isinstance(v, bool) else str(v)) for v in values)
        else:
            body[name] = value
    status, out_headers, raw = mock.engine.handle(op.http["method"], uri, urlencode(query),
                                                  dict(SIGNED, **(headers or {})), json.dumps(body).encode())
    return status, out_headers, json.loads(raw or b"{}")
