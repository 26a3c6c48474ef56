"""A throwaway "fresh machine" for tests/system/test_deploy.py: docs/deploy.md's tested blocks and the
files of deploy/ rendered for a temporary root, and shims that stand in for what a test cannot do to
the real machine (create users, chown, sudo, systemd, the system nginx).

Every path the guide uses (/etc/gridgov, /var/lib/gridgov, /etc/nginx, /etc/systemd/system, /opt/gridgov,
/usr/local/bin, /var/log/nginx) moves under the root, every port (8001, 8002, 443, 80, 5432) to a free
one; nothing else in the commands changes. ``systemctl`` runs a unit's own ``ExecStart`` (parsed from
the unit file the guide installed) with its ``EnvironmentFile`` and ``WorkingDirectory``, so the
command that is tested is the unit's.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "deploy.md"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

# The guide's paths, longest first so that /etc/nginx does not catch /etc/nginx/... twice.
PATHS = ("/etc/systemd/system", "/var/lib/gridgov", "/var/log/nginx", "/usr/local/bin", "/etc/gridgov",
         "/etc/nginx", "/opt/gridgov")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def blocks(text: str, tag: str) -> list[str]:
    """The fenced blocks whose info string is exactly ``tag`` (e.g. ``sh deploy-test``), also when
    indented in a list item."""
    found = re.findall(rf"^( *)```{re.escape(tag)}\n(.*?)^\1```$", text, flags=re.S | re.M)
    return [textwrap.dedent(body) for _, body in found]


def commands(block: str) -> list[str]:
    """A block's lines without comments and blank lines (to compare the two languages' blocks)."""
    lines = (re.sub(r"\s+#\s.*$", "", line).rstrip() for line in block.splitlines())
    return [line for line in lines if line and not line.lstrip().startswith("#")]


class Machine:
    """The temporary root, its ports and the substitutions that map the guide onto it."""

    def __init__(self, root: Path, pg_port: int, pg_bindir: Path) -> None:
        self.root = root
        self.pg_bindir = pg_bindir  # psql when the machine has no /usr/bin/psql
        self.ports = {"8001": free_port(), "8002": free_port(), "443": free_port(), "80": free_port()}
        self.pg_port = pg_port
        self.run_dir = root / "run"
        for sub in ("run", "src", "shim", "nginx/tmp", "var/log/nginx", "etc/nginx/conf.d",
                    "etc/nginx/sites-enabled", "etc/systemd/system", "usr/local/bin", "opt/gridgov/bin"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def at(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def render(self, text: str) -> str:
        for path in PATHS:
            text = text.replace(path, str(self.at(path)))
        text = text.replace("127.0.0.1:5432", f"127.0.0.1:{self.pg_port}")
        for port in ("8001", "8002"):
            text = re.sub(rf"\b{port}\b", str(self.ports[port]), text)
        return re.sub(r"(?<=:)443\b", str(self.ports["443"]), text)  # the guide's https://host:443 URLs

    def render_nginx(self, text: str) -> str:
        """The site's config on loopback ports (no IPv6 in a test container)."""
        text = re.sub(r"^\s*listen \[::\]:\d+.*\n", "", text, flags=re.M)
        text = re.sub(r"listen 80;", f"listen 127.0.0.1:{self.ports['80']};", text)
        text = re.sub(r"listen 443 ", f"listen 127.0.0.1:{self.ports['443']} ", text)
        return self.render(text)

    def install_sources(self) -> Path:
        """The source folder the guide's commands run in: deploy/ rendered for this machine."""
        src = self.root / "src"
        for path in (REPO / "deploy").rglob("*"):
            if path.is_file():
                out = src / path.relative_to(REPO)
                out.parent.mkdir(parents=True, exist_ok=True)
                text = path.read_text()
                out.write_text(self.render_nginx(text) if path.suffix == ".conf" else self.render(text))
                out.chmod(path.stat().st_mode)
        # The installed package (guide section 3, not run): this test's own gridgov.
        self.at("/opt/gridgov/bin/gridgov").symlink_to(Path(sys.executable).parent / "gridgov")
        return src

    def nginx_main_conf(self) -> Path:
        """What the machine's /etc/nginx/nginx.conf would hold: the http context including conf.d."""
        tmp = self.root / "nginx" / "tmp"
        user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must reach the 0700 tmp dir
        conf = self.at("/etc/nginx/nginx.conf")
        conf.write_text(user + textwrap.dedent(f"""\
            worker_processes 1;
            pid {self.run_dir / 'nginx.pid'};
            error_log {self.at('/var/log/nginx/error.log')} info;
            events {{ worker_connections 256; }}
            http {{
                default_type application/octet-stream;
                access_log {self.at('/var/log/nginx/access.log')};
                client_body_temp_path {tmp}/body;
                proxy_temp_path {tmp}/proxy;
                fastcgi_temp_path {tmp}/fastcgi;
                uwsgi_temp_path {tmp}/uwsgi;
                scgi_temp_path {tmp}/scgi;
                include {self.at('/etc/nginx/conf.d')}/*.conf;
            }}
            """))
        return conf

    def write_shims(self) -> Path:
        shim = self.root / "shim"
        conf = self.nginx_main_conf()
        files = {
            # Users and owners belong to the real machine: accepted and ignored.
            "useradd": "#!/bin/sh\nexit 0\n",
            "chown": "#!/bin/sh\nexit 0\n",
            "install": f"#!{sys.executable}\n" + INSTALL,  # without -o/-g: no user gridgov here
            "sudo": textwrap.dedent("""\
                #!/bin/sh
                # sudo -u USER CMD...: the command, as this user
                while [ $# -gt 0 ]; do
                  case "$1" in
                    -u) shift 2 ;;
                    -*) shift ;;
                    *) break ;;
                  esac
                done
                exec "$@"
                """),
            "nginx": f"#!/bin/sh\nexec {NGINX} -p {self.root / 'nginx'}/ -e {self.at('/var/log/nginx/error.log')} "
                     f"-c {conf} \"$@\"\n",
            "systemctl": f"#!{sys.executable}\n" + SYSTEMCTL.format(root=str(self.root)),
        }
        for name, body in files.items():
            (shim / name).write_text(body)
            (shim / name).chmod(0o755)
        return shim

    def env(self) -> dict[str, str]:
        """The guide's shell: the shims first, psql pointed at the machine's PostgreSQL as ``postgres``."""
        keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR")}
        path = (f"{self.root / 'shim'}:{self.at('/usr/local/bin')}:{os.environ.get('PATH', '/usr/bin:/bin')}"
                f":{self.pg_bindir}")
        return {**keep, "PATH": path, "PGHOST": "127.0.0.1", "PGPORT": str(self.pg_port), "PGUSER": "postgres",
                "DEPLOY_TEST_ROOT": str(self.root)}

    def stop_all(self) -> None:
        """Stops every process the shims started (their pid files), nginx last."""
        for pid_file in sorted(self.run_dir.glob("*.pid"), key=lambda p: p.name == "nginx.pid"):
            try:
                pid = int(pid_file.read_text().strip())
                if pid_file.name == "nginx.pid":
                    os.kill(pid, signal.SIGTERM)
                else:
                    os.killpg(pid, signal.SIGTERM)
            except (ValueError, ProcessLookupError, PermissionError):
                pass


INSTALL = """
import os, sys
args, out = sys.argv[1:], []
while args:
    if args[0] in ("-o", "-g"):
        args = args[2:]
        continue
    out.append(args.pop(0))
os.execv("/usr/bin/install", ["install", *out])
"""

SYSTEMCTL = r'''
"""systemctl for the test machine: runs the installed units' ExecStart as systemd would."""
import os, re, shlex, signal, subprocess, sys, time
from pathlib import Path

ROOT = Path({root!r})
UNITS, RUN = ROOT / "etc/systemd/system", ROOT / "run"


def unit_file(name):
    name = name if name.endswith(".service") else name + ".service"
    stem, _, instance = name[: -len(".service")].partition("@")
    return (UNITS / (f"{{stem}}@.service" if instance else name)), instance, name


def service(path, instance):
    keys = {{}}
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys[key.strip()] = value.strip().replace("%i", instance)
    return keys


def environment(path):
    env = {{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH")}}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def start(name):
    path, instance, name = unit_file(name)
    keys = service(path, instance)
    argv = shlex.split(keys["ExecStart"])
    log = open(RUN / f"{{name}}.log", "ab")
    proc = subprocess.Popen(argv, cwd=keys.get("WorkingDirectory"), env=environment(keys["EnvironmentFile"]),
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    (RUN / f"{{name}}.pid").write_text(str(proc.pid))


def alive(pid):
    try:
        return Path(f"/proc/{{pid}}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def stop(name):
    name = unit_file(name)[2]
    pid_file = RUN / f"{{name}}.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
        for _ in range(100):
            if not alive(pid):
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    pid_file.unlink()


def nginx(verb):
    pid_file = RUN / "nginx.pid"  # nginx -t leaves it empty
    running = pid_file.exists() and pid_file.read_text().strip().isdigit() and alive(int(pid_file.read_text()))
    args = ["-s", "reload"] if running and verb != "start" else []
    subprocess.run([str(ROOT / "shim" / "nginx"), *args], check=True)


verb, rest = sys.argv[1], sys.argv[2:]
with open(RUN / "systemctl.calls", "a") as calls:
    calls.write(" ".join(sys.argv[1:]) + "\n")
units = [u for u in rest if not u.startswith("-")]
if verb == "daemon-reload" or (verb == "enable" and "--now" not in rest):
    sys.exit(0)
for unit in units:
    if unit in ("nginx", "nginx.service"):
        nginx(verb)
    elif verb in ("enable", "start"):
        start(unit)
    elif verb == "restart":
        stop(unit)
        start(unit)
    elif verb == "stop":
        stop(unit)
    else:
        sys.exit(f"systemctl {{verb}}: not in the test machine")
'''
