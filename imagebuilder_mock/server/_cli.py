"""`imagebuilder-mock-server` / `python -m imagebuilder_mock.server`: flags, environment variables, signals."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, Any, Callable

from .._mock import SETTINGS
from ._app import DEFAULT_MAX_BODY_SIZE
from ._http import DEFAULT_IDLE_TIMEOUT, DEFAULT_THREADS

if TYPE_CHECKING:
    from ._http import ImageBuilderServer

ENV_PREFIX = "IMAGEBUILDER_MOCK_"


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def _json_or_file(text: str) -> Any:
    """A JSON value, or `@path` to a JSON file."""
    try:
        if text.startswith("@"):
            with open(text[1:], encoding="utf-8") as handle:
                return json.load(handle)
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"expected JSON or @file.json: {exc}") from None


def _literal(text: str) -> Any:
    """A JSON literal if it is one (numbers, true/false, objects), else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


#: How each `mock_imagebuilder` setting is read from a flag or environment variable (docs/usage.md describes
#: the settings). A setting in SETTINGS without a row here is read with `_literal`.
SETTING_PARSERS: dict[str, Callable[[str], Any]] = {
    "progression": str,
    "stage_durations": _json_or_file,
    "patch_sleep": _boolean,
    "check_output": _boolean,
    "s3_objects": _json_or_file,
    "seed": int,
    "block_network": _boolean,
    "catalog_file": str,
    "aws_endpoint_url": str,
}


def setting_variable(name: str) -> str:
    """The environment variable of setting `name`: the mock's own (`_settings.ENVIRONMENT`, e.g.
    IMAGEBUILDER_MOCK_STRICT for check_output), else IMAGEBUILDER_MOCK_<NAME>."""
    from .._settings import ENVIRONMENT

    return ENVIRONMENT[name][0] if name in ENVIRONMENT else ENV_PREFIX + name.upper()


def _env(name: str) -> str | None:
    return os.environ.get(ENV_PREFIX + name.upper())


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imagebuilder-mock-server",
        description="Serve a mocked EC2 Image Builder over HTTP (docs/server.md). Every flag can also be given "
                    f"as an environment variable {ENV_PREFIX}<FLAG> (e.g. {ENV_PREFIX}PORT=0); flags win.")
    add = parser.add_argument
    add("--host", default=_env("host") or "127.0.0.1", help="address to listen on (default 127.0.0.1)")
    add("--port", type=int, default=int(_env("port") or 5000),
        help="port to listen on; 0 picks a free port (default 5000). The URL is printed on stdout.")
    add("--account-id", default=_env("account_id") or None, help="the account of unsigned requests")
    add("--threads", type=int, default=int(_env("threads") or DEFAULT_THREADS),
        help=f"worker threads answering requests (default {DEFAULT_THREADS})")
    add("--max-body-size", type=int, default=int(_env("max_body_size") or DEFAULT_MAX_BODY_SIZE),
        help=f"largest request body in bytes (default {DEFAULT_MAX_BODY_SIZE})")
    add("--idle-timeout", type=float, default=float(_env("idle_timeout") or DEFAULT_IDLE_TIMEOUT),
        help=f"seconds an idle connection stays open (default {DEFAULT_IDLE_TIMEOUT})")
    add("--cors-origins", default=_env("cors_origins") or "*",
        help="comma-separated origins browsers may call from, or * (default *)")
    add("--state-file", default=_env("state_file") or None,
        help="load state from this JSON file at start (if it exists) and save it there on shutdown")
    add("--quiet", action="store_true", default=_boolean(_env("quiet") or "0"), help="no request log")
    for name in SETTINGS:
        read = SETTING_PARSERS.get(name, _literal)
        variable = setting_variable(name)
        env = os.environ.get(variable)
        add(f"--{name.replace('_', '-')}", dest=f"setting_{name}", type=read,
            default=read(env) if env is not None else None,
            help=f"the mock_imagebuilder setting {name} (env {variable})")
    return parser


def settings_of(args: argparse.Namespace) -> dict[str, Any]:
    """The mock_imagebuilder keywords the flags and environment gave."""
    settings = {name[len("setting_"):]: value for name, value in vars(args).items()
                if name.startswith("setting_") and value is not None}
    if args.account_id:
        settings["account_id"] = args.account_id
    return settings


def main(argv: list[str] | None = None) -> int:
    from ._http import ImageBuilderServer, Runner, create

    args = parser().parse_args(argv)
    try:
        import waitress  # noqa: F401
    except ImportError:
        print("imagebuilder-mock-server needs waitress: pip install 'imagebuilder-mock[server]'", file=sys.stderr)
        return 2
    try:
        server = ImageBuilderServer(args.host, args.port, threads=args.threads, max_body_size=args.max_body_size,
                                    idle_timeout=args.idle_timeout, cors_origins=_origins(args.cors_origins),
                                    log=None if args.quiet else sys.stderr, **settings_of(args))
    except (TypeError, ValueError) as exc:
        print(f"imagebuilder-mock-server: {exc}", file=sys.stderr)
        return 2
    if args.state_file and os.path.exists(args.state_file):
        _load(server, args.state_file)
    logging.getLogger("waitress").setLevel(logging.ERROR if args.quiet else logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is N": not a mock's concern
    http_server = create(server.app, args.host, args.port, threads=args.threads, idle_timeout=args.idle_timeout)
    runner = Runner(http_server)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stop())
    host = args.host if ":" not in args.host else f"[{args.host}]"
    print(f"http://{host}:{http_server.effective_port}", flush=True)
    runner.run()
    if args.state_file:
        _save(server, args.state_file)
    return 0


def _origins(text: str) -> tuple[str, ...]:
    return tuple(origin.strip() for origin in text.split(",") if origin.strip())


def _load(server: ImageBuilderServer, path: str) -> None:
    from ._state import import_state

    with open(path, encoding="utf-8") as handle:
        import_state(server.mock.backend, json.load(handle))


def _save(server: ImageBuilderServer, path: str) -> None:
    from ._state import export_state

    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(export_state(server.mock.backend), handle)
    os.replace(temporary, path)
