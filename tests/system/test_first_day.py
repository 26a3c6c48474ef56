"""A real city's first day, done by following the guide (issue 19).

The test reads the ```sh first-day blocks of :data:`GUIDE` and runs each with bash, in order, on a fresh
non-demo instance (a random secret key made by the guide's own command, an empty database of each backend,
a temporary directory for /etc/gridgov and /var/lib/gridgov), answering the prompts on standard input and
with a territory of its own (a made-up town, not the demo city). Then it starts the ```sh first-day-serve
command on a free port and ends with the worker account reporting a case that the town's dispatcher accepts.
A step of the guide that the software does not do (or does differently) fails here.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

import gridgov
from gridgov.cli import app as cli
from gridgov.db import make_engine
from gridgov.models import Department, User
from gridgov.models.accounts import Role

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
"""The guide whose first-day blocks (§11) this test follows."""

SRC = Path(gridgov.__file__).resolve().parents[1]
BLOCK = re.compile(r"^( *)```sh (first-day(?:-serve)?)\n(.*?)^\1```", re.M | re.S)
ETC, VAR, DB_URL = "/etc/gridgov", "/var/lib/gridgov", "postgresql+psycopg://gridgov:DBPASSWORD@127.0.0.1:5432/gridgov"
PORT_ARG = "--port 8000"
CITY, COUNTY, TOWN, VILLAGE = "329800000000", "329801000000", "329801001000", "329801001001"
GRID = VILLAGE + "001"
LON0, LAT0, STEP = 121.0, 30.5, 0.002
ADMIN_PASSWORDS = ("Sec-2026-first", "Sys-2026-first", "Aud-2026-first")
WORKER_PASSWORD, DISPATCHER_PASSWORD = "Wkr-2026-first", "Dsp-2026-first"
ANSWERS = {  # what the city types at each command's prompts, in order
    "gridgov setup --territory": "y\n\n" + "".join(f"\n{pw}\n{pw}\n" for pw in ADMIN_PASSWORDS),
    "gridgov setup --departments": "y\n",
    "gridgov users create wangxm": f"{WORKER_PASSWORD}\n{WORKER_PASSWORD}\n",
    "gridgov users create zhangdd": f"{DISPATCHER_PASSWORD}\n{DISPATCHER_PASSWORD}\n",
}
POLICE = CITY + "-gongan"


def _box(x0: float, y0: float, x1: float, y1: float) -> dict:
    ring = [[LON0 + x * STEP, LAT0 + y * STEP] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
    return {"type": "Polygon", "coordinates": [ring]}


def _territory() -> dict:
    """示范市 → 示范区 → 示范街道 → 示范社区, two grids tiling the community."""
    def feature(props: dict, geometry: dict) -> dict:
        return {"type": "Feature", "properties": props, "geometry": geometry}

    areas = [feature({"layer": "area", "code": code, "name": name}, _box(0, 0, 4, 2))
             for code, name in ((CITY, "示范市"), (COUNTY, "示范区"), (TOWN, "示范街道"), (VILLAGE, "示范社区"))]
    grids = [feature({"layer": "grid", "code": f"{VILLAGE}{i:03d}", "name": f"示范社区第{i}网格", "kind": "urban",
                      "households": 300, "population": 900}, _box(2 * (i - 1), 0, 2 * i, 2)) for i in (1, 2)]
    return {"type": "FeatureCollection", "features": areas + grids}


def _staff_sheet(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "所属区域编码", "岗位", "网格编码", "上岗日期", "岗前培训日期", "培训考核合格"])
    ws.append(["王小明", "男", VILLAGE, "专职网格员", GRID, "2026-01-05", "2026-01-02", "是"])
    wb.save(path)


def guide_blocks() -> list[tuple[str, str]]:
    """(tag, commands) of the guide's first-day blocks, in the guide's order."""
    text = GUIDE.read_text(encoding="utf-8")
    for needle in (ETC, VAR, DB_URL, PORT_ARG):
        assert needle in text, f"{GUIDE.name} 中找不到测试替换的 {needle}"
    return [(tag, textwrap.dedent(body)) for _indent, tag, body in BLOCK.findall(text)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(SRC)
    return env


def _count(url: str, stmt):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(stmt).all()
    finally:
        engine.dispose()


def test_a_new_city_follows_the_guide_to_a_case_its_dispatcher_accepts(db_factory, tmp_path):
    url = db_factory.create()  # empty: the guide migrates it
    etc, var = tmp_path / "etc", tmp_path / "var"
    (tmp_path / "city.geojson").write_text(json.dumps(_territory(), ensure_ascii=False), encoding="utf-8")
    _staff_sheet(tmp_path / "staff.xlsx")
    port = _free_port()
    env = _env()
    prelude = f"set -eo pipefail\nif [ -f {etc}/gridgov.env ]; then set -a; . {etc}/gridgov.env; set +a; fi\n"

    def localise(commands: str) -> str:
        return (commands.replace(DB_URL, url).replace(ETC, str(etc)).replace(VAR, str(var))
                .replace(PORT_ARG, f"--port {port}"))

    blocks = guide_blocks()
    assert [tag for tag, _ in blocks].count("first-day-serve") == 1 and blocks[-1][0] == "first-day-serve"
    for _tag, commands in blocks[:-1]:
        answers = "".join(a for key, a in ANSWERS.items() if key in commands)
        done = subprocess.run(["bash", "-c", prelude + localise(commands)], cwd=tmp_path, env=env, input=answers,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{commands}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        if "departments-template" in commands:  # the city edits a name in a spreadsheet
            csv_file = tmp_path / "departments.csv"
            csv_file.write_text(csv_file.read_text(encoding="utf-8").replace("示范市公安部门", "示范市公安局"),
                                encoding="utf-8")
        if "gridgov setup --departments" in commands:
            assert "改名 1 个" in done.stdout and "✓" in done.stdout

    key = next(line for line in (etc / "gridgov.env").read_text().splitlines() if line.startswith("GRIDGOV_SECRET_KEY"))
    assert len(key.split("=", 1)[1]) >= 60
    roles = dict(_count(url, select(User.role, func.count()).group_by(User.role)))
    assert roles == {Role.SECURITY_ADMIN: 1, Role.SYSADMIN: 1, Role.AUDITOR: 1, Role.FULLTIME: 1,
                     Role.AGENCY_DISPATCHER: 1}
    assert _count(url, select(Department.name).where(Department.code == POLICE)) == [("示范市公安局",)]

    server = subprocess.Popen(["bash", "-c", prelude + "exec " + localise(blocks[-1][1]).strip()], cwd=tmp_path,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as http:
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, server.stderr.read().decode()
                try:
                    if http.get("/api/v1/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "服务 30 秒内未就绪"
                time.sleep(0.2)

            def token(username: str, password: str) -> dict[str, str]:
                r = http.post("/api/v1/auth/token", json={"username": username, "password": password})
                assert r.status_code == 200, r.text
                return {"Authorization": f"Bearer {r.json()['access_token']}"}

            worker = token("wangxm", WORKER_PASSWORD)
            categories = http.get("/api/v1/case-categories", headers=worker)
            assert categories.status_code == 200 and categories.json(), categories.text
            r = http.post("/api/v1/cases", headers=worker, json={
                "title": "路灯不亮", "description": "示范社区东门路灯不亮", "category": categories.json()[0]["code"],
                "source": "patrol", "lon": LON0 + STEP, "lat": LAT0 + STEP, "next_action": "escalate",
                "note": "需街道协调"})
            assert r.status_code == 201, r.text
            case = r.json()
            assert case["grid_code"] == GRID and case["state"] == "escalated"
            dispatcher = token("zhangdd", DISPATCHER_PASSWORD)
            r = http.post(f"/api/v1/cases/{case['case_no']}/actions/accept", headers=dispatcher, json={})
            assert r.status_code == 200, r.text
            assert r.json()["state"] == "accepted"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


runner = CliRunner()


def test_first_day_refusals(fresh_url, cli_env, tmp_path):
    """Outside demo mode: demo-like and common passwords, a setup with nothing to set up, a bad
    department file (every bad line by number), a missing key (a sentence, not a traceback)."""
    cli_env(fresh_url, GRIDGOV_DEMO="0", GRIDGOV_SECRET_KEY="s" * 48)
    city = tmp_path / "city.geojson"
    city.write_text(json.dumps(_territory(), ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(cli, ["setup", "--yes"])
    assert r.exit_code == 1 and "--territory" in r.output
    r = runner.invoke(cli, ["setup", "--yes", "--territory", str(city), "--password-stdin"], input="Sec-2026-first\n")
    assert r.exit_code == 1 and "系统管理员的密码" in r.output  # the security admin was made; the rest is missing
    for password, reason in (("demo12345", "演示密码"), ("DEMO12345", "演示密码"), ("demo2026", "演示密码的变体"),
                             ("Admin123", "过于常见"), ("password1", "过于常见")):
        r = runner.invoke(cli, ["users", "create", "first_aud", "--role", "auditor", "--scope", CITY,
                                "--password-stdin"], input=password + "\n")
        assert r.exit_code == 1 and reason in r.output, (password, r.output)
    r = runner.invoke(cli, ["users", "create", "wangxm", "--role", "fulltime", "--scope", GRID, "--staff", "王小明",
                            "--password-stdin"], input="Wkr-2026-first\n")
    assert r.exit_code == 1 and "没有担任专职网格员的网格员 王小明" in r.output, r.output
    bad = tmp_path / "bad.csv"
    bad.write_text(f"部门编码,部门名称\n{POLICE},示范市公安局\n{CITY}-nosuch,某局\n{POLICE},重复\n", encoding="utf-8")
    r = runner.invoke(cli, ["setup", "--yes", "--departments", str(bad), "--password-stdin"],
                      input="Sys-2026-first\nAud-2026-first\n")
    assert r.exit_code == 1 and "line=3" in r.output and "line=4" in r.output and "line=2" not in r.output
    assert _count(fresh_url, select(Department.name).where(Department.code == POLICE)) == [("示范市公安部门",)]
    r = runner.invoke(cli, ["setup", "--yes", "--password-stdin"], input="Sys-2026-first\nAud-2026-first\n")
    assert r.exit_code == 0 and "首日开通完成" in r.output, r.output
    r = runner.invoke(cli, ["setup", "--yes"])
    assert r.exit_code == 0 and "本次没有做任何更改" in r.output, r.output
    r = runner.invoke(cli, ["users", "create", "second_aud", "--role", "auditor", "--scope", CITY],
                      input="Aud-2026-two\nAud-2026-oops\nAud-2026-two\nAud-2026-two\n")
    assert r.exit_code == 0 and "两次输入的密码不一致" in r.output and "已创建账号 second_aud" in r.output, r.output

    env = _env() | {"GRIDGOV_DATABASE_URL": fresh_url}
    done = subprocess.run(["gridgov", "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)
    assert done.returncode == 1 and "GRIDGOV_SECRET_KEY 未设置" in done.stderr and "Traceback" not in done.stderr
