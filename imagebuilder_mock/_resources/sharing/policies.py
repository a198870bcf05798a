"""Resource policies (cross-account sharing): Get/Put of component, image, image recipe and
container recipe policies.

A policy is validated as RAM validates a policy it can promote to a resource share, stored as given
in the owner's `store.policies[<resource arn>]`, and read by `_lookup.grants` to make the resource
visible to the accounts it names. Without a policy, Get* returns `{}`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..._backend import arns
from ..._backend.context import RequestContext
from ..._backend.resource_types import SHAREABLE, ResourceType
from ..._engine._errors import ServiceError, invalid_value
from .. import operation
from .._shared.common import lookup
from .._shared.types import Params, Resource, Result

#: The policy language versions IAM accepts.
POLICY_VERSIONS = ("2012-10-17", "2008-10-17")
EMPTY_POLICY = "{}"
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_ROOT = re.compile(r"^arn:aws[a-z-]*:iam::([0-9]{12}):root$")
_STATEMENT_KEYS = {"Sid", "Effect", "Principal", "Action", "Resource"}
_DOCUMENT_KEYS = {"Version", "Id", "Statement"}


def owned_resource(ctx: RequestContext, kind: ResourceType, arn: str) -> Resource:
    """The caller's own resource at exactly `arn`; anything else (another account's, AWS-owned,
    shared with the caller, a wildcard version) is ResourceNotFoundException."""
    arns.parse(arn, kind.arn_member)
    return lookup(ctx.store.collection(kind), arn, kind.name)  # holds only the caller's ARNs of the type


def _as_list(value: object, what: str) -> list[str]:
    values: list[Any] = value if isinstance(value, list) else [value]  # checked to be strings below
    if not values or not all(isinstance(v, str) and v for v in values):
        raise _bad(f"{what} must be a non-empty string or a list of non-empty strings.")
    return values


def _bad(detail: str) -> ServiceError:
    return invalid_value("policy", detail)


def validate_policy(policy: str, kind: ResourceType, arn: str) -> None:
    """Check `policy` as RAM does before sharing: JSON, Version, and Allow statements naming
    account principals, this resource, and only the actions of the type's managed permission."""
    try:
        document = json.loads(policy)
    except (ValueError, RecursionError):
        raise _bad("The policy is not valid JSON.") from None
    if not isinstance(document, dict):
        raise _bad("The policy must be a JSON object.")
    unknown = sorted(set(document) - _DOCUMENT_KEYS)
    if unknown:
        raise _bad(f"The policy contains an unsupported element: '{unknown[0]}'.")
    if document.get("Version") not in POLICY_VERSIONS:
        raise _bad(f"The policy must have a Version of {' or '.join(repr(v) for v in POLICY_VERSIONS)}.")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _bad("The policy must contain at least one Statement.")
    allowed = {a.lower(): a for a in kind.policy_actions}
    for index, statement in enumerate(statements):
        where = f"Statement[{index}]"
        if not isinstance(statement, dict):
            raise _bad(f"{where} must be a JSON object.")
        unknown = sorted(set(statement) - _STATEMENT_KEYS)
        if unknown:
            raise _bad(f"{where} contains an unsupported element: '{unknown[0]}'.")
        for element in ("Effect", "Principal", "Action", "Resource"):
            if element not in statement:
                raise _bad(f"{where} is missing the required element '{element}'.")
        if statement["Effect"] != "Allow":
            raise _bad(f"{where}.Effect must be 'Allow'.")
        principal = statement["Principal"]
        if not isinstance(principal, dict) or set(principal) != {"AWS"}:
            raise _bad(f"{where}.Principal must be an object with an 'AWS' element listing account IDs.")
        for name in _as_list(principal["AWS"], f"{where}.Principal.AWS"):
            if not (_ACCOUNT.match(name) or _ROOT.match(name)):
                raise _bad(f"{where}.Principal '{name}' is not a valid AWS account ID or account root ARN.")
        for action in _as_list(statement["Action"], f"{where}.Action"):
            if action.lower() not in allowed:
                raise _bad(f"{where}.Action '{action}' is not supported for this resource type. "
                           f"Supported actions: [{', '.join(kind.policy_actions)}].")
        for resource in _as_list(statement["Resource"], f"{where}.Resource"):
            if resource != arn:
                raise _bad(f"{where}.Resource '{resource}' does not match the resource '{arn}'.")


def _kind_of(ctx: RequestContext) -> ResourceType:
    """The shareable type a policy operation is about: Get/PutImageRecipePolicy -> ImageRecipe."""
    return SHAREABLE[ctx.operation[3:-len("Policy")]]


@operation("GetComponentPolicy")
@operation("GetImagePolicy")
@operation("GetImageRecipePolicy")
@operation("GetContainerRecipePolicy")
def get_resource_policy(ctx: RequestContext, params: Params) -> Result:
    """Get*Policy: the caller's own resource's policy (`{}` without one)."""
    kind = _kind_of(ctx)
    arn = params[kind.arn_member]
    owned_resource(ctx, kind, arn)
    return {"policy": ctx.store.policies.get(arn, EMPTY_POLICY)}


@operation("PutComponentPolicy")
@operation("PutImagePolicy")
@operation("PutImageRecipePolicy")
@operation("PutContainerRecipePolicy")
def put_resource_policy(ctx: RequestContext, params: Params) -> Result:
    """Put*Policy: validate the policy as RAM does, then keep it as given."""
    kind = _kind_of(ctx)
    arn = params[kind.arn_member]
    owned_resource(ctx, kind, arn)
    validate_policy(params["policy"], kind, arn)
    ctx.store.policies[arn] = params["policy"]
    return {kind.arn_member: arn}
