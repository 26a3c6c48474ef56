"""``gridgov backup`` of a live instance under write load, and ``gridgov restore`` into an empty database
(issue 19), on SQLite and PostgreSQL.

The app serves a small demo city on loopback (uvicorn in a thread) while a thread keeps reporting
cases through the API; ``gridgov backup`` runs as its own process, as an operator would run it.
The backup is restored by ``gridgov restore`` into a new database; the restored database holds what
the manifest counted, its case files verify (``gridgov cases verify-log --all``), a demo account
logs in and the photo is served. A damaged backup, a database that has tables and another secret key
are refused with nothing changed, and no key is in the backup unless ``--with-keys`` asks for it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

import gridgov
from gridgov.accounts.demo import demo_places
from gridgov.backup import MANIFEST, _table_count, snapshot_facts
from gridgov.config import get_settings
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher, _derive
from gridgov.migrate import downgrade
from gridgov.models import Case

from ..conftest import DEMO_PROFILE, TEST_SECRET_KEY, make_settings, serve_database

CITY = "321100000000"
GRIDGOV = Path(sys.executable).parent / "gridgov"


def _env(url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_")}
    env.update(GRIDGOV_DATABASE_URL=url, GRIDGOV_SECRET_KEY=TEST_SECRET_KEY, GRIDGOV_VAR_DIR=str(var_dir),
               GRIDGOV_PROFILE=DEMO_PROFILE,
               PYTHONPATH=str(Path(gridgov.__file__).parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update(extra)
    return env


def _gridgov(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The ``gridgov`` command as its own process."""
    return subprocess.run([str(GRIDGOV), *args], env=env, capture_output=True, text=True, timeout=120)


def _in_process(*args: str, env: dict[str, str]):
    """The ``gridgov`` command through CliRunner (quicker than a process: the backup under load is one)."""
    from gridgov.cli import app

    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args), env=env)
    finally:
        get_settings.cache_clear()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (30, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def _facts(url: str) -> dict:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return snapshot_facts(conn)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def backed_up(backend, db_factory, template_url, tmp_path_factory):
    """A small demo city served live, backed up by ``gridgov backup`` while a thread reports cases."""
    from gridgov.demo import build_demo
    from gridgov.policy.loader import load_profile

    root = tmp_path_factory.mktemp(f"backup-{backend}")
    url = db_factory.create(template=template_url)
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as session:  # people: encrypted values under key 0
        build_demo(session, load_profile(DEMO_PROFILE), grids=10, now=utc_now(), cipher=FieldCipher(TEST_SECRET_KEY),
                   people=3)
        grid = demo_places(session, CITY).grid
    live_dir, out = root / "live", root / "backup"
    with serve_database(url, engine, live_dir) as live, httpx.Client(base_url=live, timeout=60) as http:
        token = http.post("/api/v1/auth/token", json={"username": "worker", "password": "demo12345"})
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        photo = http.post("/api/v1/case-photos", files={"file": ("a.png", _png(), "image/png")})
        assert photo.status_code == 201, photo.text
        sha = photo.json()["sha256"]
        category = http.get("/api/v1/case-categories").json()[0]["code"]
        body = {"title": "备份测试", "category": category, "source": "patrol", "grid_code": grid,
                "address": "测试路 1 号"}
        first = http.post("/api/v1/cases", json={**body, "photos": [sha]})
        assert first.status_code == 201, first.text

        stop, written, failures = threading.Event(), [], []
        started = threading.Event()

        def write() -> None:
            while not stop.is_set():
                r = http.post("/api/v1/cases", json=body)
                (written if r.status_code == 201 else failures).append(r.status_code)
                started.set()

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        try:
            assert started.wait(30)
            before = len(written)
            proc = _gridgov("backup", str(out), env=_env(url, live_dir))
            during = len(written) - before
        finally:
            stop.set()
            writer.join(timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not failures and during > 0  # the app kept writing while the backup ran
    yield SimpleNamespace(url=url, root=root, out=out, manifest=json.loads((out / MANIFEST).read_text()), sha=sha,
                          first=first.json()["case_no"], low=1 + before, high=1 + len(written))


def test_a_backup_under_write_load_restores_into_an_empty_database(backed_up, db_factory):
    manifest, target, var = backed_up.manifest, db_factory.create(), backed_up.root / "restored"
    assert manifest["backend"] == db_factory.backend and manifest["key_ids"] == [0]
    # One consistent snapshot: the cases reported before the backup began, perhaps some during it.
    assert backed_up.low <= manifest["counts"]["cases"] <= backed_up.high
    assert manifest["counts"]["case_log"] >= manifest["counts"]["cases"] and manifest["media_files"] >= 1

    done = _in_process("restore", str(backed_up.out), env=_env(target, var))
    assert done.exit_code == 0, done.output
    assert "恢复完成" in done.output
    assert _facts(target)["counts"] == manifest["counts"]
    verified = _in_process("cases", "verify-log", "--all", env=_env(target, var))
    assert verified.exit_code == 0, verified.output
    assert f"共核验 {manifest['counts']['cases']} 件事件" in verified.output

    from gridgov.app import create_app

    engine = make_engine(target)
    try:
        with TestClient(create_app(make_settings(target, var), engine=engine)) as client:
            r = client.post("/api/v1/auth/token", json={"username": "worker", "password": "demo12345"})
            assert r.status_code == 200, r.text
            client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            case = client.get(f"/api/v1/cases/{backed_up.first}")
            assert case.status_code == 200 and backed_up.sha in case.text
            photo = client.get(f"/api/v1/case-photos/{backed_up.sha}")
            assert photo.status_code == 200 and photo.content[:4] == b"\x89PNG"
    finally:
        engine.dispose()


def test_a_damaged_backup_another_key_or_a_database_with_tables_is_refused_changing_nothing(backed_up, db_factory,
                                                                                           tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(backed_up.out, damaged)
    (db_file,) = (p for p in damaged.iterdir() if p.name.startswith("database."))
    data = bytearray(db_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    db_file.write_bytes(bytes(data))
    target, var = db_factory.create(), tmp_path / "var"
    refused = _in_process("restore", str(damaged), env=_env(target, var))
    assert refused.exit_code == 1 and "已损坏或被改动" in refused.output and db_file.name in refused.output
    assert _table_count(make_url(target)) == 0 and not var.exists()

    other_key = _in_process("restore", str(backed_up.out), env=_env(target, var, GRIDGOV_SECRET_KEY="k" * 48))
    assert other_key.exit_code == 1 and "密钥 0" in other_key.output and "不是同一个密钥" in other_key.output
    assert _table_count(make_url(target)) == 0 and not var.exists()

    engine = make_engine(backed_up.url)  # the live database: it has tables
    try:
        with engine.connect() as conn:
            cases = conn.scalar(select(func.count()).select_from(Case))
        tables = _in_process("restore", str(backed_up.out), env=_env(backed_up.url, var))
        assert tables.exit_code == 1 and "目标数据库不是空的" in tables.output and "张表" in tables.output
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Case)) == cases
    finally:
        engine.dispose()
    assert not var.exists()


def test_no_key_is_in_a_backup_unless_asked_and_then_only_in_its_0600_file(backed_up, tmp_path):
    secrets_ = [TEST_SECRET_KEY.encode()]
    for purpose in (b"field-encryption-v1", b"blind-index-v1"):
        raw = _derive(TEST_SECRET_KEY, purpose)
        secrets_ += [raw, raw.hex().encode()]

    def holders(folder: Path) -> set[str]:
        return {p.name for p in folder.rglob("*") if p.is_file() and any(s in p.read_bytes() for s in secrets_)}

    assert holders(backed_up.out) == set() and backed_up.manifest["keys_file"] is None
    assert not (backed_up.out / "keys.env").exists()
    out = tmp_path / "with-keys"
    done = _in_process("backup", str(out), "--with-keys", env=_env(backed_up.url, backed_up.root / "live"))
    assert done.exit_code == 0, done.output
    assert "警告" in done.output and "分开" in done.output
    assert holders(out) == {"keys.env"} and (out / "keys.env").stat().st_mode & 0o777 == 0o600
    assert f"GRIDGOV_SECRET_KEY={TEST_SECRET_KEY}" in (out / "keys.env").read_text()
    # an existing, non-empty directory is refused
    again = _in_process("backup", str(out), env=_env(backed_up.url, backed_up.root / "live"))
    assert again.exit_code == 1 and "不是空目录" in again.output



def test_a_backup_of_an_older_revision_restores_and_says_to_upgrade_or_upgrades(backed_up, db_factory, tmp_path):
    from gridgov.backup import _check_revision

    head = _check_revision(backed_up.manifest["alembic_revision"])
    older = db_factory.create()
    assert _in_process("restore", str(backed_up.out), env=_env(older, tmp_path / "v0")).exit_code == 0
    engine = make_engine(older)
    downgrade(engine, "-1")
    engine.dispose()
    out = tmp_path / "older"
    assert _in_process("backup", str(out), env=_env(older, tmp_path / "v0")).exit_code == 0
    revision = json.loads((out / MANIFEST).read_text())["alembic_revision"]
    assert revision != head

    said = db_factory.create()
    done = _in_process("restore", str(out), env=_env(said, tmp_path / "v1"))
    assert done.exit_code == 0 and "请运行 gridgov db upgrade" in done.output
    assert _facts(said)["alembic_revision"] == revision
    upgraded = db_factory.create()
    done = _in_process("restore", str(out), "--upgrade", env=_env(upgraded, tmp_path / "v2"))
    assert done.exit_code == 0, done.output
    assert _facts(upgraded)["alembic_revision"] == head

    newer = tmp_path / "newer"  # a backup from a gridgov with migrations this one lacks
    shutil.copytree(out, newer)
    manifest = json.loads((newer / MANIFEST).read_text())
    (newer / MANIFEST).write_text(json.dumps({**manifest, "alembic_revision": "9999_future"}))
    target = db_factory.create()
    refused = _in_process("restore", str(newer), env=_env(target, tmp_path / "v3"))
    assert refused.exit_code == 1 and "请先升级 gridgov" in refused.output
    assert _table_count(make_url(target)) == 0 and not (tmp_path / "v3").exists()


def _fake_tool(folder: Path, name: str, version: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    path.chmod(0o755)
    return str(path)


def test_pg_dump_is_the_servers_version_else_a_newer_one_and_never_an_older_one(tmp_path, monkeypatch):
    from gridgov import backup

    on_path = _fake_tool(tmp_path / "bin", "pg_dump", "16.2 (Debian 16.2-1)")
    installed = [_fake_tool(tmp_path / f"lib{v}", "pg_dump", f"{v}.4") for v in (14, 15, 17)]
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(backup, "glob", SimpleNamespace(glob=lambda pattern: installed))
    assert backup.find_pg_tool("pg_dump", 15) == installed[1]  # the server's own version first
    assert backup.find_pg_tool("pg_dump", 16) == on_path
    assert backup.find_pg_tool("pg_dump", 13) == installed[0]  # else the oldest newer one
    with pytest.raises(backup.BackupError, match=r"都比数据库服务器（PostgreSQL 18）旧.*postgresql-client-18"):
        backup.find_pg_tool("pg_dump", 18)
