"""The gate for "no module imports another module's ``_private`` name".

Ruff's ``PLC2701`` exempts every import inside the same top-level package, which is all of ours,
so ``make lint`` runs this instead::

    python -m survey.devtools.private_imports survey tests benchmarks

It reads each file's syntax tree (nothing is imported) and lists every ``from X import _name``
and ``import X._name`` where ``_name`` is private (one leading underscore; dunders such as
``__version__`` are public) and ``X`` is another module. ``from __future__`` is exempt."""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(path: Path) -> Iterator[str]:
    """``file:line: import of X._name`` for every private name ``path`` imports from elsewhere."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            source = "." * node.level + (node.module or "")
            for alias in node.names:
                if _private(alias.name):
                    yield f"{path}:{node.lineno}: imports {alias.name} from {source}"
            if any(_private(part) for part in (node.module or "").split(".")):
                yield f"{path}:{node.lineno}: imports from the private module {source}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(_private(part) for part in alias.name.split(".")):
                    yield f"{path}:{node.lineno}: imports the private module {alias.name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m survey.devtools.private_imports",
                                     description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("roots", nargs="+", type=Path, help="folders or files to check")
    args = parser.parse_args(argv)
    found: list[str] = []
    for root in args.roots:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            found.extend(private_imports(path))
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} import(s) of another module's private name: make the name public "
              "or move it where both modules can use it", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
