"""Runs AWS CLI commands for test_aws_cli.py in one long-lived process: the CLI's own driver
(`awscli.clidriver.create_clidriver().main(args)`, what `aws` runs), a fresh driver and session per command,
without paying Python's and the CLI's start-up (about a second) for each of some fifty commands.

Protocol: one JSON list of arguments per stdin line; one JSON object `{"rc", "stdout", "stderr"}` per stdout line.
"""

import io
import json
import logging
import sys


def run(args: list) -> dict:
    from awscli.clidriver import create_clidriver

    out, err = io.StringIO(), io.StringIO()
    sys.stdout, sys.stderr = out, err
    try:
        rc = create_clidriver().main(args)
    except SystemExit as stop:  # argparse's usage errors
        rc = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        for name in ("", "botocore", "awscli", "urllib3"):  # what --debug attached
            logger = logging.getLogger(name)
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
            logger.setLevel(logging.WARNING if name == "" else logging.NOTSET)
    return {"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}


def main() -> None:
    for line in sys.stdin:
        sys.__stdout__.write(json.dumps(run(json.loads(line))) + "\n")
        sys.__stdout__.flush()


if __name__ == "__main__":
    main()
