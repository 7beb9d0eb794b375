"""The production profile on one machine, without Docker: PostgreSQL (tracker
store and support inbox), Redis (lock store), two Rasa servers, the action
server and nginx in front, all on loopback ports, from Debian's packages.

The services are the lines of deploy/Procfile.prod (those of
deploy/docker-compose.yml), each run by its own honcho in the background,
so one that ends (a killed Rasa server) leaves the others running, as the
two Rasa servers behind nginx are meant to; one honcho for all would stop
them all. This module writes their settings, starts the honchos, waits
until every service answers, and stops the honchos' process trees. Used by scripts/prod.sh (`python -m
ops.profile start|stop|status|env`) and by tests/production/, so both run
the same code. State (settings, generated secrets, configuration, logs,
PostgreSQL's data) lives in one directory, `.prod/` by default (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import psutil

from base.paths import PROJECT_ROOT, rasa_env
from inbox.crypto import new_key
from ops import procfile
from ops.local import free_port, http_status, new_secret
from ops.postgres import DB_NAME, DB_USER, INBOX_DB, postgres_dir
from ops.ready import NotReady, wait_until_ready
from ops.services import DEPLOY, upstream_lines

ROOT = PROJECT_ROOT
ENDPOINTS = DEPLOY / "endpoints.yml"
PROCFILE = DEPLOY / "Procfile.prod"
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_STATE_DIR = ROOT / ".prod"
START_TIMEOUT = 300.0


@dataclass
class Settings:
    """Ports, secrets and limits of one profile; saved as profile.json in the
    state directory, so secrets stay the same across restarts."""

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
    inbox_key: str = field(default_factory=new_key)  # SUPPORT_INBOX_KEY
    cors: str = ""

    @classmethod
    def from_env(cls, state_dir: Path) -> "Settings":
        """The saved settings, with the PROD_* environment variables applied."""
        saved = state_dir / "profile.json"
        settings = cls(**json.loads(saved.read_text())) if saved.exists() else cls(str(state_dir))
        env = os.environ
        if env.get("PROD_RASA_PORTS"):
            settings.rasa_ports = [int(p) for p in env["PROD_RASA_PORTS"].replace(",", " ").split()]
        for name, variable in (
            ("http_port", "PROD_HTTP_PORT"),
            ("actions_port", "PROD_ACTIONS_PORT"),
            ("postgres_port", "PROD_POSTGRES_PORT"),
            ("redis_port", "PROD_REDIS_PORT"),
            ("rate_per_second", "PROD_RATE_PER_SECOND"),
            ("burst", "PROD_BURST"),
        ):
            setattr(settings, name, int(env.get(variable, getattr(settings, name))))
        settings.auth_token = env.get("RASA_AUTH_TOKEN", settings.auth_token)
        settings.cors = env.get("CORS_ORIGINS", settings.cors)
        settings.inbox_key = env.get("SUPPORT_INBOX_KEY", settings.inbox_key)
        return settings

    def save(self) -> None:
        path = Path(self.state_dir) / "profile.json"
        path.write_text(json.dumps(asdict(self), indent=2))
        path.chmod(0o600)


class Profile:
    """Start, stop and inspect the services of one profile."""

    @classmethod
    def on_free_ports(cls, model: str = "", prefix: str = "sepsis-prod-", **overrides: Any) -> "Profile":
        """A profile on free loopback ports in a new temporary state
        directory (not started), for tests and the benchmark; `overrides`
        are Settings fields."""
        settings = Settings(
            state_dir=tempfile.mkdtemp(prefix=prefix),
            model=model,
            http_port=free_port(),
            rasa_ports=[free_port(), free_port()],
            actions_port=free_port(),
            postgres_port=free_port(),
            redis_port=free_port(),
        )
        for key, value in overrides.items():
            setattr(settings, key, value)
        return cls(settings)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = Path(settings.state_dir)
        self.env_file = self.state / "profile.env"
        self.services = procfile.names(PROCFILE)
        self.rasa_servers = [name for name in self.services if re.fullmatch(r"rasa\d+", name)]
        self.launched: Dict[str, subprocess.Popen] = {}  # service -> the honcho running it
        (self.state / "logs").mkdir(parents=True, exist_ok=True)
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

    @property
    def postgres_dir(self) -> Path:
        return postgres_dir(self.state)

    # ------------------------------------------------------------ settings
    def endpoints_env(self) -> Dict[str, str]:
        """The variables deploy/endpoints.yml needs, for this profile."""
        s = self.settings
        return {
            "ACTION_SERVER_URL": f"{self.actions_url}/webhook",
            "DB_HOST": "127.0.0.1",
            "DB_PORT": str(s.postgres_port),
            "DB_NAME": DB_NAME,
            "DB_USER": DB_USER,
            "DB_PASSWORD": s.db_password,
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(s.redis_port),
            "REDIS_PASSWORD": s.redis_password,
            "REDIS_DB": "1",
            "TRACKER_JOURNAL_DIR": str(self.state / "journal"),
        }

    def inbox_env(self) -> Dict[str, str]:
        """The support inbox's variables (inbox/): its own database on the
        same PostgreSQL server, and its key."""
        return {"SUPPORT_INBOX_URL": self.inbox_url, "SUPPORT_INBOX_KEY": self.settings.inbox_key}

    @property
    def inbox_url(self) -> str:
        """The SQLAlchemy URL of the support inbox's database."""
        import sqlalchemy as sa

        s = self.settings
        url = sa.engine.URL.create(
            "postgresql",
            username=DB_USER,
            password=s.db_password,
            host="127.0.0.1",
            port=s.postgres_port,
            database=INBOX_DB,
        )
        return url.render_as_string(hide_password=False)

    def procfile_env(self) -> Dict[str, str]:
        """What deploy/Procfile.prod's lines read: compose's variables plus
        the local ports, model, state directory and CORS origins."""
        s = self.settings
        if len(s.rasa_ports) != len(self.rasa_servers):
            raise RuntimeError(
                f"{PROCFILE.name} runs {len(self.rasa_servers)} Rasa servers; "
                f"give one port each (PROD_RASA_PORTS has {len(s.rasa_ports)})"
            )
        env = {
            **self.endpoints_env(),
            **self.inbox_env(),
            "PROD_STATE_DIR": str(self.state),
            "MODEL": s.model,
            "RASA_AUTH_TOKEN": s.auth_token,
            "ACTIONS_PORT": str(s.actions_port),
            "CORS_ORIGINS": s.cors,
            # The link in the support inbox's e-mails (inbox/notify.py): the first Rasa server's console.
            "INBOX_LINK_BASE": os.environ.get("INBOX_LINK_BASE", f"{self.rasa_url(0)}/webhooks/console/inbox"),
            # rasa_sdk has no --interface option but reads Sanic's SANIC_HOST.
            "SANIC_HOST": os.environ.get("SANIC_HOST", "127.0.0.1"),
            # PostgreSQL connections per Rasa server (Rasa's defaults, 50 + 100,
            # would let two servers exceed PostgreSQL's 100 connections).
            "SQL_POOL_SIZE": os.environ.get("SQL_POOL_SIZE", "5"),
            "SQL_MAX_OVERFLOW": os.environ.get("SQL_MAX_OVERFLOW", "20"),
            "NGINX_LISTEN": f"127.0.0.1:{s.http_port}",
            "NGINX_RATE": str(s.rate_per_second),
            "NGINX_BURST": str(s.burst),
            "RASA_UPSTREAMS": upstream_lines([f"127.0.0.1:{port}" for port in s.rasa_ports]),
        }
        env.update({f"{name.upper()}_PORT": str(port) for name, port in zip(self.rasa_servers, s.rasa_ports)})
        return env

    def env(self) -> Dict[str, str]:
        """The environment of the profile's services."""
        return {**rasa_env(), **self.procfile_env()}

    def write_env_file(self) -> None:
        """profile.env, the env file honcho loads (mode 600: it has secrets),
        replaced whole, as a honcho may be reading it."""
        self.settings.save()
        lines = [f"{name}={shlex.quote(value)}" for name, value in self.procfile_env().items()]
        new = self.env_file.with_suffix(".env.new")
        new.touch(mode=0o600)
        new.chmod(0o600)
        new.write_text("\n".join(lines) + "\n")
        new.replace(self.env_file)

    # ------------------------------------------------------------ health
    def ready(self, name: str) -> bool:
        """Whether service `name` answers its health check."""
        s = self.settings
        if name == "postgres":
            import psycopg2

            try:
                psycopg2.connect(
                    host="127.0.0.1",
                    port=s.postgres_port,
                    dbname=DB_NAME,
                    user=DB_USER,
                    password=s.db_password,
                    connect_timeout=3,
                ).close()
                return True
            except psycopg2.Error:
                return False
        if name == "redis":
            import redis

            try:
                return bool(
                    redis.Redis(host="127.0.0.1", port=s.redis_port, password=s.redis_password, socket_timeout=2).ping()
                )
            except redis.RedisError:
                return False
        return http_status(self._health_url(name)) == 200

    def _health_url(self, name: str) -> str:
        if name == "actions":
            return f"{self.actions_url}/health"
        if name == "nginx":
            return f"{self.url}/health"
        return f"{self.rasa_url(self.rasa_servers.index(name))}/status?token={self.settings.auth_token}"

    @staticmethod
    def label(name: str) -> str:
        labels = {"postgres": "PostgreSQL", "redis": "Redis", "actions": "the action server"}
        return labels.get(name) or re.sub(r"rasa(\d+)", r"Rasa server \1", name)

    def status(self) -> Dict[str, bool]:
        return {name: self.ready(name) for name in self.services}

    # ------------------------------------------------------------ processes
    def log(self, name: str) -> Path:
        """The output of service `name` (its honcho's), logs/<name>.log."""
        return self.state / "logs" / f"{name}.log"

    def _honcho(self, name: str) -> Optional[object]:
        """The honcho running service `name`: the one launched here, or one
        found by its command line."""
        if name in self.launched and self.launched[name].poll() is None:
            return self.launched[name]
        return next((h for h in procfile.honchos(self.env_file) if name in procfile.started(h, PROCFILE)), None)

    def start_service(self, name: str, wait: bool = True) -> None:
        """Start service `name` under its own honcho, unless it runs."""
        if self._honcho(name) is None:
            self.write_env_file()
            self.launched[name] = procfile.launch(PROCFILE, self.env_file, [name], self.log(name))
        if wait:
            self.wait(name)

    def wait(self, name: str) -> None:
        """Wait until service `name` answers; NotReady (with the end of its
        log) when its honcho ends first or time runs out."""
        limits = {"postgres": 60, "redis": 30, "actions": 60, "nginx": 30}
        honcho = self._honcho(name) or self.launched.get(name)  # an ended one fails the wait
        try:
            wait_until_ready(
                lambda: self.ready(name), self.label(name), limits.get(name, START_TIMEOUT), process=honcho
            )
        except NotReady as error:
            raise NotReady(f"{error}; the end of {self.log(name)}:\n{_tail(self.log(name))}") from None

    def start(self) -> None:
        """Start every service that is not running; wait until all answer."""
        for name in self.services:
            self.start_service(name, wait=False)
        for name in self.services:
            self.wait(name)

    def stop(self, name: Optional[str] = None) -> None:
        """Stop service `name`, or every service (the entrance, nginx, first)."""
        if name is None:
            self.stop("nginx")
        managers = [h for h in procfile.honchos(self.env_file) if name is None or name in procfile.started(h, PROCFILE)]
        procfile.stop(managers)
        for honcho in self.launched.values():
            honcho.poll()  # reap it

    def remove(self) -> None:
        """Stop every service and delete the state directory and the database."""
        database = self.postgres_dir
        self.stop()
        shutil.rmtree(self.state, ignore_errors=True)
        shutil.rmtree(database, ignore_errors=True)

    def kill(self, name: str) -> None:
        """SIGKILL service `name` and its children, as a crash would; back
        when they are gone (reaped by honcho), not merely dead."""
        process = procfile.service(self.env_file, name)
        if process is not None:
            tree = [process, *process.children(recursive=True)]
            for each in tree:
                try:
                    each.kill()
                except psutil.NoSuchProcess:
                    pass
            psutil.wait_procs(tree, timeout=20)

    def alive(self, name: str) -> bool:
        process = procfile.service(self.env_file, name)
        return process is not None and procfile.running(process)

    def describe(self) -> str:
        """What a person needs to use the running profile."""
        s = self.settings
        lines = [
            "The production profile is ready.",
            f"  Chat (REST, via nginx): POST {self.url}/webhooks/rest/webhook",
            f"  Health (via nginx):     GET  {self.url}/health",
        ]
        lines += [
            f"  Rasa server {i + 1} (API):   {self.rasa_url(i)}/status?token={s.auth_token}"
            for i in range(len(s.rasa_ports))
        ]
        lines += [
            f"  Action server:          {self.actions_url}/health",
            f"  PostgreSQL:             127.0.0.1:{s.postgres_port} (db {DB_NAME} and {INBOX_DB}, user {DB_USER})",
            f"  Redis:                  127.0.0.1:{s.redis_port}",
            f"  State and logs:         {self.state} (logs/<service>.log)",
        ]
        return "\n".join(lines)


def _tail(path: Path, lines: int = 25) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


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
    commands: Dict[str, Callable[[Profile], int]] = {"start": start, "stop": stop, "status": status, "env": print_env}
    return commands[args.command](profile)


def start(profile: Profile) -> int:
    if not profile.settings.model:
        print("error: no model: pass --model (scripts/prod.sh uses scripts/train.sh)", file=sys.stderr)
        return 1
    try:
        profile.start()
    except (NotReady, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        if profile.launched:
            profile.stop()
            print("Stopped the profile again.", file=sys.stderr)
        return 1
    print(profile.describe())
    return 0


def stop(profile: Profile) -> int:
    profile.stop()
    print("The production profile is stopped.")
    return 0


def status(profile: Profile) -> int:
    result = profile.status()
    for name, ok in result.items():
        print(f"  {name:9} {'up' if ok else 'down'}")
    return 0 if all(result.values()) else 3


def print_env(profile: Profile) -> int:
    """The endpoints and support inbox variables, for `eval` in a shell."""
    for name, value in {**profile.endpoints_env(), **profile.inbox_env()}.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
