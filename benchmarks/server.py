"""Server mode throughput: imagebuilder-mock's server beside moto's, on an analogous REST-JSON service.

    python benchmarks/server.py               # 3 s per case; a table and one JSON line
    python benchmarks/server.py --seconds 1   # quicker
    python benchmarks/server.py --strict      # exit 1 unless ours is >= 2.5 x moto's throughput with no errors

Each server runs in a process of its own (ours: `python -m imagebuilder_mock.server --port 0 --quiet`; moto's:
`moto.server.ThreadedMotoServer`). The clients are threads of this process, one keep-alive HTTP/1.1 connection
each (http.client reconnects when a server closes), sending prepared requests so the client's own cost is small
and the same for both: three lists of 20 resources for one get, on Image Builder's infrastructure configurations
and on moto's API Gateway REST APIs (REST-JSON both). Requests per second and p50/p99 latency at 8 and 32
concurrent clients.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = 2.5
CLIENTS = (8, 32)
RESOURCES = 20


def _auth(service: str) -> dict[str, str]:
    return {"Authorization": f"AWS4-HMAC-SHA256 Credential=AKIABENCHBENCHBENCH0/20260101/us-east-1/{service}/"
                             "aws4_request, SignedHeaders=host, Signature=0",
            "Content-Type": "application/json", "X-Amz-Date": "20260101T000000Z"}


def _start(code: str) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "PYTHONPATH": _ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "AWS_ACCESS_KEY_ID": "AKIABENCHBENCHBENCH0", "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("IMAGEBUILDER_MOCK_STRICT", None)  # as users run it: no output validation
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env)
    line = process.stdout.readline().strip()
    if not line:
        process.kill()
        raise RuntimeError("the server did not start")
    return process, int(line.rsplit(":", 1)[1])


OURS = "import sys; from imagebuilder_mock.server import main; sys.exit(main(['--port', '0', '--quiet']))"
MOTO = ("import time; from moto.server import ThreadedMotoServer; s = ThreadedMotoServer('127.0.0.1', 0, verbose=False);"
        " s.start(); print('http://127.0.0.1:%d' % s.get_host_and_port()[1], flush=True); time.sleep(10**6)")


def _call(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None,
          headers: dict) -> tuple[int, bytes]:
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def _prepare_ours(port: int) -> list[tuple[str, str, bytes | None, dict]]:
    headers = _auth("imagebuilder")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    arns = []
    for index in range(RESOURCES):
        body = json.dumps({"name": f"bench-{index}", "instanceProfileName": "p", "clientToken": f"t{index}"}).encode()
        status, out = _call(connection, "PUT", "/CreateInfrastructureConfiguration", body, headers)
        assert status == 200, out
        arns.append(json.loads(out)["infrastructureConfigurationArn"])
    from urllib.parse import quote

    listing = ("POST", "/ListInfrastructureConfigurations", b"{}", headers)
    get = ("GET", "/GetInfrastructureConfiguration?infrastructureConfigurationArn=" + quote(arns[5], safe=""), None,
           headers)
    return [listing, listing, listing, get]


def _prepare_moto(port: int) -> list[tuple[str, str, bytes | None, dict]]:
    headers = _auth("apigateway")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ids = []
    for index in range(RESOURCES):
        status, out = _call(connection, "POST", "/restapis", json.dumps({"name": f"bench-{index}"}).encode(), headers)
        assert status in (200, 201), out
        ids.append(json.loads(out)["id"])
    listing = ("GET", "/restapis", None, headers)
    get = ("GET", f"/restapis/{ids[5]}", None, headers)
    return [listing, listing, listing, get]


def _load(port: int, requests: list, clients: int, seconds: float) -> dict:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    barrier = threading.Barrier(clients + 1)
    stop = threading.Event()

    def run(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, n = latencies[index], len(requests)
        barrier.wait()
        count = index  # clients start at different points of the mix
        while not stop.is_set():
            method, path, body, headers = requests[count % n]
            count += 1
            started = time.perf_counter()
            try:
                status, _ = _call(connection, method, path, body, headers)
            except (OSError, http.client.HTTPException):
                connection.close()
                status = 0
            mine.append(time.perf_counter() - started)
            if status != 200:
                errors[index] += 1
        connection.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.perf_counter() - began
    every = sorted(t for mine in latencies for t in mine)
    return {"requests": len(every), "rps": len(every) / elapsed, "errors": sum(errors),
            "p50_ms": 1000 * statistics.median(every) if every else 0.0,
            "p99_ms": 1000 * every[min(len(every) - 1, int(len(every) * 0.99))] if every else 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per case (default 3)")
    parser.add_argument("--strict", action="store_true", help=f"exit 1 below {TARGET} x moto or on any error")
    args = parser.parse_args(argv)
    try:
        import moto.server  # noqa: F401
    except ImportError:
        print("benchmarks/server.py: moto is not installed (pip install moto[server]); nothing compared")
        return 1
    results: dict[str, dict[int, dict]] = {}
    for name, code, prepare in (("imagebuilder-mock", OURS, _prepare_ours), ("moto", MOTO, _prepare_moto)):
        process, port = _start(code)
        try:
            requests = prepare(port)
            _load(port, requests, 4, min(0.5, args.seconds))  # warm-up
            results[name] = {clients: _load(port, requests, clients, args.seconds) for clients in CLIENTS}
        finally:
            process.terminate()
            process.wait(timeout=15)
    print(f"{'server':<20}{'clients':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, by_clients in results.items():
        for clients, r in by_clients.items():
            print(f"{name:<20}{clients:>8}{r['rps']:>10.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['errors']:>8}")
    ratios = {c: results["imagebuilder-mock"][c]["rps"] / max(results["moto"][c]["rps"], 1e-9) for c in CLIENTS}
    for clients, ratio in ratios.items():
        print(f"ratio at {clients} clients: {ratio:.2f} x moto (target >= {TARGET})")
    print(json.dumps({"server_bench": {name: {str(c): r for c, r in rows.items()} for name, rows in results.items()},
                      "ratios": {str(c): round(r, 3) for c, r in ratios.items()}}))
    ok = all(r >= TARGET for r in ratios.values()) and results["imagebuilder-mock"][8]["errors"] == 0 \
        and results["imagebuilder-mock"][32]["errors"] == 0
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
