"""The suite's socket guard (tests/_network_guard.py) refuses what would leave the machine and lets
loopback through; every imagebuilder request of every test runs under it."""

from __future__ import annotations

import socket
import threading

import boto3
import pytest

import _network_guard


@pytest.fixture
def guard_log():
    yield _network_guard.violations
    del _network_guard.violations[:]  # what this module provoked on purpose does not fail it


def test_a_connection_beyond_loopback_is_refused_and_recorded(guard_log):
    with socket.socket() as sock, pytest.raises(_network_guard.NetworkGuardError):
        sock.connect(("203.0.113.7", 443))  # TEST-NET-3: never routed
    with pytest.raises(_network_guard.NetworkGuardError):
        socket.getaddrinfo("imagebuilder.us-east-1.amazonaws.com", 443)
    assert guard_log == ["a connection to 203.0.113.7:443", "a DNS lookup of imagebuilder.us-east-1.amazonaws.com"]


def test_loopback_passes(guard_log):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        accepting = threading.Thread(target=lambda: server.accept()[0].close(), daemon=True)
        accepting.start()
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            accepting.join(5)
    assert guard_log == []


def test_imagebuilder_requests_open_no_socket(imagebuilder_mock, monkeypatch, guard_log):
    opened = []
    original = socket.socket.__init__
    monkeypatch.setattr(socket.socket, "__init__", lambda self, *a, **k: (opened.append(a), original(self, *a, **k))[1])
    ib = boto3.client("imagebuilder", region_name="us-east-1", endpoint_url="https://imagebuilder.example.com")
    ib.list_components()
    ib.get_paginator("list_images").paginate().build_full_result()
    assert opened == [] and guard_log == []
