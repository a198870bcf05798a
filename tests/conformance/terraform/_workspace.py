"""One Terraform working directory driven through subprocesses (init, apply, plan, import, destroy).

The state is read from terraform.tfstate (not `terraform show -json`, which would start the provider
once more: a start of the AWS provider costs seconds)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

CONFIGURATIONS = Path(__file__).parent / "configurations"

_VERSIONS = """terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{version}"
    }}
  }}
}}
"""
# "  # aws_x.y will be updated in-place", "... must be replaced", "... will be imported" ...
_ACTION_LINE = re.compile(r"^\s*# ((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+(?:\[[^\]]+\])?) (will be|must be) (.+)$",
                          re.MULTILINE)


class TerraformError(AssertionError):
    """A terraform command failed: the message carries its output."""


class Workspace:
    """A copy of configurations/provider.tf and one configuration directory, with its own state."""

    def __init__(self, directory: Path, configuration: str, binary: str, env: dict[str, str],
                 version: str) -> None:
        self.directory = directory
        self.binary = binary
        self.env = dict(env)
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copy(CONFIGURATIONS / "provider.tf", directory / "provider.tf")
        for source in sorted((CONFIGURATIONS / configuration).glob("*.tf")):
            shutil.copy(source, directory / source.name)
        (directory / "versions.tf").write_text(_VERSIONS.format(version=version))

    def set_vars(self, **values: object) -> None:
        self.env.update({f"TF_VAR_{key}": str(value) for key, value in values.items()})

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        proc = subprocess.run([self.binary, *args, "-no-color"], cwd=self.directory, env=self.env,
                              text=True, capture_output=True, timeout=900)
        if proc.returncode not in ok:
            raise TerraformError(f"terraform {args[0]} exited {proc.returncode}\n"
                                 f"{_errors(proc.stdout + proc.stderr)}")
        return proc

    def init(self) -> None:
        self.run("init", "-input=false")

    def apply(self) -> str:
        return self.run("apply", "-auto-approve", "-input=false", "-parallelism=30").stdout

    def plan(self) -> dict[str, str]:
        """Every planned action: address -> "will be updated in-place", "must be replaced", ..."""
        proc = self.run("plan", "-detailed-exitcode", "-input=false", "-parallelism=30", ok=(0, 2))
        return planned_actions(proc.stdout) if proc.returncode == 2 else {}

    def destroy(self) -> None:
        self.run("destroy", "-auto-approve", "-input=false", "-parallelism=30")

    def forget(self, addresses: list[str]) -> None:
        if addresses:
            self.run("state", "rm", *addresses)

    def write_imports(self, ids: dict[str, str]) -> None:
        blocks = "".join(f'import {{\n  to = {address}\n  id = "{value}"\n}}\n\n' for address, value in ids.items())
        (self.directory / "imports.tf").write_text(blocks)

    def state(self) -> dict[str, dict]:
        """Every resource and data source in the state: address -> its attribute values."""
        path = self.directory / "terraform.tfstate"
        if not path.exists():
            return {}
        resources = json.loads(path.read_text()).get("resources", [])
        return {("data." if item["mode"] == "data" else "") + f"{item['type']}.{item['name']}": instance["attributes"]
                for item in resources for instance in item["instances"]}


def planned_actions(text: str) -> dict[str, str]:
    actions: dict[str, str] = {}
    for address, _verb, action in _ACTION_LINE.findall(text):
        actions[address] = action.strip()
    return actions


def _errors(output: str) -> str:
    """The error blocks of terraform's output (the whole tail when there is none)."""
    blocks = re.findall(r"^Error: .*?(?=^Error: |\Z)", output, re.MULTILINE | re.DOTALL)
    return "\n".join(block.strip() for block in blocks)[:8000] or output[-4000:]


def terraform_env(cli_config: Path) -> dict[str, str]:
    """The environment of every terraform command: our CLI config, no real credentials, no telemetry."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "TF_"))}
    env.update(TF_CLI_CONFIG_FILE=str(cli_config), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return env
