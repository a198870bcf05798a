"""The engine's parts against plain reference implementations, over values drawn from the model: the
serialisers, the JSON helpers (with and without orjson)."""

from __future__ import annotations

import datetime
import itertools
import json
from urllib.parse import parse_qs, quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imagebuilder_mock._engine import _json
from imagebuilder_mock._engine._model import service_model
from imagebuilder_mock._engine._codegen import Acceptors
from imagebuilder_mock._engine._serializer import Serializer

MODEL = service_model()
OUTPUT_SHAPES = sorted({MODEL.operation_model(name).output_shape.name for name in MODEL.operation_names
                        if MODEL.operation_model(name).output_shape is not None})


def _reference(shape, value):
    """The serialiser as the model says it: body members of a structure that are set, recursively."""
    kind = shape.type_name
    if kind == "structure":
        return {name: _reference(member, value[name]) for name, member in shape.members.items()
                if member.serialization.get("location") is None and value.get(name) is not None}
    if kind == "list":
        return [_reference(shape.member, item) for item in value]
    if kind == "map":
        return {k: _reference(shape.value, v) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, datetime.datetime):
        return round(value.timestamp(), 3)
    return value


_STRATEGIES: dict = {}


def _values(shape, depth: int = 0):
    """Values of a shape as handlers give them: members unset, None or set, private keys beside them,
    lists as lists or tuples."""
    key = (shape.name, depth)
    if key in _STRATEGIES:
        return _STRATEGIES[key]
    kind = shape.type_name
    if kind == "structure":
        members = {} if depth > 3 else {name: st.one_of(st.none(), _values(member, depth + 1))
                                         for name, member in shape.members.items()}
        strategy = st.fixed_dictionaries({}, optional={**members, "_private": st.integers()})
    elif kind == "list":
        items = _values(shape.member, depth + 1)
        strategy = st.one_of(st.lists(items, max_size=2), st.lists(items, max_size=2).map(tuple))
    elif kind == "map":
        strategy = st.dictionaries(st.text(max_size=4), _values(shape.value, depth + 1), max_size=2)
    elif kind == "timestamp":
        strategy = st.one_of(st.floats(0, 2e9), st.datetimes(timezones=st.just(datetime.timezone.utc)))
    elif kind in ("integer", "long"):
        strategy = st.integers(-2**40, 2**40)
    elif kind in ("double", "float"):
        strategy = st.floats(allow_nan=False, allow_infinity=False)
    elif kind == "boolean":
        strategy = st.booleans()
    else:
        strategy = st.text(max_size=6)
    _STRATEGIES[key] = strategy
    return strategy


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_serialisers_give_what_the_model_says(data):
    """The plain closures and the generated emitters (the `_codegen` seam) both give what the model says,
    for every output shape of every operation."""
    shape = MODEL.shape_for(data.draw(st.sampled_from(OUTPUT_SHAPES)))
    value = data.draw(_values(shape))
    want = json.dumps(_reference(shape, value))
    assert json.dumps(Serializer().serialize(shape, value)) == want  # the same members, values and order
    assert json.dumps(Serializer(generated=True).serialize(shape, value)) == want


def test_serialisers_hand_on_lists_and_maps_of_scalars_as_they_are():
    shape = MODEL.shape_for("InfrastructureConfiguration")
    value = {"subnetId": None, "securityGroupIds": ["sg-1"], "tags": {"a": "b"}, "_private": 1}
    out = Serializer().serialize(shape, value)
    assert out == {"securityGroupIds": ["sg-1"], "tags": {"a": "b"}}
    assert out["securityGroupIds"] is value["securityGroupIds"] and out["tags"] is value["tags"]
    assert Serializer().serialize(shape, {"securityGroupIds": ("sg-1",)})["securityGroupIds"] == ["sg-1"]


_JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.text(),
              st.floats(allow_nan=True, allow_infinity=True)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=12)


def _same(a, b) -> bool:
    """Equal, with NaN equal to NaN and 1 not equal to 1.0 or True (what a JSON document tells apart)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@settings(max_examples=300)
@given(_JSON_VALUES)
def test_json_helpers_read_and_write_what_the_standard_library_does(value):
    text = json.dumps(value).encode()
    assert _same(_json.read_request(text), json.loads(text))
    assert _same(json.loads(_json.dumps(value)), json.loads(json.dumps(value)))


@settings(max_examples=300)
@given(_JSON_VALUES, _JSON_VALUES)
def test_canonical_json_is_equal_exactly_for_equal_documents(a, b):
    assert (_json.canonical(a) == _json.canonical(b)) == _same(a, b)
    assert _json.canonical(a) == _json.canonical(json.loads(json.dumps(a)))


@pytest.mark.parametrize("text", [b"NaN", b'{"a": -Infinity}', b"[1e400]", b"123456789012345678901234567890",
                                  b'{"a": [{"b": 123456789012345678901234567890}]}', b'{"a": -9223372036854775809}',
                                  b'{"a": 18446744073709551615, "b": 1e19}',
                                  b'"\\ud800"', b"\xef\xbb\xbf{}", b"{", b"\xff", b"[1,]"])
def test_json_that_orjson_reads_otherwise_is_read_by_the_standard_library(text):
    try:
        want = json.loads(text)
    except ValueError as exc:
        with pytest.raises(type(exc)) as got:
            _json.read_request(text)
        assert str(got.value) == str(exc)
    else:
        assert _same(_json.read_request(text), want)


def test_values_orjson_writes_otherwise_are_written_by_the_standard_library():
    for value in ({"a": float("nan")}, [float("inf")], 2**64, "\ud800"):
        assert _json.dumps(value) == json.dumps(value, separators=(",", ":")).encode()


def test_without_orjson_the_standard_library_does_everything(monkeypatch):
    import importlib.util
    import sys

    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson raises ImportError
    spec = importlib.util.spec_from_file_location("_json_without_orjson", _json.__file__)
    plain = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plain)
    assert plain.orjson is None
    value = {"b": [1, 2.5, "é"], "a": None}
    assert plain.dumps(value) == json.dumps(value, separators=(",", ":")).encode()
    assert plain.canonical(value) == b"s" + json.dumps(value, sort_keys=True).encode()
    assert plain.read_request(b"[1, 2]") == [1, 2]


_ARN_PARTS = st.sampled_from(["arn", "aws", "aws-cn", "imagebuilder", "us-east-1", "123456789012", "image", "workflow",
                              "build", "component", "x", "1.0.0", "1", ":", "/", "\n", "", "a:b", "ec2"])


def _slot(*likely: str):
    """Mostly one of `likely`, sometimes anything."""
    return st.integers(0, 9).flatmap(
        lambda n: st.sampled_from(likely) if n < 8 else st.one_of(_ARN_PARTS, st.text(max_size=3)))


@settings(max_examples=500)
@given(st.one_of(
    st.lists(st.one_of(_ARN_PARTS, st.text(max_size=3)), max_size=12),
    st.tuples(_slot("arn"), _slot("aws", "aws-us-gov"), _slot("imagebuilder"), _slot("us-east-1"), _slot("123456789012"),
              _slot("image", "workflow", "component", "infrastructure-configuration"), _slot("build", "name"),
              _slot("name", "1.0.0"), _slot("1.0.0", "1"), _slot("1", "")),
).map(lambda parts: "".join(p + sep for p, sep in zip(parts, itertools.cycle([":", ":", ":", ":", ":", "/", "/", "/", "/",
                                                                                   ""])))))
def test_quick_arn_split_agrees_with_the_regular_expression(text):
    from imagebuilder_mock._backend import arns

    assert arns._split.__wrapped__(text) == arns._split_strictly(text)
    assert arns._split.__wrapped__(text.rstrip(":/")) == arns._split_strictly(text.rstrip(":/"))


@settings(max_examples=300)
@given(st.lists(st.one_of(
    st.datetimes(min_value=datetime.datetime(2, 1, 1), timezones=st.sampled_from([datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=5))])),
    st.datetimes(min_value=datetime.datetime(2026, 1, 1), max_value=datetime.datetime(2026, 1, 1, 0, 0, 0, 3000),
                 timezones=st.just(datetime.timezone.utc))), max_size=6))
def test_iso_dates_are_the_plain_formula_even_when_shared(moments):
    from imagebuilder_mock._backend.clock import UTC, iso

    for moment in moments + moments[::-1]:
        utc = moment.astimezone(UTC)
        assert iso(moment) == utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


_WRONG = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=2), st.lists(st.integers(), max_size=1))


def _hashable(value) -> bool:
    return not isinstance(value, (list, dict))


INPUT_SHAPES = sorted({MODEL.operation_model(name).input_shape.name for name in MODEL.operation_names
                       if MODEL.operation_model(name).input_shape is not None})
_INPUTS: dict = {}


def _inputs(shape, depth: int = 0):
    """Input values of a shape: mostly right, sometimes wrong in one of the ways the validator checks."""
    key = (shape.name, depth)
    if key in _INPUTS:
        return _INPUTS[key]
    kind = shape.type_name
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if kind == "structure":
        members = {} if depth > 3 else {name: _inputs(member, depth + 1) for name, member in shape.members.items()}
        required = {name: members.pop(name) for name in shape.required_members if name in members}
        strategy = st.fixed_dictionaries(required, optional={**members, "unmodelled": st.integers()})
    elif kind == "list":
        strategy = st.lists(_inputs(shape.member, depth + 1), min_size=min(low or 0, 2), max_size=min(high or 3, 3))
    elif kind == "map":
        strategy = st.dictionaries(st.one_of(st.text(max_size=3), _inputs(shape.key, depth + 1).filter(_hashable)),
                                   _inputs(shape.value, depth + 1), max_size=2)
    elif kind == "string":
        pattern = shape.metadata.get("pattern")
        if shape.enum:
            text = st.sampled_from(shape.enum)
        elif pattern and len(pattern) < 120:
            text = st.from_regex(pattern, fullmatch=True)
        else:
            text = st.text(min_size=low or 0, max_size=max(low or 0, min(high or 5, 5)))
        strategy = st.integers(0, 9).flatmap(lambda n, text=text: text if n else st.text(max_size=5))
    elif kind in ("integer", "long"):
        strategy = st.integers(min_value=(low or 0) - 2, max_value=(high or 100) + 2)
    elif kind in ("double", "float"):
        strategy = st.floats(allow_nan=True)
    elif kind == "boolean":
        strategy = st.booleans()
    else:
        strategy = st.one_of(st.floats(0, 2e9), st.text(max_size=3))
    strategy = st.integers(0, 19).flatmap(lambda n, right=strategy: right if n else _WRONG)
    _INPUTS[key] = strategy
    return strategy


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@pytest.mark.parametrize("output", [False, True])
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                   HealthCheck.filter_too_much])
@given(data=st.data())
def test_the_validator_accepts_or_names_a_service_error_never_crashes(output, data):
    """Whatever the input, validation passes or raises a ServiceError (a 400), never another exception."""
    from imagebuilder_mock._engine._errors import ServiceError
    from imagebuilder_mock._engine._validator import Validator

    shape = MODEL.shape_for(data.draw(st.sampled_from(INPUT_SHAPES)))
    value = data.draw(_inputs(shape))
    try:
        Validator(output=output).validate(shape, value)
    except ServiceError as error:
        assert error.status == 400 and error.code in ("InvalidParameterValueException", "InvalidRequestException")


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                   HealthCheck.filter_too_much])
@given(data=st.data())
def test_the_generated_input_checks_never_accept_what_the_closures_refuse(data):
    """The `_codegen` seam's yes/no check may refuse more than the closures (they then decide), never
    accept more: every input shape of every operation, right and wrong values."""
    from imagebuilder_mock._engine._errors import ServiceError
    from imagebuilder_mock._engine._validator import Validator

    shape = MODEL.shape_for(data.draw(st.sampled_from(INPUT_SHAPES)))
    value = data.draw(_inputs(shape))
    if _ACCEPTORS.compile(shape)(value):
        try:
            Validator().validate(shape, value)
        except ServiceError as error:
            pytest.fail(f"the generated check accepted what the closures refuse: {error.message}")


_ACCEPTORS = Acceptors()


def test_the_generated_input_checks_accept_the_valid_requests_of_the_mix():
    """The seam pays only if it accepts what users send (a valid request), and refuses a wrong one."""
    acceptors = Acceptors()
    shape = MODEL.operation_model("CreateImageRecipe").input_shape
    request = {"name": "golden", "semanticVersion": "1.0.0", "clientToken": "t" * 36,
               "parentImage": "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x",
               "components": [{"componentArn": "arn:aws:imagebuilder:us-east-1:123456789012:component/c/1.0.0/1"}]}
    assert acceptors.compile(shape)(request)
    assert not acceptors.compile(shape)({**request, "semanticVersion": 1})


def test_request_ids_are_random_version_4_uuids():
    import uuid

    from imagebuilder_mock._engine.engine import random_uuid

    ids = [random_uuid() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
    assert {text[19] for text in ids} == set("89ab") and len({text[0] for text in ids}) == 16


@given(st.sampled_from(["component", "workflow", "image"]), st.text(max_size=6),
       st.one_of(st.none(), st.sampled_from(["1.0.0", "x.x.x"])), st.one_of(st.none(), st.integers(0, 9), st.just("2")),
       st.one_of(st.none(), st.sampled_from(["", "BUILD", "Test"])))
def test_arns_are_made_as_the_plain_formula_makes_them(resource_type, name, version, build, workflow_type):
    from imagebuilder_mock._backend import arns

    parts = [resource_type] + ([workflow_type.lower()] if workflow_type else [])
    parts.append(name.lower().replace(" ", "-").replace("_", "-"))
    if version is not None:
        parts += [version] + ([str(build)] if build is not None else [])
    want = "arn:aws:imagebuilder:us-east-1:123456789012:" + "/".join(parts)
    assert arns.make("aws", "us-east-1", "123456789012", resource_type, name, version, build, workflow_type) == want


_QUERY_TEXT = st.lists(st.sampled_from(list("ab:/=&+% ~é") + ["%3A", "%2F", "%3a", "%25", "%C3%A9", "%E2", "%2",
                                                                "%G1"]), max_size=12).map("".join)


@settings(max_examples=1000)
@given(st.one_of(_QUERY_TEXT, st.lists(st.tuples(_QUERY_TEXT, _QUERY_TEXT), max_size=3).map(
    lambda pairs: "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs))))
def test_query_strings_are_read_as_parse_qs_reads_them(raw):
    from imagebuilder_mock._engine._parser import parse_query

    assert parse_query(raw) == parse_qs(raw, keep_blank_values=True)


@settings(max_examples=300)
@given(st.integers(0, 2**128 - 1))
def test_request_ids_are_the_plain_uuid_of_their_bits(bits):
    import random

    from imagebuilder_mock._backend import ids

    new_uuid = ids.uuid_maker(random.Random(bits))
    assert new_uuid() == ids.uuid_of(random.Random(bits).getrandbits(128))
    assert ids.uuid_of(bits) == str(__import__("uuid").UUID(int=bits, version=4))


@pytest.mark.parametrize("text", [b'{"n": 9223372036854775807}', b'{"n": 9223372036854775808}',
                                  b'{"n": 123456789012345678901234567890}', b'{"s": "1234567890123456789"}',
                                  b'{"n": -9223372036854775809}', b'{"f": 1e19}'])
def test_long_numbers_are_read_as_the_standard_library_reads_them(text):
    assert _json.read_request(text) == json.loads(text)
    assert type(next(iter(_json.read_request(text).values()))) is type(next(iter(json.loads(text).values())))
