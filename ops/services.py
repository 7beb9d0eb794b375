"""The services of deploy/Procfile.prod that need set-up before they run:

    python -m ops.services postgres|redis|nginx

Each reads its settings from the environment (honcho loads them from the
profile's env file; the names are those of deploy/docker-compose.yml),
writes its configuration under PROD_STATE_DIR and runs in the foreground.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, Mapping, Sequence

from base.paths import PROJECT_ROOT
from ops import postgres

DEPLOY = PROJECT_ROOT / "deploy"
NGINX_TEMPLATE = DEPLOY / "nginx" / "sepsis.conf.template"


def render_template(text: str, values: Mapping[str, str]) -> str:
    """Fill ${NAME} placeholders (as envsubst does); a missing value is an error."""

    def fill(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"no value for ${{{match.group(1)}}} in {NGINX_TEMPLATE.name}")
        return str(values[match.group(1)])

    return re.sub(r"\$\{([A-Z0-9_]+)\}", fill, text)


def upstream_lines(addresses: Sequence[str]) -> str:
    """nginx `server` lines for the Rasa servers, on one line (as the compose
    value; an env file holds one line per variable)."""
    return " ".join(f"server {a} max_fails=1 fail_timeout=10s;" for a in addresses)


def nginx_config(state: Path, env: Mapping[str, str]) -> Path:
    """nginx.conf (a small main file including the rendered template),
    checked with `nginx -t`; its path."""
    directory, logs = state / "nginx", state / "logs"
    (directory / "tmp").mkdir(parents=True, exist_ok=True)
    (directory / "site.conf").write_text(render_template(NGINX_TEMPLATE.read_text(), env))
    temp = "\n".join(
        f"  {kind}_temp_path {directory / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = directory / "nginx.conf"
    config.write_text(
        f"daemon off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\n"
        f"error_log {logs / 'nginx-error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n  access_log {logs / 'nginx-access.log'};\n{temp}\n"
        f"  include {directory / 'site.conf'};\n}}\n"
    )
    check = subprocess.run(
        [nginx(), "-t", "-q", "-p", str(directory), "-c", str(config)], capture_output=True, text=True
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx configuration error:\n{check.stderr}")
    return config


def nginx() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def redis_config(state: Path, env: Mapping[str, str]) -> Path:
    """redis.conf: loopback, the password, nothing kept on disk (locks only)."""
    directory = state / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "redis.conf"
    config.write_text(
        "\n".join(
            [
                f"port {env['REDIS_PORT']}",
                "bind 127.0.0.1",
                "protected-mode yes",
                f"requirepass {env['REDIS_PASSWORD']}",
                "daemonize no",
                'save ""',
                "appendonly no",
                f"dir {directory}",
                'logfile ""',
                "",
            ]
        )
    )
    config.chmod(0o600)
    return config


def foreground(command: Sequence[str], stop_signal: int = signal.SIGTERM, **options) -> int:
    """Run `command` until it ends; its exit code. This process stays its
    parent, so honcho's HONCHO_PROCESS_NAME stays readable (nginx and Redis
    overwrite their own environment with their process titles), and passes
    honcho's SIGTERM on as `stop_signal` (PostgreSQL: SIGINT, as the postgres
    image's STOPSIGNAL; its SIGTERM shutdown waits for every client)."""
    child = subprocess.Popen(list(command), **options)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: child.send_signal(stop_signal))
    return child.wait()


def run(name: str, env: Dict[str, str]) -> int:
    """Set up service `name` and run it in the foreground; its exit code."""
    state = Path(env["PROD_STATE_DIR"])
    if name == "postgres":
        base = postgres.postgres_dir(state)
        postgres.prepare(base, int(env["DB_PORT"]), env["DB_PASSWORD"])
        return foreground(postgres.server_command(base, int(env["DB_PORT"])), signal.SIGINT, **postgres.as_postgres())
    if name == "redis":
        return foreground([shutil.which("redis-server") or "/usr/bin/redis-server", str(redis_config(state, env))])
    if name == "nginx":
        config = nginx_config(state, env)
        return foreground([nginx(), "-p", str(config.parent), "-c", str(config)])
    raise ValueError(f"unknown service {name!r} (postgres, redis or nginx)")


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ops.services postgres|redis|nginx", file=sys.stderr)
        return 2
    try:
        return run(argv[0], dict(os.environ))
    except subprocess.CalledProcessError as error:
        print(f"{argv[0]}: {' '.join(map(str, error.cmd))} failed:\n{error.stderr}", file=sys.stderr)
    except KeyError as error:
        print(
            f"{argv[0]}: missing setting: {error.args[0]} (profile.env is written by python -m ops.profile start)",
            file=sys.stderr,
        )
    except (RuntimeError, ValueError) as error:
        print(f"{argv[0]}: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
