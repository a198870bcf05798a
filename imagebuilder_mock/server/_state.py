"""The whole state of a backend as JSON, and back: its stores, clock, access keys, client tokens, pending
injections and the state resource modules keep in `extensions` (the control API's GET/PUT /state).

JSON holds str, numbers, bools, None, lists and str-keyed dicts; everything else the backend keeps is
written as a tagged object `{"__ib": tag, ...}`: datetimes, tuples, bytes, deques, maps with other keys, and
the records of this package (dataclasses, NamedTuples, slotted classes such as a build's `Progress` or a
client-token table). Importing only rebuilds classes and functions of `imagebuilder_mock` itself, so a
state file cannot make the server run anything else. Derived lookup indexes (`Store.indexes`) are left out
and rebuilt on first use. Strings are interned on the way back, so sentinels compared by identity (a
schedule's "soon") keep meaning what they meant.

Not carried: pagination tokens (signed with a per-process key; a token from before a restart is refused
as any stale token is) and the process's memoised caches (pure functions of the model).
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import datetime
import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._backend.store import Backend

FORMAT = 1
_TAG = "__ib"
_PACKAGE = "imagebuilder_mock"


# -- encoding --------------------------------------------------------------------------------------
def encode(value: Any) -> Any:
    """`value` as plain JSON data (tagged where JSON has no such type)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and _TAG not in value:
            return {k: encode(v) for k, v in value.items()}
        return {_TAG: "map", "items": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, datetime.datetime):
        return {_TAG: "datetime", "iso": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {_TAG: "timedelta", "seconds": value.total_seconds()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {_TAG: "bytes", "b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, collections.deque):
        return {_TAG: "deque", "items": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {_TAG: "frozenset" if isinstance(value, frozenset) else "set", "items": [encode(v) for v in value]}
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return {_TAG: "tuple", "items": [encode(v) for v in value]}
    if callable(value) and not isinstance(value, type) and hasattr(value, "__qualname__"):
        return {_TAG: "function", "name": _qualified(value)}
    return _encode_record(value)


def _qualified(obj: Any) -> str:
    module = getattr(obj, "__module__", "") or ""
    if not (module == _PACKAGE or module.startswith(_PACKAGE + ".")):
        raise TypeError(f"cannot export {obj!r}: not part of {_PACKAGE}")
    return f"{module}:{obj.__qualname__}"


def _encode_record(value: Any) -> dict[str, Any]:
    """An instance of one of this package's classes: its class and its fields."""
    cls = type(value)
    name = _qualified(cls)
    if hasattr(value, "_fields"):  # NamedTuple
        return {_TAG: "record", "class": name, "items": [encode(v) for v in value]}
    if dataclasses.is_dataclass(value):
        names = [field.name for field in dataclasses.fields(value)]
    elif hasattr(value, "__dict__"):
        names = list(vars(value))
    else:
        names = [slot for klass in cls.__mro__ for slot in getattr(klass, "__slots__", ())]
    return {_TAG: "object", "class": name, "fields": {n: encode(getattr(value, n)) for n in names}}


# -- decoding --------------------------------------------------------------------------------------
def decode(data: Any) -> Any:
    """The inverse of `encode`. Raises ValueError on anything `encode` does not write."""
    if isinstance(data, str):
        return sys.intern(data)
    if data is None or isinstance(data, (bool, int, float)):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        raise ValueError(f"unexpected {type(data).__name__} in a state document")
    tag = data.get(_TAG)
    if tag is None:
        return {sys.intern(k): decode(v) for k, v in data.items()}
    decoder = _DECODERS.get(tag)
    if decoder is None:
        raise ValueError(f"unknown tag {tag!r} in a state document")
    return decoder(data)


def _resolve(name: str) -> Any:
    module_name, _, qualname = str(name).partition(":")
    if not (module_name == _PACKAGE or module_name.startswith(_PACKAGE + ".")):
        raise ValueError(f"a state document may only name {_PACKAGE}'s classes, not {name!r}")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def _decode_object(data: dict[str, Any]) -> Any:
    cls = _resolve(data["class"])
    if not isinstance(cls, type):
        raise ValueError(f"{data['class']!r} is not a class")
    instance = cls.__new__(cls)  # type: ignore[call-overload]  # a class of the package, without its __init__
    for name, value in data["fields"].items():
        object.__setattr__(instance, name, decode(value))  # frozen dataclasses too
    return instance


def _decode_record(data: dict[str, Any]) -> Any:
    cls = _resolve(data["class"])
    if not (isinstance(cls, type) and issubclass(cls, tuple)):
        raise ValueError(f"{data['class']!r} is not a NamedTuple")
    return cls(*[decode(v) for v in data["items"]])


def _decode_function(data: dict[str, Any]) -> Any:
    function = _resolve(data["name"])
    if not callable(function) or isinstance(function, type):
        raise ValueError(f"{data['name']!r} is not a function")
    return function


_DECODERS = {
    "map": lambda d: {decode(k): decode(v) for k, v in d["items"]},
    "datetime": lambda d: datetime.datetime.fromisoformat(d["iso"]),
    "timedelta": lambda d: datetime.timedelta(seconds=d["seconds"]),
    "bytes": lambda d: base64.b64decode(d["b64"]),
    "deque": lambda d: collections.deque(decode(v) for v in d["items"]),
    "set": lambda d: {decode(v) for v in d["items"]},
    "frozenset": lambda d: frozenset(decode(v) for v in d["items"]),
    "tuple": lambda d: tuple(decode(v) for v in d["items"]),
    "function": _decode_function,
    "object": _decode_object,
    "record": _decode_record,
}


# -- the backend -----------------------------------------------------------------------------------
def export_state(backend: Backend) -> dict[str, Any]:
    """Everything `backend` holds, as JSON data (`import_state` reads it back)."""
    with backend.lock:
        stores = []
        for (account, region), store in backend.stores.items():
            fields = {name: value for name, value in vars(store).items() if name not in ("indexes",)}
            stores.append({"account": account, "region": region, "fields": encode(fields)})
        return {
            "format": FORMAT,
            "defaultAccount": backend.default_account,
            "clock": {"offsetSeconds": backend.clock._offset.total_seconds(), "now": backend.clock.iso_now()},
            "accessKeys": dict(backend.access_keys),
            "stores": stores,
            "idempotency": encode(backend.idempotency),
            "extensions": encode(backend.extensions),
            "hooks": [encode(hook) for hook in backend.hooks],
            "injections": encode(backend.injector.pending),
        }


def import_state(backend: Backend, data: dict[str, Any]) -> None:
    """Replace `backend`'s state with an export's. The clock resumes from the exported time or later
    (the simulated clock only moves forward)."""
    from .._backend.clock import parse_iso
    from .._backend.store import Store
    from .._backend.undo import Collection

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not an imagebuilder-mock state document of format {FORMAT}")
    try:
        stores = {}
        for entry in data["stores"]:
            store = Store(entry["account"], entry["region"], backend.undo_log)
            for name, value in decode(entry["fields"]).items():
                current = getattr(store, name, None)
                if isinstance(current, Collection) and isinstance(value, dict):
                    dict.update(current, value)  # keeps the store's undo log (_backend/undo.py)
                else:
                    setattr(store, name, value)
            stores[(entry["account"], entry["region"])] = store
        idempotency = decode(data["idempotency"])
        extensions = decode(data["extensions"])
        hooks = [decode(hook) for hook in data["hooks"]]
        injections = decode(data["injections"])
        offset = datetime.timedelta(seconds=float(data["clock"]["offsetSeconds"]))
        exported_now = parse_iso(data["clock"]["now"])
        access_keys = {str(k): str(v) for k, v in data["accessKeys"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"a malformed state document: {exc}") from None
    with backend.lock:
        backend.stores.clear()
        backend.stores.update(stores)
        backend.idempotency.clear()
        backend.idempotency.update(idempotency)
        backend.extensions.clear()
        backend.extensions.update(extensions)
        for hook in hooks:
            if hook not in backend.hooks:
                backend.hooks.append(hook)
        backend.injector.pending.clear()
        backend.injector.pending.update(injections)
        backend.access_keys.update(access_keys)
        clock = backend.clock
        with clock._lock:
            clock._offset = offset
        behind = exported_now - clock.now()
        if behind > datetime.timedelta(0):  # this machine's time is behind the exporter's
            clock.advance(behind)
