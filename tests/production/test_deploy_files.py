"""The three ways to run the production profile agree: docker compose and
the Helm values are parsed and checked (no Docker or Kubernetes here), the
Procfiles run by honcho (deploy/Procfile.prod for `make prod`, Procfile for
`make run`) name compose's services with its commands, and the shared nginx
template is rendered and run by a real nginx to check the public paths, the
request size limit and the rate limit."""

from __future__ import annotations

import re
import shlex
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from honcho.environ import parse_procfile

from ops.profile import ENDPOINTS, PROCFILE, ROOT
from ops.ready import wait_until_ready
from ops.services import DEPLOY, NGINX_TEMPLATE, render_template, upstream_lines
from tests.production.conftest import new_profile
from tests.servers import http

COMPOSE = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
RASA_SERVERS = [name for name in SERVICES if re.fullmatch(r"rasa\d+", name)]
# Compose services a Procfile does not run: the one-off retention job
# (scripts/prod.sh runs it on start); `make run` has no stores and no nginx.
NOT_IN_PROD_PROCFILE = {"retention"}
NOT_IN_RUN_PROCFILE = {"postgres", "redis", "nginx", "retention"}


def endpoint_variables() -> set:
    """The ${VAR}s deploy/endpoints.yml needs (comments aside)."""
    lines = [line for line in ENDPOINTS.read_text().splitlines() if not line.lstrip().startswith("#")]
    return set(re.findall(r"\$\{([A-Z0-9_]+)\}", "\n".join(lines)))


def test_endpoints_file_uses_sql_tracker_store_and_redis_lock_store():
    profile = new_profile()
    try:
        assert endpoint_variables() == set(profile.endpoints_env())  # the local profile sets them all
    finally:
        profile.remove()
    text = "\n".join(line for line in ENDPOINTS.read_text().splitlines() if not line.startswith("#"))
    # Rasa fills in ${VAR}s; read the file as Rasa does, with the variables set.
    import os

    from rasa.utils.endpoints import read_endpoint_config

    values = {name: f"value-of-{name}" for name in endpoint_variables()}
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        tracker = read_endpoint_config(str(ENDPOINTS), "tracker_store")
        lock = read_endpoint_config(str(ENDPOINTS), "lock_store")
        action = read_endpoint_config(str(ENDPOINTS), "action_endpoint")
    finally:
        for name, value in old.items():
            os.environ.pop(name) if value is None else os.environ.__setitem__(name, value)
    # Rasa's SQL tracker store (a subclass that pings pooled connections).
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.utils.common import class_from_module_path

    assert issubclass(class_from_module_path(tracker.type), SQLTrackerStore)
    assert tracker.kwargs["dialect"] == "postgresql"
    assert lock.type == "redis"
    # Every value is filled in (a quoted "${VAR}" would stay as it is).
    assert action.url == "value-of-ACTION_SERVER_URL"
    assert action.kwargs.get("enable_selective_domain") is True  # tests/test_action_requests.py
    assert tracker.url == "value-of-DB_HOST" and lock.url == "value-of-REDIS_HOST"
    assert tracker.kwargs["password"] == "value-of-DB_PASSWORD"
    assert "localhost" not in text and "5055" not in text  # nothing fixed to one machine


def test_compose_has_the_services_and_only_nginx_is_public():
    assert {"postgres", "redis", "actions", "nginx"} <= set(SERVICES)
    assert len(RASA_SERVERS) >= 2
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"nginx"}
    assert SERVICES["nginx"]["ports"][0].endswith(":80")


def test_compose_rasa_servers_share_endpoints_file_and_always_use_a_token():
    for name in RASA_SERVERS:
        command = SERVICES[name]["command"]
        assert command[:2] == ["rasa", "run"]
        assert command[command.index("--endpoints") + 1] == "deploy/endpoints.yml"
        assert command[command.index("--credentials") + 1] == "credentials.yml"
        assert "--enable-api" in command
        assert any(part.startswith("--auth-token=${RASA_AUTH_TOKEN:?") for part in command)
        env = SERVICES[name]["environment"]
        assert endpoint_variables() <= set(env), "every ${VAR} of deploy/endpoints.yml is set"
        assert env["DB_HOST"] == "postgres" and env["REDIS_HOST"] == "redis"
        assert env["ACTION_SERVER_URL"] == "http://actions:5055/webhook"
        assert "actions" in SERVICES[name]["depends_on"]
    assert SERVICES["actions"]["command"][:3] == ["python", "-m", "rasa_sdk"]
    assert SERVICES["postgres"]["environment"]["POSTGRES_DB"] == "rasa"


def test_compose_nginx_uses_the_shared_template_with_every_value():
    nginx = SERVICES["nginx"]
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in nginx["volumes"]}
    assert mounts["./nginx/sepsis.conf.template"] == "/etc/nginx/templates/default.conf.template"
    assert (DEPLOY / "nginx" / "sepsis.conf.template").exists()
    env = nginx["environment"]
    needed = set(re.findall(r"\$\{([A-Z0-9_]+)\}", NGINX_TEMPLATE.read_text()))
    assert needed <= set(env)
    assert " ".join(env["RASA_UPSTREAMS"].split()) == " ".join(
        upstream_lines([f"{name}:5005" for name in RASA_SERVERS]).split()
    )


def test_helm_values_follow_the_charts_and_share_the_endpoints_file():
    rasa = yaml.safe_load((DEPLOY / "helm" / "rasa-values.yml").read_text())
    actions = yaml.safe_load((DEPLOY / "helm" / "action-server-values.yml").read_text())
    assert rasa["replicaCount"] >= 2
    assert rasa["args"][rasa["args"].index("--endpoints") + 1] == "deploy/endpoints.yml"
    assert "--auth-token=$(RASA_TOKEN)" in rasa["args"]
    assert rasa["applicationSettings"]["enableAPI"] is True
    assert endpoint_variables() <= {item["name"] for item in rasa["extraEnv"]}
    assert rasa["ingress"]["path"] == "/webhooks/rest/"
    assert rasa["postgresql"]["install"] is False and rasa["redis"]["install"] is False
    assert actions["args"][:2] == ["-m", "rasa_sdk"]
    assert actions["applicationSettings"]["port"] == 5055
    assert actions["readinessProbe"]["httpGet"]["path"] == "/health"


def procfile(path) -> dict:
    """{name: command} of a Procfile, read as honcho reads it."""
    return dict(parse_procfile(path.read_text()).processes)


def words(command: str) -> list:
    """The command of a Procfile line that starts the service (after any
    wait), as a list of words, without `exec` and the venv's bin path."""
    last = re.split(r"&&|;", command)[-1]
    return [word.replace(".venv/bin/", "") for word in shlex.split(last) if word != "exec"]


def option(command: list, name: str) -> str:
    return command[command.index(name) + 1]


def test_the_prod_procfile_runs_composes_services():
    lines = procfile(PROCFILE)
    assert set(lines) == set(SERVICES) - NOT_IN_PROD_PROCFILE
    assert [name for name in lines if re.fullmatch(r"rasa\d+", name)] == RASA_SERVERS
    assert words(lines["actions"]) == SERVICES["actions"]["command"][:-1] + ["$ACTIONS_PORT"]
    for name in RASA_SERVERS:
        ours, theirs = words(lines[name]), SERVICES[name]["command"]
        assert ours[:2] == theirs[:2] == ["rasa", "run"]
        for flag in ("--endpoints", "--credentials"):
            assert option(ours, flag) == option(theirs, flag)
        assert "--enable-api" in ours and "--auth-token=$RASA_AUTH_TOKEN" in ours
        assert option(ours, "--port") == f"${name.upper()}_PORT"
        # compose's depends_on (PostgreSQL and Redis healthy) as a wait first.
        assert "-m ops.ready" in lines[name].split("&&")[0]
        assert {"$DB_PORT", "$REDIS_PORT"} <= set(re.findall(r"\$\w+", lines[name].split("&&")[0]))
    for name in ("postgres", "redis", "nginx"):
        assert words(lines[name]) == ["python", "-m", "ops.services", name]


def test_the_profile_sets_every_variable_of_the_prod_procfile_and_compose():
    profile = new_profile(model="model.tar.gz")
    try:
        env = profile.procfile_env()
    finally:
        profile.remove()
    used = set(re.findall(r"\$\{?([A-Z0-9_]+)", PROCFILE.read_text()))
    assert used and used <= set(env), used - set(env)
    for name in RASA_SERVERS + ["nginx"]:  # compose's settings, under the same names
        assert set(SERVICES[name]["environment"]) <= set(env), name
    assert env["RASA_UPSTREAMS"].count("server 127.0.0.1:") == len(RASA_SERVERS)


def test_the_run_procfile_runs_composes_rasa_and_action_server_and_the_widget():
    lines = procfile(ROOT / "Procfile")
    applicable = set(SERVICES) - NOT_IN_RUN_PROCFILE
    assert {"rasa" if name in RASA_SERVERS else name for name in applicable} | {"widget"} == set(lines)
    assert words(lines["actions"]) == SERVICES["actions"]["command"][:-1] + ["$ACTIONS_PORT"]
    ours, theirs = words(lines["rasa"]), SERVICES["rasa1"]["command"]
    assert ours[:2] == theirs[:2] and option(ours, "--credentials") == option(theirs, "--credentials")
    assert "--enable-api" in ours and "--auth-token=$RASA_AUTH_TOKEN" in ours
    assert words(lines["widget"])[:2] == ["python", "widget/server.py"]
    script = (ROOT / "scripts" / "run.sh").read_text()
    used = set(re.findall(r"\$\{?([A-Z0-9_]+)", (ROOT / "Procfile").read_text()))
    assert all(re.search(rf"export [^\n]*\b{name}\b", script) for name in used), used


def test_template_placeholders_are_all_filled():
    with pytest.raises(KeyError):
        render_template("listen ${NGINX_LISTEN};", {})
    assert render_template("a ${X} $remote_addr", {"X": "1"}) == "a 1 $remote_addr"


@pytest.fixture(scope="module")
def lone_nginx():
    """nginx from the shared template with a tight rate limit (1/s, burst 2)
    in front of Rasa servers that are not running: paths and limits are
    decided by nginx before any Rasa server is asked."""
    profile = new_profile(rate_per_second=1, burst=2)
    profile.start_service("nginx", wait=False)
    wait_until_ready(
        lambda: http("GET", f"{profile.url}/nothing")[0] == 404,
        "nginx",
        10,
        process=profile.launched["nginx"],
        interval=0.1,
    )
    yield profile
    profile.remove()


def test_nginx_exposes_only_the_webhook_and_health(lone_nginx):
    url = lone_nginx.url
    for path in ("/conversations/a/tracker", "/model/parse", "/status", "/", "/webhooks/rest/"):
        assert http("GET", f"{url}{path}")[0] == 404, path
    assert http("POST", f"{url}/model/parse", b"{}")[0] == 404
    assert http("GET", f"{url}/webhooks/rest/webhook")[0] == 403


def test_nginx_refuses_oversized_bodies_and_limits_the_rate(lone_nginx):
    time.sleep(3)  # let the bucket of the previous test drain
    status, _ = http(
        "POST", f"{lone_nginx.url}/webhooks/rest/webhook", b"x" * 100_000, {"Content-Type": "application/json"}
    )
    assert status == 413
    time.sleep(3)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: http("GET", f"{lone_nginx.url}/health")[0], range(12)))
    # No Rasa server runs: allowed requests get 502, the rest are limited.
    assert statuses.count(429) >= 8, statuses
    assert set(statuses) <= {429, 502}, statuses
