"""Error injection: the next N calls of an operation answer with one of the service's errors."""

from __future__ import annotations

import collections
import dataclasses

from .._engine._errors import ServiceError


@dataclasses.dataclass
class _Pending:
    """An injected error and how many more calls it answers."""

    code: str
    message: str
    remaining: int | None  # None: every call, until cleared


class ErrorInjector:
    def __init__(self) -> None:
        #: operation name -> its pending errors, oldest first
        self.pending: dict[str, collections.deque[_Pending]] = {}

    def add(self, operation: str, code: str, count: int | None = 1, message: str | None = None) -> None:
        """Answer the next `count` calls of `operation` with the model's error `code` (`None`: every call)."""
        from .._engine._model import service_model

        model = service_model()
        if operation not in model.operation_names:
            raise ValueError(f"{operation!r} is not an Image Builder operation")
        known = {shape.name for shape in model.error_shapes}
        if code not in known:
            raise ValueError(f"{code!r} is not an error of the Image Builder model; one of: {sorted(known)}")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise ValueError(f"count must be an integer of at least 1, or None (every call), got {count!r}")
        entry = _Pending(code, message or f"Injected by imagebuilder-mock: {code}.", count)
        self.pending.setdefault(operation, collections.deque()).append(entry)

    def take(self, operation: str) -> ServiceError | None:
        """The error to answer this call of `operation` with, if one is pending (it is used up)."""
        queue = self.pending.get(operation)
        if not queue:
            return None
        entry = queue[0]
        if entry.remaining is None:
            return ServiceError(entry.code, entry.message)
        entry.remaining -= 1
        if entry.remaining == 0:
            queue.popleft()
            if not queue:
                del self.pending[operation]
        return ServiceError(entry.code, entry.message)

    def clear(self, operation: str | None = None) -> None:
        """Drop the pending errors (of `operation`, or all)."""
        if operation is None:
            self.pending.clear()
        else:
            self.pending.pop(operation, None)
