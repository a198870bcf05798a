"""Requests commit whole or not at all: the store writes of the request being served, and their undoing.

Every collection of a Store (and its policies and build counters) is a `Collection`, a dict that records
what a key held before each write while a request is open. The engine opens the log before the
handler runs and closes it once the response is rendered; if the handler or the rendering fails, the
writes are undone in reverse order, so an error never leaves a half-created resource or a used build
number behind. A handler that changes a stored resource in place (rather than replacing it) calls
`backend.undo_log.keep(resource)` first; the build's own progression (`_lifecycle`), which follows the clock
rather than the request, changes images in place and is not undone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self

_ABSENT = object()  # what a key "held" before the write that created it
_CONTENTS = object()  # the key of an entry that keeps a whole resource's previous contents


class UndoLog:
    """The undo records of the open request (None between requests), shared by every Store of a backend."""

    def __init__(self) -> None:
        self.entries: list[tuple[dict[Any, Any], Any, Any]] | None = None
        self._depth = 0

    def open(self) -> None:
        """Start recording (a request served inside another one records into the outer one's log)."""
        if self._depth == 0:
            self.entries = []
        self._depth += 1

    def close(self) -> None:
        """Keep the writes of the request."""
        self._depth -= 1
        if self._depth == 0:
            self.entries = None

    def undo(self) -> None:
        """Undo every write of the open request, newest first, and stop recording."""
        entries, self.entries, self._depth = self.entries or [], None, 0
        for mapping, key, previous in reversed(entries):
            if key is _CONTENTS:
                dict.clear(mapping)
                dict.update(mapping, previous)
            elif previous is _ABSENT:
                dict.pop(mapping, key, None)
            else:
                dict.__setitem__(mapping, key, previous)

    def keep(self, resource: dict[str, Any]) -> None:
        """Remember `resource`'s members before a change in place (the same dict gets them back)."""
        if self.entries is not None:
            self.entries.append((resource, _CONTENTS, dict(resource)))

    def record(self, mapping: dict[Any, Any], key: Any) -> None:
        if self.entries is not None:
            self.entries.append((mapping, key, dict.get(mapping, key, _ABSENT)))


class Collection(dict[Any, Any]):
    """A dict whose writes the backend's undo log can undo (reads are plain dict reads)."""

    undo_log: UndoLog | None = None  # None: a copy made outside a Store (e.g. by copy.deepcopy) records nothing

    def __init__(self, undo_log: UndoLog, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.undo_log = undo_log

    def _record(self, key: Any) -> None:
        if self.undo_log is not None:
            self.undo_log.record(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._record(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        self._record(key)
        dict.__delitem__(self, key)

    def pop(self, key: Any, *default: Any) -> Any:
        self._record(key)
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[Any, Any]:
        key = next(reversed(self))
        return key, self.pop(key)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> Self:  # type: ignore[misc]  # takes what update() takes; `|` stays dict's
        self.update(other)
        return self

    def clear(self) -> None:
        for key in list(self):
            del self[key]

    def __reduce__(self) -> tuple[Any, ...]:  # pickles and deep copies as a plain dict of its items
        return dict, (dict(self),)
