"""The production profile's own PostgreSQL cluster, from Debian's packages:
created on the first start (initdb), the tracker store's role and database
set up with a socket-only server (as the postgres image's entrypoint does);
ops/services.py then runs the server in the foreground for honcho.

PostgreSQL refuses to run as root: as root its programs run as the
`postgres` system user, with a data directory that user owns.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import List

DB_NAME = DB_USER = "rasa"
INBOX_DB = "inbox"  # the support inbox's own database (inbox/), same server and role


def postgres_bin() -> Path:
    """The bin directory of the newest PostgreSQL installed by Debian."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/setup_services.sh")
    return found[-1].parent


def as_postgres() -> dict:
    """subprocess options that run a program as the postgres user when root."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": [], "cwd": "/"}


def _run(program: str, *args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(postgres_bin() / program), *args], capture_output=True, text=True, **as_postgres(), **options
    )


def postgres_dir(state: Path) -> Path:
    """Data, socket and log: inside the state directory when the postgres
    user can reach it, else under /var/tmp."""
    inside = state / "postgres"
    reachable = os.geteuid() != 0 or subprocess.run(["test", "-x", str(state)], **as_postgres()).returncode == 0
    if inside.exists() or reachable:
        return inside
    digest = hashlib.sha1(str(state.resolve()).encode()).hexdigest()[:10]
    return Path("/var/tmp") / f"sepsis-postgres-{digest}"


def _server_options(port: int, sockets: Path, listen: str) -> List[str]:
    return ["-p", str(port), "-c", f"listen_addresses={listen}", "-c", f"unix_socket_directories={sockets}"]


def prepare(base: Path, port: int, password: str) -> None:
    """initdb on the first start; the role (with `password`) and the
    databases of the tracker store and the support inbox, set with a server
    reachable only by its socket."""
    data, sockets = base / "data", base / "run"
    if not (data / "PG_VERSION").exists():
        sockets.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(base, "postgres", "postgres")
            shutil.chown(sockets, "postgres", "postgres")
        _run(
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            check=True,
        )
    options = " ".join(_server_options(port, sockets, "''"))
    _run(
        "pg_ctl",
        "-D",
        str(data),
        "-l",
        str(base / "postgres.log"),
        "-w",
        "-t",
        "60",
        "-o",
        options,
        "start",
        check=True,
    )
    try:
        _run(
            "psql",
            "-h",
            str(sockets),
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            input=_setup_sql(password),
            check=True,
        )
    finally:
        _run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop")


def _setup_sql(password: str) -> str:
    """The role and databases, created when missing (psql's \\gexec)."""
    quoted = password.replace("'", "''")
    return (
        f"SELECT 'CREATE ROLE {DB_USER} LOGIN' WHERE NOT EXISTS "
        f"(SELECT 1 FROM pg_roles WHERE rolname = '{DB_USER}')\\gexec\n"
        f"ALTER ROLE {DB_USER} PASSWORD '{quoted}';\n"
        f"SELECT 'CREATE DATABASE {DB_NAME} OWNER {DB_USER}' WHERE NOT EXISTS "
        f"(SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}')\\gexec\n"
        f"SELECT 'CREATE DATABASE {INBOX_DB} OWNER {DB_USER}' WHERE NOT EXISTS "
        f"(SELECT 1 FROM pg_database WHERE datname = '{INBOX_DB}')\\gexec\n"
    )


def server_command(base: Path, port: int) -> List[str]:
    """The server on 127.0.0.1:`port`, in the foreground."""
    return [
        str(postgres_bin() / "postgres"),
        "-D",
        str(base / "data"),
        *_server_options(port, base / "run", "127.0.0.1"),
    ]
