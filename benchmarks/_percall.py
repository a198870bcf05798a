"""Per-call cost, interleaved: FLOOR, Stubber, this project, moto (AMP) and moto's own FLOOR; and the
enter+exit cost of `mock_imagebuilder` against `mock_aws`."""

from __future__ import annotations

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
    h.install_floor(floor_client, canned)
    stub_client = session.client("imagebuilder")
    stubber = Stubber(stub_client)
    stubber.activate()

    amp_canned, _, amp_state = _record(amp_mix, session.client("amp"), moto.mock_aws)
    moto_client = session.client("amp")
    amp_floor_client = session.client("amp")
    h.install_floor(amp_floor_client, amp_canned)

    sampler = h.Sampler()
    counter = itertools.count(1)
    n_steps = len(mix.steps(ours_client, {}))

    def block(name, client, steps):
        total, op_times, op_counts = h.timed_steps(steps, iterations, next(counter) * iterations)
        sampler.add(name, total / (iterations * n_steps), op_times, op_counts)

    def ours():
        with MockImageBuilder():
            state = mix.setup(ours_client)
            block("ours", ours_client, mix.steps(ours_client, state))

    def floor():
        block("floor", floor_client, mix.steps(floor_client, dict(floor_state)))

    def stub():
        block("stubber", stub_client, _stubbed_steps(stub_client, stubber, mix.steps(stub_client, dict(floor_state)),
                                                     parsed))

    def moto_amp():
        with moto.mock_aws():
            state = amp_mix.setup(moto_client)
            block("moto", moto_client, amp_mix.steps(moto_client, state))

    def moto_floor():
        block("moto_floor", amp_floor_client, amp_mix.steps(amp_floor_client, dict(amp_state)))

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
    """A typical small test: a fresh mock, two calls, stop (ours) against the two calls at the floor."""
    session = _session()
    client = session.client("imagebuilder")
    canned, _, _ = _record(InfrastructureMix(), session.client("imagebuilder"), MockImageBuilder)
    floor_client = session.client("imagebuilder")
    h.install_floor(floor_client, canned)
    counter = itertools.count()

    def calls(c):
        arn = c.create_infrastructure_configuration(name=f"t-{next(counter)}", instanceProfileName="r")[
            "infrastructureConfigurationArn"]
        c.get_infrastructure_configuration(infrastructureConfigurationArn=arn)

    def ours():
        with mock_imagebuilder():
            calls(client)

    samples: dict[str, list[float]] = {"ours": [], "floor": []}

    def run(name, func):
        def go():
            t0 = time.perf_counter()
            func()
            samples[name].append(time.perf_counter() - t0)
        return go

    h.interleave(rounds, {"ours": run("ours", ours), "floor": run("floor", lambda: calls(floor_client))})
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
