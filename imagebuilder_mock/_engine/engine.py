"""One engine for the in-process patch and the HTTP server: (method, path, query, headers, body) in,
(status, headers, body) out. Everything protocol-shaped comes from botocore's service model."""

from __future__ import annotations

import functools
import hashlib
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
from ._parser import Parser, read_body, read_located
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
        self._plans: dict[str, _Plan] = {}  # operation name ->
        self._routes: dict[tuple[str, str], _Plan] = {}  # (method, path) of a literal route ->

    # -- entry point -------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: str | Mapping[str, list[str]] | None,
               headers: Mapping[str, str], body: bytes | str | None) -> tuple[int, dict[str, str], bytes]:
        return self.handle_normalized(method.upper(), path, query, {k.lower(): v for k, v in headers.items()},
                                      body)

    def handle_normalized(self, method: str, path: str, query: str | Mapping[str, list[str]] | None,
                          headers: dict[str, str], body: bytes | str | None) -> tuple[int, dict[str, str], bytes]:
        """`handle` for a caller whose method is upper case and header names lower case already.

        The headers read are `authorization` and `host` (no operation's input has a header member)."""
        request_id = _request_id()
        if "?" in path:
            path, _, raw = path.partition("?")
            query = raw if not query else query
        if isinstance(body, str):
            body = body.encode()
        plan = self._routes.get((method, path))
        uri_params = _NO_URI_PARAMS
        try:
            if plan is None:
                plan, uri_params = self._route(method, path)
            handler = plan.handler
            if handler is None:
                raise ServiceError("NotImplementedException",
                                   f"The operation {plan.name} is not implemented by imagebuilder-mock yet.", 501)
            backend = self.backend
            if backend.injector.pending:
                injected = backend.injector.take(plan.name)
                if injected is not None:
                    raise injected
            if plan.input_shape is None:
                params = {}
            else:
                params = read_body(body, plan.body_members)
                if plan.located:
                    if plan.query_member is not None and (isinstance(query, str) or query is None):
                        value = _query_value(query, plan.query_member[1])
                        if value is not None:
                            params[plan.query_member[0]] = value
                    else:
                        if isinstance(query, str) or query is None:
                            query = _parse_query(query)
                        read_located(plan.located, params, query, headers, uri_params)
                if not plan.accepts(params):
                    self.validator.compile(plan.input_shape)(params, "")
            account, region = self._identity(headers)
            ctx = RequestContext(backend, account, region, plan.name, request_id)
            store = backend.stores.get((account, region))
            if store is not None:
                ctx.store = store  # what `ctx.store` would look up on first use
            with backend.lock:
                for hook in backend.hooks:
                    hook(ctx, params)
                token = params.get("clientToken") if plan.has_token else None
                if token:
                    tokens = backend.idempotency.get((account, region, plan.name))
                    if tokens is None:
                        tokens = backend.idempotency[(account, region, plan.name)] = {}
                    # A digest of the canonical parameters (the token among them: it is the key), not the
                    # parameters: a token costs little however large the request (component documents) was.
                    fingerprint = _digest(canonical(params), digest_size=_DIGEST).digest()
                    token_key = _digest(token.encode(), digest_size=_DIGEST).digest()
                    seen = tokens.get(token_key)
                    if seen is not None:
                        if not _idempotency.matches(seen, fingerprint):
                            raise ServiceError("IdempotentParameterMismatchException",
                                               f"The client token '{token}' was already used with different "
                                               "request parameters.")
                        # the first response, under this request's own id (docs/notes/idempotency.md)
                        status, body = _idempotency.replay(seen, token, request_id)
                        return status, {"Content-Type": "application/json", "x-amzn-RequestId": request_id}, body
                result = handler(ctx, params) or {}
                # the response: the members the engine adds, the output shape's serialiser, JSON
                if plan.output_shape is None:
                    out = {}
                else:
                    if plan.adds_request_id and "requestId" not in result:
                        result["requestId"] = request_id
                    if plan.adds_client_token and "clientToken" not in result and params.get("clientToken"):
                        result["clientToken"] = params["clientToken"]
                    out = plan.emit(result) if plan.emit is not None else result
                    if self.check_output:
                        self.output_validator.validate(plan.output_shape, out)
                response = (plan.status, {"Content-Type": "application/json", "x-amzn-RequestId": request_id},
                            dumps(out))
                if token:
                    tokens[token_key] = _idempotency.entry(fingerprint, response[0], request_id, token,
                                                           response[2])
            return response
        except ServiceError as error:
            if error.code == "InvalidParameterValueException" and plan is not None and plan.parameter_code:
                error.code = plan.parameter_code
            return self.render_error(error, request_id)
        except Exception as exc:  # a bug of ours: a clean 500 that says so, never a traceback to the client
            logger.exception("imagebuilder-mock failed on %s %s", method, path)
            if self.check_output:
                raise
            return self.render_error(ServiceError("ServiceException", f"imagebuilder-mock internal error: {exc!r}"),
                                     request_id)

    # -- steps -------------------------------------------------------------------------------
    def _route(self, method: str, path: str) -> tuple[_Plan, dict[str, str]]:
        """The plan and uri parameters of a request the literal routes do not know (yet)."""
        routed = self.router.route(method, path)
        if routed is None:
            raise ServiceError("UnknownOperationException", f"No Image Builder operation answers {method} {path}.",
                               404)
        op, uri_params = routed
        plan = self._plans.get(op.name)
        if plan is None:
            plan = self._plans[op.name] = _Plan(self, op)
        if plan.literal:
            self._routes[(method, path)] = plan
        return plan, uri_params

    def _identity(self, headers: Mapping[str, str]) -> tuple[str, str]:
        """(account, region) of the request: the signature's access key and region, else the host's."""
        authorization = headers.get("authorization", "")
        at = authorization.find("Credential=")
        if at >= 0:
            # The credential scope (up to the first comma) repeats across requests; its groups are the
            # pattern's on the whole header when the pattern matches it (the match starts at the first
            # "Credential=" and stays inside the scope), else the whole header is searched.
            end = authorization.find(",", at)
            scope = authorization[at:end] if end >= 0 else authorization[at:]
            found = _SCOPES.get(scope)
            if found is None:
                match = _CREDENTIAL.match(scope)
                if match:
                    if len(_SCOPES) >= 64:
                        _SCOPES.clear()
                    found = _SCOPES[scope] = match.groups()
                else:
                    match = _CREDENTIAL.search(authorization)
                    found = match.groups() if match else None
            if found is not None:
                return self.backend.account_for(found[0]), found[1]
        host = _HOST_REGION.search(headers.get("host", ""))
        return self.backend.default_account, host.group(1) if host else DEFAULT_REGION

    @staticmethod
    def render_error(error: ServiceError, request_id: str) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps({"message": error.message}).encode()
        return error.status, {"Content-Type": "application/json", "x-amzn-RequestId": request_id,
                              "x-amzn-ErrorType": error.code}, body


class _Plan:
    """What every request of one operation needs, found once per engine: its handler, where its
    members are read from, its input check, its output's serialiser and the members the engine adds."""

    __slots__ = ("name", "handler", "literal", "input_shape", "located", "body_members", "accepts",
                 "query_member", "output_shape", "emit", "adds_request_id", "adds_client_token", "has_token",
                 "status", "parameter_code")

    def __init__(self, engine: Engine, op) -> None:
        self.name = op.name
        self.handler = engine.handlers.get(op.name)
        self.literal = "{" not in op.http["requestUri"].split("?")[0]
        self.input_shape, self.located, self.body_members = engine.parser.plan(op)
        only = self.located[0] if len(self.located) == 1 else None
        #: (name, wire name) of an operation's only located member when it is a string in the query
        self.query_member = (only[0], only[2]) if (only is not None and only[1] == "querystring"
                                                  and only[3].type_name == "string") else None
        self.accepts = engine.validator.accepts(self.input_shape) if self.input_shape is not None else None
        self.has_token = bool(self.input_shape is not None and "clientToken" in self.input_shape.members)
        self.output_shape = shape = op.output_shape
        self.emit = engine.serializer.emitter(shape) if shape is not None else None
        self.adds_request_id = shape is not None and "requestId" in shape.members
        self.adds_client_token = shape is not None and "clientToken" in shape.members
        self.status = op.http.get("responseCode", 200)
        self.parameter_code = _parameter_code(op)


_NO_URI_PARAMS: dict[str, str] = {}  # read only
_digest, _DIGEST = hashlib.blake2b, _idempotency.DIGEST  # client tokens' and parameters' digests
_SCOPES: dict[str, tuple[str, str]] = {}  # "Credential=<key>/<date>/<region>/..." -> (access key, region)


def _parameter_code(op) -> str | None:
    """The code "InvalidParameterException" for an operation whose model lists it, not InvalidParameterValueException
    (the tag operations): its parameter errors carry the code its model lists."""
    errors = {shape.name for shape in op.error_shapes}
    if "InvalidParameterException" in errors and "InvalidParameterValueException" not in errors:
        return "InvalidParameterException"
    return None


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


def _query_value(raw: str | None, wire: str) -> str | None:
    """`_parse_query(raw).get(wire, [None])[0]`: the first value of `wire` in a query string, or None."""
    if not raw:
        return None
    for part in raw.split("&"):
        name, _, value = part.partition("=")
        if "%" in name or "+" in name:
            name = _unquote(name)
        if name == wire:
            return _unquote(value) if "%" in value or "+" in value else value
    return None


def _unquote(text: str) -> str:
    """unquote(text.replace("+", " ")), with the escapes of ARNs (":" and "/") decoded cheaply first.

    Equivalent: each "%XX" decodes independently, and ":" and "/" are ASCII, never part of a UTF-8
    sequence, so decoding them first changes nothing else."""
    text = text.replace("+", " ").replace("%3A", ":").replace("%2F", "/")
    return unquote(text) if "%" in text else text
