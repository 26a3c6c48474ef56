"""The deployment guide on a fresh machine (issue 19): docs/deploy.md's tested blocks, run in order
by bash in a throwaway root (tests/system/deploy_machine.py maps paths and ports and stands in for
useradd, sudo and systemd), end with two app processes behind nginx answering /api/v1/ready; then
what the proxy promises: both processes used, http → https, the request id, gzip, Secure cookies on a
login, and the site staying up while one process restarts.

Needs nginx (scripts/system-deps.sh), openssl, curl and the PostgreSQL binaries: skipped locally
without them, a failure in CI (marked ``postgres``, see tests/conftest.py).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gridgov.config import Settings

from ..pgcluster import PgCluster, PgUnavailable
from ..territory.territory_data import CITY, small_city
from .deploy_machine import DOC, NGINX, REPO, Machine, blocks, commands, free_port

GRIDGOV = Path(sys.executable).parent / "gridgov"


def test_english_commands_are_the_tested_ones():
    text = DOC.read_text()
    for tag in ("sh deploy-test", "sh deploy-test-restart"):
        zh, en = blocks(text, tag), blocks(text, f"{tag}-en")
        assert zh and [commands(b) for b in en] == [commands(b) for b in zh]
    assert len(blocks(text, "sh deploy-test")) >= 6
    assert "../shared" not in text and "/work/" not in text


def test_env_example_and_nginx_match_the_settings():
    example = (REPO / "deploy" / "gridgov.env.example").read_text()
    keys = re.findall(r"^#? ?GRIDGOV_([A-Z0-9_]+)=", example, flags=re.M)
    unknown = {k.lower() for k in keys} - set(Settings.model_fields)
    assert not unknown, f"gridgov.env.example 中有未知设置：{unknown}"
    cap = Settings.model_fields["max_import_bytes"].default
    assert f"GRIDGOV_MAX_IMPORT_BYTES={cap}\n" in example
    size = re.search(r"client_max_body_size (\d+)m;", (REPO / "deploy/nginx/gridgov.conf").read_text())
    assert size and int(size.group(1)) * 1024 * 1024 == cap


def _wait(url: str, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    with httpx.Client(verify=False) as http:
        while True:
            try:
                answer = http.get(url)
                if answer.status_code == 200:
                    return answer
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} 未就绪")
            time.sleep(0.2)


def test_serve_believes_forwarded_headers_only_from_the_listed_proxies(cli_env, monkeypatch, tmp_path):
    """GRIDGOV_FORWARDED_ALLOW_IPS=127.0.0.2: a request from that address saying X-Forwarded-Proto:
    https gets a Secure cookie and HSTS; the same from 127.0.0.1 (not listed) does not. The server is
    uvicorn with exactly the options ``gridgov serve`` gives it (run in a thread, not a process)."""
    import threading

    import uvicorn

    from gridgov.dbcli import serve

    cli_env(f"sqlite:///{tmp_path / 'g.db'}", GRIDGOV_FORWARDED_ALLOW_IPS="127.0.0.2",
            GRIDGOV_SWEEP_INTERVAL_SECONDS="0", GRIDGOV_WEBHOOK_INTERVAL_SECONDS="0")
    given: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: given.update(app=app, **options))
    port = free_port()
    serve(host=None, port=port)
    server = uvicorn.Server(uvicorn.Config(given.pop("app"), **{**given, "log_level": "warning"}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        _wait(f"http://127.0.0.1:{port}/api/v1/health", timeout=20)
        seen = {}
        for source in ("127.0.0.1", "127.0.0.2"):
            transport = httpx.HTTPTransport(local_address=source)
            with httpx.Client(transport=transport, timeout=30) as http:
                answer = http.get(f"http://127.0.0.1:{port}/login",
                                  headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
            assert answer.status_code == 200
            cookie = answer.headers["set-cookie"]
            seen[source] = ("; secure" in cookie.lower(), "strict-transport-security" in answer.headers)
        assert seen == {"127.0.0.1": (False, False), "127.0.0.2": (True, True)}
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_forwarded_allow_ips_refuses_what_is_not_an_address():
    with pytest.raises(ValueError, match="不是 IP 地址或网段"):
        Settings(secret_key="x" * 40, forwarded_allow_ips="127.0.0.1,localhost")
    listed = Settings(secret_key="x" * 40, forwarded_allow_ips=" 10.0.0.0/8 , ::1")
    assert listed.forwarded_allow_ips == "10.0.0.0/8,::1"


@pytest.fixture(scope="module")
def machine(tmp_path_factory):
    missing = [name for name, found in (("nginx", NGINX), ("openssl", shutil.which("openssl")),
                                         ("curl", shutil.which("curl"))) if not found]
    if missing:
        pytest.skip(f"缺少 {', '.join(missing)}：请运行 scripts/system-deps.sh")
    try:
        cluster = PgCluster(superuser="postgres")
        cluster.start()
    except PgUnavailable as exc:
        pytest.skip(str(exc))
    root = tmp_path_factory.mktemp("machine")
    box = Machine(root, cluster.port, cluster.bindir)
    try:
        src = box.install_sources()
        box.write_shims()
        steps = "\n".join(box.render(b) for b in blocks(DOC.read_text(), "sh deploy-test"))
        script = f"set -euo pipefail\nPS4='+ $(date +%T.%N) '\n{steps}"  # a trace with times, kept in the root
        done = subprocess.run(["bash", "-xc", script], cwd=src, env=box.env(), capture_output=True, text=True,
                              timeout=120)
        (root / "deploy.log").write_text(done.stdout + done.stderr)
        assert done.returncode == 0, f"部署步骤失败：\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert json.loads(done.stdout.strip().splitlines()[-1])["status"] == "ready"
        yield box
    finally:
        box.stop_all()
        cluster.stop()


def _https(box: Machine) -> str:
    return f"https://127.0.0.1:{box.ports['443']}"


def _upstreams(box: Machine, marker: str) -> set[str]:
    """The processes that answered the requests whose id starts with ``marker`` (the last one tried)."""
    log = box.at("/var/log/nginx/gridgov.access.log").read_text()
    return {m.group(1).split(", ")[-1] for m in re.finditer(rf"rid={re.escape(marker)}\S* upstream=(.*?) rt=", log)}


@pytest.mark.postgres
def test_the_installed_units_pass_systemd_analyze(machine, tmp_path):
    """The units as the guide installed them, an instance of the template included: no unknown key,
    no command that is not there (systemd ignores both with a mere warning)."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("缺少 systemd-analyze")
    units = machine.at("/etc/systemd/system")
    shutil.copy(units / "gridgov@.service", tmp_path / "gridgov@8001.service")
    shutil.copy(units / "gridgov-jobs.service", tmp_path / "gridgov-jobs.service")
    done = subprocess.run([tool, "verify", "--man=no", "./gridgov@8001.service", "./gridgov-jobs.service"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


@pytest.mark.postgres
def test_two_processes_behind_nginx_answer_ready(machine):
    box = machine
    calls = (box.run_dir / "systemctl.calls").read_text()
    assert f"gridgov@{box.ports['8001']}.service gridgov@{box.ports['8002']}.service" in calls
    with httpx.Client(verify=False, timeout=30) as http:
        for i in range(4):
            answer = http.get(f"{_https(box)}/api/v1/ready", headers={"X-Request-ID": f"ready-{i}"})
            assert answer.status_code == 200 and answer.json()["status"] == "ready"
    served = _upstreams(box, "ready-")
    assert served == {f"127.0.0.1:{box.ports['8001']}", f"127.0.0.1:{box.ports['8002']}"}


@pytest.mark.postgres
def test_the_proxy_redirects_names_requests_and_compresses(machine):
    box = machine
    with httpx.Client(verify=False, timeout=30) as http:
        plain = http.get(f"http://127.0.0.1:{box.ports['80']}/cases?x=1")
        assert plain.status_code == 301 and plain.headers["location"] == "https://127.0.0.1/cases?x=1"
        given = http.get(f"{_https(box)}/api/v1/health", headers={"X-Request-ID": "abc-123.x"})
        assert given.headers["x-request-id"] == "abc-123.x"
        for sent in ({}, {"X-Request-ID": "bad id\" injected"}, {"X-Request-ID": "x" * 129}):
            made = http.get(f"{_https(box)}/api/v1/health", headers=sent).headers.get_list("x-request-id")
            assert len(made) == 1 and re.fullmatch(r"[0-9a-f]{32}", made[0])
        assert "rid=abc-123.x upstream=127.0.0.1:" in box.at("/var/log/nginx/gridgov.access.log").read_text()
        hidden = http.get(f"{_https(box)}/metrics", headers={"X-Request-ID": "metrics-1"})
        assert hidden.status_code == 404 and _upstreams(box, "metrics-1") == {"-"}  # nginx answered, not the app
        css = next(p for p in sorted((REPO / "src/gridgov/web/static").rglob("*.css")) if p.stat().st_size > 2048)
        static = http.get(f"{_https(box)}/static/{css.relative_to(REPO / 'src/gridgov/web/static')}",
                          headers={"Accept-Encoding": "gzip"})
        assert static.status_code == 200 and static.headers["content-encoding"] == "gzip"
        assert static.content == css.read_bytes()


def _first_user(box: Machine, password: str) -> str:
    """A territory and a dispatcher in the machine's database (the first-day steps' part, done here
    in-process to keep the test short), through the settings file the guide wrote."""
    from gridgov.accounts.schemas import UserCreate
    from gridgov.accounts.service import create_user
    from gridgov.authz.scope import SYSTEM
    from gridgov.db import make_engine, make_sessionmaker, unit_of_work
    from gridgov.kit.clock import utc_now
    from gridgov.policy.loader import load_profile
    from gridgov.territory import transfer

    env = box.at("/etc/gridgov/gridgov.env").read_text()
    url = re.search(r"^GRIDGOV_DATABASE_URL=(\S+)$", env, flags=re.M).group(1)
    profile = load_profile(re.search(r"^GRIDGOV_PROFILE=(\S+)$", env, flags=re.M).group(1))
    engine = make_engine(url)
    try:
        with unit_of_work(make_sessionmaker(engine), writes=True) as session:
            transfer.import_feature_collection(session, SYSTEM, small_city(), profile=profile, now=utc_now())
            create_user(session, SYSTEM, UserCreate(username="dispatch1", display_name="调度员", password=password,
                                                    role="agency_dispatcher", scope_code=CITY,
                                                    must_change_password=False),
                        now=utc_now(), demo=False, profile=profile)
    finally:
        engine.dispose()
    return url


@pytest.mark.postgres
def test_login_through_the_proxy_sets_secure_cookies(machine):
    """A login through nginx from 127.0.0.3 with a forged X-Forwarded-For: Secure cookies and HSTS,
    and the audit log has the address nginx saw (not the forged one, not nginx's own)."""
    from sqlalchemy import text

    from gridgov.db import make_engine

    box = machine
    password = "Gd-" + secrets.token_urlsafe(12)
    url = _first_user(box, password)
    from_elsewhere = httpx.HTTPTransport(verify=False, local_address="127.0.0.3")
    with httpx.Client(transport=from_elsewhere, timeout=30, base_url=_https(box),
                      headers={"X-Forwarded-For": "198.51.100.1"}) as http:
        form = http.get("/login")
        csrf = next(c for c in form.headers.get_list("set-cookie") if c.startswith("gridgov_csrf="))
        assert "; secure" in csrf.lower()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        answer = http.post("/login", data={"username": "dispatch1", "password": password, "csrf_token": token})
        assert answer.status_code == 303, answer.text[:500]
        session = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("gridgov_session="))
        assert "; secure" in session.lower() and "httponly" in session.lower()
        assert answer.headers["strict-transport-security"]
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ips = conn.execute(text("SELECT ip FROM audit_log WHERE action = 'login_succeeded'")).scalars().all()
    finally:
        engine.dispose()
    assert ips == ["127.0.0.3"]


@pytest.mark.postgres
def test_the_rolling_restart_of_the_guide_keeps_the_site_up(machine):
    """Section 12, step 5 (an upgrade's restart), run while a client keeps asking through nginx:
    every answer is 200 and both processes are new ones."""
    import threading

    box = machine
    before = {p: (box.run_dir / f"gridgov@{box.ports[p]}.service.pid").read_text() for p in ("8001", "8002")}
    answers: list[int] = []
    done = threading.Event()

    def keep_asking() -> None:
        with httpx.Client(verify=False, timeout=30) as http:
            while not done.is_set():
                try:
                    answers.append(http.get(f"{_https(box)}/api/v1/ready",
                                            headers={"X-Request-ID": f"roll-{len(answers)}"}).status_code)
                except httpx.TransportError:
                    answers.append(0)
                time.sleep(0.05)

    client = threading.Thread(target=keep_asking, daemon=True)
    client.start()
    try:
        script = box.render(blocks(DOC.read_text(), "sh deploy-test-restart")[0])
        run = subprocess.run(["bash", "-c", f"set -euo pipefail\n{script}"], cwd=box.root / "src", env=box.env(),
                             capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stderr[-3000:]
    finally:
        done.set()
        client.join(timeout=60)
    after = {p: (box.run_dir / f"gridgov@{box.ports[p]}.service.pid").read_text() for p in ("8001", "8002")}
    assert all(after[p] != before[p] for p in before)
    assert len(answers) >= 5 and set(answers) == {200}, answers
    assert _upstreams(box, "roll-") == {f"127.0.0.1:{box.ports['8001']}", f"127.0.0.1:{box.ports['8002']}"}
