"""Backups of a deployment and their restore (``gridgov backup DIR``, ``gridgov restore DIR``).

A backup directory holds:

* ``database.sqlite3`` (SQLite: the online backup API, a consistent copy while the app writes, WAL
  included) or ``database.dump`` (PostgreSQL: ``pg_dump --format=custom`` of a snapshot exported by
  a REPEATABLE READ transaction, so the manifest's figures come from the very data that was dumped);
* ``media.tar``: the media folder (photos), taken after the database: a photo is stored before the
  case that names it, so every photo the copied database names is in the tar;
* ``manifest.json``: format, gridgov version, backend, Alembic revision, creation time, the counts
  of the main tables, the sha256 of every file, and the ids of the field-encryption keys that sealed
  values with each key's check value (an HMAC under the key of a fixed text, see
  :meth:`gridgov.kit.crypto.FieldCipher.key_check`), never a key;
* ``keys.env`` (mode 0600) only with ``--with-keys``: the secret key and the field keys.

A restore checks everything it can before it changes anything (the sha256 of each file, the
backend, the revision, the keys, an empty target), then restores the database (SQLite: into a
temporary file moved into place; PostgreSQL: ``pg_restore --single-transaction``), compares the
counts with the manifest and puts the media in place.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, LargeBinary, create_engine, func, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from gridgov import __version__
from gridgov.db import make_engine
from gridgov.fieldkeys import encrypted_columns
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.migrate import alembic_config
from gridgov.migrate import upgrade as run_upgrade
from gridgov.models import Base

FORMAT = 1
MANIFEST = "manifest.json"
KEYS_FILE = "keys.env"
MEDIA_TAR = "media.tar"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
DATA_FILES = (SQLITE_FILE, PG_FILE, MEDIA_TAR)
MAIN_TABLES = ("areas", "grids", "departments", "users", "staff_members", "cases", "case_log", "case_photos",
               "registry_people", "audit_log")
"""The tables whose rows are counted into the manifest and checked again after a restore."""

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message (Chinese) says why and what to do."""


# ---------------------------------------------------------------- what a database holds


def snapshot_facts(conn: Connection) -> dict:
    """The revision, the main tables' counts and the key ids that sealed values, read on ``conn``
    (inside the snapshot being backed up, or on a restored copy)."""
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" not in tables:
        raise BackupError("数据库中没有迁移版本表（alembic_version）：这不是 gridgov 的数据库，或从未迁移")
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    counts = {name: conn.execute(select(func.count()).select_from(Base.metadata.tables[name])).scalar_one()
              for name in MAIN_TABLES if name in tables}
    key_ids: set[int] = set()
    for table, column in encrypted_columns():
        if table.name in tables:
            heads = select(func.substr(column, 1, 2, type_=LargeBinary)).where(column.is_not(None)).distinct()
            key_ids.update(_key_id(bytes(head)) for (head,) in conn.execute(heads))
    return {"alembic_revision": revision, "counts": counts, "key_ids": sorted(key_ids)}


def _key_id(head: bytes) -> int:
    """The key id of a sealed value from its first two bytes (see gridgov.kit.crypto)."""
    if head[:1] == b"\x01":
        return 0
    if len(head) == 2 and head[:1] == b"\x02":
        return head[1]
    raise BackupError("数据库中有无法识别的密文（未知的密文版本）")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _table_count(url: URL) -> int:
    """How many tables the target database already has (0: empty or missing)."""
    if url.get_backend_name() == "sqlite":
        if not url.database or not Path(url.database).exists():
            return 0
        with sqlite3.connect(url.database) as conn:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    engine = make_engine(url.render_as_string(hide_password=False), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN "
                                     "('pg_catalog', 'information_schema')")).scalar_one()
    finally:
        engine.dispose()


# ---------------------------------------------------------------- PostgreSQL client programs


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    found = re.search(r"\)\s*(\d+)", out) or re.search(r"(\d+)\.\d+", out)
    return int(found.group(1)) if found else None


def find_pg_tool(name: str, server_major: int) -> str:
    """``pg_dump`` or ``pg_restore`` for a server of ``server_major``: the one on PATH, then those in
    /usr/lib/postgresql/*/bin; the first of the server's major version, else the oldest newer one.
    An older one is refused: it cannot read what a newer server holds."""
    candidates = [p for p in [shutil.which(name), *sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))] if p]
    versions = [(p, v) for p in dict.fromkeys(candidates) if (v := _tool_major(p)) is not None]
    if not versions:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL {server_major} 的客户端程序"
                          f"（例如 postgresql-client-{server_major}）")
    for path, major in versions:
        if major == server_major:
            return path
    newer = sorted((v, p) for p, v in versions if v > server_major)
    if newer:
        return newer[0][1]
    found = "、".join(f"{p}（{v}）" for p, v in versions)
    raise BackupError(f"找到的 {name} 都比数据库服务器（PostgreSQL {server_major}）旧：{found}。旧版本不能正确处理"
                      f"新版本服务器的数据，请安装 PostgreSQL {server_major} 或更新版本的客户端程序"
                      f"（例如 postgresql-client-{server_major}）")


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for ``url`` and the environment for the password (never on the
    command line, where ``ps`` would show it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise BackupError(f"{what}失败（{Path(cmd[0]).name} 退出码 {proc.returncode}）：{proc.stderr.strip()[-2000:]}")


def _server_major(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SHOW server_version_num").scalar()) // 10000


# ---------------------------------------------------------------- backup


def backup(settings, dest: Path, *, with_keys: bool = False, say: Say = print) -> dict:
    """Backs up the database, the media folder and the manifest into ``dest`` (new or empty);
    returns the manifest. On failure ``dest`` is left as it was found."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"备份目录 {dest} 不是空目录：请给出一个新的或空的目录（备份不会覆盖已有文件）")
    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        return _backup_into(settings, dest, with_keys=with_keys, say=say)
    except BaseException:
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise


def _backup_into(settings, dest: Path, *, with_keys: bool, say: Say) -> dict:
    url = make_url(settings.database_url)
    backend = url.get_backend_name()
    say(f"1/3 备份数据库（{backend}）：{url.render_as_string(hide_password=True)}")
    if backend == "sqlite":
        facts = _backup_sqlite(url, dest / SQLITE_FILE)
    elif backend == "postgresql":
        facts = _backup_postgresql(url, dest / PG_FILE)
    else:
        raise BackupError(f"不支持的数据库类型 {backend}：只能备份 SQLite 和 PostgreSQL")
    say(f"    迁移版本 {facts['alembic_revision']}；" + "，".join(f"{k} {v}" for k, v in facts["counts"].items()))
    say(f"2/3 备份媒体文件：{settings.media_path}")
    media = _tar_media(settings.media_path, dest / MEDIA_TAR)
    say(f"    {media} 个文件")
    cipher = FieldCipher.from_settings(settings)
    checks = {str(kid): cipher.key_check(kid) for kid in facts["key_ids"]}
    for kid, check in checks.items():
        if check is None:
            say(f"警告：数据库中有由密钥 {kid} 加密的值，但当前未配置该密钥（GRIDGOV_FIELD_KEYS）：这些值已无法解密")
    files = {name: sha256_of(dest / name) for name in DATA_FILES if (dest / name).exists()}
    manifest = {
        "format": FORMAT, "gridgov_version": __version__, "backend": backend,
        "alembic_revision": facts["alembic_revision"], "created_at": utc_now().isoformat(timespec="seconds"),
        "counts": facts["counts"], "media_files": media, "files": files,
        "key_ids": facts["key_ids"], "key_checks": checks, "keys_file": KEYS_FILE if with_keys else None,
    }
    if with_keys:
        _write_keys(settings, dest / KEYS_FILE)
        say(f"警告：{dest / KEYS_FILE} 含有密钥（GRIDGOV_SECRET_KEY 与 GRIDGOV_FIELD_KEYS），任何拿到它和备份的人都能"
            "读出全部个人信息。请立即把它移到与备份分开的安全位置（例如离线介质或密钥保管系统），不要与备份存放在一起。")
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for path in dest.iterdir():  # personal data: readable by the backup's owner only
        path.chmod(0o600)
    say(f"3/3 备份完成：{dest}")
    return manifest


def _backup_sqlite(url: URL, out: Path) -> dict:
    source = Path(url.database or "")
    if not url.database or not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)  # all pages in one step: one read snapshot of the database and its WAL
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
    finally:
        src.close()
        dst.close()
    engine = create_engine(f"sqlite:///{out}", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return snapshot_facts(conn)
    finally:
        engine.dispose()


def _backup_postgresql(url: URL, out: Path) -> dict:
    engine = make_engine(url.render_as_string(hide_password=False), poolclass=NullPool)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            pg_dump = find_pg_tool("pg_dump", _server_major(conn))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            facts = snapshot_facts(conn)
            conninfo, env = _libpq(url)
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={out}", f"--dbname={conninfo}"],
                 env, "pg_dump 备份")
            return facts
    finally:
        engine.dispose()


def _tar_media(media: Path, out: Path) -> int:
    files = 0
    with tarfile.open(out, "w") as tar:
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=path.relative_to(media).as_posix(), recursive=False)
                    files += 1
    return files


def _write_keys(settings, path: Path) -> None:
    lines = ["# gridgov 密钥（gridgov backup --with-keys 写出）：与备份分开保管，切勿与备份放在一起。",
             f"GRIDGOV_SECRET_KEY={settings.secret_key}", f"GRIDGOV_FIELD_KEYS={settings.field_keys}"]
    if settings.field_key_current is not None:
        lines.append(f"GRIDGOV_FIELD_KEY_CURRENT={settings.field_key_current}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- restore


def read_manifest(src: Path) -> dict:
    path = Path(src) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} 中没有 {MANIFEST}：这不是 gridgov backup 写出的备份目录")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} 已损坏，无法读取") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} 的格式版本不是 {FORMAT}：请用写出该备份的 gridgov 版本恢复")
    return manifest


def verify_backup(src: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its sha256; else the backup is refused."""
    files = manifest.get("files")
    db_file = SQLITE_FILE if manifest.get("backend") == "sqlite" else PG_FILE
    if not isinstance(files, dict) or db_file not in files or MEDIA_TAR not in files:
        raise BackupError("备份清单不完整：缺少数据库或媒体文件的校验值")
    for name, expected in files.items():
        if name not in DATA_FILES:
            raise BackupError(f"备份清单列出了未知的文件 {name!r}")
        path = Path(src) / name
        if not path.is_file():
            raise BackupError(f"备份文件缺失：{path}")
        if sha256_of(path) != expected:
            raise BackupError(f"备份文件已损坏或被改动：{path} 的 sha256 与备份清单不符，拒绝恢复（未做任何改动）")


def _check_revision(revision: str) -> str:
    """The migrations' head; refuses a backup whose revision this gridgov does not know."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        known = scripts.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(f"备份的迁移版本 {revision} 在本版本 gridgov 中不存在：备份来自更新的 gridgov，"
                          "请先升级 gridgov 再恢复")
    return scripts.get_current_head()


def _check_keys(settings, manifest: dict) -> list[str]:
    """Sentences about the key ids of the backup that are missing here or are other keys."""
    cipher = FieldCipher.from_settings(settings)
    problems = []
    for kid, check in sorted((manifest.get("key_checks") or {}).items(), key=lambda kv: int(kv[0])):
        here = cipher.key_check(int(kid))
        where = "GRIDGOV_SECRET_KEY" if kid == "0" else "GRIDGOV_FIELD_KEYS"
        if here is None:
            problems.append(f"备份中有由密钥 {kid} 加密的值，但当前未配置该密钥（{where}）")
        elif check is not None and here != check:
            problems.append(f"当前配置的密钥 {kid}（{where}）与备份时的不是同一个密钥")
    return problems


def restore(settings, src: Path, *, ignore_keys: bool = False, upgrade: bool = False, say: Say = print) -> dict:
    """Restores the backup in ``src`` into the (empty) database of ``settings`` and its media
    folder; returns the restored database's facts. Refuses, changing nothing, a damaged backup, one
    of another backend or a newer gridgov, keys that are not the backup's (unless ``ignore_keys``)
    and a database that has tables."""
    src = Path(src)
    manifest = read_manifest(src)
    say(f"1/4 校验备份文件：{src}")
    verify_backup(src, manifest)
    url = make_url(settings.database_url)
    backend = url.get_backend_name()
    if manifest["backend"] != backend:
        raise BackupError(f"备份来自 {manifest['backend']} 数据库，不能恢复到 {backend} 数据库（GRIDGOV_DATABASE_URL）")
    head = _check_revision(manifest["alembic_revision"])
    tables = _table_count(url)
    if tables:
        raise BackupError(f"目标数据库不是空的：已有 {tables} 张表。恢复只写入空数据库，请新建一个空数据库"
                          f"并让 GRIDGOV_DATABASE_URL 指向它（未做任何改动）")
    problems = _check_keys(settings, manifest)
    if problems and not ignore_keys:
        raise BackupError("；".join(problems) + "。用这些密钥加密的个人信息将无法解密。请配置备份时的密钥后再恢复"
                          "（或确认后用 --ignore-keys 强行恢复）")
    for problem in problems:
        say(f"警告：{problem}（--ignore-keys：仍然恢复）")
    say(f"2/4 解开媒体文件（{manifest.get('media_files', '?')} 个）")
    staged = _stage_media(src / MEDIA_TAR, settings.media_path)
    try:
        say(f"3/4 恢复数据库：{url.render_as_string(hide_password=True)}")
        facts = (_restore_sqlite if backend == "sqlite" else _restore_postgresql)(src, url, manifest["counts"])
        _place_media(staged, settings.media_path)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    say("4/4 恢复完成：" + "，".join(f"{k} {v}" for k, v in facts["counts"].items()))
    if facts["alembic_revision"] != head:
        if upgrade:
            say(f"迁移数据库：{facts['alembic_revision']} → {head}")
            engine = make_engine(url.render_as_string(hide_password=False), poolclass=NullPool)
            run_upgrade(engine)
            engine.dispose()
        else:
            say(f"注意：备份的迁移版本 {facts['alembic_revision']} 不是本版本的 {head}，请运行 gridgov db upgrade")
    return facts


def _stage_media(tar_path: Path, media: Path) -> Path:
    """The media of the backup unpacked beside the media folder (a move away from their place)."""
    media.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{media.name}.restore-", dir=media.parent))
    try:
        with tarfile.open(tar_path) as tar:
            tar.extractall(staged, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(staged, ignore_errors=True)
        raise BackupError(f"媒体文件无法解开：{exc}") from exc
    return staged


def _place_media(staged: Path, media: Path) -> None:
    if media.is_dir() and not any(media.iterdir()):
        media.rmdir()
    if not media.exists():
        os.replace(staged, media)
        return
    for path in sorted(staged.rglob("*")):  # photos are named by their sha256: one already there is the same
        target = media / path.relative_to(staged)
        if path.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)


def _check_counts(facts: dict, expected: dict) -> None:
    if facts["counts"] != expected:
        differ = "，".join(f"{k}：备份 {expected.get(k)}，恢复后 {facts['counts'].get(k)}"
                           for k in sorted(set(expected) | set(facts["counts"]))
                           if expected.get(k) != facts["counts"].get(k))
        raise BackupError(f"恢复后的行数与备份清单不符：{differ}")


def _restore_sqlite(src: Path, url: URL, counts: dict) -> dict:
    target = Path(url.database or "")
    if not url.database or url.database == ":memory:":
        raise BackupError("GRIDGOV_DATABASE_URL 应指向一个 SQLite 文件")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.restore-", dir=target.parent)
    os.close(fd)
    temp = Path(name)
    try:
        shutil.copyfile(src / SQLITE_FILE, temp)
        engine = create_engine(f"sqlite:///{temp}", poolclass=NullPool)
        try:
            with engine.connect() as conn:
                if conn.exec_driver_sql("PRAGMA quick_check").scalar() != "ok":
                    raise BackupError("备份中的 SQLite 数据库文件已损坏（quick_check 未通过）")
                facts = snapshot_facts(conn)
        finally:
            engine.dispose()
        _check_counts(facts, counts)
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):  # of the empty file being replaced
            stale.unlink(missing_ok=True)
        os.replace(temp, target)
        return facts
    finally:
        temp.unlink(missing_ok=True)


def _restore_postgresql(src: Path, url: URL, counts: dict) -> dict:
    engine = make_engine(url.render_as_string(hide_password=False), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            pg_restore = find_pg_tool("pg_restore", _server_major(conn))
        conninfo, env = _libpq(url)
        # One transaction: a failure leaves the database as empty as it was.
        _run([pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
              f"--dbname={conninfo}", str(src / PG_FILE)], env, "pg_restore 恢复")
        with engine.connect() as conn:
            facts = snapshot_facts(conn)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")  # pg_restore leaves the planner without statistics
    finally:
        engine.dispose()
    _check_counts(facts, counts)
    return facts
