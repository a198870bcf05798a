"""The build options CreateImage and Create/UpdateImagePipeline share (tests, scanning, workflows, the
execution role, logging): one validator for every request that carries them."""

from __future__ import annotations

from ..._backend.context import RequestContext
from ..._engine._errors import invalid_value
from .._shared.types import Params, Resource

LOG_NAMESPACE = "/aws/imagebuilder/"
#: The imageTestsConfiguration of a build that gives none (MODEL defaults): shared, read-only.
DEFAULT_TESTS = {"imageTestsEnabled": True, "timeoutMinutes": 720}
#: The log group members of CreateImage's ImageLoggingConfiguration and a pipeline's PipelineLoggingConfiguration.
_LOG_GROUPS = ("logGroupName", "imageLogGroupName", "pipelineLogGroupName")


def effective_tests(params: Params) -> Resource:
    """The request's imageTestsConfiguration with the model's defaults filled in."""
    given = params.get("imageTestsConfiguration")
    if not given:
        return DEFAULT_TESTS
    tests = dict(given)
    tests.setdefault("imageTestsEnabled", True)
    tests.setdefault("timeoutMinutes", 720)
    return tests


def validate_build_options(ctx: RequestContext, params: Params, recipe_param: str) -> Resource:
    """Check the options of a CreateImage-shaped or pipeline request whose recipe is given as
    `recipe_param`; returns the effective imageTestsConfiguration."""
    tests = effective_tests(params)
    scanning = params.get("imageScanningConfiguration") or {}
    if scanning.get("imageScanningEnabled") and not tests["imageTestsEnabled"]:
        raise invalid_value("imageScanningConfiguration",
                            "Image scanning requires image tests to be enabled (imageTestsEnabled).")
    types = scanning.get("imageScanningTypes")
    if scanning.get("scanResultCondition") and types != ["ON_DEMAND_AMI_CVE"]:
        raise invalid_value("imageScanningConfiguration.scanResultCondition",
                            "You can set scanResultCondition only when imageScanningTypes is ON_DEMAND_AMI_CVE.")
    if types == ["ON_DEMAND_AMI_CVE"] and recipe_param != "imageRecipeArn":
        raise invalid_value("imageScanningConfiguration.imageScanningTypes",
                            "ON_DEMAND_AMI_CVE scans require an image recipe.")
    workflows = params.get("workflows")
    if workflows:
        if not params.get("executionRole"):
            raise invalid_value("executionRole", "You must specify an executionRole when you specify workflows.")
        from ..workflows.handlers import validate_workflow_configurations  # workflows import the images family

        validate_workflow_configurations(ctx, workflows, "workflows")
    logging = params.get("loggingConfiguration") or {}
    for member in _LOG_GROUPS:
        group = logging.get(member)
        if group and not group.startswith(LOG_NAMESPACE) and not params.get("executionRole"):
            raise invalid_value(f"loggingConfiguration.{member}",
                                f"A log group outside the {LOG_NAMESPACE} namespace requires an executionRole "
                                "that can write to it.")
    return tests
