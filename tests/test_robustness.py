"""Property test: whatever well-typed or ill-typed input reaches any operation, the answer is the
service's kind of answer (2xx, or a modelled 4xx error) — never a 500 from a bug of ours.

Inputs are generated from each operation's input shape in botocore's model; string members draw
from the ARNs of a seeded set of real resources as well as from arbitrary text, so the handlers'
deeper paths run too. Strict mode makes a handler exception fail the test with its traceback.
"""

from __future__ import annotations

import os

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import factories
import rawhttp
from imagebuilder_mock import mock_imagebuilder

MODEL = botocore.session.get_session().get_service_model("imagebuilder")
# UnknownOperationException: an empty URI label (e.g. resourceArn "") leaves no route, as on the wire.
ERROR_CODES = {shape.name for shape in MODEL.error_shapes} | {"NotImplementedException", "UnknownOperationException"}
_seeded: dict = {}


def _seed(ib) -> list[str]:
    """A small estate of real resources; their ARNs feed the string strategy."""
    arns = []
    for make in (factories.component, factories.infrastructure, factories.distribution):
        try:
            arns.append(make(ib))
        except Exception:  # a family not built yet: fuzz without it
            pass
    for make in (factories.image_recipe, factories.pipeline):
        try:
            arns.append(make(ib))
        except Exception:
            pass
    return arns


def _strategy(shape, names: st.SearchStrategy, depth: int = 0) -> st.SearchStrategy:
    kind = shape.type_name
    if kind == "structure":
        if depth > 4:
            return st.just({})
        required = {n: _strategy(shape.members[n], names, depth + 1) for n in shape.required_members}
        optional = {n: _strategy(m, names, depth + 1) for n, m in shape.members.items() if n not in required}
        return st.fixed_dictionaries(required, optional=optional)
    if kind == "list":
        return st.lists(_strategy(shape.member, names, depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(st.text(min_size=1, max_size=6), _strategy(shape.value, names, depth + 1), max_size=3)
    if kind == "string":
        if shape.enum:
            return st.sampled_from(list(shape.enum)) | st.text(max_size=5)
        return names | st.text(max_size=24) | st.sampled_from(["1.0.0", "1.x.x", "x.x.x", "Linux", "us-east-1"])
    if kind in ("integer", "long"):
        return st.integers(min_value=-5, max_value=5000)
    if kind in ("double", "float"):
        return st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.floats(min_value=0, max_value=4e9)
    return st.none()


@pytest.mark.parametrize("operation", MODEL.operation_names)
@settings(max_examples=int(os.environ.get("IMAGEBUILDER_FUZZ_EXAMPLES", "25")), deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_input_gets_a_500(operation, data):
    mock = _seeded.get("mock")
    if mock is None:
        import boto3

        mock = mock_imagebuilder(check_output=True)
        mock.start()
        _seeded["mock"] = mock
        _seeded["arns"] = _seed(boto3.client("imagebuilder", region_name="us-east-1"))
    names = st.sampled_from(_seeded["arns"] or ["arn:aws:imagebuilder:us-east-1:123456789012:component/x/1.0.0/1"])
    op = MODEL.operation_model(operation)
    params = data.draw(_strategy(op.input_shape, names)) if op.input_shape else {}
    status, headers, body = rawhttp.call(mock, operation, params)
    assert status < 500 or (status == 501 and headers["x-amzn-ErrorType"] == "NotImplementedException"), body
    if status >= 300:
        assert headers["x-amzn-ErrorType"] in ERROR_CODES, headers
        assert body.get("message"), body


@pytest.fixture(scope="module", autouse=True)
def _stop_seeded_mock():
    yield
    mock = _seeded.pop("mock", None)
    if mock is not None:
        mock.stop()
