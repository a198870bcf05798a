"""Finding terraform and the provider's filesystem mirror, and the servers the configurations talk to.

Nothing here reaches a registry: the CLI configuration installs hashicorp/aws from a filesystem mirror
only (`direct` is excluded for every provider), and the providers' endpoints are loopback servers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Iterator

MIRROR_ENV = "IMAGEBUILDER_MOCK_TF_MIRROR"
TERRAFORM_ENV = "IMAGEBUILDER_MOCK_TERRAFORM_BIN"
PROVIDER_VERSION_ENV = "IMAGEBUILDER_MOCK_TF_AWS_VERSION"

# Where mirrors usually live (Terraform's own implied-mirror directories first), searched a few
# levels deep for a folder named registry.terraform.io holding hashicorp/aws.
_SEARCH_ROOTS = (
    "~/.terraform.d/plugins", "~/.local/share/terraform/plugins", "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins", "/opt", "/usr/local/share", "/usr/share", "/srv", "/work",
)
_SEARCH_DEPTH = 3


def find_terraform() -> str | None:
    """The terraform binary: $IMAGEBUILDER_MOCK_TERRAFORM_BIN, else the one on PATH."""
    explicit = os.environ.get(TERRAFORM_ENV)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("terraform")


def find_mirror() -> Path | None:
    """The directory that holds registry.terraform.io/hashicorp/aws (the mirror's root), or None."""
    explicit = os.environ.get(MIRROR_ENV)
    candidates = [Path(explicit)] if explicit else [Path(root).expanduser() for root in _SEARCH_ROOTS]
    for root in candidates:
        found = _search(root, _SEARCH_DEPTH if not explicit else 1)
        if found:
            return found
    return None


def _search(root: Path, depth: int) -> Path | None:
    if _holds_aws(root):
        return root
    if depth <= 0 or not root.is_dir():
        return None
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return None
    for child in children:
        if child.name == "registry.terraform.io":
            if _holds_aws(root):
                return root
            continue
        found = _search(child, depth - 1)
        if found:
            return found
    return None


def _holds_aws(root: Path) -> bool:
    aws = root / "registry.terraform.io" / "hashicorp" / "aws"
    return aws.is_dir() and any(aws.iterdir())


def mirrored_versions(mirror: Path) -> list[str]:
    """The provider versions the mirror holds (unpacked layout: <version>/<os_arch>/)."""
    aws = mirror / "registry.terraform.io" / "hashicorp" / "aws"
    return sorted(p.name for p in aws.iterdir() if p.is_dir())


def write_cli_config(path: Path, mirror: Path, plugin_cache: Path) -> Path:
    """A CLI configuration that installs hashicorp/aws from `mirror` only, with a shared plugin cache."""
    path.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {str(mirror)!r}\n"
        '    include = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n"
        f"plugin_cache_dir = {str(plugin_cache)!r}\n"
        "disable_checkpoint = true\n".replace("'", '"'))
    return path


@contextlib.contextmanager
def serve_imagebuilder() -> Iterator[tuple[object, str]]:
    """The mock behind HTTP on a free loopback port: yields (MockImageBuilder, endpoint URL).

    The one place the suite starts the server: the packaged `ImageBuilderServer` (waitress) in a thread."""
    from imagebuilder_mock.server import ImageBuilderServer

    with ImageBuilderServer() as server:
        yield server.mock, server.endpoint_url


@contextlib.contextmanager
def serve_moto() -> Iterator[str]:
    """moto's server (IAM, EC2, KMS, SNS, S3, ECR, STS) on a free loopback port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
