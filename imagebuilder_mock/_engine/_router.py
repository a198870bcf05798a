"""Routing from each operation's http.method + requestUri, as the model declares them."""

from __future__ import annotations

import re
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel


class Router:
    """Maps (method, raw path) to (operation, uri parameters)."""

    def __init__(self, model: ServiceModel) -> None:
        self._literal: dict[tuple[str, str], OperationModel] = {}
        self._templated: list[tuple[str, re.Pattern[str], OperationModel]] = []
        for name in model.operation_names:
            op = model.operation_model(name)
            method, uri = op.http["method"], op.http["requestUri"].split("?")[0]
            if "{" not in uri:
                self._literal[(method, uri)] = op
                continue
            regex = re.escape(uri)
            for label in re.findall(r"\{([^}]+)\}", uri):
                greedy = label.endswith("+")
                escaped = re.escape("{" + label + "}")
                group = f"(?P<{label.rstrip('+')}>{'.+' if greedy else '[^/]+'})"
                regex = regex.replace(escaped, group)
            self._templated.append((method, re.compile(regex + "$"), op))

    def route(self, method: str, path: str) -> tuple[OperationModel, dict[str, str]] | None:
        path = path.split("?", 1)[0] or "/"
        op = self._literal.get((method, path))
        if op is not None:
            return op, {}
        for op_method, regex, op in self._templated:
            if op_method == method:
                match = regex.match(path)
                if match:
                    return op, {k: unquote(v) for k, v in match.groupdict().items()}
        return None
