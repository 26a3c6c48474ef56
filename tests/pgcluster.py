"""A throwaway PostgreSQL cluster for the tests, started from the server binaries on this machine.

The server refuses to run as root, so as root the cluster is owned by and run as the ``postgres``
system user (created by Debian's package) through ``runuser``. ``GRIDGOV_TEST_PG_URL`` points the
tests at an existing server instead.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PgUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if candidates:
        return Path(candidates[-1]).parent
    raise PgUnavailable("找不到 PostgreSQL 服务端程序（pg_ctl）：请安装 postgresql（make test 会自动安装）")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    def __init__(self, base: str | None = None, superuser: str = "gridgov") -> None:
        """``base``: the folder to make the cluster's own in (default: the temporary folder); a
        tmpfs such as /dev/shm spares a short-lived cluster the disk. ``superuser``: initdb's
        superuser (tests/system/test_deploy.py: "postgres", like a packaged server)."""
        self.superuser = superuser
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="gridgov-pg-", dir=base))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                raise PgUnavailable("以 root 运行测试需要 runuser 才能以 postgres 用户启动数据库")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres")
            os.chmod(self.root, 0o700)

    def _run(self, *args: str) -> None:
        cmd = [*self.as_user, str(self.bindir / args[0]), *args[1:]]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=self.root)
        if proc.returncode != 0:
            raise PgUnavailable(f"{' '.join(cmd)} 失败：{proc.stderr.strip() or proc.stdout.strip()}")

    def start(self, *, primary: bool = False) -> str:
        """Starts the cluster; ``primary``: one a :class:`PgReplica` can stream from (WAL senders;
        initdb's pg_hba.conf already trusts replication connections from 127.0.0.1)."""
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", self.superuser, "-E", "UTF8", "--locale=C")
        self._start(" -c wal_level=replica -c max_wal_senders=4" if primary else "")
        return self.url

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/postgres"

    def _start(self, extra: str = "") -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200" + extra
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def halt(self) -> None:
        """Stops the server (immediate shutdown), keeping its files."""
        with contextlib.suppress(PgUnavailable):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        self.halt()
        for _ in range(20):
            try:
                shutil.rmtree(self.root)
                return
            except OSError:
                time.sleep(0.1)


class PgReplica(PgCluster):
    """A streaming hot standby of a :class:`PgCluster` started with ``primary=True``: copied with
    ``pg_basebackup -R`` (which writes the standby's primary_conninfo and standby.signal) and started
    on a port of its own. Read-only, as a production replica is."""

    def __init__(self, primary: PgCluster) -> None:
        super().__init__(str(primary.root.parent))
        self.primary = primary

    def start(self, *, primary: bool = False) -> str:
        self._run("pg_basebackup", "-D", str(self.data), "-R", "-X", "stream", "--checkpoint=fast",
                  "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", self.primary.superuser)
        self.restart()
        return self.url

    def restart(self) -> None:
        """Starts the standby (again, after :meth:`halt`)."""
        self._start(" -c hot_standby=on")

    def wait_caught_up(self, timeout: float = 30.0) -> None:
        """Waits until the standby is in recovery and has replayed everything the primary has written."""
        import psycopg

        with psycopg.connect(self.primary.url.replace("+psycopg", ""), autocommit=True) as p:
            target = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.url.replace("+psycopg", ""), autocommit=True) as r:
            while True:
                recovering, behind = r.execute("SELECT pg_is_in_recovery(), "
                                               "pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) > 0",
                                               (target,)).fetchone()
                if recovering and not behind:
                    return
                if time.monotonic() > deadline:
                    raise PgUnavailable(f"只读副本 {timeout:.0f} 秒内没有追上主库（回放位置落后于 {target}）")
                time.sleep(0.05)
