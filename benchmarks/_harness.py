"""Shared plumbing of the benchmarks: a hermetic environment, the canned-response floor, recording of
real responses, and interleaved timing.

Import this module before boto3: it sets the environment every contender runs in.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections import deque
from typing import Callable, Iterable

os.environ.update({
    "AWS_ACCESS_KEY_ID": "AKIABENCHBENCHBENCH0",
    "AWS_SECRET_ACCESS_KEY": "bench-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
})
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "IMAGEBUILDER_MOCK_STRICT"):
    os.environ.pop(_name, None)  # users run the mock in its default (non-strict) mode

from botocore.awsrequest import AWSResponse  # noqa: E402


class RawBody:
    """The minimal urllib3-like body botocore reads (what the mock itself hands botocore)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_kwargs):
        yield self._body


class Recorder:
    """Records the HTTP response of every call a client makes, keyed by operation name: the last one
    (`responses`, `parsed`) and all of them in order (`sequence`, emptied by `take`).

    Hooks `needs-retry`, which botocore emits with the raw response of every attempt, whoever
    answered it (our mock, moto, or the network)."""

    def __init__(self, client) -> None:
        self.responses: dict[str, tuple[int, dict, bytes]] = {}
        self.parsed: dict[str, dict] = {}
        self.sequence: dict[str, list[tuple[int, dict, bytes]]] = {}
        client.meta.events.register("needs-retry", self._record)

    def _record(self, response=None, operation=None, **_kwargs):
        if response is not None and response[0] is not None and operation is not None:
            http, parsed = response
            answer = self.responses[operation.name] = (http.status_code, dict(http.headers), http.content)
            self.sequence.setdefault(operation.name, []).append(answer)
            self.parsed[operation.name] = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
        return None

    def take(self) -> dict[str, list[tuple[int, dict, bytes]]]:
        """The responses recorded since the last `take`, per operation, in order."""
        taken, self.sequence = self.sequence, {}
        return taken


def install_floor(client, canned: dict[str, tuple[int, dict, bytes]]) -> Replay:
    """Answer every call of `client` from `before-send` with a canned valid response: what remains is
    botocore's own work (serialise, sign, parse) — the floor any HTTP-level mock pays.

    Each operation answers with its `canned` response, or with the next of the responses `load`ed
    into the returned Replay: replaying what the contender answered makes the floor send the very
    requests the contender was sent (the same ARNs and ids in its URLs)."""
    replay = Replay(canned)
    client.meta.events.register("before-send", replay.answer)
    return replay


class Replay:
    """The floor's answers: per operation, the queued responses in order, then the canned one."""

    def __init__(self, canned: dict[str, tuple[int, dict, bytes]]) -> None:
        self.canned = canned
        self.queued: dict[str, deque] = {}

    def load(self, sequence: dict[str, list[tuple[int, dict, bytes]]]) -> None:
        self.queued = {op: deque(answers) for op, answers in sequence.items()}

    def answer(self, request, event_name, **_kwargs):
        op = event_name.rpartition(".")[2]
        queue = self.queued.get(op)
        status, headers, body = queue.popleft() if queue else self.canned[op]
        return AWSResponse(request.url, status, headers, RawBody(body))


class Sampler:
    """Collects per-round samples (seconds per call) for named contenders and per-operation times."""

    def __init__(self) -> None:
        self.per_call: dict[str, list[float]] = {}
        self.per_op: dict[str, dict[str, list[float]]] = {}

    def add(self, contender: str, seconds_per_call: float, op_times: dict[str, float] | None = None,
            op_counts: dict[str, int] | None = None) -> None:
        self.per_call.setdefault(contender, []).append(seconds_per_call)
        if op_times:
            bucket = self.per_op.setdefault(contender, {})
            for op, total in op_times.items():
                bucket.setdefault(op, []).append(total / op_counts[op])

    def median(self, contender: str) -> float:
        return statistics.median(self.per_call[contender])

    def op_median(self, contender: str, op: str) -> float:
        return statistics.median(self.per_op[contender][op])


def interleave(rounds: int, contenders: dict[str, Callable[[], None]]) -> None:
    """Run every contender once per round, rotating the order so drift and noise hit all alike."""
    names = list(contenders)
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            contenders[name]()


def timed_steps(steps: Iterable[tuple[str, Callable[[int], None]]], iterations: int, start: int
                ) -> tuple[float, dict[str, float], dict[str, int]]:
    """Run each step for `iterations` iterations; returns (total seconds, seconds per op, calls per op)."""
    steps = list(steps)
    op_times = {name: 0.0 for name, _ in steps}
    op_counts = {name: 0 for name, _ in steps}
    clock = time.perf_counter
    total = 0.0
    for i in range(start, start + iterations):
        for name, step in steps:
            t0 = clock()
            step(i)
            spent = clock() - t0
            op_times[name] += spent
            op_counts[name] += 1
            total += spent
    return total, op_times, op_counts


def median_time(func: Callable[[], object], repeat: int, number: int = 1) -> float:
    """Median seconds per call of `func` over `repeat` samples of `number` calls."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            func()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)
