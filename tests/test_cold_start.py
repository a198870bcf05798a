"""Cold start: what the engine works out per operation on first use matches the whole-model answer."""

from __future__ import annotations

from imagebuilder_mock._engine._model import service_model
from imagebuilder_mock._engine.engine import _parameter_code


def test_the_parameter_code_per_operation_is_the_one_its_model_lists():
    model = service_model()
    tagged = set()
    for name in model.operation_names:
        op = model.operation_model(name)
        errors = {shape.name for shape in op.error_shapes}
        expected = ("InvalidParameterException" if "InvalidParameterException" in errors
                    and "InvalidParameterValueException" not in errors else None)
        assert _parameter_code(op) == expected, name
        if expected:
            tagged.add(name)
    assert {"TagResource", "UntagResource", "ListTagsForResource"} <= tagged


def test_every_module_that_registers_handlers_is_listed():
    """A module with `@operation` that HANDLER_MODULES does not list would register nothing."""
    import pathlib

    import imagebuilder_mock._resources as resources

    root = pathlib.Path(resources.__file__).parent
    registering = {".".join(path.relative_to(root).with_suffix("").parts)
                   for path in root.rglob("*.py") if "@operation(" in path.read_text()}
    assert registering - {"__init__"} == set(resources.HANDLER_MODULES)