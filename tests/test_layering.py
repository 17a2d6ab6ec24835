"""Dependencies run one way, and each room of guides/ keeps to its job.

portal/ is the foundation (settings, languages, markup, the page cache …) and
imports no app; only portal/urls.py mounts them. carriers/ holds the operators
and imports nothing of guides/. Inside guides/, the models import nothing above
them, the visitor's pages never reach the editorial workflow, the admin, the
queue or the content file, no two modules import each other through any chain,
and no import hides inside a function to dodge one. The README's layout
section states the rules.
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
# module prefix → module prefixes it must not import
ROOMS = {
    "guides.public": (
        "guides.editorial",
        "guides.admin",
        "guides.attention",
        "guides.content_file",
        "guides.watch",
    ),
    "guides.search": ("guides.editorial", "guides.admin", "guides.public"),
    "guides.feedback": ("guides.editorial", "guides.admin", "guides.public"),
    "guides.watch": ("guides.editorial", "guides.admin", "guides.public"),
    "guides.editorial": ("guides.admin", "guides.public", "guides.attention"),
}
# The models import only other models and the foundation they stand on.
MODELS_MAY_IMPORT = ("guides.models", "carriers.models", "portal.languages")
# Imports that must wait for Django: an AppConfig's ready() (the models are
# loaded by then) and gunicorn's hooks (its config file is read before Django
# is set up).
LATE_IMPORTS = {("guides/apps.py", "ready"), ("portal/gunicorn.py", "when_ready")}


def product_modules():
    """{dotted name: path} of every module of the apps, migrations aside."""
    modules = {}
    for package in APPS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_names(source):
    """Dotted module names a module imports, anywhere in it; for `from a
    import b` both `a` and `a.b` (b may be a module)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def imported_packages(source):
    """Top-level package names a module imports, anywhere in it."""
    return {name.split(".")[0] for name in imported_names(source)}


def graph():
    """{module: the project modules it imports}."""
    modules = product_modules()
    return {
        name: {
            other
            for other in imported_names(path.read_text(encoding="utf-8"))
            if other in modules and other != name
        }
        for name, path in modules.items()
    }


def within(name, prefix):
    return name == prefix or name.startswith(prefix + ".")


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


def room_violations(imports):
    found = []
    for name, others in sorted(imports.items()):
        for room, forbidden in ROOMS.items():
            if within(name, room):
                found += [
                    f"{name} imports {other}"
                    for other in sorted(others)
                    if any(within(other, wall) for wall in forbidden)
                ]
        if within(name, "guides.models"):
            found += [
                f"{name} imports {other}"
                for other in sorted(others)
                if not any(within(other, allowed) for allowed in MODELS_MAY_IMPORT)
            ]
    return found


def cycles(imports):
    """Each cycle of the import graph once, as a list of modules."""
    found, done = [], set()

    def visit(name, path):
        for other in sorted(imports.get(name, ())):
            # A package's __init__ importing its own modules is not a cycle.
            if within(other, name):
                continue
            if other in path:
                cycle = path[path.index(other) :]
                if frozenset(cycle) not in done:
                    done.add(frozenset(cycle))
                    found.append([*cycle, other])
            elif other not in finished:
                visit(other, [*path, other])
        finished.add(name)

    finished = set()
    for name in sorted(imports):
        if name not in finished:
            visit(name, [name])
    return found


def late_imports():
    found = []
    for path in product_modules().values():
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (relative, node.name) in LATE_IMPORTS:
                continue
            found += [
                f"{relative}:{inner.lineno} in {node.name}()"
                for inner in ast.walk(node)
                if isinstance(inner, ast.Import | ast.ImportFrom)
            ]
    return found


def test_dependencies_run_one_way():
    assert violations() == []


def test_each_room_imports_only_what_it_stands_on():
    assert room_violations(graph()) == []


def test_no_module_imports_itself_through_others():
    assert cycles(graph()) == []


def test_no_import_hides_inside_a_function():
    assert late_imports() == []


@pytest.mark.parametrize(
    "source",
    [
        "from guides.models import Procedure",
        "import guides.public.views",
        "def f():\n    from carriers import models\n",
    ],
)
def test_the_check_sees_imports_in_any_form(source):
    assert imported_packages(source) & {"carriers", "guides"}


def test_the_checks_see_a_cycle_and_a_wall_crossed():
    imports = {
        "guides.search.engine": {"guides.caching"},
        "guides.caching": {"guides.content_file.load"},
        "guides.content_file.load": {"guides.search.engine"},
        "guides.public.views": {"guides.editorial.forms"},
        "guides.models.guide": {"guides.search.engine"},
    }
    assert cycles(imports) == [
        [
            "guides.caching",
            "guides.content_file.load",
            "guides.search.engine",
            "guides.caching",
        ]
    ]
    assert room_violations(imports) == [
        "guides.models.guide imports guides.search.engine",
        "guides.public.views imports guides.editorial.forms",
    ]
