"""The server's HTTP framing (issue 14, item 3), keep-alive, CORS, health, the flags of the command line and a
bounded load test, over raw sockets where clients would hide what is on the wire."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import boto3
import pytest

pytest.importorskip("waitress", reason="the server needs waitress (the `server` and `test` extras install it)")

from imagebuilder_mock import ImageBuilderServer  # noqa: E402

SIGNED = ("Authorization: AWS4-HMAC-SHA256 Credential=AKIATESTTESTTESTTEST/20260101/us-east-1/imagebuilder/"
          "aws4_request, SignedHeaders=host, Signature=0\r\n")


@pytest.fixture(scope="module")
def server():
    with ImageBuilderServer(port=0, max_body_size=64 * 1024, idle_timeout=2) as running:
        yield running


def _exchange(server, raw: bytes, timeout: float = 5) -> tuple[bytes, float]:
    """Send `raw` and read until the server closes (or answers one response with a Content-Length)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                length = [line.split(b":", 1)[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")]
                if length and len(body) >= int(length[0]):
                    break
    return data, time.monotonic() - started


def _parse(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return status, headers, body


def _post(path: str, body: bytes, extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{SIGNED}{extra}"
            f"\r\n").encode() + body


@pytest.mark.parametrize("length", ["abc", "1e3", "-1", "99999999999999999999", "1000000000000", " 12x"])
def test_an_unreadable_content_length_is_a_prompt_400_in_the_service_shape(server, length):
    data, elapsed = _exchange(server, _post("/ListComponents", b"{}", f"Content-Length: {length}\r\n"))
    status, headers, body = _parse(data)
    assert status == 400 and elapsed < 3
    assert headers["x-amzn-errortype"] == "InvalidRequestException"
    assert set(json.loads(body)) == {"message"}
    assert b"Traceback" not in body and b"waitress" not in body.lower()


def test_a_chunked_body_is_read():
    with ImageBuilderServer(port=0) as running:
        chunked = b'10\r\n{"maxResults":0}\r\n0\r\n\r\n'
        status, headers, body = _parse(_exchange(running, _post(
            "/ListComponents", chunked, "Transfer-Encoding: chunked\r\n"))[0])
        assert status == 400 and headers["x-amzn-errortype"] == "InvalidParameterValueException"
        assert "maxResults" in json.loads(body)["message"]
        chunked = b'2\r\n{}\r\n0\r\n\r\n'
        status, _, body = _parse(_exchange(running, _post("/ListComponents", chunked,
                                                          "Transfer-Encoding: chunked\r\n"))[0])
        assert status == 200 and json.loads(body)["componentVersionList"] == []


def test_a_body_over_the_limit_is_refused_with_the_service_error(server):
    big = b'{"name":"' + b"x" * (80 * 1024) + b'"}'
    status, headers, body = _parse(_exchange(server, _post("/ListComponents", big,
                                                           f"Content-Length: {len(big)}\r\n"))[0])
    assert status == 400 and headers["x-amzn-errortype"] == "InvalidRequestException"
    assert "65536 bytes" in json.loads(body)["message"]
    chunk = b"x" * 8192
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(10)) + b"0\r\n\r\n"
    status, headers, body = _parse(_exchange(server, _post("/ListComponents", chunked,
                                                           "Transfer-Encoding: chunked\r\n"))[0])
    assert status == 400 and "65536 bytes" in json.loads(body)["message"]
    exactly = b" " * (64 * 1024 - 2) + b"{}"
    status, _, _ = _parse(_exchange(server, _post("/ListComponents", exactly,
                                                  f"Content-Length: {len(exactly)}\r\n"))[0])
    assert status == 200


def test_an_idle_connection_is_closed_after_the_timeout(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""  # closed by the server, with nothing sent
        assert time.monotonic() - started < 8


def test_many_idle_connections_hold_no_thread_and_the_server_still_answers():
    with ImageBuilderServer(port=0, threads=4) as running:
        threads_before = threading.active_count()
        idle = [socket.create_connection(("127.0.0.1", running.port), timeout=5) for _ in range(300)]
        try:
            time.sleep(0.3)
            assert threading.active_count() == threads_before
            connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
            started = time.monotonic()
            connection.request("POST", "/ListComponents", body=b"{}")
            assert connection.getresponse().status == 200 and time.monotonic() - started < 3
            connection.close()
        finally:
            for sock in idle:
                sock.close()


def test_the_server_header_is_neutral_and_errors_carry_no_exception_text(server):
    status, headers, body = _parse(_exchange(server, _post("/ListComponents", b'{"x":' + b"[" * 2000 + b"]" * 2000
                                                           + b"}", "Content-Length: 4005\r\n"))[0])
    assert headers["server"] == "imagebuilder-mock"
    assert "python" not in headers["server"].lower() and "werkzeug" not in headers["server"].lower()
    assert b"Traceback" not in body and b"Error(" not in body
    status, headers, body = _parse(_exchange(server, b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")[0])
    assert status == 404 and headers["server"] == "imagebuilder-mock"
    assert headers["x-amzn-errortype"] == "UnknownOperationException"


def test_a_garbled_request_line_is_a_400_in_the_service_shape(server):
    status, headers, body = _parse(_exchange(server, b"\x00\x01 nonsense\r\n\r\n")[0])
    assert status == 400 and headers["x-amzn-errortype"] == "InvalidRequestException"
    assert json.loads(body)["message"].startswith("The request could not be read")


def test_http_1_1_keeps_the_connection_open(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    ports = set()
    for _ in range(5):
        connection.request("POST", "/ListComponents", body=b"{}", headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Connection") != "close"
        response.read()
        ports.add(connection.sock.getsockname()[1])
    assert len(ports) == 1  # one TCP connection for all five
    connection.close()


def test_cors_preflight_and_exposed_headers(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("OPTIONS", "/CreateComponent", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,amz-sdk-invocation-id,"
                                          "amz-sdk-request,x-amz-user-agent,x-amz-content-sha256"})
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert "PUT" in response.getheader("Access-Control-Allow-Methods")
    allowed = {h.strip() for h in response.getheader("Access-Control-Allow-Headers").split(",")}
    assert {"authorization", "content-type", "x-amz-date", "amz-sdk-invocation-id", "amz-sdk-request"} <= allowed
    connection.request("POST", "/ListComponents", body=b"{}", headers={"Origin": "http://localhost:3000"})
    response = connection.getresponse()
    response.read()
    assert response.getheader("Access-Control-Allow-Origin") == "*"
    assert "x-amzn-RequestId" in response.getheader("Access-Control-Expose-Headers")
    connection.close()


def test_cors_origins_are_configurable():
    with ImageBuilderServer(port=0, cors_origins=["http://app.example"]) as running:
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
        connection.request("OPTIONS", "/ListComponents", headers={"Origin": "http://app.example",
                                                                  "Access-Control-Request-Method": "POST"})
        response = connection.getresponse()
        response.read()
        assert response.status == 200 and response.getheader("Access-Control-Allow-Origin") == "http://app.example"
        assert response.getheader("Vary") == "Origin"
        connection.request("OPTIONS", "/ListComponents", headers={"Origin": "http://evil.example",
                                                                  "Access-Control-Request-Method": "POST"})
        response = connection.getresponse()
        body = response.read()
        assert response.status == 403 and response.getheader("Access-Control-Allow-Origin") is None
        assert response.getheader("x-amzn-ErrorType") == "ForbiddenException" and b"evil.example" in body
        connection.close()


def test_health(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/_imagebuilder_mock/health")
    response = connection.getresponse()
    assert response.status == 200 and json.loads(response.read())["status"] == "ok"
    connection.close()


# -- the command line ------------------------------------------------------------------------------
def _spawn(*flags: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "imagebuilder_mock.server", "--port", "0", *flags],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, **(env or {})})
    url = process.stdout.readline().strip()
    return process, url


def test_port_0_prints_the_url_logs_each_request_and_sigterm_exits_0():
    process, url = _spawn()
    try:
        assert url.startswith("http://127.0.0.1:")
        client = boto3.client("imagebuilder", region_name="us-east-1", endpoint_url=url,
                              aws_access_key_id="AKIATESTTESTTESTTEST", aws_secret_access_key="s")
        assert client.list_components()["componentVersionList"] == []
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=15)
    assert process.returncode == 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("POST /ListComponents ListComponents 200 ")
    assert lines[0].endswith("ms") and "\x1b[" not in err and "WARNING" not in err


def test_quiet_settings_flags_and_environment_variables(tmp_path):
    state = tmp_path / "state.json"
    process, url = _spawn("--quiet", "--account-id", "111122223333", "--progression", "poll",
                          "--state-file", str(state), env={"IMAGEBUILDER_MOCK_MAX_BODY_SIZE": "1000"})
    try:
        client = boto3.client("imagebuilder", region_name="us-east-1", endpoint_url=url,
                              aws_access_key_id="AKIATESTTESTTESTTEST", aws_secret_access_key="s")
        arn = client.create_infrastructure_configuration(name="flagged", instanceProfileName="p")[
            "infrastructureConfigurationArn"]
        assert ":111122223333:" in arn
        with pytest.raises(client.exceptions.ClientError, match="1000 bytes"):
            client.create_infrastructure_configuration(name="big", instanceProfileName="p", description="d" * 1000)
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
    assert process.returncode == 0 and err.strip() == ""
    # the state file written at shutdown seeds the next run
    process, url = _spawn("--quiet", "--state-file", str(state), env={"IMAGEBUILDER_MOCK_ACCOUNT_ID": "111122223333"})
    try:
        client = boto3.client("imagebuilder", region_name="us-east-1", endpoint_url=url,
                              aws_access_key_id="AKIATESTTESTTESTTEST", aws_secret_access_key="s")
        assert client.get_infrastructure_configuration(infrastructureConfigurationArn=arn)[
            "infrastructureConfiguration"]["name"] == "flagged"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)
    assert process.returncode == 0


def test_every_setting_is_a_flag():
    from imagebuilder_mock._mock import SETTINGS
    from imagebuilder_mock.server._cli import parser, setting_variable

    text = " ".join(parser().format_help().split())
    assert setting_variable("check_output") == "IMAGEBUILDER_MOCK_STRICT"  # the mock's own variable
    for name in SETTINGS:
        assert f"--{name.replace('_', '-')}" in text and setting_variable(name) in text


def test_a_bad_setting_exits_2_with_a_message():
    process = subprocess.run([sys.executable, "-m", "imagebuilder_mock.server", "--port", "0",
                              "--account-id", "12"], capture_output=True, text=True, timeout=30)
    assert process.returncode == 2 and "12 digits" in process.stderr and "Traceback" not in process.stderr


# -- load ------------------------------------------------------------------------------------------
def test_32_concurrent_clients_for_3_seconds_no_errors_and_consistent_counts():
    with ImageBuilderServer(port=0, threads=8) as running:
        failures: list = []
        created: list[list[str]] = [[] for _ in range(32)]
        deadline = time.monotonic() + 3
        barrier = threading.Barrier(32)

        def client_loop(index: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=30)
            barrier.wait()
            number = 0
            while time.monotonic() < deadline:
                number += 1
                if number % 4 == 0:
                    body = json.dumps({"name": f"load-{index}-{number}", "instanceProfileName": "p",
                                       "clientToken": f"token-{index}-{number}"}).encode()
                    connection.request("PUT", "/CreateInfrastructureConfiguration", body=body)
                else:
                    connection.request("POST", "/ListInfrastructureConfigurations", body=b"{}")
                response = connection.getresponse()
                payload = response.read()
                if response.status != 200:
                    failures.append((response.status, payload[:200]))
                elif number % 4 == 0:
                    created[index].append(json.loads(payload)["infrastructureConfigurationArn"])
            connection.close()

        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        arns = [arn for batch in created for arn in batch]
        assert len(arns) == len(set(arns)) and len(arns) >= 32
        stored = running.mock.backend.store("123456789012", "us-east-1").infrastructure_configurations
        assert sorted(stored) == sorted(arns)
        client = boto3.client("imagebuilder", region_name="us-east-1", endpoint_url=running.endpoint_url,
                              aws_access_key_id="AKIATESTTESTTESTTEST", aws_secret_access_key="s")
        listed = [s["arn"] for page in client.get_paginator("list_infrastructure_configurations").paginate()
                  for s in page["infrastructureConfigurationSummaryList"]]
        assert sorted(listed) == sorted(arns)
