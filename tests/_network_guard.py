"""The suite's socket guard: a test that makes this process open a connection to, or look up, anything
but loopback fails, even if the code under test swallowed the error (tests never touch the network;
imagebuilder requests are answered in process)."""

from __future__ import annotations

import ipaddress
import socket

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "", None}
violations: list[str] = []
_original = {"connect": socket.socket.connect, "connect_ex": socket.socket.connect_ex,
             "getaddrinfo": socket.getaddrinfo}


class NetworkGuardError(OSError):
    """Raised instead of reaching the network."""


def _is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _refuse(what: str) -> None:
    violations.append(what)
    raise NetworkGuardError(f"the test suite's network guard refused {what}")


def check_address(address) -> None:
    if isinstance(address, tuple) and not _is_local(address[0]):
        _refuse(f"a connection to {address[0]}:{address[1]}")


def _connect(sock, address):
    check_address(address)
    return _original["connect"](sock, address)


def _connect_ex(sock, address):
    check_address(address)
    return _original["connect_ex"](sock, address)


def _getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _refuse(f"a DNS lookup of {host}")
    return _original["getaddrinfo"](host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _connect
    socket.socket.connect_ex = _connect_ex
    socket.getaddrinfo = _getaddrinfo
