"""The import rule: moderation, rewards and insights -> community -> accounts -> config.

Every module of the apps is parsed (not imported), so an import inside a
function, behind TYPE_CHECKING or through importlib.import_module("...") with
a literal name counts as much as one at the top of a file. A lower app that
imported a higher one would tie the core to the features built on it, and
community would grow again into the one app everything lives in.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# An app may import its own modules and those of the apps on a lower level.
# Apps on the same level are independent of each other: they talk through
# community's signals, never to each other.
LEVELS = {
    "config": 0,
    "accounts": 1,
    "community": 2,
    "moderation": 3,
    "rewards": 3,
    "insights": 3,
}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        allowed = sorted(app for app, level in LEVELS.items() if level < LEVELS[self.importer])
        return (
            f"{self.path}:{self.line}: {self.importer} imports {self.imported}"
            f" ({self.importer} may import only {', '.join(allowed) or 'itself'})"
        )


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name a relative `from ... import` refers to."""
    if not level:
        return name or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _imported_names(tree: ast.AST, module: str, is_package: bool, *, submodules: bool = False):
    """(line, absolute module name) of every import in the tree, wherever it sits.

    With `submodules`, `from package import name` also yields package.name,
    which is a module when the name is one.
    """
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, is_package, node.level, node.module)
            yield node.lineno, target
            if submodules:
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if (
                called in {"import_module", "__import__"}
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                yield node.lineno, first.value


def import_rule_violations(root: Path, levels: dict[str, int] = LEVELS) -> list[Violation]:
    """Every import in the apps under `root` that runs against the rule, in file and line order."""
    violations: list[Violation] = []
    for app, level in levels.items():
        for path in sorted((root / app).rglob("*.py")):
            module = _module_name(root, path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, name in _imported_names(tree, module, path.name == "__init__.py"):
                other = name.split(".")[0]
                if other != app and other in levels and levels[other] >= level:
                    violations.append(Violation(str(path.relative_to(root)), line, app, name))
    return violations


def import_cycles(root: Path, package: str) -> list[list[str]]:
    """Circles of imports between the modules of one package (function-level imports included)."""
    graph: dict[str, set[str]] = {}
    for path in sorted((root / package).rglob("*.py")):
        module = _module_name(root, path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        graph[module] = {name for _line, name in _imported_names(tree, module, is_package, submodules=True)}
    for module, names in graph.items():
        # `from config import celery` names config.celery; a package's own __init__ is not a dependency.
        graph[module] = {name for name in names if name in graph and name != package and name != module}
    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(module: str, stack: list[str]) -> None:
        if module in stack:
            cycles.append([*stack[stack.index(module) :], module])
            return
        if module in done:
            return
        for name in sorted(graph[module]):
            visit(name, [*stack, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return cycles


def test_no_app_imports_an_app_above_it_or_beside_it():
    violations = import_rule_violations(ROOT)
    assert not violations, "Imports against the rule:\n" + "\n".join(map(str, violations))


def test_the_rule_names_every_app_of_the_project():
    # An app missing from LEVELS would be checked by nobody; a renamed one would leave the rule checking nothing.
    from django.conf import settings

    ours = {name for name in settings.INSTALLED_APPS if (ROOT / name / "apps.py").is_file()}
    assert ours == set(LEVELS) - {"config"}


def orm_imports(root: Path, package: str) -> list[str]:
    """Imports in a pure-Python package that reach the ORM: django.db or any app (their models)."""
    found = []
    for path in sorted((root / package.replace(".", "/")).rglob("*.py")):
        module = _module_name(root, path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, name in _imported_names(tree, module, path.name == "__init__.py"):
            reaches_orm = name == "django.db" or name.startswith("django.db.") or name.split(".")[0] in LEVELS
            if reaches_orm and not name.startswith(package):
                found.append(f"{path.relative_to(root)}:{line}: {name}")
    return found


def test_the_mining_package_stays_free_of_the_orm():
    assert (ROOT / "insights" / "mining" / "__init__.py").is_file()
    assert orm_imports(ROOT, "insights.mining") == []


def test_the_orm_check_catches_a_model_import_in_mining(tmp_path):
    root = _tree(
        tmp_path, {"insights/mining/words.py": "import re\n\ndef f():\n    from community.models import Post\n"}
    )
    assert orm_imports(root, "insights.mining") == ["insights/mining/words.py:4: community.models"]


def test_config_modules_import_no_circle():
    assert import_cycles(ROOT, "config") == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for app in LEVELS:
        (root / app).mkdir(exist_ok=True)
    return root


@pytest.mark.parametrize(
    ("name", "text", "imported"),
    [
        ("community/services/x.py", "from rewards.models import Badge\n", "rewards.models"),
        ("community/views/y.py", "def f():\n    import moderation.services\n", "moderation.services"),
        ("accounts/z.py", "import importlib\nimportlib.import_module('community.models')\n", "community.models"),
        ("config/a.py", "from accounts import models\n", "accounts"),
        ("rewards/b.py", "from insights.mining import words\n", "insights.mining"),
        ("community/c.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import insights\n", "insights"),
    ],
)
def test_the_checker_names_file_line_and_import_of_a_planted_violation(tmp_path, name, text, imported):
    root = _tree(tmp_path, {name: text})
    [violation] = import_rule_violations(root)
    assert (violation.path, violation.imported) == (name, imported)
    assert violation.line == text.count("\n")
    assert f"{name}:{violation.line}: {name.split('/')[0]} imports {imported}" in str(violation)


def test_imports_down_the_rule_and_within_an_app_pass_the_checker(tmp_path):
    root = _tree(
        tmp_path,
        {
            "rewards/a.py": "from community.models import Post\nfrom accounts.models import User\nfrom rewards import b\n",
            "community/b.py": "from accounts.models import User\nimport config.settings\nfrom . import c\n",
            "accounts/c.py": "from config import health\nimport importlib\nimportlib.import_module(name)\n",
        },
    )
    assert import_rule_violations(root) == []


def test_the_cycle_finder_sees_a_circle_through_a_function_level_import(tmp_path):
    root = _tree(
        tmp_path,
        {
            "config/__init__.py": "",
            "config/a.py": "from config import b\n",
            "config/b.py": "def f():\n    from config.a import g\n",
        },
    )
    assert import_cycles(root, "config") == [["config.a", "config.b", "config.a"]]
