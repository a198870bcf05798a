"""Service errors: a code from the model, its HTTP status from the model, and a message."""

from __future__ import annotations

from ._model import error_status


class ServiceError(Exception):
    """An error the service returns; rendered by the engine as the real service renders it."""

    def __init__(self, code: str, message: str, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status if status is not None else error_status(code)


def invalid_value(param: str, detail: str) -> ServiceError:
    """The service's wording for a parameter that fails validation."""
    return ServiceError(
        "InvalidParameterValueException",
        f"The value supplied for parameter '{param}' is not valid. {detail}".rstrip(),
    )


def invalid_combination(param: str, detail: str) -> ServiceError:
    return ServiceError(
        "InvalidParameterCombinationException",
        f"The value supplied for parameter '{param}' is not valid. {detail}".rstrip(),
    )


def invalid_request(message: str) -> ServiceError:
    return ServiceError("InvalidRequestException", message)


def not_found(resource_type: str, arn: str) -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException",
        f"The following required resource '{resource_type}' cannot be found: '{arn}'.",
    )


def already_exists(resource_type: str, arn: str) -> ServiceError:
    return ServiceError(
        "ResourceAlreadyExistsException",
        f"The following resource '{resource_type}' already exists: '{arn}'.",
    )


def dependency(arn: str) -> ServiceError:
    return ServiceError(
        "ResourceDependencyException",
        f"Resource dependency error: The resource ARN '{arn}' has other resources depended on it.",
    )


def in_use(message: str) -> ServiceError:
    return ServiceError("ResourceInUseException", message)
