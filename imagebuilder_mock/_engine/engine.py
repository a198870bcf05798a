"""One engine for the in-process patch and the HTTP server: (method, path, query, headers, body) in,
(status, headers, body) out. Everything protocol-shaped comes from botocore's service model.

`Engine.handle` runs these steps, in this order:

1. route       (method, path) -> the operation's plan and uri parameters (404 for no operation, 501 for an
               operation without a handler);
   injection   an error queued for the operation in `backend.injector` is raised here, before parsing;
2. parse       the input members from the body, uri, query string and headers (`_parser`);
3. validate    the input against the model (`_validator`);
4. identity    (account, region) from the signature's credential scope, else the host name;
   then, under the backend's lock:
   hooks       every `backend.hooks` callable sees (ctx, params) (schedules, injection);
5. idempotency a create whose client token was seen answers the first response again (`_idempotency`);
6. dispatch    the operation's handler;
7. render      the members the engine adds (requestId, clientToken), the output shape's serialiser, JSON;
               if 6 or 7 fails, the request's store writes are undone (`_backend/undo.py`);
               a success with a client token is remembered.

A ServiceError raised at any step is rendered as the service renders errors; any other exception is a
bug of ours and a clean 500 that says so (raised instead when `check_output` is set, as tests set it).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Callable, Mapping

from botocore.model import OperationModel

from .._backend import ids
from .._backend.caches import memoize
from .._backend.context import RequestContext
from .._backend.store import DEFAULT_REGION, Backend
from . import _codegen, _idempotency
from ._errors import ServiceError
from ._json import dumps, kept
from ._model import service_model
from ._parser import Parser, Query
from ._router import Router
from ._serializer import Serializer
from ._validator import Validator

logger = logging.getLogger("imagebuilder_mock")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/")
_HOST_REGION = re.compile(r"imagebuilder[.-](?:fips\.)?([a-z0-9-]+)\.amazonaws")
Handler = Callable[[RequestContext, dict[str, Any]], dict[str, Any] | None]
Response = tuple[int, dict[str, str], bytes]


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
        # Built once per process, not per engine: every mock (one per test) starts with warm caches.
        self.router, self.parser, self.validator, self.output_validator, self.serializer, self.acceptors = \
            _protocol(_codegen.enabled())
        self._plans: dict[str, OperationPlan] = {}  # operation name -> its plan (with this engine's handler)
        self._new_id = backend.new_uuid  # request ids: the backend's generator (its `seed`)
        self._record = backend.calls.append  # the journal (`m.calls`): one small tuple per request
        self._now = backend.clock.now

    def handle(self, method: str, path: str, query: Query, headers: Mapping[str, str],
               body: bytes | str | None) -> Response:
        """Answer one request. `query` is the raw query string, a dict of lists (as parse_qs gives) or
        None; a query string may also come with `path`. Header names are read in any case."""
        request_id = self._new_id()
        method = method.upper()
        if "?" in path:
            path, _, raw = path.partition("?")
            query = query or raw
        headers = {name.lower(): value for name, value in headers.items()}
        if isinstance(body, str):
            body = body.encode()
        plan = params = None
        try:
            plan, uri_params = self._route(method, path)
            self._inject(plan)
            params = self.parser.parse(plan.operation, query, headers, body, uri_params)
            self._validate(plan, params)
            account, region = self._identity(headers)
            ctx = RequestContext(self.backend, account, region, plan.name, request_id)
            with self.backend.lock:
                for hook in self.backend.hooks:
                    hook(ctx, params)
                token = self._token_slot(plan, ctx, params)
                if token is not None:
                    replayed = token.replay(request_id)
                    if replayed is not None:  # the first answer (a success, so the operation's status)
                        self._record((plan.name, params, account, region, self._now(), plan.status, replayed, None,
                                      request_id))
                        return plan.status, _headers(request_id), replayed
                response = self._dispatch_and_render(plan, ctx, params, request_id)
                if token is not None:
                    token.remember(request_id, response[2])
            self._record((plan.name, params, account, region, self._now(), response[0], kept(response[2]), None,
                          request_id))
            return response
        except ServiceError as error:
            if error.code == "InvalidParameterValueException" and plan is not None and plan.parameter_code:
                error.code = plan.parameter_code
            return self._failed(error, request_id, plan, params, headers)
        except Exception as exc:  # a bug of ours: a clean 500 that says so, never a traceback to the client
            logger.exception("imagebuilder-mock failed on %s %s", method, path)
            if self.check_output:
                raise
            return self._failed(ServiceError(
                "ServiceException", f"imagebuilder-mock internal error ({type(exc).__name__}); the traceback is "
                f"logged by the 'imagebuilder_mock' logger with request id {request_id}."),
                request_id, plan, params, headers)

    def _failed(self, error: ServiceError, request_id: str, plan: OperationPlan | None, params: dict[str, Any] | None,
                headers: Mapping[str, str]) -> Response:
        """The error response, recorded in `m.calls` (the operation is None for a request no route takes)."""
        response = self.render_error(error, request_id)
        account, region = self._identity(headers)
        self._record((plan.name if plan is not None else None, params, account, region, self._now(), response[0],
                      response[2], error.code, request_id))
        return response

    # -- steps -------------------------------------------------------------------------------
    def _route(self, method: str, path: str) -> tuple[OperationPlan, dict[str, str]]:
        routed = self.router.route(method, path)
        if routed is None:
            raise ServiceError("UnknownOperationException", f"No Image Builder operation answers {method} {path}.",
                               404)
        op, uri_params = routed
        plan = self._plans.get(op.name)
        if plan is None:
            plan = self._plans[op.name] = OperationPlan(self, op)
        if plan.handler is None:
            raise ServiceError("NotImplementedException",
                               f"The operation {plan.name} is not implemented by imagebuilder-mock yet.", 501)
        return plan, uri_params

    def _inject(self, plan: OperationPlan) -> None:
        """Raise the error queued for this operation in `backend.injector`, if any."""
        injector = self.backend.injector
        if injector.pending:
            injected = injector.take(plan.name)
            if injected is not None:
                raise injected

    def _validate(self, plan: OperationPlan, params: dict[str, Any]) -> None:
        """The closures' check; a request the generated check accepts (the `_codegen` seam) needs none."""
        if plan.check_input is not None and not (plan.accepts is not None and plan.accepts(params)):
            plan.check_input(params, "")

    def _identity(self, headers: Mapping[str, str]) -> tuple[str, str]:
        """(account, region) of the request: the signature's access key and region, else the host's."""
        credential = _CREDENTIAL.search(headers.get("authorization") or "")
        if credential is not None:
            return self.backend.account_for(credential.group(1)), credential.group(2)
        host = _HOST_REGION.search(headers.get("host") or "")
        return self.backend.default_account, host.group(1) if host else DEFAULT_REGION

    def _token_slot(self, plan: OperationPlan, ctx: RequestContext,
                    params: dict[str, Any]) -> _idempotency.TokenSlot | None:
        """The request's client-token slot, for an operation that takes one and a request that gives one."""
        token = params.get("clientToken") if plan.has_client_token else None
        if not token:
            return None
        return _idempotency.slot(self.backend.idempotency, ctx.account, ctx.region, plan.name, token, params)

    def _dispatch_and_render(self, plan: OperationPlan, ctx: RequestContext, params: dict[str, Any],
                             request_id: str) -> Response:
        """The handler's result rendered, committed whole: if the handler or the rendering fails, every
        store write of the request is undone (`_backend/undo.py`)."""
        undo_log = self.backend.undo_log
        undo_log.open()
        try:
            # `_route` answers an operation without a handler (501) before any dispatch.
            result = plan.handler(ctx, params) or {}  # type: ignore[misc]
            response = self._render(plan, params, result, request_id)
        except BaseException:
            self.backend.undo_request()
            raise
        undo_log.close()
        return response

    def _render(self, plan: OperationPlan, params: dict[str, Any], result: dict[str, Any], request_id: str) -> Response:
        """The response to a success: the members the engine adds, the output shape's members, JSON."""
        shape = plan.output_shape
        if shape is None:
            out = {}
        else:
            if plan.adds_request_id and "requestId" not in result:
                result["requestId"] = request_id
            if plan.adds_client_token and "clientToken" not in result and params.get("clientToken"):
                result["clientToken"] = params["clientToken"]
            out = self.serializer.serialize(shape, result)
            if self.check_output:
                self.output_validator.validate(shape, out)
        return plan.status, _headers(request_id), dumps(out)

    @staticmethod
    def render_error(error: ServiceError, request_id: str) -> Response:
        body = json.dumps({"message": error.message}).encode()
        return error.status, {**_headers(request_id), "x-amzn-ErrorType": error.code}, body


class OperationPlan:
    """What every request of one operation needs, found once per engine: its handler, its input check,
    its output shape and status, the members the engine adds, and its parameter error code."""

    def __init__(self, engine: Engine, op: OperationModel) -> None:
        self.name = op.name
        self.operation = op
        self.handler = engine.handlers.get(op.name)
        input_shape, output_shape = op.input_shape, op.output_shape
        self.check_input = engine.validator.compile(input_shape) if input_shape is not None else None
        self.accepts = engine.acceptors.compile(input_shape) if engine.acceptors and input_shape else None
        self.has_client_token = input_shape is not None and "clientToken" in input_shape.members
        self.output_shape = output_shape
        self.adds_request_id = output_shape is not None and "requestId" in output_shape.members
        self.adds_client_token = output_shape is not None and "clientToken" in output_shape.members
        self.status = op.http.get("responseCode", 200)
        self.parameter_code = _parameter_code(op)


def _headers(request_id: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "x-amzn-RequestId": request_id}


def _parameter_code(op: OperationModel) -> str | None:
    """The code "InvalidParameterException" for an operation whose model lists it, not InvalidParameterValueException
    (the tag operations): its parameter errors carry the code its model lists."""
    errors = {shape.name for shape in op.error_shapes}
    if "InvalidParameterException" in errors and "InvalidParameterValueException" not in errors:
        return "InvalidParameterException"
    return None


@memoize(maxsize=None)
def _protocol(generated: bool) -> tuple[Router, Parser, Validator, Validator, Serializer, _codegen.Acceptors | None]:
    """Router, parser, validators, serialiser and (with `generated`: the `_codegen` seam) the generated input
    checks: built once per process (pure functions of the model, per-shape functions cached on first use)."""
    return (Router(service_model()), Parser(), Validator(), Validator(output=True), Serializer(generated),
            _codegen.Acceptors() if generated else None)


#: a random version 4 UUID string from the unseeded mocks' generator (a seeded mock draws from its own:
#: `backend.new_uuid`; `_backend/ids.py`)
random_uuid = ids.uuid_maker(ids.SHARED)
