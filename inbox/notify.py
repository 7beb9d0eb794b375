"""The e-mail that tells the support team a message is waiting: to the
team's notify_email (content/support_team.yml), with no personal details,
only that a new message is waiting and the link to the inbox.

SMTP settings come from the environment: SMTP_HOST (none: notifications
stay pending and are logged), SMTP_PORT (587 with STARTTLS, else 25),
SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_STARTTLS (0/1) and
INBOX_LINK_BASE (the inbox's address in the staff console). A failed
e-mail leaves the message stored and its notification pending; it is tried
again, with doubling waits, by the next message or by cron:

    .venv/bin/python -m inbox.notify --retry
"""

from __future__ import annotations

import argparse
import logging
import os
import smtplib
import ssl
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Mapping, Optional, Sequence

import sqlalchemy as sa

from inbox.crypto import InboxKeyError
from inbox.settings import SettingsError, SupportTeams, TeamSettings, teams
from inbox.store import InboxStore

logger = logging.getLogger(__name__)

TEXTS = {
    "nl": (
        "Er wacht een nieuw bericht in de inbox",
        "Er wacht een nieuw bericht in de inbox van {team}.\n\n{where}\n\n"
        "Deze e-mail bevat bewust geen persoonlijke gegevens; lees het bericht in de inbox.\n",
        "Open de inbox: {link}",
        "Open de inbox in de staff console.",
    ),
    "en": (
        "A new message is waiting in the inbox",
        "A new message is waiting in the inbox of {team}.\n\n{where}\n\n"
        "This e-mail deliberately holds no personal details; read the message in the inbox.\n",
        "Open the inbox: {link}",
        "Open the inbox in the staff console.",
    ),
}
LANGUAGE_OF_COUNTRY = {"NL": "nl", "UK": "en"}


@dataclass(frozen=True)
class SmtpSettings:
    host: Optional[str] = None
    port: int = 25
    user: Optional[str] = None
    password: Optional[str] = None
    sender: str = "sepsis-assistant@localhost"
    starttls: bool = False
    link_base: Optional[str] = None
    timeout: float = 10.0

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "SmtpSettings":
        """The settings of the SMTP_* variables and INBOX_LINK_BASE; ValueError
        for a port that is not a number."""
        env = os.environ if env is None else env
        starttls = env.get("SMTP_STARTTLS", "0").strip().lower() in ("1", "true", "yes")
        raw_port = env.get("SMTP_PORT") or ("587" if starttls else "25")
        if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
            raise ValueError(f"SMTP_PORT must be a port number, not {raw_port!r}")
        return cls(
            host=env.get("SMTP_HOST") or None,
            port=int(raw_port),
            user=env.get("SMTP_USER") or None,
            password=env.get("SMTP_PASSWORD") or None,
            sender=env.get("SMTP_FROM") or cls.sender,
            starttls=starttls,
            link_base=env.get("INBOX_LINK_BASE") or None,
        )


def compose(team: TeamSettings, country: str, smtp: SmtpSettings) -> EmailMessage:
    """The e-mail for a new message in `country`'s inbox: no personal details."""
    language = LANGUAGE_OF_COUNTRY.get(country, "en")
    subject, body, with_link, without_link = TEXTS[language]
    where = with_link.format(link=smtp.link_base) if smtp.link_base else without_link
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = smtp.sender
    mail["To"] = team.notify_email or ""
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body.format(team=team.name(language), where=where))
    return mail


class Notifier:
    """Sends the due notifications of a store."""

    def __init__(
        self,
        store: InboxStore,
        smtp: Optional[SmtpSettings] = None,
        support_teams: Optional[SupportTeams] = None,
    ) -> None:
        self.store = store
        self.smtp = smtp if smtp is not None else SmtpSettings.from_env()
        self._teams = support_teams

    def send_pending(self, now: Optional[datetime] = None) -> int:
        """Send every due notification; the number sent. Failures are noted
        on the message (tried again later), never raised."""
        due = self.store.pending_notifications(now)
        if not due:
            return 0
        if not self.smtp.host:
            logger.info("support inbox: %d notification(s) pending (no SMTP_HOST set)", len(due))
            return 0
        sent = 0
        for notification in due:
            team = (self._teams or teams()).team(notification.country)
            if not team.notify_email:
                self.store.notification_skipped(notification.id, "no notify_email for " + notification.country)
                continue
            if not self.store.claim_notification(notification.id, now):
                continue  # another sender has it
            try:
                self._send(compose(team, notification.country, self.smtp))
            except (OSError, smtplib.SMTPException) as error:
                retry = self.store.notification_failed(notification.id, f"{type(error).__name__}: {error}", now)
                logger.warning("support inbox: e-mail to the team failed (%s); tried again from %s", error, retry)
                break  # the server is likely down for the others too: they stay due
            self.store.notification_sent(notification.id, now)
            sent += 1
        return sent

    def _send(self, mail: EmailMessage) -> None:
        s = self.smtp
        with smtplib.SMTP(s.host or "", s.port, timeout=s.timeout) as server:
            if s.starttls:
                server.starttls(context=ssl.create_default_context())
            if s.user:
                server.login(s.user, s.password or "")
            server.send_message(mail)


def notify_in_background(store: InboxStore, notifier: Optional[Notifier] = None) -> threading.Thread:
    """Send the due notifications in a background thread (for the action
    server, right after InboxStore.leave): never raises, only logs."""

    def run() -> None:
        try:
            (notifier or Notifier(store)).send_pending()
        except Exception:  # the conversation must go on whatever happens here
            logger.exception("support inbox: sending notifications failed; they stay pending")

    thread = threading.Thread(target=run, name="inbox-notify", daemon=True)
    thread.start()
    return thread


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="E-mails to the support team about waiting messages.")
    parser.add_argument("--retry", action="store_true", help="send every due notification (for cron)")
    args = parser.parse_args(argv)
    if not args.retry:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    store = None
    try:
        store = InboxStore.from_env(need_key=False)  # sends no personal details
        sent = Notifier(store).send_pending()
        left = len(store.pending_notifications())
    except (InboxKeyError, SettingsError, ValueError, sa.exc.SQLAlchemyError) as error:
        print(f"notify: error: {error}", file=sys.stderr)
        return 2
    finally:
        if store is not None:
            store.dispose()
    print(f"notify: sent {sent} notification(s); {left} pending")
    return 0


if __name__ == "__main__":
    sys.exit(main())
