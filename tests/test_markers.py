"""Every test that drives Chromium carries the `browser` mark, and every test that starts its own
PostgreSQL through `pg_server` the `postgres` mark, so `pytest -m "not browser"` and
`-m "not postgres"` leave out exactly what needs those.

Read from the source with `ast` (a collection hook would live in conftest.py): a test needs the
browser when it asks for `browser`, `phone` or `phone_no_js`, or for a fixture that does (in its
module or conftest.py, however deep), or uses Playwright itself. Module-level `pytestmark` and
class decorators count. (The PostgreSQL run of `both_databases` tests is marked by conftest.py's
parametrisation, not here.)"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parent
BROWSER_FIXTURES = frozenset({"browser", "phone", "phone_no_js"})
POSTGRES_FIXTURES = frozenset({"pg_server"})
Function = ast.FunctionDef | ast.AsyncFunctionDef


def _is_fixture(node: Function) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
        if isinstance(target, ast.Name) and target.id == "fixture":
            return True
    return False


def _arguments(node: Function) -> set[str]:
    args = node.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def _asked_by_name(node: Function) -> set[str]:
    """Fixtures a function asks for in its body: ``request.getfixturevalue("name")``."""
    asked = set()
    for call in ast.walk(node):
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr == "getfixturevalue" and call.args
                and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
            asked.add(call.args[0].value)
    return asked


def _uses_playwright(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and "playwright" in sub.id.lower():
            return True
        if isinstance(sub, (ast.Import, ast.ImportFrom)):
            names = [sub.module or ""] if isinstance(sub, ast.ImportFrom) else [a.name for a in sub.names]
            if any(name.split(".")[0] == "playwright" for name in names):
                return True
    return False


def _marks(decorators: list[ast.expr]) -> set[str]:
    """`pytest.mark.X` names among decorators (or in a `pytestmark` value)."""
    found = set()
    for expr in decorators:
        for sub in ast.walk(expr):
            if (isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Attribute)
                    and sub.value.attr == "mark"):
                found.add(sub.attr)
    return found


def _module_marks(tree: ast.Module) -> set[str]:
    return _marks([node.value for node in tree.body if isinstance(node, ast.Assign)
                   and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)])


def _class_marks(cls: ast.ClassDef) -> set[str]:
    in_body = [node.value for node in cls.body if isinstance(node, ast.Assign)
               and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)]
    return _marks([*cls.decorator_list, *in_body])


def _tests(tree: ast.Module) -> Iterator[tuple[Function, set[str]]]:
    """Each test function with the marks inherited from its class."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            yield node, set()
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("test"):
                    yield item, _class_marks(node)


def _needing(fixtures: dict[str, Function], base: frozenset[str]) -> set[str]:
    """``base`` and every fixture that asks for one of them, however indirectly."""
    needing = set(base)
    changed = True
    while changed:
        changed = False
        for name, node in fixtures.items():
            if name not in needing and (_arguments(node) | _asked_by_name(node)) & needing:
                needing.add(name)
                changed = True
    return needing


def _fixtures(tree: ast.Module) -> dict[str, Function]:
    return {node.name: node for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_fixture(node)}


def unmarked(source: str, conftest: str, filename: str = "<test>") -> list[str]:
    """The tests in ``source`` that need a browser or pg_server and lack the mark for it."""
    tree = ast.parse(source, filename)
    fixtures = {**_fixtures(ast.parse(conftest)), **_fixtures(tree)}
    browser_needing = _needing(fixtures, BROWSER_FIXTURES)
    browser_needing |= {name for name, node in fixtures.items() if _uses_playwright(node)}
    browser_needing = _needing(fixtures, frozenset(browser_needing))
    # conftest.py's own fixtures that reach PostgreSQL do so through its parametrisation, which
    # marks that run; only a module's own fixtures are followed to `pg_server`.
    postgres_needing = _needing(_fixtures(tree), POSTGRES_FIXTURES)
    module_marks = _module_marks(tree)
    missing = []
    for test, class_marks in _tests(tree):
        marks = module_marks | class_marks | _marks(test.decorator_list)
        asked = _arguments(test) | _asked_by_name(test)
        if (asked & browser_needing or _uses_playwright(test)) and "browser" not in marks:
            missing.append(f"{filename}::{test.name} needs `@pytest.mark.browser`")
        if asked & postgres_needing and "postgres" not in marks:
            missing.append(f"{filename}::{test.name} needs `@pytest.mark.postgres`")
    return missing


def test_every_browser_and_postgres_test_carries_its_mark() -> None:
    conftest = (TESTS / "conftest.py").read_text(encoding="utf-8")
    missing = []
    for path in sorted(TESTS.glob("test_*.py")):
        missing += unmarked(path.read_text(encoding="utf-8"), conftest, path.name)
    assert not missing, "\n".join(missing)


CONFTEST = '''
import pytest

@pytest.fixture
def browser(): ...

@pytest.fixture
def phone(browser): ...

@pytest.fixture
def pg_server(): ...
'''


def test_the_mark_check_finds_unmarked_browser_and_postgres_tests() -> None:
    """The check itself: it flags what it should and accepts the ways a mark can be given."""
    source = '''
import pytest

@pytest.fixture
def page(phone): ...

@pytest.fixture
def deeper(page): ...

def test_direct(phone): ...
def test_through_a_fixture(deeper): ...
def test_by_name(request):
    request.getfixturevalue("browser")
def test_playwright_itself():
    from playwright.sync_api import sync_playwright
def test_database(pg_server): ...
def test_plain(tmp_path): ...

@pytest.mark.browser
def test_marked(phone): ...

@pytest.mark.postgres
def test_marked_database(pg_server): ...

@pytest.mark.browser
class TestMarkedClass:
    def test_in_class(self, phone): ...

class TestUnmarkedClass:
    def test_in_class(self, phone): ...

@pytest.fixture
def own_database(pg_server): ...

def test_own_database(own_database): ...
'''
    assert unmarked(source, CONFTEST, "t.py") == [
        "t.py::test_direct needs `@pytest.mark.browser`",
        "t.py::test_through_a_fixture needs `@pytest.mark.browser`",
        "t.py::test_by_name needs `@pytest.mark.browser`",
        "t.py::test_playwright_itself needs `@pytest.mark.browser`",
        "t.py::test_database needs `@pytest.mark.postgres`",
        "t.py::test_in_class needs `@pytest.mark.browser`",
        "t.py::test_own_database needs `@pytest.mark.postgres`",
    ]
    assert unmarked("import pytest\npytestmark = [pytest.mark.browser]\n" + source.split("@pytest.mark.postgres")[0],
                    CONFTEST, "t.py") == ["t.py::test_database needs `@pytest.mark.postgres`"]
