"""Cold costs, each in a fresh interpreter: `import imagebuilder_mock`, and the first call of a test run
(mock start, which loads the model and the handlers, plus the first request)."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

_IMPORT = """
import time
t0 = time.perf_counter()
{pre}
t1 = time.perf_counter()
import imagebuilder_mock
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""

_FIRST_CALL = """
import json, time
import boto3
from botocore.awsrequest import AWSResponse
import imagebuilder_mock
client = boto3.client("imagebuilder", region_name="us-east-1")
mode, op, params = {mode!r}, {op!r}, {params!r}

class Raw:
    def __init__(self, body): self.body = body
    def stream(self, **kw): yield self.body

if mode == "floor":
    body = json.dumps({{"requestId": "r", "clientToken": "t",
                       "componentBuildVersionArn": "arn:aws:imagebuilder:us-east-1:123456789012:component/a/1.0.0/1",
                       "infrastructureConfigurationArn":
                           "arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/a"}}).encode()
    client.meta.events.register("before-send", lambda request, **kw: AWSResponse(
        request.url, 200, {{"Content-Type": "application/json"}}, Raw(body)))
t0 = time.perf_counter()
if mode == "ours":
    mock = imagebuilder_mock.mock_imagebuilder()
    mock.start()
t1 = time.perf_counter()
getattr(client, op)(**params)
t2 = time.perf_counter()
print(json.dumps({{"start": t1 - t0, "call": t2 - t1}}))
"""


#: Bytecode of the fresh interpreters goes here (filled by an untimed first run), so imports are timed as
#: an installed package's are (pip writes .pyc files), even where PYTHONDONTWRITEBYTECODE is set.
_PYCACHE = tempfile.mkdtemp(prefix="imagebuilder-mock-bench-pycache-")
atexit.register(shutil.rmtree, _PYCACHE, True)


def _run(code: str) -> str:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), root]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"cold benchmark subprocess failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def import_time(repeat: int) -> dict:
    """Seconds of `import imagebuilder_mock` in a fresh interpreter, alone and after `import boto3`.

    One untimed run first writes any missing .pyc files (an installed package has them)."""
    _run(_FIRST_CALL.format(mode="ours", op="list_components", params={}))
    alone, after, boto = [], [], []
    for _ in range(repeat):
        alone.append(float(_run(_IMPORT.format(pre="")).split()[1]))
        pre, ours = map(float, _run(_IMPORT.format(pre="import boto3")).split())
        boto.append(pre)
        after.append(ours)
    return {"alone": statistics.median(alone), "after_boto3": statistics.median(after),
            "boto3": statistics.median(boto)}


def first_call(repeat: int, op: str, params: dict) -> dict:
    """Seconds of mock start and of the first call in a fresh interpreter (client already created),
    against the same first call answered by a canned `before-send` (botocore's own cold cost)."""
    out: dict = {}
    for mode in ("ours", "floor"):
        runs = [json.loads(_run(_FIRST_CALL.format(mode=mode, op=op, params=params))) for _ in range(repeat)]
        out[mode] = {key: statistics.median(r[key] for r in runs) for key in ("start", "call")}
    return out
