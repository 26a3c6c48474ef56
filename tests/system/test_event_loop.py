"""No route blocks the event loop (issue 11, finding 5).

An ``async def`` route runs on the event loop: database or file work in its body holds every other
request until it ends (a 429 KB xlsx of 3M rows imported by an async route held the server 40 s).
This walks every route of the app and reads the source of each ``async def`` one: database and file
work must be handed to the thread pool (``run_in_threadpool``, ``deps.in_one_trip``), e.g. as a
nested sync def passed to them. A plain ``def`` route already runs in the thread pool."""

from __future__ import annotations

import ast
import inspect
import textwrap

from gridgov.app import create_app
from gridgov.config import Settings

OFFLOAD = {"run_in_threadpool", "in_one_trip", "to_thread", "run_sync"}
"""Calls whose arguments run in the thread pool."""

BLOCKING = {
    # database
    "execute", "scalar", "scalars", "flush", "commit", "refresh", "connection",
    # files and parsing
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "load_workbook", "loads",
    "store_image", "upload_photo", "import_staff", "import_feature_collection",
}
"""Names (of functions or methods) that do database or file work when called."""

SESSION_NAMES = {"session", "db", "s"}


def _routes(app):
    from fastapi.routing import APIRoute

    def walk(routes, prefix: str):
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                yield from walk(included.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute):
                yield prefix + route.path, route

    yield from walk(app.routes, "")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _on_the_loop(fn) -> list[str]:
    """The calls in an async function's body that do blocking work on the event loop."""
    return [f"line {line - 1 + fn.__code__.co_firstlineno}: {call}"
            for line, call in _blocking_calls(inspect.getsource(fn))]


def _blocking_calls(source: str) -> list[tuple[int, str]]:
    node = ast.parse(textwrap.dedent(source)).body[0]
    params = {a.arg for a in node.args.args + node.args.kwonlyargs}
    sessions = SESSION_NAMES & params | {a.arg for a in node.args.args
                                         if a.annotation is not None and "Session" in ast.unparse(a.annotation)}
    nested = {n.name for n in ast.walk(node) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n is not node}
    found = []

    def visit(n: ast.AST) -> None:
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return  # runs where it is passed to; a direct call of it is caught below
        if isinstance(n, ast.Call):
            name = _name(n.func)
            if name in OFFLOAD:
                return  # its arguments run in the thread pool
            args = [*n.args, *(k.value for k in n.keywords)]
            receiver = n.func.value if isinstance(n.func, ast.Attribute) else None
            if (
                name in BLOCKING
                or name in nested
                or (isinstance(receiver, ast.Name) and receiver.id in sessions)
                or any(isinstance(a, ast.Name) and a.id in sessions for a in args)
                or (isinstance(receiver, ast.Attribute) and receiver.attr == "file")  # UploadFile.file.read()
            ):
                found.append((n.lineno, ast.unparse(n)[:80]))
        for child in ast.iter_child_nodes(n):
            visit(child)

    for stmt in node.body:
        visit(stmt)
    return found


def _app(tmp_path):
    return create_app(Settings(demo=True, database_url=f"sqlite:///{tmp_path / 'x.db'}", var_dir=tmp_path,
                               secret_key="k" * 40))


def test_no_async_route_does_database_or_file_work_on_the_event_loop(tmp_path):
    offenders = {}
    checked = []
    for path, route in _routes(_app(tmp_path)):
        if inspect.iscoroutinefunction(route.endpoint):
            checked.append(path)
            calls = _on_the_loop(route.endpoint)
            if calls:
                offenders[f"{sorted(route.methods)} {path} "
                          f"({route.endpoint.__module__}.{route.endpoint.__name__})"] = calls
    # the busiest routes (intake, case actions) and the GeoJSON import are async and offload their work
    assert {"/api/v1/cases", "/api/v1/grids/import"} <= set(checked)
    assert not offenders, "async routes doing blocking work on the event loop:\n" + "\n".join(
        f"{k}\n    " + "\n    ".join(v) for k, v in offenders.items())


CASES = {
    "old_import": (True, """
        async def old_import(request, session, me, file):
            content = await file.read()
            return importing.import_staff(session, me, content)
    """),
    "reads_a_file": (True, """
        async def reads_a_file(request):
            return open("x").read()
    """),
    "direct_session": (True, """
        async def direct_session(session):
            return session.execute("SELECT 1")
    """),
    "nested_called": (True, """
        async def nested_called(session):
            def work():
                return session.scalar("x")
            return work()
    """),
    "upload_read": (True, """
        async def upload_read(file):
            return file.file.read()
    """),
    "offloaded": (False, """
        async def offloaded(request, session, me, file):
            content = await file.read()
            def work():
                return importing.import_staff(session, me, content)
            return await run_in_threadpool(work)
    """),
    "one_trip": (False, """
        async def one_trip(session, data):
            return await in_one_trip(session, lambda: service.create(session, data))
    """),
}


def test_the_check_finds_blocking_work():
    """The checker itself: the shape of the old staff import is caught, offloaded shapes are not."""
    for name, (blocking, source) in CASES.items():
        assert bool(_blocking_calls(source)) is blocking, name
