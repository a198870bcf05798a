"""The call journal behind `m.calls`: every request the mock served, in order.

The engine appends one plain tuple per request (`Backend.calls`, a bounded deque); `Call` objects and
their parsed responses are made only when a test reads the journal.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import TYPE_CHECKING, Any, Iterator, Sequence, overload

if TYPE_CHECKING:
    from ._backend.store import Backend


@dataclasses.dataclass(frozen=True)
class Call:
    """One request the mock served."""

    #: the operation's name ("CreateImage"); None for a request no operation answers (404)
    operation: str | None
    #: the request's parameters as the engine parsed them (None when it failed before parsing)
    parameters: dict[str, Any] | None
    account: str
    region: str
    #: when it was served, on the mock's simulated clock
    time: datetime.datetime
    #: the HTTP status of the answer
    status: int
    #: the error code ("ResourceNotFoundException") of an error answer, else None
    error: str | None
    request_id: str
    body: bytes = dataclasses.field(repr=False)

    @property
    def response(self) -> dict[str, Any]:
        """The answer's JSON body, parsed (`{"message": ...}` for an error)."""
        parsed: dict[str, Any] = json.loads(self.body or b"{}")
        return parsed

    @property
    def ok(self) -> bool:
        return self.error is None


def _call(record: tuple[Any, ...]) -> Call:
    operation, parameters, account, region, moment, status, body, error, request_id = record
    return Call(operation, parameters, account, region, moment, status, error, request_id, body)


class Calls(Sequence[Call]):
    """`m.calls`: the requests served since the mock started (or since `reset()`), oldest first.

    A live view: it grows as the test makes calls. Index it, iterate it, `len()` it; `of("CreateImage")`
    keeps one operation's calls, `operations()` lists the operation names in order, `last` is the newest
    call. Only the last `max_calls` (a setting: 100 by default, None for every call) are kept."""

    def __init__(self, backend: Backend) -> None:
        self._records = backend.calls

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Call: ...

    @overload
    def __getitem__(self, index: slice) -> list[Call]: ...

    def __getitem__(self, index: int | slice) -> Call | list[Call]:
        if isinstance(index, slice):
            return [_call(record) for record in list(self._records)[index]]
        return _call(self._records[index])

    def __iter__(self) -> Iterator[Call]:
        return (_call(record) for record in list(self._records))

    def __repr__(self) -> str:
        return f"<Calls: {len(self)} calls: {self.operations()}>"

    def of(self, *operations: str) -> list[Call]:
        """The calls of these operations, in order: `m.calls.of("CreateImage")`."""
        wanted = set(operations)
        return [_call(record) for record in list(self._records) if record[0] in wanted]

    def operations(self) -> list[str | None]:
        """The operation of every call, in order."""
        return [record[0] for record in list(self._records)]

    def errors(self) -> list[Call]:
        """The calls answered with an error."""
        return [_call(record) for record in list(self._records) if record[7] is not None]

    @property
    def last(self) -> Call:
        """The newest call (IndexError when there is none)."""
        if not self._records:
            raise IndexError("no imagebuilder call was made")
        return _call(self._records[-1])

    def clear(self) -> None:
        """Forget the calls recorded so far (`reset()` does this too)."""
        self._records.clear()

    def table(self, limit: int = 15) -> str:
        """The last `limit` calls as a short text table (pytest's failure report shows it)."""
        records = list(self._records)
        shown = records[-limit:] if limit else records
        lines = [f"{len(records)} imagebuilder call(s) served" +
                 (f", the last {len(shown)}:" if len(shown) < len(records) else ":"),
                 f"  {'#':>4}  {'time (simulated)':<24} {'operation':<36} {'result':<32} account/region"]
        first = len(records) - len(shown)
        for number, record in enumerate(shown, first + 1):
            operation, _params, account, region, moment, status, _body, error, _rid = record
            result = f"{status} {error}" if error else str(status)
            when = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:23] + "Z"
            lines.append(f"  {number:>4}  {when:<24} {operation or '(no operation)':<36} {result:<32} "
                         f"{account}/{region}")
        return "\n".join(lines)
