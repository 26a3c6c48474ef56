"""Fixtures shared by every test.

Every database test runs twice: on SQLite and on a throwaway PostgreSQL cluster (``tests/pgcluster``),
each on a schema built by the real migrations. In CI (``CI=true``) a skipped PostgreSQL or browser
test is turned into a failure, so a missing server or browser cannot pass unnoticed.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from gridgov.config import Settings
from gridgov.db import make_engine, make_sessionmaker
from gridgov.kit.clock import utc_now
from gridgov.migrate import upgrade

from .pgcluster import PgCluster, PgUnavailable

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")
DEMO_PROFILE = "zhenjiang"


def pytest_collection_modifyitems(config, items):
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.postgres)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and (item.get_closest_marker("postgres") or item.get_closest_marker("browser")):
        report.outcome = "failed"
        report.longrepr = f"CI 中不允许跳过 PostgreSQL/浏览器测试：{report.longrepr}"


def _unavailable(message: str):
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


# ---------------------------------------------------------------- database servers


@pytest.fixture(scope="session")
def pg_server():
    url = os.environ.get("GRIDGOV_TEST_PG_URL")
    if url:
        yield url
        return
    try:
        cluster = PgCluster()
        url = cluster.start()
    except PgUnavailable as exc:
        _unavailable(str(exc))
    try:
        yield url
    finally:
        cluster.stop()


_db_names = itertools.count(1)


class DatabaseFactory:
    """Creates databases of one backend, empty or copied from a template; they go with the
    session's temporary directory or throwaway cluster."""

    def __init__(self, backend: str, root: Path, pg_url: str | None) -> None:
        self.backend = backend
        self.root = root
        self.pg_url = pg_url

    def create(self, name: str | None = None, template: str | None = None) -> str:
        name = name or f"gridgov_t{next(_db_names)}"
        if self.backend == "sqlite":
            path = self.root / f"{name}.db"
            if template:
                shutil.copyfile(make_engine(template).url.database, path)
            return f"sqlite:///{path}"
        admin = make_engine(self.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            suffix = f' TEMPLATE "{make_engine(template).url.database}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        admin.dispose()
        return self.pg_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def db_factory(backend, request, tmp_path_factory):
    pg_url = request.getfixturevalue("pg_server") if backend == "postgresql" else None
    return DatabaseFactory(backend, tmp_path_factory.mktemp(f"db-{backend}"), pg_url)


@pytest.fixture(scope="session")
def template_url(db_factory):
    """An empty database built by the migrations, copied for each test that wants a fresh one."""
    url = db_factory.create(f"gridgov_template_{db_factory.backend}")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def fresh_url(db_factory, template_url):
    """A new, migrated, empty database for a test that commits (CLI runs, concurrency)."""
    return db_factory.create(template=template_url)


@pytest.fixture(scope="session")
def demo_engine(db_factory, template_url):
    """A migrated database holding the demo city of the default profile, committed once."""
    url = db_factory.create(f"gridgov_demo_{db_factory.backend}", template=template_url)
    engine = make_engine(url)
    build_demo_into(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_connection(demo_engine):
    """A connection inside a transaction that is rolled back after the test."""
    from gridgov.territory.service import locators

    conn = demo_engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()
    locators.clear()


@pytest.fixture
def db(db_connection) -> Session:
    """A session on the demo database; whatever the test writes is rolled back."""
    session = Session(bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()


def build_demo_into(engine, *, people: int = 0) -> None:
    """The whole demo (city, departments, accounts) of the default profile, committed. The demo
    town's synthetic register (``people``) is left out unless asked for: tests register their own
    rows and count them; tests/registry/test_demo_privacy.py builds the register itself."""
    from gridgov.db import unit_of_work
    from gridgov.demo import build_demo
    from gridgov.kit.crypto import FieldCipher
    from gridgov.policy.loader import load_profile

    with unit_of_work(make_sessionmaker(engine)) as session:
        build_demo(session, load_profile(DEMO_PROFILE), grids=1000, now=utc_now(), cipher=FieldCipher(TEST_SECRET_KEY),
                   people=people)


TEST_SECRET_KEY = secrets.token_urlsafe(48)


def make_settings(url: str, tmp_path: Path, **overrides) -> Settings:
    """Demo-mode settings with one secret key for the whole test session (cached tokens stay valid)."""
    return Settings(demo=True, database_url=url, profile=DEMO_PROFILE, var_dir=tmp_path,
                    secret_key=TEST_SECRET_KEY, **overrides)


@pytest.fixture
def app(db_connection, tmp_path):
    from gridgov.app import create_app

    app = create_app(make_settings(str(db_connection.engine.url), tmp_path), engine=db_connection.engine)
    app.state.sessionmaker = app.state.write_sessionmaker = sessionmaker(
        bind=db_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return app


@pytest.fixture
def committed(fresh_url, tmp_path):
    """An app over a committed demo database, and that database's sessionmaker for checks."""
    from gridgov.app import create_app

    engine = make_engine(fresh_url)
    build_demo_into(engine)
    app = create_app(make_settings(fresh_url, tmp_path), engine=engine)
    yield app, make_sessionmaker(engine)
    engine.dispose()


_tokens: dict[tuple[str, str], str] = {}


def token_for(client, username: str, password: str = "demo12345") -> str:
    """A bearer token of a demo account (cached per database: argon2 is slow on purpose)."""
    key = (str(client.app.state.engine.url), username)
    if key not in _tokens:
        r = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        _tokens[key] = r.json()["access_token"]
    return _tokens[key]


@pytest.fixture
def anonymous(app):
    """A client with no credentials."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture
def client_as(app):
    """``client_as("worker")``: a client acting as that demo account through a bearer token."""
    from fastapi.testclient import TestClient

    clients = []

    def make(username: str):
        c = TestClient(app)
        c.headers["Authorization"] = f"Bearer {token_for(c, username)}"
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(client_as):
    """A client acting as the city agency's administrator (sees the whole demo city)."""
    return client_as("city_admin")


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """Points the ``gridgov`` command at a database for CliRunner tests."""
    from gridgov.config import get_settings

    def use(url: str, **env: str) -> None:
        monkeypatch.setenv("GRIDGOV_DATABASE_URL", url)
        monkeypatch.setenv("GRIDGOV_DEMO", "1")
        monkeypatch.setenv("GRIDGOV_VAR_DIR", str(tmp_path))
        monkeypatch.setenv("GRIDGOV_PROFILE", DEMO_PROFILE)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


# ---------------------------------------------------------------- browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_demo_city(root: Path, name: str):
    """The app served by uvicorn on loopback over its own SQLite demo city in ``root``: yields the
    base URL and the engine, stops the server and disposes of the engine afterwards."""
    url = f"sqlite:///{root / f'{name}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    build_demo_into(engine)
    with serve_database(url, engine, root) as live:
        yield live, engine


@contextmanager
def serve_database(url: str, engine, root: Path, **settings):
    """The app served by uvicorn on loopback over a database that holds a demo city (SQLite or
    PostgreSQL): yields the base URL; stops the server and disposes of the engine afterwards.
    ``settings``: settings other than the test defaults (e.g. ``public_map=True``)."""
    import uvicorn

    from gridgov.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(make_settings(url, root, **settings), engine=engine), host="127.0.0.1", port=port,
                       log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("测试服务器未能启动")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app served by uvicorn on loopback over a SQLite demo city, for browser tests."""
    with serve_demo_city(tmp_path_factory.mktemp("live"), "live") as (live, _engine):
        yield live


@pytest.fixture(scope="module")
def live_server_on_backend(backend, db_factory, demo_engine, tmp_path_factory):
    """The app served over a copy of the session's demo city on ``backend`` (SQLite or PostgreSQL),
    for the browser scenarios that must run on both databases; one per test module."""
    demo_engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
    url = db_factory.create(template=str(demo_engine.url.render_as_string(hide_password=False)))
    with serve_database(url, make_engine(url), tmp_path_factory.mktemp(f"live-{backend}")) as live:
        yield live


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"找不到 Chromium（{CHROMIUM}）：请安装 Debian 的 chromium 包（make test 会自动安装）")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("未安装 playwright")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


def login(page, username: str, password: str = "demo12345") -> None:
    """Logs a browser page in through the login form."""
    page.goto(page.base_url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    # The login form's own button: a page already logged in shows its header's 退出 button first.
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def wait_for_js(page, expression: str, arg=None, timeout: float = 15.0):
    """Waits until ``expression`` (a JS expression, or a function of ``arg``) is truthy in the page.

    Use this, not ``page.wait_for_function``: Playwright re-evaluates that predicate in the page with
    ``eval`` on every poll, which the Content-Security-Policy (no 'unsafe-eval') blocks; ``evaluate``
    runs through DevTools and is not blocked."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result, error = page.evaluate(expression, arg), None
        except Exception as exc:  # e.g. the element is not there yet
            if "Execution context was destroyed" not in str(exc) and "TypeError" not in str(exc):
                raise
            result, error = None, exc
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"等待超时：{expression}（{error}）")
        page.wait_for_timeout(50)


def offline_page(browser, live: str, **options):
    """A new context and page on the server at ``live`` (``page.base_url``) in Chinese, desktop-sized unless
    ``options`` say otherwise (e.g. ``viewport``, ``is_mobile``), whose requests to anywhere else are
    aborted and listed in ``outside`` (a test asserts it stays empty): (context, page, outside)."""
    context = browser.new_context(locale="zh-CN", **({"viewport": {"width": 1280, "height": 860}} | options))
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith((live, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live
    return context, page, outside


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page that fails the test on any request leaving the machine."""
    context, page, outside = offline_page(browser, live_server)
    login(page, "city_admin")
    yield page
    context.close()
    assert not outside, f"页面向外部发出了请求：{outside}"
