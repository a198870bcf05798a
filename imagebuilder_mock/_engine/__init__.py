"""The model-driven protocol engine: route, parse, validate, dispatch, serialise, render errors."""

from .engine import Engine

__all__ = ["Engine"]
