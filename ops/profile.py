"""The production profile on one machine, without Docker: PostgreSQL (tracker
store), Redis (lock store), two or more Rasa servers, the action server and
nginx in front, all on loopback ports, from Debian's packages.

Used by scripts/prod.sh (`python -m ops.profile start|stop|status|env`) and
by the tests in tests/production/, so both run the same code. State (data,
configuration, logs, pid files, generated secrets) lives in one directory,
`.prod/` by default (gitignored). The endpoints file is deploy/endpoints.yml
and the nginx configuration deploy/nginx/sepsis.conf.template, the same ones
docker compose and Helm use.

PostgreSQL refuses to run as root: as root its programs run as the
`postgres` system user (`runuser -u postgres --`), with a data directory that
user owns. Redis keeps no data on disk: it only holds conversation locks,
which are worthless after a restart.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from base.paths import PROJECT_ROOT
from typing import Dict, List, Optional, Sequence

from base.paths import rasa_env
from ops.local import action_server_command, http_status, new_secret

ROOT = PROJECT_ROOT
DEPLOY = ROOT / "deploy"
ENDPOINTS = DEPLOY / "endpoints.yml"
NGINX_TEMPLATE = DEPLOY / "nginx" / "sepsis.conf.template"
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_STATE_DIR = ROOT / ".prod"
DB_NAME = DB_USER = "rasa"
START_TIMEOUT = 300.0


@dataclass
class Settings:
    """Ports, secrets and limits of one profile; saved as profile.json in the
    state directory so `stop` and `status` find what `start` started."""

    state_dir: str
    model: str = ""
    http_port: int = 8088
    rasa_ports: List[int] = field(default_factory=lambda: [5105, 5106])
    actions_port: int = 5155
    postgres_port: int = 5433
    redis_port: int = 6380
    rate_per_second: int = 10
    burst: int = 40
    auth_token: str = field(default_factory=lambda: new_secret(24))
    db_password: str = field(default_factory=lambda: new_secret(18))
    redis_password: str = field(default_factory=lambda: new_secret(18))
    cors: str = ""

    @classmethod
    def from_env(cls, state_dir: Path) -> "Settings":
        """The saved settings (secrets stay the same across restarts), with
        ports and limits from the PROD_* environment variables when set."""
        saved = state_dir / "profile.json"
        settings = cls(**json.loads(saved.read_text())) if saved.exists() else cls(str(state_dir))
        env = os.environ
        settings.http_port = int(env.get("PROD_HTTP_PORT", settings.http_port))
        if env.get("PROD_RASA_PORTS"):
            settings.rasa_ports = [int(p) for p in env["PROD_RASA_PORTS"].replace(",", " ").split()]
        settings.actions_port = int(env.get("PROD_ACTIONS_PORT", settings.actions_port))
        settings.postgres_port = int(env.get("PROD_POSTGRES_PORT", settings.postgres_port))
        settings.redis_port = int(env.get("PROD_REDIS_PORT", settings.redis_port))
        settings.rate_per_second = int(env.get("PROD_RATE_PER_SECOND", settings.rate_per_second))
        settings.burst = int(env.get("PROD_BURST", settings.burst))
        settings.auth_token = env.get("RASA_AUTH_TOKEN", settings.auth_token)
        settings.cors = env.get("CORS_ORIGINS", settings.cors)
        return settings

    def save(self) -> None:
        path = Path(self.state_dir) / "profile.json"
        path.write_text(json.dumps(asdict(self), indent=2))
        path.chmod(0o600)


def render_template(text: str, values: Dict[str, str]) -> str:
    """Fill ${NAME} placeholders (as envsubst does); a missing value is an error."""
    def fill(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"no value for ${{{match.group(1)}}} in {NGINX_TEMPLATE.name}")
        return str(values[match.group(1)])
    return re.sub(r"\$\{([A-Z0-9_]+)\}", fill, text)


def upstream_lines(addresses: Sequence[str]) -> str:
    """nginx `server` lines for the Rasa servers (also the compose value)."""
    return "\n    ".join(f"server {a} max_fails=1 fail_timeout=10s;" for a in addresses)


def postgres_bin() -> Path:
    """The bin directory of the newest PostgreSQL installed by Debian."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/setup_services.sh")
    return found[-1].parent


def as_root() -> bool:
    return os.geteuid() == 0


class Profile:
    """Start, stop and inspect the services of one profile."""

    SERVICES = ("postgres", "redis", "actions", "rasa", "nginx")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = Path(settings.state_dir)
        self.children: Dict[str, subprocess.Popen] = {}
        for sub in ("logs", "run", "nginx", "redis"):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
        self.state.chmod(0o711)

    # ------------------------------------------------------------ addresses
    @property
    def url(self) -> str:
        """The public entrance (nginx)."""
        return f"http://127.0.0.1:{self.settings.http_port}"

    def rasa_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_ports[index]}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.actions_port}"

    def endpoints_env(self) -> Dict[str, str]:
        """The variables deploy/endpoints.yml needs, for this profile."""
        s = self.settings
        return {
            "ACTION_SERVER_URL": f"{self.actions_url}/webhook",
            "DB_HOST": "127.0.0.1", "DB_PORT": str(s.postgres_port), "DB_NAME": DB_NAME,
            "DB_USER": DB_USER, "DB_PASSWORD": s.db_password,
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(s.redis_port),
            "REDIS_PASSWORD": s.redis_password, "REDIS_DB": "1",
        }

    def env(self) -> Dict[str, str]:
        env = rasa_env()
        # PostgreSQL connections per Rasa server (Rasa's defaults, 50 + 100,
        # would let two servers exceed PostgreSQL's 100 connections).
        env.setdefault("SQL_POOL_SIZE", "5")
        env.setdefault("SQL_MAX_OVERFLOW", "20")
        env.update(self.endpoints_env())
        # rasa_sdk has no --interface option but reads Sanic's SANIC_HOST.
        env.setdefault("SANIC_HOST", "127.0.0.1")
        return env

    # ------------------------------------------------------------ processes
    def _pid_file(self, name: str) -> Path:
        return self.state / "run" / f"{name}.pid"

    def _spawn(self, name: str, command: List[str]) -> None:
        """Start a process in its own session, logging to logs/<name>.log."""
        with open(self.state / "logs" / f"{name}.log", "ab") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=self.env(), stdout=log,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
        self.children[name] = process
        self._pid_file(name).write_text(str(process.pid))

    def _pid(self, name: str) -> Optional[int]:
        try:
            return int(self._pid_file(name).read_text())
        except (FileNotFoundError, ValueError):
            return None

    def alive(self, name: str) -> bool:
        """Whether the process started as `name` still runs."""
        if name in self.children:
            return self.children[name].poll() is None
        pid = self._pid(name)
        if pid is None:
            return False
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            return False
        return state != "Z"

    def signal(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        """Send a signal to a process group and wait until it is gone
        (SIGKILL after `timeout`)."""
        pid = self._pid(name)
        if pid is None or not self.alive(name):
            self._pid_file(name).unlink(missing_ok=True)
            return
        for attempt in (sig, signal.SIGKILL):
            try:
                os.killpg(pid, attempt)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + timeout
            while self.alive(name) and time.monotonic() < deadline:
                if name in self.children:
                    try:
                        self.children[name].wait(timeout=0.2)
                    except subprocess.TimeoutExpired:
                        pass
                else:
                    time.sleep(0.2)
            if not self.alive(name):
                break
        self.children.pop(name, None)
        self._pid_file(name).unlink(missing_ok=True)

    def wait_until(self, check, what: str, timeout: float = START_TIMEOUT,
                   watch: Sequence[str] = ()) -> None:
        """Wait until check() is true; fail early when a watched process died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            dead = [name for name in watch if not self.alive(name)]
            if dead:
                raise RuntimeError(f"{', '.join(dead)} stopped while starting; see "
                                   f"{self.state / 'logs'}/{dead[0]}.log")
            time.sleep(0.5)
        raise RuntimeError(f"{what} was not ready after {timeout:.0f} s; see {self.state / 'logs'}")

    # ------------------------------------------------------------ PostgreSQL
    def _as_postgres(self, command: List[str]) -> List[str]:
        return ["runuser", "-u", "postgres", "--", *command] if as_root() else command

    def _postgres_can_reach(self, path: Path) -> bool:
        if not as_root():
            return True
        return subprocess.run(self._as_postgres(["test", "-x", str(path)]),
                              capture_output=True).returncode == 0

    @property
    def postgres_dir(self) -> Path:
        """Where PostgreSQL keeps its data, socket and log: inside the state
        directory when the postgres user can reach it, else under /var/tmp."""
        inside = self.state / "postgres"
        if inside.exists() or self._postgres_can_reach(self.state):
            return inside
        digest = hashlib.sha1(str(self.state.resolve()).encode()).hexdigest()[:10]
        return Path("/var/tmp") / f"sepsis-postgres-{digest}"

    def _pg(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(self._as_postgres([str(postgres_bin() / program), *args]),
                              capture_output=True, text=True, check=check, cwd="/")

    def postgres_ready(self) -> bool:
        return self._pg("pg_isready", "-q", "-h", "127.0.0.1", "-p",
                        str(self.settings.postgres_port), check=False).returncode == 0

    def start_postgres(self) -> None:
        base = self.postgres_dir
        data, sockets = base / "data", base / "run"
        if not (data / "PG_VERSION").exists():
            sockets.mkdir(parents=True, exist_ok=True)
            if as_root():
                shutil.chown(base, "postgres", "postgres")
                shutil.chown(sockets, "postgres", "postgres")
            self._pg("initdb", "-D", str(data), "-U", "postgres", "-E", "UTF8", "--no-locale",
                     "--auth-local=trust", "--auth-host=scram-sha-256")
        if not self.postgres_ready():
            self._pg("pg_ctl", "-D", str(data), "-l", str(base / "postgres.log"), "-w", "-t", "60",
                     "-o", f"-p {self.settings.postgres_port} -c listen_addresses=127.0.0.1 "
                           f"-c unix_socket_directories={sockets}", "start")
        self._ensure_database(sockets)

    def _ensure_database(self, sockets: Path) -> None:
        """The tracker store's role and database, with this profile's password."""
        def sql(statement: str) -> str:
            return self._pg("psql", "-h", str(sockets), "-p", str(self.settings.postgres_port),
                            "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                            "-tAc", statement).stdout.strip()
        password = self.settings.db_password.replace("'", "''")
        if not sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{DB_USER}'"):
            sql(f"CREATE ROLE {DB_USER} LOGIN")
        sql(f"ALTER ROLE {DB_USER} PASSWORD '{password}'")
        if not sql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"):
            sql(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")

    def stop_postgres(self) -> None:
        data = self.postgres_dir / "data"
        if (data / "postmaster.pid").exists():
            self._pg("pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop", check=False)

    # ------------------------------------------------------------ Redis
    def redis_ready(self) -> bool:
        import redis
        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.settings.redis_port,
                                    password=self.settings.redis_password,
                                    socket_timeout=2).ping())
        except redis.RedisError:
            return False

    def start_redis(self) -> None:
        if self.alive("redis"):
            return
        config = self.state / "redis" / "redis.conf"
        config.write_text("\n".join([
            f"port {self.settings.redis_port}", "bind 127.0.0.1", "protected-mode yes",
            f"requirepass {self.settings.redis_password}", "daemonize no",
            'save ""', "appendonly no", f"dir {self.state / 'redis'}", 'logfile ""', ""]))
        config.chmod(0o600)
        self._spawn("redis", [shutil.which("redis-server") or "/usr/bin/redis-server", str(config)])
        self.wait_until(self.redis_ready, "Redis", 30, watch=["redis"])

    # ------------------------------------------------------------ action server
    def actions_ready(self) -> bool:
        return http_status(f"{self.actions_url}/health") == 200

    def start_actions(self) -> None:
        if self.alive("actions"):
            return
        self._spawn("actions", action_server_command(self.settings.actions_port))

    # ------------------------------------------------------------ Rasa servers
    def rasa_ready(self, index: int) -> bool:
        return http_status(f"{self.rasa_url(index)}/status?token={self.settings.auth_token}") == 200

    def start_rasa(self, index: int) -> None:
        name = f"rasa{index + 1}"
        if self.alive(name):
            return
        if not self.settings.model:
            raise RuntimeError("no model: pass --model (scripts/prod.sh uses scripts/train.sh)")
        cors = self.settings.cors.split()
        self._spawn(name, [
            str(VENV_BIN / "rasa"), "run", "--model", self.settings.model,
            "--endpoints", str(ENDPOINTS), "--credentials", str(ROOT / "credentials.yml"),
            "--interface", "127.0.0.1", "--port", str(self.settings.rasa_ports[index]),
            "--enable-api", f"--auth-token={self.settings.auth_token}",
            *(["--cors", *cors] if cors else [])])

    def wait_rasa(self, index: int, timeout: float = START_TIMEOUT) -> None:
        self.wait_until(lambda: self.rasa_ready(index), f"Rasa server {index + 1}", timeout,
                        watch=[f"rasa{index + 1}"])

    # ------------------------------------------------------------ nginx
    def nginx_ready(self) -> bool:
        return http_status(f"{self.url}/health") == 200

    def nginx_site(self) -> str:
        """deploy/nginx/sepsis.conf.template filled in for this profile."""
        s = self.settings
        return render_template(NGINX_TEMPLATE.read_text(), {
            "NGINX_LISTEN": f"127.0.0.1:{s.http_port}",
            "NGINX_RATE": str(s.rate_per_second), "NGINX_BURST": str(s.burst),
            "RASA_UPSTREAMS": upstream_lines([f"127.0.0.1:{p}" for p in s.rasa_ports]),
        })

    def write_nginx_config(self) -> Path:
        """nginx.conf for this profile (a small main file including the
        rendered template), checked with `nginx -t`; its path."""
        directory = self.state / "nginx"
        (directory / "site.conf").write_text(self.nginx_site())
        logs = self.state / "logs"
        temp = "\n".join(f"  {kind}_temp_path {directory / 'tmp' / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        config = directory / "nginx.conf"
        config.write_text(
            f"daemon off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\n"
            f"error_log {logs / 'nginx-error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n  access_log {logs / 'nginx-access.log'};\n{temp}\n"
            f"  include {directory / 'site.conf'};\n}}\n")
        (directory / "tmp").mkdir(exist_ok=True)
        check = subprocess.run([self.nginx(), "-t", "-q", "-p", str(directory), "-c", str(config)],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx configuration error:\n{check.stderr}")
        return config

    @staticmethod
    def nginx() -> str:
        return shutil.which("nginx") or "/usr/sbin/nginx"

    def start_nginx(self, wait: bool = True) -> None:
        if self.alive("nginx"):
            return
        config = self.write_nginx_config()
        self._spawn("nginx", [self.nginx(), "-p", str(config.parent), "-c", str(config)])
        if wait:
            self.wait_until(self.nginx_ready, "nginx", 30, watch=["nginx"])

    # ------------------------------------------------------------ all
    def start(self) -> None:
        """Start every service that is not running, and wait until all are healthy."""
        self.settings.save()
        self.start_postgres()
        self.start_redis()
        self.start_actions()
        for index in range(len(self.settings.rasa_ports)):
            self.start_rasa(index)
        self.wait_until(self.actions_ready, "the action server", 60, watch=["actions"])
        for index in range(len(self.settings.rasa_ports)):
            self.wait_rasa(index)
        self.start_nginx()

    def stop(self) -> None:
        """Stop every service, the public entrance first."""
        self.signal("nginx", signal.SIGQUIT)
        for index in range(len(self.settings.rasa_ports)):
            self.signal(f"rasa{index + 1}")
        self.signal("actions")
        self.signal("redis")
        self.stop_postgres()

    def status(self) -> Dict[str, bool]:
        """Whether each service answers its health check."""
        result = {"postgres": self.postgres_ready(), "redis": self.redis_ready(),
                  "actions": self.actions_ready()}
        for index in range(len(self.settings.rasa_ports)):
            result[f"rasa{index + 1}"] = self.rasa_ready(index)
        result["nginx"] = self.nginx_ready()
        return result

    def describe(self) -> str:
        """What a person needs to use the running profile."""
        s = self.settings
        lines = ["The production profile is ready.",
                 f"  Chat (REST, via nginx): POST {self.url}/webhooks/rest/webhook",
                 f"  Health (via nginx):     GET  {self.url}/health"]
        lines += [f"  Rasa server {i + 1} (API):   {self.rasa_url(i)}/status?token={s.auth_token}"
                  for i in range(len(s.rasa_ports))]
        lines += [f"  Action server:          {self.actions_url}/health",
                  f"  PostgreSQL:             127.0.0.1:{s.postgres_port} (db {DB_NAME}, user {DB_USER})",
                  f"  Redis:                  127.0.0.1:{s.redis_port}",
                  f"  State and logs:         {self.state}"]
        return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "status", "env"])
    parser.add_argument("--state-dir", default=os.environ.get("PROD_STATE_DIR", str(DEFAULT_STATE_DIR)))
    parser.add_argument("--model", help="the model to serve (start)")
    args = parser.parse_args(argv)
    state_dir = Path(args.state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(state_dir)
    if args.model:
        settings.model = str(Path(args.model).resolve())
    profile = Profile(settings)
    if args.command == "start":
        try:
            profile.start()
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(profile.describe())
    elif args.command == "stop":
        profile.stop()
        print("The production profile is stopped.")
    elif args.command == "status":
        status = profile.status()
        for name, ok in status.items():
            print(f"  {name:9} {'up' if ok else 'down'}")
        return 0 if all(status.values()) else 3
    else:  # env: the endpoints variables, for `eval` in a shell
        for name, value in profile.endpoints_env().items():
            print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
