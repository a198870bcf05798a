"""imagebuilder-mock: an in-memory, stateful, model-driven EC2 Image Builder for boto3 tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._mock import MockImageBuilder, mock_imagebuilder

if TYPE_CHECKING:
    from typing import Any

    from .server import ImageBuilderServer  # what `__getattr__` gives, for type checkers

__all__ = ["ImageBuilderServer", "MockImageBuilder", "mock_imagebuilder"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`ImageBuilderServer` on first use: `import imagebuilder_mock` stays cheap."""
    if name == "ImageBuilderServer":
        from .server import ImageBuilderServer

        return ImageBuilderServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
