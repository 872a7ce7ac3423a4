"""docs/threat-model.md names a test for each claim: every test it names exists."""

from __future__ import annotations

import ast
import re

from tests.conftest import ROOT

THREAT_MODEL = ROOT / "docs" / "threat-model.md"
NAMED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)")


def _test_names(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")}


def test_every_test_the_threat_model_names_exists() -> None:
    named = NAMED.findall(THREAT_MODEL.read_text(encoding="utf-8"))
    assert len(named) >= 30, "the threat model should name the tests behind its claims"
    missing = [f"{path}::{name}" for path, name in named
               if not (ROOT / path).is_file() or name not in _test_names(path)]
    assert not missing, f"docs/threat-model.md names tests that do not exist: {missing}"
