"""Arrows run down the house: shared layers import no domain package.

``web/`` holds what every page shares (templating, static assets, headers); ``app.py`` mounts each
domain's page router beside its API router. ``audit/`` keeps the log; each domain registers the
labels of the actions it writes (``audit.rules.register_labels``) instead of audit importing them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gridgov

SRC = Path(gridgov.__file__).parent
DOMAINS = ("accounts", "audit", "cases", "catalogue", "departments", "notify", "public", "staff", "territory")
SHARED_GRAMMAR = {"gridgov.territory.rules"}
"""The area-code grammar: authz (principal.py) reads it too, so it counts as a shared layer here."""


def imported_modules(package: str) -> dict[str, set[str]]:
    """Every ``gridgov`` module each file of ``package`` imports, at any depth of the file."""
    found: dict[str, set[str]] = {}
    for path in sorted((SRC / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gridgov"):
                names.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names if a.name.startswith("gridgov"))
        found[str(path.relative_to(SRC))] = names
    return found


def domain_imports(package: str) -> dict[str, list[str]]:
    own = f"gridgov.{package}"
    bad = {}
    for file, names in imported_modules(package).items():
        hits = sorted(
            n for n in names
            if not (n == own or n.startswith(own + "."))
            and any(n == f"gridgov.{d}" or n.startswith(f"gridgov.{d}.") for d in DOMAINS)
            and not any(n == g or n.startswith(g + ".") for g in SHARED_GRAMMAR)
        )
        if hits:
            bad[file] = hits
    return bad


@pytest.mark.parametrize("package", ["web", "audit", "kit", "models"])
def test_shared_layers_import_no_domain(package):
    assert domain_imports(package) == {}


def page_modules() -> list[str]:
    """Every module that defines pages: each domain's ``web.py`` and ``*_web.py``, and the API docs."""
    found = ["gridgov.web.apidocs"]
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.parts[0] != "web" and (path.name == "web.py" or path.name.endswith("_web.py")):
            found.append("gridgov." + ".".join(rel.with_suffix("").parts))
    return found


def test_the_app_mounts_every_page_router(app):
    """Each page module's parameterless GET pages answer (a page or a redirect to login), not 404
    (with the public map, off by default, switched on: off it answers 404 by design)."""
    import importlib

    from fastapi.testclient import TestClient

    app.state.settings = app.state.settings.model_copy(update={"public_map": True})
    anonymous = TestClient(app)
    checked = 0
    for name in page_modules():
        router = importlib.import_module(name).router
        for route in router.routes:
            # an included sub-router is a node without methods (FastAPI >= 0.160): its module is checked itself
            if "GET" in (getattr(route, "methods", None) or ()) and "{" not in route.path:
                r = anonymous.get(route.path, follow_redirects=False)
                assert r.status_code != 404, (name, route.path)
                checked += 1
    assert checked >= 12


def test_domains_register_their_audit_labels():
    import gridgov.app  # noqa: F401  (imports every domain, as the running app does)
    from gridgov.audit.rules import action_label, action_labels

    assert action_label("matter_admitted") == "事项纳入清单"  # catalogue's
    assert action_label("user_created") == "新建用户"  # accounts'
    assert action_label("complaint_received") == "收到投诉"  # public's
    assert action_label("supervision_phone_set") == "设置监督电话"  # public's (JS§19)
    assert action_label("denied") == "拒绝访问"  # audit's own
    assert action_label("no_such_action") == "no_such_action"
    assert len(action_labels()) == 120  # + the register (issue 15): places 4, people 9, care 3, io 3, retention 1
    # + the appraisal (issue 16): appraisal_run 1; + API clients (issue 17): created, revoked, call;
    # + the hotline (issue 17): intake, triage, its table 3
    # + legal professionals in the grids (issue 18): professional created, updated, schedule added, visit 4
    # + deliberation (issue 18): created, updated, meeting, participant, follow-up, published, viewed 7
    # + mediation (issue 18): bodies 2, members 2, reveal 1
    # + volunteers (issue 18) 6
    # + teams and projects (issue 18): 12


def test_a_label_registered_twice_must_agree():
    from gridgov.audit.rules import action_label, register_labels

    register_labels({"user_created": "新建用户"})  # the same again changes nothing
    with pytest.raises(ValueError, match="user_created"):
        register_labels({"user_created": "另一个名字"})
    assert action_label("user_created") == "新建用户"
