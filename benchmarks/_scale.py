"""How the mock scales with what it stores: first-page List latency with 100 / 1,000 / 10,000 stored
resources, and memory retained per stored resource (tracemalloc) against moto's equivalent."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc

import _harness as h  # noqa: I001 - first: it sets the environment boto3 reads
import boto3
import moto
from botocore.serialize import create_serializer

from imagebuilder_mock import MockImageBuilder
from imagebuilder_mock._engine._model import service_model

from _mixes import COMPONENT_DOC, PAGE, PARENT_IMAGE

_SIZE_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")


class RawCaller:
    """Calls the engine directly with requests serialised by botocore's own rest-json serialiser:
    the handlers' real code path (parse, validate, handler, serialise) minus boto3's client."""

    def __init__(self, mock: MockImageBuilder) -> None:
        self.engine = mock.engine
        self.model = service_model()
        self.serializer = create_serializer("rest-json", include_validation=False)
        self.tokens = 0

    def __call__(self, region: str, operation: str, params: dict) -> int:
        op = self.model.operation_model(operation)
        if "clientToken" in op.input_shape.members:  # boto3 fills the idempotency token; so do we
            self.tokens += 1
            params = dict(params, clientToken=f"raw-token-{self.tokens}")
        request = self.serializer.serialize_to_request(params, op)
        headers = dict(request["headers"])
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential=AKIABENCHBENCHBENCH0/20250101/{region}/"
                                    "imagebuilder/aws4_request")
        status, _, body = self.engine.handle(request["method"], request["url_path"], request["query_string"] or "",
                                             headers, request["body"])
        if status >= 300:
            raise RuntimeError(f"{operation} answered {status}: {body[:300]!r}")
        return status


def _component_family(call: RawCaller, region: str, start: int, count: int) -> None:
    for n in range(start, start + count):
        call(region, "CreateComponent", {"name": f"scale-{n}", "semanticVersion": "1.0.0", "platform": "Linux",
                                         "data": COMPONENT_DOC})


def _infrastructure_family(call: RawCaller, region: str, start: int, count: int) -> None:
    for n in range(start, start + count):
        call(region, "CreateInfrastructureConfiguration", {"name": f"scale-{n}", "instanceProfileName": "r"})


def list_latency(sizes: tuple[int, ...], rounds: int, per_round: int, real_mix: bool) -> dict:
    """Median seconds of a first page (maxResults 25) through boto3, per number of stored resources.

    Each size lives in its own region of one mock, so the sizes are measured interleaved. The store is
    filled through `RawCaller` (the engine without boto3's client: ~4x faster than boto3, same handlers)."""
    if real_mix:
        populate, lister, family = _component_family, "list_components", "components"
    else:
        populate, lister, family = _infrastructure_family, "list_infrastructure_configurations", \
            "infrastructure_configurations"
    session = boto3.session.Session()
    result: dict = {"family": family, "populate_s": {}, "median_s": {}}
    with MockImageBuilder() as mock:
        call = RawCaller(mock)
        clients = {}
        for size, region in zip(sizes, _SIZE_REGIONS):
            t0 = time.perf_counter()
            populate(call, region, 0, size)
            result["populate_s"][size] = time.perf_counter() - t0
            clients[size] = session.client("imagebuilder", region_name=region)
            page = getattr(clients[size], lister)(maxResults=PAGE)
            listed = next(v for k, v in page.items() if isinstance(v, list))
            assert len(listed) == min(PAGE, size), (size, len(listed))
        samples: dict[int, list[float]] = {size: [] for size in sizes}

        def measure(size):
            method = getattr(clients[size], lister)
            return lambda: samples[size].append(h.median_time(lambda: method(maxResults=PAGE), per_round))

        h.interleave(rounds, {str(size): measure(size) for size in sizes})
    result["median_s"] = {size: statistics.median(values) for size, values in samples.items()}
    return result


def _retained(create, count: int) -> int:
    """Bytes still allocated after `count` calls of create(i), everything else warmed up first."""
    create(-1)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(count):
            create(i)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def memory(count: int, real_mix: bool) -> dict:
    """Bytes retained per stored resource: ours (through boto3, so client tokens are stored too, as in a
    user's test) against moto's equivalent: SSM documents for components (the same YAML document) and
    EC2 AMIs (`register_image`) for images (we store an image *and* its recipe per moto AMI)."""
    session = boto3.session.Session(region_name="us-east-1")
    out: dict = {"count": count}
    # The store's memory per resource: `m.calls` is off here, because what it keeps is bounded by
    # `max_calls` (100 by default: ~145 KiB whatever the count), not per stored resource (docs/performance.md).
    with MockImageBuilder(max_calls=0):
        ib = session.client("imagebuilder")
        if real_mix:
            out["ours_components"] = _retained(lambda i: ib.create_component(
                name=f"mem-{i}", semanticVersion="1.0.0", platform="Linux", data=COMPONENT_DOC), count)
            component = ib.create_component(name="mem-base", semanticVersion="1.0.0", platform="Linux",
                                            data=COMPONENT_DOC)["componentBuildVersionArn"]
            infra = ib.create_infrastructure_configuration(name="mem", instanceProfileName="r")[
                "infrastructureConfigurationArn"]

            def image_with_recipe(i):
                recipe = ib.create_image_recipe(name=f"mem-{i}", semanticVersion="1.0.0", parentImage=PARENT_IMAGE,
                                                components=[{"componentArn": component}])["imageRecipeArn"]
                ib.create_image(imageRecipeArn=recipe, infrastructureConfigurationArn=infra)

            out["ours_images"] = _retained(image_with_recipe, count)
        else:  # stand-in: infrastructure configurations for both
            out["ours_components"] = out["ours_images"] = _retained(
                lambda i: ib.create_infrastructure_configuration(name=f"mem-{i}", instanceProfileName="r"), count)
    with moto.mock_aws():
        ssm = session.client("ssm")
        ec2 = session.client("ec2")
        out["moto_components"] = _retained(lambda i: ssm.create_document(
            Name=f"mem-{i}", Content=COMPONENT_DOC, DocumentFormat="YAML", DocumentType="Command"), count)
        out["moto_images"] = _retained(lambda i: ec2.register_image(Name=f"mem-{i}"), count)
    return out
