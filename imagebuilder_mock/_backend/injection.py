"""Error injection: the next N calls of an operation answer with one of the service's errors."""

from __future__ import annotations

import collections

from .._engine._errors import ServiceError


class ErrorInjector:
    def __init__(self) -> None:
        self.pending: dict[str, collections.deque] = {}

    def add(self, operation: str, code: str, count: int = 1, message: str | None = None) -> None:
        from .._engine._model import service_model

        model = service_model()
        if operation not in model.operation_names:
            raise ValueError(f"{operation!r} is not an Image Builder operation")
        known = {shape.name for shape in model.error_shapes}
        if code not in known:
            raise ValueError(f"{code!r} is not an error of the Image Builder model; one of: {sorted(known)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        entry = [code, message or f"Injected by imagebuilder-mock: {code}.", count]
        self.pending.setdefault(operation, collections.deque()).append(entry)

    def take(self, operation: str) -> ServiceError | None:
        queue = self.pending.get(operation)
        if not queue:
            return None
        entry = queue[0]
        entry[2] -= 1
        if entry[2] == 0:
            queue.popleft()
            if not queue:
                del self.pending[operation]
        return ServiceError(entry[0], entry[1])

    def clear(self) -> None:
        self.pending.clear()
