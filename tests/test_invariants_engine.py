"""What the engine's parts must keep: idempotency entries kept as shared templates, the request path
(engine plans), how botocore's requests reach the engine, and the first compile of a fresh engine under
many threads."""

from __future__ import annotations


import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st


ACCOUNT, REGION = "123456789012", "us-east-1"


def _store(mock):
    return mock.backend.store(ACCOUNT, REGION)



# -- idempotency entries replay the first response exactly ------------------------------------------------
def test_a_replayed_create_is_byte_for_byte_the_first_response(imagebuilder_mock):
    engine = imagebuilder_mock.engine
    headers = {"Content-Type": "application/json",
               "Authorization": f"AWS4-HMAC-SHA256 Credential=AKIAX/20250101/{REGION}/imagebuilder/aws4_request"}
    body = b'{"name": "idem", "instanceProfileName": "r", "clientToken": "tok-1"}'
    first = engine.handle("PUT", "/CreateInfrastructureConfiguration", "", headers, body)
    again = engine.handle("PUT", "/CreateInfrastructureConfiguration", "", headers, body)
    assert first[0] == again[0] == 200
    first_id, again_id = first[1]["x-amzn-RequestId"], again[1]["x-amzn-RequestId"]
    assert first_id != again_id and again[2] == first[2].replace(first_id.encode(), again_id.encode())
    other = engine.handle("PUT", "/CreateInfrastructureConfiguration", "", headers,
                          body.replace(b'"r"', b'"s"'))
    assert other[0] == 400 and other[1]["x-amzn-ErrorType"] == "IdempotentParameterMismatchException"


_ARNISH = st.sampled_from(["arn:aws:imagebuilder:us-east-1:123456789012:image/a/", "arn:", "arn:x/", "/", "1.0.0",
                           "\x00", "\x00name", '"', "%"])


@given(st.text(min_size=1, max_size=8) | _ARNISH,
       st.dictionaries(st.text(max_size=6), st.lists(st.one_of(st.text(max_size=12), _ARNISH)).map("".join),
                       max_size=5))
def test_idempotency_entries_give_back_exactly_the_first_response(token, members):
    from imagebuilder_mock._engine import _idempotency, _json, engine

    request_id, replay_id = engine.random_uuid(), engine.random_uuid()
    body = _json.dumps({"requestId": request_id, "clientToken": token, **members})
    slot = _idempotency.slot({}, ACCOUNT, REGION, "CreateX", token, {"clientToken": token, **members})
    assert slot.replay(request_id) is None
    slot.remember(request_id, body)
    assert slot.replay(request_id) == body
    again = _json.dumps({"requestId": replay_id, "clientToken": token, **members})
    assert slot.replay(replay_id) == again


def test_idempotency_entries_of_one_operation_share_their_template():
    from imagebuilder_mock._engine import _idempotency, _json

    tables: dict = {}
    for n in range(3):
        arn = f"arn:aws:imagebuilder:{REGION}:{ACCOUNT}:image-recipe/recipe-{n}/1.0.0"
        body = _json.dumps({"requestId": f"r-{n}", "clientToken": f"t-{n}", "imageRecipeArn": arn,
                            "latestVersionReferences": {"latestVersionArn": arn.replace("1.0.0", "x.x.x")}})
        _idempotency.slot(tables, ACCOUNT, REGION, "CreateImageRecipe", f"t-{n}", {}).remember(f"r-{n}", body)
        assert _idempotency.slot(tables, ACCOUNT, REGION, "CreateImageRecipe", f"t-{n}", {}).replay("r-9") == (
            body.replace(f"r-{n}".encode(), b"r-9"))
    (table,) = tables.values()
    assert len(table.entries) == 3 and len(table.templates) == 1


# -- the request path's shortcuts (engine plans, endpoint views, responses made without constructors) -----
def test_no_operation_reads_a_header_member():
    """The patch hands the engine the Authorization and Host headers only: true while no input member of
    the model is read from a header (if one ever is, respond() must pass it too)."""
    from imagebuilder_mock._engine._model import service_model

    model = service_model()
    located = {member.serialization.get("location")
               for name in model.operation_names
               for member in (model.operation_model(name).input_shape.members.values()
                              if model.operation_model(name).input_shape else ())}
    assert "header" not in located and "headers" not in located


class _PreparedRequest:
    """A prepared botocore request as `_patch.respond` reads it: header values encoded, as botocore's are."""

    def __init__(self, method: str, url: str, body: bytes = b"", **headers: str) -> None:
        from botocore.awsrequest import HeadersDict

        self.method, self.url, self.body = method, url, body
        self.headers = HeadersDict({name.replace("_", "-"): value.encode() for name, value in headers.items()})


def _engine_calls(monkeypatch, engine) -> list:
    """The (arguments, answer) of every `engine.handle` call from now on."""
    calls, handle = [], engine.handle

    def recorded(*args):
        answer = handle(*args)
        calls.append((args, answer))
        return answer

    monkeypatch.setattr(engine, "handle", recorded)
    return calls


@pytest.mark.parametrize("url, path, query", [
    ("https://imagebuilder.eu-west-1.amazonaws.com/GetComponent?componentBuildVersionArn=arn%3Aaws%3Ax",
     "/GetComponent", "componentBuildVersionArn=arn%3Aaws%3Ax"),
    ("http://127.0.0.1:5000/tags/arn%3Aaws%3Aimagebuilder%3Aus-east-1%3A1%3Acomponent%2Fa?x=1&y=",
     "/tags/arn%3Aaws%3Aimagebuilder%3Aus-east-1%3A1%3Acomponent%2Fa", "x=1&y="),
    ("https://imagebuilder.us-east-1.amazonaws.com/ListComponents", "/ListComponents", ""),
])
def test_respond_passes_the_url_path_and_query_undecoded_and_the_identity_headers(imagebuilder_mock, monkeypatch,
                                                                                  url, path, query):
    from imagebuilder_mock import _patch

    calls = _engine_calls(monkeypatch, imagebuilder_mock.engine)
    _patch.respond(imagebuilder_mock, _PreparedRequest("post", url, b"{}", Authorization=rawhttp_signed()))
    _patch.respond(imagebuilder_mock, _PreparedRequest("GET", url, Authorization="a", Host="given:1"))
    (sent, _), (sent_with_host, _) = calls
    host = url.split("/")[2]
    assert sent == ("post", path, query, {"Authorization": rawhttp_signed(), "Host": host}, b"{}")
    assert sent_with_host == ("GET", path, query, {"Authorization": "a", "Host": "given:1"}, b"")


def test_responses_carry_the_engines_status_body_and_every_header(imagebuilder_mock, monkeypatch):
    """`respond` builds botocore's own AWSResponse from the engine's answer: each header readable in any
    case, the body as `content` and as the raw stream, the headers the response's own."""
    from imagebuilder_mock import _patch

    calls = _engine_calls(monkeypatch, imagebuilder_mock.engine)
    url = "https://imagebuilder.us-east-1.amazonaws.com/ListComponents"
    for request_body in (b"{}", b'{"maxResults": "x"}'):  # an answer, an error
        response = _patch.respond(imagebuilder_mock, _PreparedRequest(
            "POST", url, request_body, Authorization=rawhttp_signed()))
        _, (status, headers, body) = calls[-1]
        assert response.status_code == status and response.url == url
        assert dict(response.headers) == headers and len(headers) >= 2
        for name, value in headers.items():
            assert response.headers[name] == response.headers[name.upper()] == response.headers[name.lower()] == value
        assert response.content == body and b"".join(response.raw.stream()) == body
        response.headers["x-new"] = "1"  # a response's headers are its own
        assert "x-new" not in headers
    assert [status for _, (status, _, _) in calls] == [200, 400]


def rawhttp_signed() -> str:
    import rawhttp

    return rawhttp.SIGNED["Authorization"]


def test_one_client_is_answered_by_the_innermost_active_mock_in_turn():
    import factories
    from imagebuilder_mock import mock_imagebuilder

    client = boto3.client("imagebuilder", region_name="us-east-1")
    names = lambda: [s["name"] for s in client.list_components()["componentVersionList"]]  # noqa: E731
    with mock_imagebuilder() as first:
        factories.component(client, name="first")
        assert names() == ["first"]
        with mock_imagebuilder():  # the same client and endpoint: the inner mock answers
            assert names() == []
        assert names() == ["first"] and first.active


def test_identity_follows_access_keys_registered_after_a_scope_was_seen(imagebuilder_mock):
    signed = {"authorization": "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEKEY123456/20260101/eu-west-1/"
                               "imagebuilder/aws4_request, SignedHeaders=host, Signature=1", "host": "h"}
    mock_engine = imagebuilder_mock.engine
    assert mock_engine._identity(signed) == ("123456789012", "eu-west-1")
    imagebuilder_mock.register_access_key("AKIAEXAMPLEKEY123456", "999999999999")
    assert mock_engine._identity(signed) == ("999999999999", "eu-west-1")
    # a scope with a comma in it: the pattern on the whole header
    odd = {"authorization": "Credential=AKIAEXAMPLEKEY123456/2026,0101/ap-south-1/x", "host": "h"}
    assert mock_engine._identity(odd) == ("999999999999", "ap-south-1")
    assert mock_engine._identity({"authorization": "", "host": "imagebuilder.eu-north-1.amazonaws.com"}) == (
        "123456789012", "eu-north-1")


def test_a_context_keeps_the_store_it_looked_up_and_a_new_context_sees_a_reset(imagebuilder_mock):
    from imagebuilder_mock._backend.context import RequestContext

    backend = imagebuilder_mock.backend
    ctx = RequestContext(backend, ACCOUNT, REGION, "GetImage", "r")
    assert ctx.store is backend.store(ACCOUNT, REGION) and ctx.store is ctx.store
    backend.reset()
    assert RequestContext(backend, ACCOUNT, REGION, "GetImage", "r").store is backend.store(ACCOUNT, REGION)
    assert RequestContext(backend, ACCOUNT, REGION, "GetImage", "r").store is not ctx.store


_FIRST_COMPILES = """
import sys, threading
sys.setswitchinterval(1e-6)
from imagebuilder_mock._backend.store import Backend
from imagebuilder_mock._engine.engine import Engine
from imagebuilder_mock._engine._model import service_model

engine = Engine(Backend())  # a bug of ours is a 500 here
model = service_model()
statuses, errors = [], []
start = threading.Barrier(8)

def run(names):
    start.wait()
    for name in names:
        op = model.operation_model(name)
        try:
            if op.input_shape is not None:
                engine.validator.validate(op.input_shape, {})
            if op.output_shape is not None:
                engine.serializer.serialize(op.output_shape, {})
                engine.output_validator.validate(op.output_shape, {"requestId": "r"})
        except Exception as exc:
            if type(exc).__name__ != "ServiceError":
                errors.append(repr(exc))
        uri = op.http["requestUri"].split("?")[0].replace("{", "").replace("}", "").replace("+", "")
        statuses.append(engine.handle(op.http["method"], uri, "", {}, b"{}")[0])

names = sorted(model.operation_names)
threads = [threading.Thread(target=run, args=(names[i * 19:] + names[:i * 19],)) for i in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(len(statuses), sorted(set(statuses)), errors)
assert not errors and 500 not in statuses and len(statuses) == 8 * len(names)
"""


def test_a_fresh_engines_first_compiles_from_many_threads_never_fail():
    """Validators and serialisers are compiled on first use and published complete: threads switching
    every microsecond through a fresh process's first compiles see no RecursionError (a 500)."""
    import os
    import subprocess
    import sys

    import imagebuilder_mock

    source_root = os.path.dirname(os.path.dirname(imagebuilder_mock.__file__))  # `-c` imports from the cwd first
    done = subprocess.run([sys.executable, "-c", _FIRST_COMPILES], capture_output=True, text=True, timeout=300,
                          cwd=source_root)
    assert done.returncode == 0, done.stdout + done.stderr
