"""The types the handlers share: resources and requests are plain dicts keyed by the model's member names
(by design: the serialiser picks members off them by the output shape), so the aliases say what a dict is."""

from __future__ import annotations

from typing import Any, Callable

from ..._backend.context import RequestContext

#: a stored resource, or a structure of its members (keys are the model's member names; private
#: bookkeeping keys start with "_" and are never serialised)
Resource = dict[str, Any]
#: a request's parsed input members
Params = dict[str, Any]
#: a handler's output members (the output shape's member names)
Result = dict[str, Any]
#: a parsed YAML/JSON workflow document (components/documents.py's `Document` is its parse result)
Document = dict[str, Any]
#: an operation handler
Handler = Callable[[RequestContext, Params], Result]
