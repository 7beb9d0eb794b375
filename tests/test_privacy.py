"""Privacy and access: no message text in the servers' logs by default, the
HTTP API never without authentication, CORS only for configured origins,
and the privacy note in both languages."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.conftest import ROOT
from tests.servers import Assistant, WidgetServer, http

SITE = "https://www.example.org"


@pytest.fixture(scope="module")
def assistant(model_path):
    running = Assistant(model_path, cors=[SITE])
    yield running
    running.stop()


def test_no_message_text_in_the_logs(assistant) -> None:
    marker = f"zebra{secrets.token_hex(4)}"
    sender = f"privacy-{marker}"
    for text, language in [
        (f"ik ben zo moe {marker}", "nl"),
        (f"my hair is falling out {marker}", "en"),
        (f"{marker} my dad is confused and breathing fast", "en"),
        (f"{marker} {marker}", "en"),
        ("/find_support_group", "en"),
        (f"{marker} SW1A", "en"),
    ]:
        assert assistant.say(sender, text, language=language)
    log = assistant.log()
    assert log.strip(), "the servers wrote nothing at all: the check would be empty"
    assert marker not in log


def test_the_http_api_needs_the_token(assistant) -> None:
    for method, path in [
        ("GET", "/status"),
        ("GET", "/conversations/someone/tracker"),
        ("POST", "/model/parse"),
        ("GET", "/domain"),
    ]:
        assert http(method, f"{assistant.url}{path}", b'{"text": "hoi"}')[0] == 401
        assert http(method, f"{assistant.url}{path}?token=wrong", b'{"text": "hoi"}')[0] == 401
    assert http("GET", f"{assistant.url}/status?token={assistant.token}")[0] == 200


@pytest.mark.parametrize("origin,allowed", [(SITE, True), ("https://evil.example.com", False)])
def test_cors_only_for_configured_origins(assistant, origin: str, allowed: bool) -> None:
    import urllib.request

    request = urllib.request.Request(
        f"{assistant.url}/webhooks/rest/webhook",
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert (response.headers.get("Access-Control-Allow-Origin") == origin) is allowed


def commands_starting_the_api():
    """(file, command) for every command in scripts, deploy files and test
    helpers that starts Rasa with --enable-api (continuation lines joined)."""
    files = [
        p
        for pattern in ("scripts/*.sh", "deploy/**/*", "tests/*.py", "ops/*.py", "bench/*.py", "Makefile")
        for p in ROOT.glob(pattern)
        if p.is_file() and p.name != "test_privacy.py"
    ]
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace").replace("\\\n", " ")
        for command in re.split(r"\n(?=\S)|;\s*\n", text):
            if "--enable-api" in command or "enable-api" in command.replace('"', ""):
                yield path.relative_to(ROOT), command


def test_the_http_api_is_never_started_without_authentication() -> None:
    found = list(commands_starting_the_api())
    assert found, "no command starts the HTTP API: the check would be empty"
    for path, command in found:
        assert "--auth-token" in command or "--jwt-secret" in command or "auth-token" in command, (
            f"{path}: --enable-api without --auth-token or --jwt-secret:\n{command[:400]}"
        )


def test_every_launcher_attaches_the_token_with_an_equals_sign() -> None:
    """A token given as a separate argument breaks Rasa's start when it
    begins with "-" (a CI run failed that way): every launcher writes
    --auth-token=TOKEN."""
    for path, command in commands_starting_the_api():
        assert re.search(r"--auth-token=", command), f"{path}: token not attached with '=':\n{command[:400]}"
        assert not re.search(r"--auth-token[\"',\s]", command), f"{path}: separate token argument"


def test_rasa_reads_an_attached_token_that_starts_with_a_dash() -> None:
    from rasa.__main__ import create_argument_parser

    parser = create_argument_parser()
    assert parser.parse_args(["run", "--auth-token=-Xy_1"]).auth_token == "-Xy_1"
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "--auth-token", "-Xy_1"])


def test_generated_secrets_never_look_like_an_option() -> None:
    from ops.local import new_secret

    secrets_made = {new_secret(16) for _ in range(2000)}
    assert len(secrets_made) == 2000
    assert all(re.fullmatch(r"[0-9a-f]{32}", secret) for secret in secrets_made)


def test_make_run_draws_its_secrets_from_the_same_helper() -> None:
    import subprocess
    import sys

    script = (ROOT / "scripts" / "run.sh").read_text()
    assert "secrets." not in script and script.count("-m ops.local secret ") == 2
    printed = subprocess.run(
        [sys.executable, "-m", "ops.local", "secret", "24"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert re.fullmatch(r"[0-9a-f]{48}\n", printed)


@pytest.mark.parametrize(
    "language,words", [("nl", ["gewist", "logbestanden", "cookies"]), ("en", ["deleted", "logs", "cookies"])]
)
def test_privacy_note_in_both_languages(language: str, words) -> None:
    from ops.retention import retention_days

    widget = WidgetServer("http://127.0.0.1:9")
    try:
        status, page = http("GET", f"{widget.url}/privacy-{language}.html")
    finally:
        widget.stop()
    assert status == 200 and f'<html lang="{language}">' in page
    assert f"<strong data-retention-days>{retention_days()}</strong>" in page
    assert all(word in page for word in words)
