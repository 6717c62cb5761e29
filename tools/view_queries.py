"""Count page and API handlers that build querysets themselves (issue #10: "handlers parse,
call one selector or service, render").

An AST walk over every view and API module of the apps below (``views.py``, ``views_*.py``,
``views/*.py``, ``api.py``, ``api/*.py``). A function (module-level or a method, nested
functions count towards the one that holds them) "builds a queryset" when it names
``.objects`` or calls a queryset method (``filter``, ``exclude``, ``annotate``,
``select_related``...). Reads belong in the app's ``selectors.py``.

A handler that must keep its query says why in a comment that starts with
``# view-query:`` inside the function (or on the line above its ``def``); those are
counted apart as "justified".

    python -m tools.view_queries            # summary and the list
    python -m tools.view_queries --count    # just the number of unjustified handlers
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "core",
    "estates",
    "party",
    "disputes",
    "market",
    "delivery",
    "patrol",
    "care",
    "tickets",
    "conveniences",
    "volunteers",
    "feedback",
)
QUERY_METHODS = frozenset(
    {
        "filter",
        "exclude",
        "annotate",
        "aggregate",
        "select_related",
        "prefetch_related",
        "order_by",
        "values_list",
        "distinct",
        "only",
        "defer",
        "select_for_update",
    }
)
MARK = "# view-query:"


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    name: str
    justified: bool

    def __str__(self) -> str:
        tag = "justified" if self.justified else "builds queryset"
        return f"{self.path}:{self.line} {self.name} ({tag})"


def view_modules(root: Path = ROOT) -> list[Path]:
    found: set[Path] = set()
    for app in APPS:
        base = root / "wanjia" / app
        for pattern in ("views.py", "views_*.py", "views/*.py", "api.py", "api_*.py", "api/*.py"):
            found.update(base.glob(pattern))
    return sorted(found)


def _builds_queryset(func: ast.AST) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in QUERY_METHODS
        ):
            return True
    return False


def _justified(func: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> bool:
    first = func.lineno - 1 - len(func.decorator_list)
    start = max(first - 1, 0)
    end = func.end_lineno or func.lineno
    return any(MARK in line for line in lines[start:end])


def _handlers(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{item.name}", item


def scan(root: Path = ROOT) -> list[Hit]:
    hits = []
    for path in view_modules(root):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for name, func in _handlers(ast.parse(source)):
            if _builds_queryset(func):
                hits.append(
                    Hit(str(path.relative_to(root)), func.lineno, name, _justified(func, lines))
                )
    return hits


def main(argv: list[str]) -> int:
    hits = scan()
    bad = [h for h in hits if not h.justified]
    if "--count" in argv:
        print(len(bad))
        return 0
    for hit in hits:
        print(hit)
    print(
        f"{len(hits)} handlers build querysets: {len(bad)} unjustified, {len(hits) - len(bad)} justified"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
