"""The generated docs stay current with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_coverage_table_is_current():
    result = subprocess.run([sys.executable, "scripts/coverage_table.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_model_operation_has_a_handler():
    from imagebuilder_mock._engine._model import service_model
    from imagebuilder_mock._resources import operations

    missing = sorted(set(service_model().operation_names) - set(operations()))
    assert missing == []
