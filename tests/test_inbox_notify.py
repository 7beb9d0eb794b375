"""The e-mail to the support team, against a real local SMTP server
(aiosmtpd): it arrives at the team's address with the link and no personal
details; with the server down the message stays stored and the
notification pending, and a later run delivers it; nothing is ever sent
twice and nothing raises into the conversation."""

from __future__ import annotations

import logging
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Iterator, List

import pytest
from aiosmtpd.controller import Controller

from base.paths import PROJECT_ROOT, rasa_env
from inbox.notify import Notifier, SmtpSettings, notify_in_background
from inbox.settings import SupportTeams
from inbox.store import InboxStore
from ops.local import free_port
from tests.inbox_contract import KEY, TEAMS, Clock, message

LINK = "https://staff.example.org/webhooks/console/inbox"
PERSONAL = ("12345678", "anna.jansen", "example.net", "vermoeid", "dinsdag", "conversation-")


class Mailbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: List[tuple] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port, self.mailbox = port, Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()  # returns once the server answers
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def smtp(port) -> Iterator[SmtpServer]:
    with SmtpServer(port) as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> Iterator[InboxStore]:
    store = InboxStore(f"sqlite:///{tmp_path / 'inbox.db'}", KEY, support_teams=TEAMS, clock=clock)
    yield store
    store.dispose()


def settings(port: int, **overrides) -> SmtpSettings:
    values = {"host": "127.0.0.1", "port": port, "sender": "assistant@example.org", "link_base": LINK, "timeout": 5}
    return SmtpSettings(**{**values, **overrides})


def leave_personal(store: InboxStore, country: str = "NL", number: int = 0) -> str:
    return store.leave(
        message(
            conversation_id=f"conversation-{number}",
            country=country,
            language="nl" if country == "NL" else "en",
            contact_method="email",
            contact=f"anna.jansen{number}@example.net",
            best_time="dinsdag",
            text="Ik ben zo vermoeid, bel me alsjeblieft",
        )
    )


def parsed(content: bytes):
    return message_from_bytes(content, policy=policy.default)


@pytest.mark.parametrize("country, words", [("NL", "Er wacht een nieuw bericht"), ("UK", "A new message is waiting")])
def test_the_mail_arrives_with_the_link_and_no_personal_details(store, smtp, country, words):
    reference = leave_personal(store, country)
    assert Notifier(store, settings(smtp.port), TEAMS).send_pending() == 1
    [(recipients, content)] = smtp.mailbox.received
    assert recipients == [TEAMS.team(country).notify_email]
    mail = parsed(content)
    body = mail.get_body().get_content()
    assert words in mail["Subject"] and words in body and LINK in body
    assert mail["Auto-Submitted"] == "auto-generated"
    for detail in PERSONAL + (reference, reference[3:]):
        assert detail not in content.decode("utf-8", "replace"), detail
    assert store.notification(store.list()[0].id).notified_at is not None
    assert store.pending_notifications() == []


def test_with_the_server_down_the_message_is_kept_and_delivered_later(store, port, clock):
    reference = leave_personal(store)
    notifier = Notifier(store, settings(port), TEAMS)
    assert notifier.send_pending() == 0  # nothing listens on the port
    assert [s.reference for s in store.list()] == [reference]
    state = store.notification(store.list()[0].id)
    assert state.notified_at is None and state.attempts == 1 and "Connection" in (state.error or "")
    assert state.next_attempt_at == clock.now + timedelta(minutes=1)
    with SmtpServer(port) as server:
        assert notifier.send_pending() == 0 and server.mailbox.received == []  # not due yet
        clock.advance(minutes=1)
        assert notifier.send_pending() == 1
        assert len(server.mailbox.received) == 1
        assert notifier.send_pending() == 0 and len(server.mailbox.received) == 1  # never twice
    assert store.notification(store.list()[0].id).notified_at == clock.now


def test_without_an_smtp_host_notifications_stay_pending(store, caplog):
    leave_personal(store)
    with caplog.at_level(logging.INFO, logger="inbox.notify"):
        assert Notifier(store, SmtpSettings(), TEAMS).send_pending() == 0
    assert "pending (no SMTP_HOST" in caplog.text
    assert len(store.pending_notifications()) == 1 and store.notification(1).attempts == 0


def test_a_team_without_a_notification_address_is_skipped(store, smtp):
    leave_personal(store)
    teams = SupportTeams(NL=TEAMS.NL.copy(update={"notify_email": None}), UK=TEAMS.UK)
    assert Notifier(store, settings(smtp.port), teams).send_pending() == 0
    assert store.pending_notifications() == [] and smtp.mailbox.received == []
    assert "no notify_email" in (store.notification(1).error or "")


def test_two_senders_at_once_send_each_mail_once(store, smtp):
    for number in range(6):
        leave_personal(store, number=number)
    notifiers = [Notifier(store, settings(smtp.port), TEAMS) for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        sent = sum(pool.map(lambda notifier: notifier.send_pending(), notifiers))
    assert sent == 6 and len(smtp.mailbox.received) == 6


def test_the_background_send_never_raises_into_the_conversation(store, smtp, caplog):
    leave_personal(store)
    notify_in_background(store, Notifier(store, settings(smtp.port), TEAMS)).join(timeout=30)
    assert len(smtp.mailbox.received) == 1
    unreachable = InboxStore("sqlite:////proc/no/such/dir/inbox.db", KEY)  # cannot even be created
    with caplog.at_level(logging.ERROR, logger="inbox.notify"):
        failing = notify_in_background(unreachable)
        failing.join(timeout=30)
    assert not failing.is_alive()
    assert "sending notifications failed" in caplog.text


def test_smtp_settings_come_from_the_environment():
    env = {"SMTP_HOST": "mail.example.org", "SMTP_STARTTLS": "1", "SMTP_USER": "u", "SMTP_PASSWORD": "p"}
    smtp = SmtpSettings.from_env({**env, "INBOX_LINK_BASE": LINK, "SMTP_FROM": "bot@example.org"})
    assert (smtp.host, smtp.port, smtp.starttls, smtp.user, smtp.sender, smtp.link_base) == (
        "mail.example.org",
        587,
        True,
        "u",
        "bot@example.org",
        LINK,
    )
    assert SmtpSettings.from_env({"SMTP_HOST": "h"}).port == 25 and SmtpSettings.from_env({}).host is None
    for bad in ("smtp", "0", "70000", "-1"):
        with pytest.raises(ValueError, match="SMTP_PORT"):
            SmtpSettings.from_env({"SMTP_PORT": bad})


def test_the_retry_command_for_cron_delivers_what_is_due(tmp_path, smtp):
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    seeded = InboxStore(url, KEY)
    leave_personal(seeded)
    seeded.dispose()
    env = {**rasa_env(), "SUPPORT_INBOX_URL": url, "SUPPORT_INBOX_KEY": KEY}
    env.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "INBOX_LINK_BASE": LINK})
    command = [sys.executable, "-m", "inbox.notify", "--retry"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "sent 1 notification(s); 0 pending" in result.stdout
    assert len(smtp.mailbox.received) == 1
    bad = subprocess.run(
        command, cwd=PROJECT_ROOT, env={**env, "SMTP_PORT": "mail"}, capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2 and "SMTP_PORT" in bad.stderr and "Traceback" not in bad.stderr
