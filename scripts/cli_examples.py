"""Extract what tests/conformance/test_aws_cli.py needs from the AWS CLI's imagebuilder examples.

    python scripts/cli_examples.py <aws-cli checkout or git dir> > tests/conformance/data/aws_cli_examples.json

The examples (awscli/examples/imagebuilder/*.rst in github.com/aws/aws-cli, Apache-2.0) are documentation
text; we keep per example only its source path, the command's operation and arguments, the JSON input
file it shows (`--cli-input-json`), and the *shape* of its documented output: every key, with each leaf
value replaced by its format (`<arn:imagebuilder:image>`, `<timestamp-ms>`, `<uuid>`, ...). The test
substitutes the resources it creates for the examples' ARNs (`substitutions` in the data file, kept by
hand) and compares the real output's shape with the documented one.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys

SOURCE_DIR = "awscli/examples/imagebuilder"
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "conformance"))
from shapes import shape_of  # noqa: E402  (one definition of a value's format, shared with the test)

_POLICY_LINE = re.compile(r'^(\s*"\w+": )"(\{.*\})"(,?)\s*$')


def _blocks(text: str) -> list[tuple[str, str]]:
    """(the paragraph before, the indented literal block) pairs of an .rst file."""
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        if lines[i].rstrip().endswith("::"):
            head, i, body = lines[i], i + 1, []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                body.append(lines[i][4:])
                i += 1
            out.append((head, "\n".join(body).strip()))
        else:
            i += 1
    return out


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:  # typos of the documentation: a policy pasted unquoted inside a string, `"Key: "v"`
        fixed = "\n".join(_POLICY_LINE.sub(lambda m: m.group(1) + json.dumps(m.group(2)) + m.group(3), line)
                          for line in text.splitlines())
        fixed = re.sub(r'"(\w+): "', r'"\1": "', fixed)
        return json.loads(fixed)


#: mistakes of the documentation, as facts about it: what the example shows, and what the model says
ERRATA = {
    "get-component-policy.rst": "the output capitalises the model's `policy` member (`Policy`)",
    "get-image-policy.rst": "the output capitalises the model's `policy` member (`Policy`)",
    "get-image-recipe-policy.rst": "the output capitalises the model's `policy` member (`Policy`)",
    "list-image-pipeline-images.rst": "the output shown is ListImagePipelines' (`imagePipelineList`); the model's "
                                      "output member is `imageSummaryList`",
}
_RENAMED = {"Policy": "policy"}


def extract(name: str, text: str) -> dict:
    entry: dict = {"source": f"{SOURCE_DIR}/{name}"}
    for head, body in _blocks(text):
        if body.startswith("aws imagebuilder"):
            words = shlex.split(body.replace("\\\n", " "))
            entry["operation"] = words[2]
            args, i = {}, 3
            while i < len(words):
                flag = words[i]
                if i + 1 < len(words) and not words[i + 1].startswith("--"):
                    args[flag], i = words[i + 1], i + 2
                else:
                    args[flag], i = None, i + 1
            entry["args"] = args
        elif head.startswith("Contents of"):
            entry["input"] = _json(body)
        elif head.strip() == "Output::":
            documented = _json(body) if body else None
            if isinstance(documented, dict) and name in ERRATA:
                documented = {_RENAMED.get(key, key): value for key, value in documented.items()}
            entry["output"] = shape_of(documented) if documented is not None else None
    if name in ERRATA:
        entry["erratum"] = ERRATA[name]
    if "output" not in entry:
        entry["output"] = None  # the example documents no output (the command prints nothing)
    return entry


def _read_all(where: str) -> dict[str, str]:
    if os.path.isdir(os.path.join(where, SOURCE_DIR)):
        folder = os.path.join(where, SOURCE_DIR)
        return {n: open(os.path.join(folder, n), encoding="utf-8").read() for n in sorted(os.listdir(folder))}
    names = subprocess.run(["git", "--git-dir", where, "ls-tree", "--name-only", "HEAD", f"{SOURCE_DIR}/"],
                           capture_output=True, text=True, check=True).stdout.split()
    return {os.path.basename(n): subprocess.run(["git", "--git-dir", where, "show", f"HEAD:{n}"], capture_output=True,
                                                text=True, check=True).stdout for n in names}


def main(where: str) -> None:
    files = _read_all(where)
    entries = [extract(name, text) for name, text in files.items() if name.endswith(".rst")]
    json.dump({"source": "https://github.com/aws/aws-cli (awscli/examples/imagebuilder, Apache-2.0)",
               "examples": entries}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
