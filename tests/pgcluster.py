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
    def __init__(self, superuser: str = "gridgov") -> None:
        self.superuser = superuser  # tests/system/test_deploy.py: "postgres", like a packaged server
        self.bindir = _bindir()
        self.root = Path(tempfile.mkdtemp(prefix="gridgov-pg-"))
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

    def start(self) -> str:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", self.superuser, "-E", "UTF8", "--locale=C")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(PgUnavailable):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        for _ in range(20):
            try:
                shutil.rmtree(self.root)
                return
            except OSError:
                time.sleep(0.1)
