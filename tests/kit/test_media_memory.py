"""Eight decompression bombs at once leave the real server's memory alone (issue 11, finding 4).

The server runs as its own process (``gridgov serve`` on loopback over a small SQLite demo city),
so its peak resident memory (VmHWM in /proc/PID/status) is measured, not the test's."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from PIL import Image

import gridgov

GRIDGOV = Path(sys.executable).parent / "gridgov"
LIMIT_MB = 300


def _png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc")
    env = {**os.environ, "GRIDGOV_VAR_DIR": str(tmp_path), "GRIDGOV_DEMO": "1", "GRIDGOV_PROFILE": "zhenjiang",
           "GRIDGOV_SWEEP_INTERVAL_SECONDS": "0",
           "PYTHONPATH": str(Path(gridgov.__file__).parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([str(GRIDGOV), "demo", "--grids", "10"], env=env, check=True, capture_output=True, timeout=300)
    port = _free_port()
    proc = subprocess.Popen([str(GRIDGOV), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("服务器未能启动")
        time.sleep(0.2)
    yield base, proc.pid
    proc.terminate()
    proc.wait(timeout=20)


def test_eight_bombs_at_once_keep_the_server_under_300_mb(server):
    base, pid = server
    token = httpx.post(f"{base}/api/v1/auth/token", json={"username": "city_admin", "password": "demo12345"},
                       timeout=60).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    # warm up: one real photo loads Pillow and the upload path, so only the bombs are measured
    ok = httpx.post(f"{base}/api/v1/case-photos", files={"file": ("a.png", _png(64, 64), "image/png")},
                    headers=headers, timeout=60)
    assert ok.status_code == 201, ok.text
    bomb = _png(6300, 6300)
    assert len(bomb) < 200_000
    before = _peak_kb(pid)

    def send(_):
        return httpx.post(f"{base}/api/v1/case-photos", files={"file": ("bomb.png", bomb, "image/png")},
                          headers=headers, timeout=120)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    grown_mb = (_peak_kb(pid) - before) / 1024
    assert [a.status_code for a in answers] == [422] * 8
    assert all("尺寸过大" in a.json()["detail"] for a in answers)
    assert grown_mb < LIMIT_MB, f"峰值内存增长 {grown_mb:.0f} MB"
