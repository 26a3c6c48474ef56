"""The scoping door is the only place that scopes (a lint, the way Polar lints its scope rule).

Every table listed in :data:`gridgov.authz.scope.RULES` holds rows that lie somewhere; a query on
one of them must be built through the door: ``scoped(select(M)…, principal, M)`` (the select
written inside the call), ``get_visible(session, principal, M, key)`` or ``visible(principal, M)``.
This test reads the source of ``src/gridgov`` and fails on

* ``select(…)``, ``update(…)``, ``delete(…)``, ``….select_from(…)`` naming a scoped model (its class or
  a column of it) that is not written inside the first argument of a ``scoped(…)`` call;
* ``….get(M, …)`` (``session.get``) and ``….query(M)`` on a scoped model;
* ``M.__table__`` of a scoped model (a Core table, whose queries the two rules above cannot see);

anywhere but in the door itself and in the places listed in :data:`ALLOWED`, each with its reason.
Work a use case does for the system (fanning notices out, the locator's index) passes
``authz.scope.SYSTEM`` to ``scoped`` by name; that is greppable and reviewed like any other line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gridgov.authz.scope import RULES

SRC = Path(__file__).resolve().parents[2] / "src" / "gridgov"
SCOPED = {model.__name__ for model in RULES}
QUERY_CALLS = {"select", "update", "delete", "select_from"}
DOOR_CALLS = {"scoped"}

ALLOWED_MODULES: dict[str, str] = {
    "authz/scope.py": "the door itself",
    "authz/scope_cogovernance.py": "the door's rules of the cogovernance tables (their subqueries are the rules)",
    "migrations": "schema migrations run as the system, before any user exists",
    "demo.py": "builds the demo city as the system (gridgov demo)",
    "accounts/demo.py": "creates the demo accounts as the system",
    "staff/demo.py": "creates the demo staff as the system",
    "territory/demo_loader.py": "loads the demo grids as the system",
    "catalogue/starter.py": "seeds the starter catalogue as the system (CLI and demo)",
    "cases/cli.py": "command line: runs as the system",
    "staff/cli.py": "command line: runs as the system",
    "territory/cli.py": "command line: runs as the system",
    "catalogue/lookup.py": "which published matters are in force where: public (C5), no principal",
    "cases/sweep.py": "the scheduled sweep over every open case (a job, run as the system)",
    "cogovernance/demo_legal.py": "builds the demo's legal professionals as the system (gridgov demo)",
    "cases/intake_rows.py": "INSERTs the rows of a case being registered (its grid checked by the door first)",
    "scale": "builds the province/city scale demo as the system (gridgov demo --scale): bulk rows by COPY",
}
"""Whole modules that work as the system only (never on behalf of a request)."""

ALLOWED_FUNCTIONS: dict[str, str] = {
    # who is told: fanning a notice out to the users who must act reaches beyond the actor's view
    "cases/repository.py::agency_users": "notice fan-out: the agency of an area, found for the system",
    "cases/repository.py::department_users": "notice fan-out: the users of a department",
    # names and rows of a case or order the caller has already opened through the door
    "cases/repository.py::departments_of": "departments of a case already opened through the door",
    "cases/repository.py::get_department": "a department named by a case already opened through the door",
    "cases/supervision.py::names": "display names of users and departments on orders already scoped",
    "cases/supervision.py::answer_order": "conditional UPDATE of an order just opened through access_order",
    "cases/service.py::verify_files": "hash-chain check of every file: the CLI's, as the system",
    "cases/repository.py::<module>": "_GRID_ROW, the grid of a case being registered; covers() checks it next",
    "accounts/service.py::<module>": "_PRINCIPAL_ROW: the user behind a verified token, by its id",
    "notify/repository.py::notice_to_each": "INSERT … SELECT of notices for users a use case selected",
    "cogovernance/ledger.py::withdraw": "the ledger line of a row the caller has just opened through the door",
    "notify/events.py::insert_for_new_case": "INSERTs the create event of a case being registered (intake)",
    "cases/repository.py::intake_instruction": "an instruction named at intake must be of the case's grid, "
                                               "already checked against the jurisdiction; same 422 either way",
    "cases/repository.py::case_of_instruction": "is an instruction named at intake already used (409 check)",
    "territory/repository.py::get_area": "existence of a code for imports and for proposals (system view)",
    "territory/repository.py::get_grid": "the kind of a grid a post already opened through the door names",
    "territory/repository.py::get_areas": "names of areas for rows already scoped (breadcrumbs, list labels)",
    "territory/repository.py::active_grid_geometries": "the locator's index of every active grid (system); "
                                                        "what it finds is checked against the door after",
    "territory/repository.py::grid_codes_and_status": "imports and adjustments: codes are unique city-wide",
    "territory/repository.py::existing_codes": "imports: codes are unique city-wide",
    "territory/repository.py::list_micro_grids": "micro-grids of a grid already opened through the door",
    "territory/repository.py::outlines_before": "outlines of an adjustment already opened through the door",
    "territory/repository.py::adjustments_of_town": "pending adjustments of a town already checked by the door",
    "territory/repository.py::claim_adjustment": "applies an approved plan whose codes the door checked",
    "territory/repository.py::retire_grids": "applies an approved plan whose codes the door checked",
    "territory/repository.py::unapplied_adjustments": "scheduled job: applies every due adjustment (system)",
    "territory/history.py::open_versions": "boundary history bookkeeping when grids change (system)",
    "territory/history.py::record_versions": "boundary history bookkeeping when grids change (system)",
    "territory/history.py::close_versions": "boundary history bookkeeping when grids change (system)",
    "territory/history.py::backfill_versions": "boundary history bookkeeping (migration-time, system)",
    "territory/history.py::versions_on": "the dated locator's index (system); results checked by the door",
    "territory/history.py::grid_history": "the history of a grid opened through access_history",
    "territory/repository.py::write_rows": "import writes; every code was checked by covers() in _parse_features",
    "public/repository.py::get_active_grid": "the public board of a grid: public by law (LZ§10), no principal",
    "public/repository.py::list_board_posts": "the public board: public by law, selects public columns only",
    "public/repository.py::board_legal": "the public board's legal professionals: public columns only (office phone)",
    "public/repository.py::grid_names": "names of grids on complaints already scoped",
    "public/repository.py::staff_names": "names of staff on complaints already scoped",
    "public/repository.py::user_names": "names of handlers on complaints already scoped",
    "public/repository.py::mark_handled": "conditional UPDATE of a complaint just opened through get_complaint",
    "public/repository.py::find_complaint": "the complainant's lookup: no principal, proven by the phone given",
    "public/repository.py::claim_overdue_complaints": "the complaint sweep (a job, no principal) marks the late",
    "public/repository.py::agency_users": "the agencies the complaint sweep notifies (a job, no principal)",
    # catalogue lists, their matters and versions are published (C5): reading a list is public
    "catalogue/repository.py::find_area": "the place of a published catalogue: public (C5)",
    "catalogue/repository.py::find_list": "a published list by id: public (C5); the use cases that act on it "
                                          "check the jurisdiction next (covers, sees_area, check_list_agency)",
    "catalogue/repository.py::counties_of": "the counties a public catalogue page links to: public (C5)",
    "catalogue/repository.py::get_list": "a published list by id: public (C5)",
    "catalogue/repository.py::list_names": "names of published lists (of applications already scoped): public (C5)",
    "catalogue/repository.py::claim_version_number": "publishing a version of a list the caller already holds",
    "catalogue/repository.py::claim_answer": "conditional UPDATE of a notice just opened through get_notice",
    "catalogue/repository.py::claim_forced_exit": "scheduled job: forced exit after the deadline (system)",
    "catalogue/repository.py::lists_of_areas": "published lists of given areas: public (C5)",
    "catalogue/repository.py::ensure_lists": "creates the lists an area keeps (system; profile-driven)",
    "catalogue/repository.py::area_names": "names of areas for rows already scoped",
    "catalogue/repository.py::get_department": "the department of a principal or of a row already scoped",
    "catalogue/repository.py::pending_for_matter": "is a matter already under application (a conflict "
                                                   "check on a published matter, answered as 409)",
    "catalogue/repository.py::open_notice_for": "is a published matter under an open notice (409 check)",
    "catalogue/repository.py::overdue_notices": "scheduled job: forced exits after the deadline (system)",
    "catalogue/repository.py::city_agency_users": "notice fan-out: the city agency's users",
    "catalogue/repository.py::user_names": "names of the users an application opened through the door names",
    "accounts/repository.py::user_by_username": "login: finds the account by username before anyone is known",
    "accounts/repository.py::recent_failures": "login limits: failed logins from one address, before anyone is known",
    "accounts/repository.py::last_reset": "login limits: the last success or unlock of a username, before anyone "
                                          "is known",
    "accounts/repository.py::get_user": "the principal's own account, or the one a verified pending token names "
                                        "(the id comes from the verified token)",
    "accounts/repository.py::username_taken": "usernames are unique city-wide: a taken name is 409 for anyone",
    "interop/repository.py::client_by_prefix": "an API key names its client before anyone is known",
    "interop/repository.py::name_taken": "client names are unique deployment-wide (the CLI, the system)",
    "interop/repository.py::area_exists": "the CLI (the system) checks the client's area",
    "interop/repository.py::department": "the CLI (the system) checks the client's department",
    "interop/repository.py::service_account": "the CLI (the system) disables a revoked client's account",
    "interop/repository.py::all_clients": "the CLI (the system) lists every client and its last call",
    "accounts/repository.py::place_names": "names of the scope codes of users already scoped",
    "notify/repository.py::inbox": "a user's own inbox: notify/service passes principal.user_id only",
    "notify/repository.py::unread_count": "a user's own inbox: notify/service passes principal.user_id only",
    "notify/repository.py::mark_read": "a user's own inbox: notify/service passes principal.user_id only",
    "notify/repository.py::_mine": "a user's own inbox: notify/service passes principal.user_id only",
    "notify/repository.py::inbox_total": "a user's own inbox: notify/service passes principal.user_id only",
    "notify/repository.py::open_todo_count": "a user's own inbox: notify/service passes principal.user_id only",
    "notify/repository.py::settle": "a step was taken on a case or instruction the actor reached through the door: "
                                    "its to-dos are done for everyone told",
    "departments/repository.py::department_codes": "creates the profile's departments (system)",
}
"""Single functions, by ``module::function``, whose queries are system work inside a use case."""

ALLOWED: dict[str, str] = {**ALLOWED_MODULES, **ALLOWED_FUNCTIONS}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _models_in(nodes) -> set[str]:
    found = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in SCOPED:
                found.add(sub.id)
    return found


def violations_in(source: str, where: str, allowed_functions=frozenset()) -> list[str]:
    """The queries on scoped tables built outside the door in one module's source."""
    tree = ast.parse(source)
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def in_allowed_function(node: ast.AST) -> bool:
        while node is not None:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node.name in allowed_functions
            node = parents.get(node)
        return "<module>" in allowed_functions

    def inside_door(node: ast.AST, models: set[str]) -> bool:
        child, parent = node, parents.get(node)
        while parent is not None:
            if isinstance(parent, ast.Call) and _name(parent.func) in DOOR_CALLS and parent.args \
                    and parent.args[0] is child:
                named = _models_in(parent.args[2:3])
                return bool(named & models) or not named
            child, parent = parent, parents.get(parent)
        return False

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "__table__" and isinstance(node.value, ast.Name) \
                and node.value.id in SCOPED and not in_allowed_function(node):
            found.append(f"{where}:{node.lineno} {node.value.id}.__table__ 绕过辖区之门")
        if not isinstance(node, ast.Call) or in_allowed_function(node):
            continue
        name = _name(node.func)
        if name in ("update", "delete") and not isinstance(node.func, ast.Name):
            name = None  # dict.update(...), set.update(...): not SQLAlchemy's update()
        if name in QUERY_CALLS:
            models = _models_in(node.args)
            if models and not inside_door(node, models):
                found.append(f"{where}:{node.lineno} {name}({', '.join(sorted(models))}) 未经 scoped()")
        elif name in ("get", "query") and isinstance(node.func, ast.Attribute) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name) and first.id in SCOPED:
                found.append(f"{where}:{node.lineno} .{name}({first.id}) 未经 get_visible()")
    return found


def _allowed(relative: str) -> bool:
    return any(relative == key or relative.startswith(key.rstrip("/") + "/") for key in ALLOWED_MODULES)


def _functions_allowed_in(relative: str) -> frozenset[str]:
    return frozenset(key.split("::")[1] for key in ALLOWED_FUNCTIONS if key.split("::")[0] == relative)


def all_violations(root: Path = SRC) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if _allowed(relative):
            continue
        out.extend(violations_in(path.read_text(encoding="utf-8"), relative, _functions_allowed_in(relative)))
    return out


def test_no_query_on_a_scoped_table_is_built_outside_the_door():
    found = all_violations()
    assert not found, "以下查询绕过了辖区之门（authz/scope.py）：\n" + "\n".join(found)


def test_every_allowed_exception_exists_and_says_why():
    for key, reason in ALLOWED.items():
        module, _, function = key.partition("::")
        assert (SRC / module).exists(), f"允许清单中的 {module} 不存在"
        if function and function != "<module>":
            assert f"def {function}(" in (SRC / module).read_text(encoding="utf-8"), f"允许清单中的 {key} 不存在"
        assert reason.strip(), key


@pytest.mark.parametrize("snippet", [
    "def f(session, code):\n    return session.get(Grid, code)\n",
    "def f(session):\n    return session.scalars(select(Case).where(Case.state == 'x'))\n",
    "def f(session, p):\n    stmt = select(User)\n    return scoped(stmt, p, User)\n",
    "def f(session):\n    return session.execute(update(Notification).values(read_at=None))\n",
    "def f(session, p):\n    return scoped(select(Case).join(Grid), p, Grid).where(select(Post.id).exists())\n",
    "_cases = Case.__table__\n",
])
def test_the_lint_catches_a_query_built_outside(snippet):
    assert violations_in(snippet, "x.py")


@pytest.mark.parametrize("snippet", [
    "def f(session, p):\n    return session.scalars(scoped(select(Case).where(Case.state == 'x'), p, Case))\n",
    "def f(session, p, k):\n    return get_visible(session, p, Grid, k)\n",
    "def f(session):\n    return session.scalars(select(Matter).where(Matter.code == 'x'))\n",
])
def test_the_lint_lets_the_door_through(snippet):
    assert not violations_in(snippet, "x.py")


def test_none_is_not_everything_and_the_system_says_so_by_name():
    from sqlalchemy import select

    from gridgov.authz.scope import SYSTEM, covers, scoped, visible
    from gridgov.models import Case

    with pytest.raises(TypeError):
        scoped(select(Case), None, Case)
    with pytest.raises(TypeError):
        covers(None, "321102001001001")
    assert visible(SYSTEM, Case) is None and covers(SYSTEM, "321102001001001")
    assert not SYSTEM and SYSTEM.system  # falsy: who-acted columns stay empty for the system


def test_every_scoped_table_has_a_rule_and_the_rule_names_its_table():
    from gridgov.authz.principal import Principal
    from gridgov.authz.scope import visible

    town = Principal(user_id=1, username="t", display_name="t", role="agency_dispatcher", scope_code="321102001000")
    for model in RULES:
        clause = str(visible(town, model).compile(compile_kwargs={"literal_binds": True}))
        assert model.__tablename__ in clause, f"{model.__name__}: {clause}"
