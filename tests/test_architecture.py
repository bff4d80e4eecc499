"""The layers the README describes, checked on the code: a pure core, all SQL in the store, views apart."""
import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "meeting"
FORBIDDEN_IN_CORE = ("flask", "flask_babel", "flask_htmx", "flask_login", "flask_wtf", "werkzeug", "jinja2",
                     "sqlite3", "sqlite_utils", "meeting.store", "meeting.web", "meeting.ops")
SQL = re.compile(r"^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|"
                 r"DROP\s+|ALTER\s+TABLE|PRAGMA|BEGIN|COMMIT|VACUUM)\b", re.I)


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


def imported_names(path: Path) -> set[str]:
    """Every module name an import statement in `path` names (relative imports resolved)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def sql_strings(path: Path) -> list[str]:
    """String constants in `path` that are SQL statements."""
    return [node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)]


def violations_of_core(path: Path) -> set[str]:
    return {name for name in imported_names(path)
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IN_CORE)}


def test_the_package_root_shows_the_layers():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {"core", "store", "web", "ops"} <= folders
    assert {p.name for p in PACKAGE.glob("*.py")} == {"__init__.py"}


@pytest.mark.parametrize("path", modules("core"), ids=lambda p: p.name)
def test_the_core_imports_no_flask_sql_or_store(path):
    assert violations_of_core(path) == set()


@pytest.mark.parametrize("path", [p for p in modules("") if "store" not in p.relative_to(PACKAGE).parts],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_store_writes_sql(path):
    assert sql_strings(path) == []
    assert not {"sqlite3", "sqlite_utils"} & imported_names(path)


@pytest.mark.parametrize("path", modules("web/views"), ids=lambda p: p.name)
def test_blueprints_do_not_import_each_other(path):
    assert not {n for n in imported_names(path) if n.startswith("meeting.web.views")}


def test_the_checks_catch_a_violation(tmp_path):
    """The checks themselves work: a core module importing Flask and a view with SQL are caught."""
    bad_core = tmp_path / "bad_core.py"
    bad_core.write_text("from flask import g\nimport sqlite3\nfrom meeting.store import items\n")
    assert violations_of_core(bad_core) == {"flask", "flask.g", "sqlite3", "meeting.store", "meeting.store.items"}
    bad_view = tmp_path / "bad_view.py"
    bad_view.write_text('rows = db.query("SELECT * FROM items WHERE team_id = ?", [1])\n')
    assert sql_strings(bad_view) == ["SELECT * FROM items WHERE team_id = ?"]
