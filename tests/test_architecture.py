"""The layers the README describes, checked on the code: a pure core, all SQL in the store, views apart; imports go
one way only (core, then store, then web and ops apart, then the app factory that composes them) and in no circle."""
import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "meeting"
FRAMEWORK = ("flask", "flask_babel", "flask_htmx", "flask_login", "flask_wtf", "flask_limiter", "werkzeug", "jinja2")
FORBIDDEN_IN_CORE = FRAMEWORK + ("sqlite3", "sqlite_utils", "meeting.store", "meeting.web", "meeting.ops")
FORBIDDEN_IN_STORE = FRAMEWORK + ("meeting.web", "meeting.ops")
FORBIDDEN_IN_WEB = ("meeting.ops",)
FORBIDDEN_IN_OPS = ("meeting.web",)
SQL = re.compile(r"^\s*((SELECT|INSERT\s+INTO|INSERT\s+OR\s+(REPLACE|IGNORE|ABORT|FAIL|ROLLBACK)\s+INTO|"
                 r"UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)|DROP\s+|ALTER\s+TABLE|PRAGMA|"
                 r"BEGIN|COMMIT|VACUUM)\b|REPLACE\s+INTO\s+[\w.\"]+\s*(\(|VALUES\b|SELECT\b|DEFAULT\b)|"
                 r"WITH\s+(RECURSIVE\s+)?\w+\s*(\([\w\s,]*\))?\s*AS\s*(NOT\s+)?(MATERIALIZED\s*)?\()", re.I)
MACHINE_CLOCK = ("datetime.now", "datetime.utcnow", "datetime.today", "date.today")  # only meeting.store.now reads it
DATABASE_CALLS = {"execute", "executemany", "executescript", "query"}  # what runs SQL on a connection


def modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path, root: Path = PACKAGE.parent) -> str:
    """`path`'s dotted name below `root` (a file outside it counts as a core module)."""
    try:
        parts = list(path.resolve().relative_to(root.resolve()).with_suffix("").parts)
    except ValueError:
        parts = ["meeting", "core", path.stem]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path, module: str | None = None) -> set[str]:
    """Every module name an import statement in `path` (the module `module`) names (relative imports resolved)."""
    module = module or module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            parts = (package[:len(package) - node.level + 1] if node.level else []) + (
                node.module.split(".") if node.module else [])
            base = ".".join(parts)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def dynamic_imports(path: Path) -> set[str]:
    """The imports of a module named at run time in `path` (importlib.import_module, __import__), which would
    escape every other check here."""
    found = {name for name in imported_names(path) if name in {"importlib.import_module", "importlib.__import__"}}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in {"import_module", "__import__"}:
            found.add(ast.unparse(node))
        elif isinstance(node, ast.Name) and node.id == "__import__":
            found.add("__import__")
    return found


def sql_strings(path: Path) -> list[str]:
    """String constants in `path` that are SQL statements."""
    return [node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)]


def database_calls(path: Path) -> list[str]:
    """Calls in `path` that run SQL on a connection, whatever the SQL's text: `db.execute(q)`, `db.query(q)`."""
    return [ast.unparse(node.func) for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DATABASE_CALLS]


def machine_clock_reads(path: Path) -> list[str]:
    """Calls in `path` that read the machine's clock instead of the app's one clock (meeting.store.now)."""
    return [ast.unparse(node.func) for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(MACHINE_CLOCK)]


def forbidden(path: Path, bad: tuple[str, ...], module: str | None = None) -> set[str]:
    return {name for name in imported_names(path, module)
            if any(name == one or name.startswith(one + ".") for one in bad)}


def violations_of_core(path: Path) -> set[str]:
    return forbidden(path, FORBIDDEN_IN_CORE)


def the_factory(path: Path, module: str | None = None) -> set[str]:
    """Imports of the app factory (the package `meeting` itself), which composes every layer: only scripts may."""
    return {name for name in imported_names(path, module)
            if name == "meeting" or (name.startswith("meeting.") and name.count(".") == 1
                                     and name.split(".")[1] not in {"core", "store", "web", "ops"})}


def import_graph(paths: list[Path], root: Path = PACKAGE.parent) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (anywhere in it: a deferred import is still a dependency)."""
    known = {module_name(path, root): path for path in paths}
    graph = {}
    for module, path in known.items():
        targets = set()
        for name in imported_names(path, module):
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module and name != "meeting":
                targets.add(name)
        graph[module] = targets
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles (strongly connected groups of more than one module), each sorted (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


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


@pytest.mark.parametrize("path", modules("store"), ids=lambda p: p.name)
def test_the_store_imports_no_flask_web_or_ops(path):
    assert forbidden(path, FORBIDDEN_IN_STORE) == set()


@pytest.mark.parametrize("path", modules("web"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_web_runs_no_sql_and_imports_no_ops(path):
    assert database_calls(path) == []
    assert forbidden(path, FORBIDDEN_IN_WEB) == set()


@pytest.mark.parametrize("path", modules("ops"), ids=lambda p: p.name)
def test_ops_imports_no_web(path):
    assert forbidden(path, FORBIDDEN_IN_OPS) == set()


@pytest.mark.parametrize("path", [p for p in modules("") if p != PACKAGE / "__init__.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_layer_imports_the_app_factory_or_a_module_by_a_computed_name(path):
    assert the_factory(path) == set()
    assert dynamic_imports(path) == set()


@pytest.mark.parametrize("path", [p for p in modules("") if p != PACKAGE / "store" / "now.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_one_clock_reads_the_machines_time(path):
    assert machine_clock_reads(path) == []


def test_no_import_circle():
    assert circles(import_graph(modules(""))) == []


def test_the_checks_catch_a_violation(tmp_path):
    """The checks themselves work: a core module importing Flask and a view with SQL are caught."""
    bad_core = tmp_path / "bad_core.py"
    bad_core.write_text("from flask import g\nimport sqlite3\nfrom meeting.store import items\n")
    assert violations_of_core(bad_core) == {"flask", "flask.g", "sqlite3", "meeting.store", "meeting.store.items"}
    bad_view = tmp_path / "bad_view.py"
    bad_view.write_text('rows = db.query("SELECT * FROM items WHERE team_id = ?", [1])\n')
    assert sql_strings(bad_view) == ["SELECT * FROM items WHERE team_id = ?"]


def plant(tmp_path, source: str) -> Path:
    planted = tmp_path / "planted.py"
    planted.write_text(source)
    return planted


def test_a_relative_import_of_the_store_in_the_core_is_caught(tmp_path):
    planted = plant(tmp_path, "from ..store import items\nfrom . import dates\n")
    assert imported_names(planted, "meeting.core.planted") == {
        "meeting.store", "meeting.store.items", "meeting.core", "meeting.core.dates"}
    assert forbidden(planted, FORBIDDEN_IN_CORE, "meeting.core.planted") == {"meeting.store", "meeting.store.items"}


def test_an_import_by_a_computed_name_is_caught(tmp_path):
    assert dynamic_imports(plant(tmp_path, "import importlib\nstore = importlib.import_module('meeting.store.db')\n")
                           ) == {"importlib.import_module"}
    assert dynamic_imports(plant(tmp_path, "from importlib import import_module as load\n")) == {
        "importlib.import_module"}
    assert dynamic_imports(plant(tmp_path, "db = __import__('meeting.store.db')\n")) == {"__import__"}
    assert dynamic_imports(plant(tmp_path, "from importlib import resources\n")) == set()  # data files, no module


@pytest.mark.parametrize("statement", [
    "WITH due AS (SELECT id FROM clients) SELECT * FROM due",
    "with recursive weeks(n) as (select 1) select n from weeks",
    "INSERT OR REPLACE INTO meeting_figures (meeting_id) VALUES (?)",
    "INSERT OR IGNORE INTO calendar_stale VALUES (?)",
    "REPLACE INTO teams (id, name) VALUES (?, ?)",
])
def test_sql_outside_the_store_is_caught_however_it_starts(tmp_path, statement):
    assert sql_strings(plant(tmp_path, f"rows = db.query({statement!r})\n")) == [statement]


def test_text_that_merely_starts_like_sql_is_not_sql(tmp_path):
    planted = plant(tmp_path, 'label = "With the client"\nother = "Replace into the plan"\n')
    assert sql_strings(planted) == []


def test_flask_werkzeug_web_or_ops_in_the_store_are_caught(tmp_path):
    planted = plant(tmp_path, "from flask import g\nimport werkzeug.exceptions\nfrom meeting.web import shared\n"
                              "from ..ops import scheduler\n")
    assert forbidden(planted, FORBIDDEN_IN_STORE, "meeting.store.planted") == {
        "flask", "flask.g", "werkzeug.exceptions", "meeting.web", "meeting.web.shared", "meeting.ops",
        "meeting.ops.scheduler"}


def test_a_view_running_sql_from_a_variable_is_caught(tmp_path):
    planted = plant(tmp_path, "q = build()\nrows = db.query(q)\nget_db().execute(q)\n")
    assert database_calls(planted) == ["db.query", "get_db().execute"]


def test_a_view_importing_ops_is_caught(tmp_path):
    planted = plant(tmp_path, "from meeting.ops import scheduler\nfrom ...ops.mail import queue\n")
    assert forbidden(planted, FORBIDDEN_IN_WEB, "meeting.web.views.planted") == {
        "meeting.ops", "meeting.ops.scheduler", "meeting.ops.mail", "meeting.ops.mail.queue"}


def test_a_lower_layer_importing_the_app_factory_is_caught(tmp_path):
    planted = plant(tmp_path, "def serve():\n    from meeting import create_app\n    from .. import create_app\n")
    assert the_factory(planted, "meeting.ops.planted") == {"meeting", "meeting.create_app"}


def test_an_import_circle_is_caught(tmp_path):
    core = tmp_path / "meeting" / "core"
    core.mkdir(parents=True)
    (core / "items.py").write_text("def agenda():\n    from meeting.core.planning import AgendaItem\n")
    (core / "planning.py").write_text("from . import items\n")
    (core / "dates.py").write_text("from meeting.core import planning\n")
    graph = import_graph(sorted(core.glob("*.py")), tmp_path)
    assert graph == {"meeting.core.items": {"meeting.core.planning"}, "meeting.core.planning": {"meeting.core.items"},
                     "meeting.core.dates": {"meeting.core.planning"}}
    assert circles(graph) == [["meeting.core.items", "meeting.core.planning"]]


def test_a_second_source_of_now_is_caught(tmp_path):
    planted = plant(tmp_path, "import datetime as dt\nfrom datetime import date, datetime\n"
                              "a = datetime.now(ZoneInfo('UTC'))\nb = date.today()\nc = dt.datetime.now()\n")
    assert machine_clock_reads(planted) == ["datetime.now", "date.today", "dt.datetime.now"]
