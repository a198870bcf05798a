"""One engine for the in-process patch and the HTTP server: (method, path, query, headers, body) in,
(status, headers, body) out. Everything protocol-shaped comes from botocore's service model."""

from __future__ import annotations

import functools
import json
import logging
import os
import random
import re
from typing import Callable, Mapping
from urllib.parse import unquote

from .._backend.context import RequestContext
from .._backend.store import DEFAULT_REGION, Backend
from . import _idempotency
from ._errors import ServiceError
from ._json import canonical, dumps
from ._model import service_model
from ._parser import Parser
from ._router import Router
from ._serializer import Serializer
from ._validator import Validator

logger = logging.getLogger("imagebuilder_mock")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/")
_HOST_REGION = re.compile(r"imagebuilder[.-](?:fips\.)?([a-z0-9-]+)\.amazonaws")
Handler = Callable[[RequestContext, dict], dict]


class Engine:
    """Serves imagebuilder requests from a Backend, with handlers keyed by operation name."""

    def __init__(self, backend: Backend, handlers: Mapping[str, Handler] | None = None,
                 check_output: bool = False) -> None:
        if handlers is None:
            from .._resources import operations

            handlers = operations()
        self.backend = backend
        self.handlers = handlers
        self.check_output = check_output
        self.model = service_model()
        # Compiled per process, not per engine: every mock (one per test) starts with warm caches.
        self.router, self.parser, self.validator, self.output_validator, self.serializer = _protocol()
        self._token_ops = _TOKEN_OPS

    # -- entry point -------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: str | Mapping[str, list[str]] | None,
               headers: Mapping[str, str], body: bytes | str | None) -> tuple[int, dict[str, str], bytes]:
        return self.handle_normalized(method.upper(), path, query, {k.lower(): v for k, v in headers.items()},
                                      body)

    def handle_normalized(self, method: str, path: str, query: str | Mapping[str, list[str]] | None,
                          headers: dict[str, str], body: bytes | str | None) -> tuple[int, dict[str, str], bytes]:
        """`handle` for a caller whose method is upper case and header names lower case already."""
        request_id = _request_id()
        if "?" in path:
            path, _, raw = path.partition("?")
            query = raw if not query else query
        if isinstance(query, str) or query is None:
            query = _parse_query(query)
        if isinstance(body, str):
            body = body.encode()
        op = None
        try:
            routed = self.router.route(method, path)
            if routed is None:
                raise ServiceError("UnknownOperationException",
                                   f"No Image Builder operation answers {method} {path}.", 404)
            op, uri_params = routed
            handler = self.handlers.get(op.name)
            if handler is None:
                raise ServiceError("NotImplementedException",
                                   f"The operation {op.name} is not implemented by imagebuilder-mock yet.", 501)
            if self.backend.injector.pending:
                injected = self.backend.injector.take(op.name)
                if injected is not None:
                    raise injected
            params = self.parser.parse(op, query, headers, body or b"", uri_params)
            if op.input_shape is not None:
                self.validator.validate(op.input_shape, params)
            account, region = self._identity(headers)
            ctx = RequestContext(self.backend, account, region, op.name, request_id)
            return self._dispatch(op, handler, ctx, params)
        except ServiceError as error:
            if error.code == "InvalidParameterValueException" and op is not None and op.name in _PARAMETER_CODE:
                error.code = _PARAMETER_CODE[op.name]
            return self.render_error(error, request_id)
        except Exception as exc:  # a bug of ours: a clean 500 that says so, never a traceback to the client
            logger.exception("imagebuilder-mock failed on %s %s", method, path)
            if self.check_output:
                raise
            return self.render_error(ServiceError("ServiceException", f"imagebuilder-mock internal error: {exc!r}"),
                                     request_id)

    # -- steps -------------------------------------------------------------------------------
    def _identity(self, headers: Mapping[str, str]) -> tuple[str, str]:
        match = _CREDENTIAL.search(headers.get("authorization", ""))
        if match:
            return self.backend.account_for(match.group(1)), match.group(2)
        host = _HOST_REGION.search(headers.get("host", ""))
        return self.backend.default_account, host.group(1) if host else DEFAULT_REGION

    def _has_token(self, op) -> bool:
        has = self._token_ops.get(op.name)
        if has is None:
            has = bool(op.input_shape and "clientToken" in op.input_shape.members)
            self._token_ops[op.name] = has
        return has

    def _dispatch(self, op, handler: Handler, ctx: RequestContext, params: dict) -> tuple[int, dict[str, str], bytes]:
        backend = self.backend
        with backend.lock:
            for hook in backend.hooks:
                hook(ctx, params)
            token = params.get("clientToken") if self._has_token(op) else None
            if token:
                tokens = backend.idempotency.get((ctx.account, ctx.region, op.name))
                if tokens is None:
                    tokens = backend.idempotency[(ctx.account, ctx.region, op.name)] = {}
                # A digest of the canonical parameters (the token among them: it is the key), not the
                # parameters: a token costs little however large the request (component documents) was.
                fingerprint = _idempotency.fingerprint(canonical(params))
                token_key = _idempotency.key(token)
                seen = tokens.get(token_key)
                if seen is not None:
                    if not _idempotency.matches(seen, fingerprint):
                        raise ServiceError("IdempotentParameterMismatchException",
                                           f"The client token '{token}' was already used with different "
                                           "request parameters.")
                    # the first response, under this request's own id (docs/notes/idempotency.md)
                    status, body = _idempotency.replay(seen, token, ctx.request_id)
                    return status, _headers(ctx.request_id), body
            result = handler(ctx, params) or {}
            response = self._render(op, ctx, params, result)
            if token:
                tokens[token_key] = _idempotency.entry(fingerprint, response[0], ctx.request_id, token, response[2])
        return response

    def _render(self, op, ctx: RequestContext, params: dict, result: dict) -> tuple[int, dict[str, str], bytes]:
        shape = op.output_shape
        out: dict = {}
        if shape is not None:
            members = shape.members
            if "requestId" in members and "requestId" not in result:
                result["requestId"] = ctx.request_id
            if "clientToken" in members and "clientToken" not in result and params.get("clientToken"):
                result["clientToken"] = params["clientToken"]
            out = self.serializer.serialize(shape, result)
            if self.check_output:
                self.output_validator.validate(shape, out)
        status = op.http.get("responseCode", 200)
        return status, _headers(ctx.request_id), dumps(out)

    @staticmethod
    def render_error(error: ServiceError, request_id: str) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps({"message": error.message}).encode()
        return error.status, {"Content-Type": "application/json", "x-amzn-RequestId": request_id,
                              "x-amzn-ErrorType": error.code}, body


_TOKEN_OPS: dict[str, bool] = {}


def _parameter_codes() -> dict[str, str]:
    """Operations whose model lists InvalidParameterException, not InvalidParameterValueException (the
    tag operations): their parameter errors carry the code their model lists."""
    model = service_model()
    out = {}
    for name in model.operation_names:
        errors = {shape.name for shape in model.operation_model(name).error_shapes}
        if "InvalidParameterException" in errors and "InvalidParameterValueException" not in errors:
            out[name] = "InvalidParameterException"
    return out


_PARAMETER_CODE = _parameter_codes()


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "x-amzn-RequestId": request_id}


@functools.lru_cache(maxsize=None)
def _protocol() -> tuple[Router, Parser, Validator, Validator, Serializer]:
    """Router, parser, validators and serialiser: built once per process, their per-shape plans cached."""
    return Router(service_model()), Parser(), Validator(), Validator(output=True), Serializer()


_RNG = random.Random()  # private: seeding `random` in a test neither repeats our ids nor sees us draw
os.register_at_fork(after_in_child=_RNG.seed)


def random_uuid(_bits=_RNG.getrandbits) -> str:
    """A random (version 4, RFC 4122 variant) UUID string, as the service's ids are; ~5x cheaper than
    str(uuid.uuid4())."""
    h = "%032x" % (_bits(128) & _UUID_RANDOM | _UUID_V4)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID_V4 = 0x4 << 76 | 0x2 << 62  # version nibble 4, variant bits 10
_UUID_RANDOM = ((1 << 128) - 1) ^ (0xF << 76) ^ (0x3 << 62)


_request_id = random_uuid  # request ids are random UUIDs


def _parse_query(raw: str | None) -> dict[str, list[str]]:
    """urllib.parse.parse_qs(raw, keep_blank_values=True), without its generality's cost."""
    out: dict[str, list[str]] = {}
    if not raw:
        return out
    for part in raw.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in name or "+" in name:
            name = _unquote(name)
        if "%" in value or "+" in value:
            value = _unquote(value)
        out.setdefault(name, []).append(value)
    return out


def _unquote(text: str) -> str:
    """unquote(text.replace("+", " ")), with the escapes of ARNs (":" and "/") decoded cheaply first.

    Equivalent: each "%XX" decodes independently, and ":" and "/" are ASCII, never part of a UTF-8
    sequence, so decoding them first changes nothing else."""
    text = text.replace("+", " ").replace("%3A", ":").replace("%2F", "/")
    return unquote(text) if "%" in text else text
