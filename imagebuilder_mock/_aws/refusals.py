"""What the service refuses at request time because of another service's state, when those services are
reachable (`sessions.active`): CreateInfrastructureConfiguration / UpdateInfrastructureConfiguration
naming an instance profile IAM does not have, ImportVmImage naming a VM import task EC2 does not have
(docs/service-behavior.md, "Builds in other AWS services"). Without moto or an endpoint: nothing is checked.

An endpoint that cannot be reached refuses nothing (the build's own checks say so when it starts).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from botocore.parsers import ResponseParserError

from .._engine._errors import invalid_value
from .sessions import Clients, active

if TYPE_CHECKING:
    from .._backend.context import RequestContext

logger = logging.getLogger("imagebuilder_mock")

#: The service's text after "The value supplied for parameter 'instanceProfileName' is not valid."
#: (a CloudFormation event quoting the service: aws/aws-cdk#11441; the code: terraform-provider-aws's
#: retry predicate, InvalidParameterValueException).
MISSING_INSTANCE_PROFILE = ("The provided instance profile does not exist. Please specify a different instance "
                            "profile and try again.")


def _code(error: ClientError) -> str:
    return (error.response.get("Error") or {}).get("Code") or ""


def check_instance_profile(ctx: RequestContext, name: str | None) -> None:
    """Refuse (InvalidParameterValueException, 400) an instance profile IAM of the caller's account lacks."""
    if not name or not active(ctx.backend):
        return
    iam = Clients(ctx.backend)("iam", ctx.account, ctx.region)
    try:
        iam.get_instance_profile(InstanceProfileName=name)
    except ClientError as error:
        if _code(error) == "NoSuchEntity":
            raise invalid_value("instanceProfileName", MISSING_INSTANCE_PROFILE) from None
        logger.warning("imagebuilder-mock: IAM could not tell whether instance profile %r exists: %s", name, error)
    except BotoCoreError as error:
        logger.warning("imagebuilder-mock: IAM unreachable, instance profile %r not checked: %s", name, error)


def check_vm_import_task(ctx: RequestContext, task_id: str) -> None:
    """Refuse a `vmImportTaskId` that EC2 of the caller's account and Region does not describe.

    moto (5.2) implements neither ImportImage nor DescribeImportImageTasks: no import task can exist
    there, so under moto every task id is refused (moto raises NotImplementedError in process; its
    server answers 500)."""
    if not active(ctx.backend):
        return
    ec2 = Clients(ctx.backend)("ec2", ctx.account, ctx.region)
    try:
        tasks = ec2.describe_import_image_tasks(ImportTaskIds=[task_id]).get("ImportImageTasks") or []
    except ClientError as error:  # InvalidConversionTaskId.* and the like: no such task
        logger.debug("imagebuilder-mock: DescribeImportImageTasks(%s): %s", task_id, _code(error))
        tasks = []
    except EndpointConnectionError as error:
        logger.warning("imagebuilder-mock: EC2 unreachable, VM import task %r not checked: %s", task_id, error)
        return
    except (NotImplementedError, ResponseParserError, BotoCoreError):  # EC2 there has no VM Import/Export
        tasks = []
    if not any(task.get("ImportTaskId") == task_id for task in tasks):
        raise invalid_value("vmImportTaskId", f"The VM import task '{task_id}' does not exist in this account and "
                                              "Region.")
