"""imagebuilder-mock: an in-memory, stateful, model-driven EC2 Image Builder for boto3 tests."""

from ._mock import MockImageBuilder, mock_imagebuilder

__all__ = ["MockImageBuilder", "mock_imagebuilder"]
__version__ = "0.1.0"
