"""The generated docs stay current with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import _model_features

ROOT = Path(__file__).resolve().parent.parent


def _table_operations() -> set[str]:
    rows = (ROOT / "docs" / "coverage.md").read_text().splitlines()
    return {row.split("|")[1].strip() for row in rows if row.startswith("| ") and "`" in row}


def test_coverage_table_is_current():
    absent = sorted(_table_operations() - set(_model_features.MODEL.operation_names))
    if absent:  # the table is generated from the newest model; an older one lacks some of its operations
        pytest.skip(_model_features._in(f"has no {', '.join(absent)} (docs/coverage.md is generated from the "
                                        "newest model)"))
    result = subprocess.run([sys.executable, "scripts/coverage_table.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_model_operation_has_a_handler():
    from imagebuilder_mock._engine._model import service_model
    from imagebuilder_mock._resources import operations

    missing = sorted(set(service_model().operation_names) - set(operations()))
    assert missing == []


@_model_features.needs_waiter("ImageAvailable")
def test_the_readme_use_example_runs_as_pasted(tmp_path):
    """The README's "Use" snippet, pasted into a file and run in a fresh interpreter (no set-up elided)."""
    import re

    readme = (ROOT / "README.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", readme[readme.index("## Use"):], re.S).group(1)
    script = tmp_path / "pasted.py"
    script.write_text(snippet)
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "AWS_EC2_METADATA_DISABLED": "true"})
    assert result.returncode == 0, result.stderr
    assert "def test_golden_pipeline" in snippet and "test_golden_pipeline()" in snippet


def test_the_ci_script_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    command = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert f"{command}           # the whole test suite" in readme
    assert command.startswith("python3 -m venv .venv && ")
