"""Dependencies run one way: portal ← carriers ← guides.

portal/ is the foundation (settings, languages, markup, the page cache …) and
imports no app; only portal/urls.py mounts them. carriers/ holds the operators
and imports nothing of guides/. The README's layout section states the rule.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("portal", "carriers", "guides")
# package → the packages it must not import
FORBIDDEN = {"portal": {"carriers", "guides"}, "carriers": {"guides"}}
# The one module allowed to know every app: it mounts their URLs.
MOUNTS = {"portal/urls.py"}


def imported_packages(source):
    """Top-level package names a module imports, anywhere in it."""
    packages = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            packages |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def violations():
    found = []
    for package, forbidden in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in MOUNTS:
                continue
            wrong = imported_packages(path.read_text(encoding="utf-8")) & forbidden
            found += [f"{name} imports {other}" for other in sorted(wrong)]
    return found


def test_dependencies_run_one_way():
    assert violations() == []


@pytest.mark.parametrize(
    "source",
    [
        "from guides.models import Procedure",
        "import guides.views",
        "def f():\n    from carriers import models\n",
    ],
)
def test_the_check_sees_imports_in_any_form(source):
    assert imported_packages(source) & {"carriers", "guides"}
