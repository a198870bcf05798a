"""imagebuilder-mock: an in-memory, stateful, model-driven EC2 Image Builder for boto3 tests."""

from ._mock import MockImageBuilder, mock_imagebuilder

__all__ = ["ImageBuilderServer", "MockImageBuilder", "mock_imagebuilder"]
__version__ = "0.1.0"


def __getattr__(name: str):
    """`ImageBuilderServer` on first use: `import imagebuilder_mock` stays cheap."""
    if name == "ImageBuilderServer":
        from .server import ImageBuilderServer

        return ImageBuilderServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
