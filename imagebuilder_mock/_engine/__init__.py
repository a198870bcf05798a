"""The model-driven protocol engine: route, parse, validate, dispatch, serialise, render errors
(`engine.Engine`)."""
