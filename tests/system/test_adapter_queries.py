"""Adapters call services; services call repositories (the house layout).

An adapter (a module that turns HTTP or a command line into a use case: ``api.py``, ``web.py``,
``cli.py``, ``*_api.py``, ``*_web.py``, ``web_*.py``, ``*cli.py``, the ``web`` package and
``app.py``) neither builds nor runs a query. This test reads the source of ``src/gridgov`` and fails
on any of these in an adapter:

* a call of ``select``, ``update``, ``delete`` or ``insert`` (SQLAlchemy's builders, by their bare
  name or as ``sa.…``/``sqlalchemy.…``), or of ``text`` where it is imported from SQLAlchemy (a
  page's own ``text(field)`` helper is no query);
* ``….execute``, ``….scalar``, ``….scalars``, ``….get`` or ``….query`` called on a session (a name
  ending in ``session``, or ``db``/``conn``/``connection``), or with a session as first argument (a
  prebuilt statement run as ``STMT.scalar(session, …)``);
* an import of a ``repository`` module (an adapter calls the service, which calls the repository).

The queries live in the domain's ``repository.py`` and are called through its service. The places
that may still do so are listed in :data:`EXCEPTIONS`, each with its reason; an exception that no
longer excuses anything fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "gridgov"
BUILDERS = {"select", "update", "delete", "insert", "text"}
ALWAYS_BUILDERS = {"select", "update", "delete", "insert"}
RUNNERS = {"execute", "scalar", "scalars", "get", "query"}
SESSION_NAMES = {"db", "conn", "connection"}

EXCEPTIONS: dict[str, str] = {
    # a directory (every adapter under it) or "module::function"
}


def is_adapter(relative: str) -> bool:
    """Whether a module (path relative to src/gridgov) is an adapter."""
    path = Path(relative)
    stem = path.stem
    return (
        relative == "app.py"
        or relative.startswith("web/")
        or stem in ("api", "web", "cli")
        or stem.endswith(("_api", "_web", "cli"))
        or stem.startswith(("api_", "web_"))
    )


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_session(node: ast.expr) -> bool:
    name = _receiver(node).lower()
    return name.endswith("session") or name in SESSION_NAMES


def _query_call(node: ast.Call, imported: set[str]) -> str | None:
    func = node.func
    if isinstance(func, ast.Name) and (func.id in ALWAYS_BUILDERS or func.id in imported & BUILDERS):
        return f"{func.id}()"
    if isinstance(func, ast.Attribute):
        if func.attr in BUILDERS and _receiver(func.value) in ("sa", "sqlalchemy"):
            return f"{_receiver(func.value)}.{func.attr}()"
        if func.attr in RUNNERS and (_is_session(func.value) or (node.args and _is_session(node.args[0]))):
            return f"{_receiver(func.value)}.{func.attr}()"
    return None


def queries_in(source: str, where: str) -> list[tuple[str, str]]:
    """(function, description) of every query built or run in one module's source."""
    tree = ast.parse(source)
    imported = {alias.asname or alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
                for alias in node.names}
    out: list[tuple[str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Call) and (what := _query_call(child, imported)):
                out.append((function, f"{where}:{child.lineno} {what}"))
            visit(child, inner)

    visit(tree, "<module>")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            named = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            if any(n == "repository" or n.endswith(".repository") for n in named):
                out.append(("<import>", f"{where}:{node.lineno} imports a repository"))
        elif isinstance(node, ast.Import) and any(a.name.endswith(".repository") for a in node.names):
            out.append(("<import>", f"{where}:{node.lineno} imports a repository"))
    return out


def _excused(relative: str, function: str) -> str | None:
    for key in EXCEPTIONS:
        if key.endswith("/") and relative.startswith(key):
            return key
        if key == f"{relative}::{function}":
            return key
    return None


def scan(root: Path = SRC) -> tuple[list[str], set[str]]:
    """(queries in adapters not excused, exceptions that excused something)."""
    found, used = [], set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if not is_adapter(relative):
            continue
        for function, what in queries_in(path.read_text(encoding="utf-8"), relative):
            key = _excused(relative, function)
            if key is None:
                found.append(f"{what} in {function}")
            else:
                used.add(key)
    return found, used


def test_no_adapter_builds_or_runs_a_query():
    found, _ = scan()
    assert not found, "以下接口层模块自行构造或执行了查询（应经 service 调用 repository）：\n" + "\n".join(found)


def test_every_exception_is_still_needed_and_says_why():
    _, used = scan()
    for key, reason in EXCEPTIONS.items():
        assert reason.strip(), key
        assert key in used, f"例外 {key} 已不再需要，请从清单中删除"


@pytest.mark.parametrize("relative", [
    "catalogue/web.py", "catalogue/public_web.py", "territory/adjustments_web.py", "territory/adjustments_api.py",
    "cases/web.py", "staff/cli.py", "calendar_cli.py", "dbcli.py", "web/pages.py", "app.py", "audit/api.py",
])
def test_adapters_are_recognised(relative):
    assert is_adapter(relative)


@pytest.mark.parametrize("relative", [
    "catalogue/repository.py", "catalogue/service.py", "catalogue/applications.py", "territory/adjustments.py",
    "notify/__init__.py", "accounts/login.py",
])
def test_services_and_repositories_are_not_adapters(relative):
    assert not is_adapter(relative)


@pytest.mark.parametrize("snippet", [
    "def page(session):\n    return session.scalars(select(Matter)).all()\n",
    "def page(session):\n    return session.get(Department, 'x')\n",
    "def page(request):\n    return request.state.session.execute(q)\n",
    "def page(db):\n    return db.query(User).all()\n",
    "def page(session):\n    return _STMT.scalar(session, {})\n",
    "def page():\n    return sa.update(Case)\n",
    "from sqlalchemy import text\ndef page(conn):\n    return text('SELECT 1')\n",
    "def page(uow):\n    with uow as session:\n        return session.scalar(q)\n",
    "from gridgov.catalogue import repository as repo\n",
    "from gridgov.staff.repository import get_staff\n",
])
def test_the_lint_catches_a_query_in_an_adapter(snippet):
    assert queries_in(snippet, "x/web.py")


@pytest.mark.parametrize("snippet", [
    "def page(session, me):\n    return service.list_areas(session, me, None)\n",
    "def page(values):\n    return values.get('name', '')\n",
    "def page(form):\n    data = {}\n    data.update(form)\n    return data\n",
    "@router.delete('/x')\ndef remove(session, me):\n    service.remove(session, me)\n",
    "from gridgov.catalogue import applications, rules\n",
    "def create(form):\n    def text(name):\n        return str(form.get(name, ''))\n    return text('title')\n",
])
def test_the_lint_lets_a_service_call_through(snippet):
    assert not queries_in(snippet, "x/web.py")
