"""Per-call cost, interleaved: FLOOR, Stubber, this project, moto (AMP) and moto's own FLOOR; and the
enter+exit cost of `mock_imagebuilder` against `mock_aws`."""

from __future__ import annotations

import gc
import itertools
import statistics
import time

import _harness as h  # noqa: I001 - first: it sets the environment boto3 reads
import boto3
import moto
from botocore.stub import Stubber

from imagebuilder_mock import MockImageBuilder, mock_imagebuilder

from _mixes import AmpMix, ImageBuilderMix, InfrastructureMix, api_name


def _session() -> boto3.session.Session:
    return boto3.session.Session(region_name="us-east-1")


def choose_mix(client):
    """The real mix if every one of its operations works against the mock now, else the stand-in."""
    mix = ImageBuilderMix()
    try:
        with MockImageBuilder():
            state = mix.setup(client)
            for _, step in mix.steps(client, state):
                step(0)
        return mix, None
    except Exception as exc:  # an operation colleagues have not written yet (501), or a bug of theirs
        return InfrastructureMix(), f"{type(exc).__name__}: {exc}"


def _record(mix, client, start_mock) -> tuple[dict, dict, dict]:
    """Run the mix once against a real answerer; returns (canned HTTP responses, parsed outputs, state)."""
    recorder = h.Recorder(client)
    with start_mock():
        state = mix.setup(client)
        for _, step in mix.steps(client, state):
            step(10**9)
    return recorder.responses, recorder.parsed, state


class Tracer:
    """Runs a mix against a real answerer, untimed, to record what the floor replays: the floor then
    sends the requests the answerer was sent (its ARNs and ids), not one canned ARN over and over,
    which would let botocore's request path hit caches (`urllib.parse.urlsplit` keeps 128 URLs) that a
    run over new resources never hits (~40 us per GET on this machine)."""

    def __init__(self, mix, client, start_mock) -> None:
        self.mix, self.client, self.start_mock = mix, client, start_mock
        self.recorder = h.Recorder(client)

    def trace(self, start: int, iterations: int) -> tuple[dict, dict]:
        """(responses per operation in order, the state after setup) of iterations start.. of the mix."""
        with self.start_mock():
            state = self.mix.setup(self.client)
            initial = dict(state)
            self.recorder.take()  # the setup's own calls are not replayed
            steps = self.mix.steps(self.client, state)
            for i in range(start, start + iterations):
                for _, step in steps:
                    step(i)
        gc.collect()
        return self.recorder.take(), initial


def _stubbed_steps(client, stubber: Stubber, steps, parsed: dict):
    methods = {v: k for k, v in client.meta.method_to_api_mapping.items()}

    def wrap(op, step):
        name, response = methods[api_name(op)], parsed[api_name(op)]

        def run(i):
            stubber.add_response(name, response)
            step(i)

        return op, run

    return [wrap(op, step) for op, step in steps]


def per_call(rounds: int, iterations: int) -> dict:
    """Median seconds per call of each contender, and per operation; the mix that was used."""
    session = _session()
    ours_client = session.client("imagebuilder")
    mix, why_fallback = choose_mix(ours_client)
    amp_mix = AmpMix()

    canned, parsed, floor_state = _record(mix, session.client("imagebuilder"), MockImageBuilder)
    floor_client = session.client("imagebuilder")
    floor_replay = h.install_floor(floor_client, canned)
    floor_tracer = Tracer(mix, session.client("imagebuilder"), MockImageBuilder)
    stub_client = session.client("imagebuilder")
    stubber = Stubber(stub_client)
    stubber.activate()

    amp_canned, _, _ = _record(amp_mix, session.client("amp"), moto.mock_aws)
    moto_client = session.client("amp")
    amp_floor_client = session.client("amp")
    amp_floor_replay = h.install_floor(amp_floor_client, amp_canned)
    amp_tracer = Tracer(amp_mix, session.client("amp"), moto.mock_aws)

    sampler = h.Sampler()
    counter = itertools.count(1)
    n_steps = len(mix.steps(ours_client, {}))

    def block(name, client, steps, start=None):
        start = next(counter) * iterations if start is None else start
        total, op_times, op_counts = h.timed_steps(steps, iterations, start)
        sampler.add(name, total / (iterations * n_steps), op_times, op_counts)

    def ours():
        with MockImageBuilder():
            state = mix.setup(ours_client)
            block("ours", ours_client, mix.steps(ours_client, state))

    def floor():
        start = next(counter) * iterations
        sequence, state = floor_tracer.trace(start, iterations)
        floor_replay.load(sequence)
        block("floor", floor_client, mix.steps(floor_client, state), start)

    def stub():
        block("stubber", stub_client, _stubbed_steps(stub_client, stubber, mix.steps(stub_client, dict(floor_state)),
                                                     parsed))

    def moto_amp():
        with moto.mock_aws():
            state = amp_mix.setup(moto_client)
            block("moto", moto_client, amp_mix.steps(moto_client, state))

    def moto_floor():
        start = next(counter) * iterations
        sequence, state = amp_tracer.trace(start, iterations)
        amp_floor_replay.load(sequence)
        block("moto_floor", amp_floor_client, amp_mix.steps(amp_floor_client, state), start)

    h.interleave(rounds, {"floor": floor, "ours": ours, "stubber": stub, "moto_floor": moto_floor,
                          "moto": moto_amp})
    ops = [op for op, _ in mix.steps(ours_client, {})]
    return {
        "mix": mix.name,
        "real_mix": mix.real,
        "fallback_reason": why_fallback,
        "median_s": {name: sampler.median(name) for name in sampler.per_call},
        "ops": {op: {name: sampler.op_median(name, op) for name in ("floor", "ours", "stubber")} for op in ops},
        "moto_ops": {op: {name: sampler.op_median(name, op) for name in ("moto_floor", "moto")}
                     for op, _ in amp_mix.steps(moto_client, {})},
    }


def small_test(rounds: int) -> dict:
    """A typical small test: a fresh mock, two calls, stop (ours) against the two calls at the floor
    (which replays what the mock answered to the same calls, so it sends the same requests)."""
    session = _session()
    client = session.client("imagebuilder")
    canned, _, _ = _record(InfrastructureMix(), session.client("imagebuilder"), MockImageBuilder)
    floor_client = session.client("imagebuilder")
    replay = h.install_floor(floor_client, canned)
    trace_client = session.client("imagebuilder")
    recorder = h.Recorder(trace_client)
    counter = itertools.count()

    def calls(c, n):
        arn = c.create_infrastructure_configuration(name=f"t-{n}", instanceProfileName="r")[
            "infrastructureConfigurationArn"]
        c.get_infrastructure_configuration(infrastructureConfigurationArn=arn)

    samples: dict[str, list[float]] = {"ours": [], "floor": []}

    def ours():
        n = next(counter)
        t0 = time.perf_counter()
        with mock_imagebuilder():
            calls(client, n)
        samples["ours"].append(time.perf_counter() - t0)

    def floor():
        n = next(counter)
        with mock_imagebuilder():
            calls(trace_client, n)
        replay.load(recorder.take())
        gc.collect()
        t0 = time.perf_counter()
        calls(floor_client, n)
        samples["floor"].append(time.perf_counter() - t0)

    h.interleave(rounds, {"ours": ours, "floor": floor})
    return {name: statistics.median(values) for name, values in samples.items()}


def enter_exit(rounds: int, ours_number: int, moto_number: int) -> dict:
    """Median seconds of one `with mock_imagebuilder(): pass` and one `with mock_aws(): pass`."""
    samples: dict[str, list[float]] = {"ours": [], "mock_aws": []}

    def ours():
        t0 = time.perf_counter()
        for _ in range(ours_number):
            with mock_imagebuilder():
                pass
        samples["ours"].append((time.perf_counter() - t0) / ours_number)

    def aws():
        t0 = time.perf_counter()
        for _ in range(moto_number):
            with moto.mock_aws():
                pass
        samples["mock_aws"].append((time.perf_counter() - t0) / moto_number)

    h.interleave(rounds, {"ours": ours, "mock_aws": aws})
    return {name: statistics.median(values) for name, values in samples.items()}
