"""The store of messages left for the support team, and the audit log of
their handling. One model (inbox/models.py) on SQLite or PostgreSQL; the
contact details, best time, message and staff note encrypted at rest
(inbox/crypto.py); the database brought up to date by Alembic on first use.

    store = InboxStore.from_env()
    reference = store.leave(NewMessage(conversation_id=..., country="NL", language="nl",
                                       contact_method="phone", contact="06 12345678",
                                       best_time="mornings", text="..."))

Everything is plain text in and out: the staff inbox shows it as text.

    .venv/bin/python -m inbox.store --migrate       # create or update the tables
    .venv/bin/python -m inbox.store --rotate-keys   # re-encrypt with SUPPORT_INBOX_KEY's first key
"""

from __future__ import annotations

import argparse
import enum
import os
import secrets
import sys
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from inbox import db, migrate
from inbox.contact import address_key, parse_contact
from inbox.crypto import Cipher, InboxKeyError, key_from_file, new_key
from inbox.models import CONTACT_METHODS, messages
from inbox.models import audit as audit_table
from inbox.settings import COUNTRIES, LANGUAGES, SupportTeams, teams

MAX_TEXT = 2000
MAX_BEST_TIME = 200
MAX_NOTE = 2000
MAX_CONVERSATION_ID = 128
MAX_USER = 128
PREVIEW = 80
PER_CONVERSATION = 3  # messages per conversation in WINDOW
PER_ADDRESS = 20  # messages per contact address in WINDOW
WINDOW = timedelta(hours=24)
ROLES = ("staff", "reader")
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U/V mix-ups
NOTIFY_LEASE = timedelta(minutes=5)
NOTIFY_BACKOFF = (timedelta(minutes=1), timedelta(hours=6))  # first retry, longest wait


class Status(str, enum.Enum):
    OPEN = "open"
    CONTACTED = "contacted"
    CLOSED = "closed"

    def __str__(self) -> str:
        return self.value


class TooManyMessages(Exception):
    """A limit is reached: `reason` is "conversation" (3 a day) or "address" (20 a day)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"too many messages from this {reason} in 24 hours")
        self.reason = reason


class InvalidMessage(ValueError):
    """A field of a new message is wrong: `field` names it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class NotFound(LookupError):
    """No message with that id (never left, or deleted after retention)."""


@dataclass(frozen=True, kw_only=True)
class NewMessage:
    conversation_id: str
    country: str
    language: str
    contact_method: str  # "phone", "email" or "none"
    contact: Optional[str] = None
    best_time: Optional[str] = None
    text: str
    urgent: bool = False


@dataclass(frozen=True)
class Summary:
    """A message in the list: no contact details, the first words only."""

    id: int
    reference: str
    created_at: datetime
    country: str
    language: str
    urgent: bool
    status: str
    contact_method: str
    preview: str

    def as_dict(self) -> Dict[str, Any]:
        """JSON-ready: times as ISO 8601 text."""
        return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in asdict(self).items()}


@dataclass(frozen=True)
class Detail(Summary):
    """A whole message, decrypted."""

    contact: Optional[str]
    best_time: Optional[str]
    text: str
    conversation_id: str
    status_note: Optional[str]
    handled_by: Optional[str]
    handled_at: Optional[datetime]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    user: str
    role: str
    action: str  # "opened", "marked" (detail: the new status), "deleted" (retention)
    message_id: Optional[int]
    reference: str
    detail: Optional[str]


@dataclass(frozen=True)
class Notification:
    """The state of a message's e-mail to the team."""

    id: int
    country: str
    notified_at: Optional[datetime]
    attempts: int
    next_attempt_at: Optional[datetime]
    error: Optional[str]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def plain_text(value: Any, field: str, limit: int, required: bool = True) -> Optional[str]:
    """`value` as one clean plain text: lone surrogates become U+FFFD, control
    characters (but newline and tab) spaces, line ends \\n; HTML and
    everything else stay as they are. InvalidMessage when it is not text,
    empty (if `required`) or longer than `limit` characters."""
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidMessage(field, "must be text")
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        "\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else " " if (ord(c) < 32 and c not in "\n\t") or ord(c) == 127 else c
        for c in text
    ).strip()
    if not text:
        if required:
            raise InvalidMessage(field, "is empty")
        return None
    if len(text) > limit:
        raise InvalidMessage(field, f"is longer than {limit} characters")
    return text


def new_reference() -> str:
    """A reference such as SB-4K7Q-29XD (30**8 of them)."""
    letters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SB-{letters[:4]}-{letters[4:]}"


def normalise_reference(text: str) -> Optional[str]:
    """A reference as people type it ("sb 4k7q29xd") in its stored form."""
    compact = "".join(c for c in str(text).upper() if c.isalnum())
    compact = compact.removeprefix("SB")
    if len(compact) != 8 or any(c not in REFERENCE_ALPHABET for c in compact):
        return None
    return f"SB-{compact[:4]}-{compact[4:]}"


def _who(user: Any, role: str) -> str:
    name = plain_text(user, "user", 10**6, required=False) if isinstance(user, str) else None
    return (name or role).replace("\n", " ")[:MAX_USER]


def _checked(message: NewMessage) -> Dict[str, Any]:
    """The columns of a new message (before encryption); InvalidMessage."""
    conversation = message.conversation_id
    if not isinstance(conversation, str) or not conversation or len(conversation) > MAX_CONVERSATION_ID:
        raise InvalidMessage("conversation_id", f"must be 1 to {MAX_CONVERSATION_ID} characters")
    if message.country not in COUNTRIES:
        raise InvalidMessage("country", f"must be one of {', '.join(COUNTRIES)}")
    if message.language not in LANGUAGES:
        raise InvalidMessage("language", f"must be one of {', '.join(LANGUAGES)}")
    if message.contact_method not in CONTACT_METHODS:
        raise InvalidMessage("contact_method", f"must be one of {', '.join(CONTACT_METHODS)}")
    contact = None
    if message.contact_method != "none":
        contact = parse_contact(message.contact_method, message.contact, message.country)
        if contact is None:
            raise InvalidMessage("contact", f"is not a valid {message.contact_method} address")
    return {
        "conversation_id": conversation,
        "country": message.country,
        "language": message.language,
        "contact_method": message.contact_method,
        "contact": contact,
        "best_time": plain_text(message.best_time, "best_time", MAX_BEST_TIME, required=False)
        if contact is not None
        else None,
        "text": plain_text(message.text, "text", MAX_TEXT),
        "urgent": message.urgent is True,
    }


class InboxStore:
    """Messages for the support team, on one database (see module doc)."""

    def __init__(
        self,
        url: Union[str, sa.engine.URL, None] = None,
        key: Optional[str] = None,
        *,
        support_teams: Optional[SupportTeams] = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """`url`: SQLAlchemy URL (default SUPPORT_INBOX_URL or .inbox/inbox.db);
        `key`: Fernet key(s), comma-separated (checked now; without one,
        only purge and the notification state work)."""
        self.url = db.database_url(url)
        self._cipher = Cipher(key) if key is not None else None
        self._teams = support_teams
        self._clock = clock
        self._engine: Optional[Engine] = None
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, need_key: bool = True, **options: Any) -> "InboxStore":
        """The store of SUPPORT_INBOX_URL with SUPPORT_INBOX_KEY. Without a
        key, a SQLite file gets one generated beside it (`key`, mode 600);
        another database needs SUPPORT_INBOX_KEY (InboxKeyError), unless
        `need_key` is False (retention deletes without decrypting)."""
        env = os.environ if env is None else env
        url = db.database_url(env.get("SUPPORT_INBOX_URL") or db.DEFAULT_URL)
        key = env.get("SUPPORT_INBOX_KEY") or None
        if key is None and url.get_backend_name() == "sqlite":
            path = db.sqlite_file(url)
            key = key_from_file(path.parent / "key") if path is not None else new_key()
        if key is None and need_key:
            raise InboxKeyError(
                f"SUPPORT_INBOX_KEY must be set for the support inbox in {url.get_backend_name()} "
                "(make one with: python -m inbox.crypto --new-key)"
            )
        return cls(url, key, **options)

    # ------------------------------------------------------------ plumbing
    @property
    def engine(self) -> Engine:
        """The database, migrated to the newest version on first use."""
        with self._lock:
            if self._engine is None:
                engine = db.create_engine(self.url)
                try:
                    migrate.upgrade(engine)
                except Exception:
                    engine.dispose()
                    raise
                self._engine = engine
            return self._engine

    @property
    def cipher(self) -> Cipher:
        if self._cipher is None:
            raise InboxKeyError("SUPPORT_INBOX_KEY is not set: the support inbox cannot encrypt or decrypt")
        return self._cipher

    @property
    def teams(self) -> SupportTeams:
        return self._teams or teams()

    def dispose(self) -> None:
        """Close the database connections (the store reconnects when used)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _now(self, now: Optional[datetime] = None) -> datetime:
        return now or self._clock()

    # ------------------------------------------------------------ leaving
    def leave(self, message: NewMessage) -> str:
        """Store a new message and return its reference. InvalidMessage for a
        wrong field, TooManyMessages when a limit is reached."""
        values = _checked(message)
        cipher, now = self.cipher, self._now()
        contact = values.pop("contact")
        hashes = cipher.address_hashes(address_key(values["contact_method"], contact)) if contact else []
        row = {
            **{key: values[key] for key in ("conversation_id", "country", "language", "contact_method", "urgent")},
            "created_at": now,
            "contact_enc": cipher.encrypt(contact),
            "best_time_enc": cipher.encrypt(values["best_time"]),
            "text_enc": cipher.encrypt(values["text"]),
            "contact_hash": hashes[0] if hashes else None,
            "status": Status.OPEN.value,
            "notify_attempts": 0,
            "next_attempt_at": now,
        }
        with db.write(self.engine) as connection:
            self._check_limits(connection, values["conversation_id"], hashes, now)
            row["reference"] = self._unused_reference(connection)
            connection.execute(messages.insert().values(**row))
        return str(row["reference"])

    @staticmethod
    def _check_limits(connection: Connection, conversation_id: str, hashes: List[str], now: datetime) -> None:
        recent = messages.c.created_at > now - WINDOW
        count = sa.select(sa.func.count()).select_from(messages)
        if connection.execute(count.where(recent, messages.c.conversation_id == conversation_id)).scalar_one() >= (
            PER_CONVERSATION
        ):
            raise TooManyMessages("conversation")
        if hashes and connection.execute(count.where(recent, messages.c.contact_hash.in_(hashes))).scalar_one() >= (
            PER_ADDRESS
        ):
            raise TooManyMessages("address")

    @staticmethod
    def _unused_reference(connection: Connection) -> str:
        for _ in range(20):
            reference = new_reference()
            taken = sa.select(messages.c.id).where(messages.c.reference == reference)
            if connection.execute(taken).first() is None:
                return reference
        raise RuntimeError("no unused reference found")  # 30**8 references: not in practice

    # ------------------------------------------------------------ reading
    def list(self, status: Union[Status, str, None] = None, limit: Optional[int] = None) -> List[Summary]:
        """Messages (with `status`, else all), urgent first, then newest first."""
        query = sa.select(messages).order_by(
            messages.c.urgent.desc(), messages.c.created_at.desc(), messages.c.id.desc()
        )
        if status is not None:
            query = query.where(messages.c.status == Status(status).value)
        if limit is not None:
            query = query.limit(max(0, int(limit)))
        with db.read(self.engine) as connection:
            rows = connection.execute(query).all()
        return [self._summary(row) for row in rows]

    def find(self, reference: str) -> Optional[Summary]:
        """The message with a reference (as typed, see normalise_reference)."""
        wanted = normalise_reference(reference)
        if wanted is None:
            return None
        with db.read(self.engine) as connection:
            row = connection.execute(sa.select(messages).where(messages.c.reference == wanted)).first()
        return self._summary(row) if row is not None else None

    def open(self, message_id: int, user: str, role: str) -> Detail:
        """The whole message, decrypted; the audit log notes who opened it.
        NotFound for an unknown id, PermissionError for an unknown role."""
        role = self._role(role)
        with db.write(self.engine) as connection:
            row = self._row(connection, message_id)
            self._audit(connection, user, role, "opened", row)
        return self._detail(row)

    def mark(self, message_id: int, status: Union[Status, str], note: Optional[str], user: str, role: str) -> None:
        """Set a message's status with a note (role "staff" only: PermissionError
        for "reader"); the audit log notes it."""
        if self._role(role) != "staff":
            raise PermissionError("read-only access: only staff can mark messages")
        try:
            new_status = Status(status).value
        except ValueError:
            raise InvalidMessage("status", f"must be one of {', '.join(s.value for s in Status)}") from None
        clean_note = plain_text(note, "note", MAX_NOTE, required=False)
        who = _who(user, role)
        with db.write(self.engine) as connection:
            row = self._row(connection, message_id)
            connection.execute(
                messages.update()
                .where(messages.c.id == row.id)
                .values(
                    status=new_status,
                    status_note_enc=self.cipher.encrypt(clean_note),
                    handled_by=who,
                    handled_at=self._now(),
                )
            )
            self._audit(connection, who, role, "marked", row, new_status)

    def audit(self, message_id: Optional[int] = None, limit: Optional[int] = None) -> List[AuditEntry]:
        """The audit log (of one message), newest first."""
        query = sa.select(audit_table).order_by(audit_table.c.at.desc(), audit_table.c.id.desc())
        if message_id is not None:
            query = query.where(audit_table.c.message_id == message_id)
        if limit is not None:
            query = query.limit(max(0, int(limit)))
        with db.read(self.engine) as connection:
            return [AuditEntry(**row._asdict()) for row in connection.execute(query)]

    @staticmethod
    def _role(role: Any) -> str:
        if role not in ROLES:
            raise PermissionError(f"unknown role {role!r}")
        return str(role)

    @staticmethod
    def _row(connection: Connection, message_id: Any) -> Any:
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise NotFound(f"no message {message_id!r}")
        row = connection.execute(sa.select(messages).where(messages.c.id == message_id)).first()
        if row is None:
            raise NotFound(f"no message {message_id}")
        return row

    def _audit(self, connection: Connection, user: Any, role: str, action: str, row: Any, detail: Any = None) -> None:
        connection.execute(
            audit_table.insert().values(
                at=self._now(),
                user=_who(user, role),
                role=role,
                action=action,
                message_id=row.id,
                reference=row.reference,
                detail=detail,
            )
        )

    def _summary(self, row: Any) -> Summary:
        text = self.cipher.decrypt(row.text_enc) or ""
        flat = " ".join(text.split())
        preview = flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1].rstrip() + "…"
        return Summary(
            id=row.id,
            reference=row.reference,
            created_at=row.created_at,
            country=row.country,
            language=row.language,
            urgent=bool(row.urgent),
            status=row.status,
            contact_method=row.contact_method,
            preview=preview,
        )

    def _detail(self, row: Any) -> Detail:
        decrypt = self.cipher.decrypt
        return Detail(
            **asdict(self._summary(row)),
            contact=decrypt(row.contact_enc),
            best_time=decrypt(row.best_time_enc),
            text=decrypt(row.text_enc) or "",
            conversation_id=row.conversation_id,
            status_note=decrypt(row.status_note_enc),
            handled_by=row.handled_by,
            handled_at=row.handled_at,
        )

    # ------------------------------------------------------------ retention
    def purge(self, now: Optional[datetime] = None, dry_run: bool = False) -> int:
        """Delete (or with dry_run only count) the messages older than their
        country's retention_days. Their audit entries stay, unlinked
        (message_id NULL), and a "deleted" entry is added for each."""
        now = self._now(now)
        expired = sa.or_(
            *(
                sa.and_(
                    messages.c.country == country,
                    messages.c.created_at < now - timedelta(days=self.teams.team(country).retention_days),
                )
                for country in COUNTRIES
            )
        )
        with db.write(self.engine) as connection:
            rows = connection.execute(sa.select(messages.c.id, messages.c.reference).where(expired)).all()
            if dry_run or not rows:
                return len(rows)
            ids = [row.id for row in rows]
            connection.execute(audit_table.update().where(audit_table.c.message_id.in_(ids)).values(message_id=None))
            connection.execute(messages.delete().where(messages.c.id.in_(ids)))
            connection.execute(
                audit_table.insert(),
                [
                    {"at": now, "user": "retention", "role": "system", "action": "deleted", "reference": row.reference}
                    for row in rows
                ],
            )
        return len(rows)

    # ------------------------------------------------------------ notification
    def pending_notifications(self, now: Optional[datetime] = None) -> List[Notification]:
        """Messages whose e-mail to the team is due (never sent, retry time reached)."""
        query = (
            sa.select(messages)
            .where(messages.c.notified_at.is_(None), messages.c.next_attempt_at <= self._now(now))
            .order_by(messages.c.created_at, messages.c.id)
        )
        with db.read(self.engine) as connection:
            return [self._notification(row) for row in connection.execute(query)]

    def notification(self, message_id: int) -> Notification:
        with db.read(self.engine) as connection:
            return self._notification(self._row(connection, message_id))

    def claim_notification(self, message_id: int, now: Optional[datetime] = None) -> bool:
        """Take a due notification for sending (for NOTIFY_LEASE), so two
        senders never send it twice; False when it is not due or taken."""
        now = self._now(now)
        with db.write(self.engine) as connection:
            result = connection.execute(
                messages.update()
                .where(
                    messages.c.id == message_id,
                    messages.c.notified_at.is_(None),
                    messages.c.next_attempt_at <= now,
                )
                .values(next_attempt_at=now + NOTIFY_LEASE)
            )
            return bool(result.rowcount == 1)

    def notification_sent(self, message_id: int, now: Optional[datetime] = None) -> None:
        self._set_notification(message_id, notified_at=self._now(now), next_attempt_at=None, notify_error=None)

    def notification_failed(self, message_id: int, error: str, now: Optional[datetime] = None) -> datetime:
        """Note a failed attempt; returns when to try again (doubling waits)."""
        now = self._now(now)
        attempts = self.notification(message_id).attempts + 1
        first, longest = NOTIFY_BACKOFF
        retry = now + min(first * 2 ** min(attempts - 1, 20), longest)
        self._set_notification(
            message_id, notify_attempts=attempts, next_attempt_at=retry, notify_error=str(error)[:200]
        )
        return retry

    def notification_skipped(self, message_id: int, reason: str) -> None:
        """Nothing to send (no notification address): never tried again."""
        self._set_notification(message_id, next_attempt_at=None, notify_error=str(reason)[:200])

    def _set_notification(self, message_id: int, **values: Any) -> None:
        with db.write(self.engine) as connection:
            connection.execute(messages.update().where(messages.c.id == message_id).values(**values))

    @staticmethod
    def _notification(row: Any) -> Notification:
        return Notification(
            id=row.id,
            country=row.country,
            notified_at=row.notified_at,
            attempts=row.notify_attempts,
            next_attempt_at=row.next_attempt_at,
            error=row.notify_error,
        )

    # ------------------------------------------------------------ keys
    def rotate_keys(self) -> int:
        """Re-encrypt every stored value with the first key; the number of messages."""
        columns = ("contact_enc", "best_time_enc", "text_enc", "status_note_enc")
        with db.write(self.engine) as connection:
            rows = connection.execute(sa.select(messages.c.id, *(messages.c[name] for name in columns))).all()
            for row in rows:
                values = {name: self.cipher.rotate(getattr(row, name)) for name in columns if getattr(row, name)}
                connection.execute(messages.update().where(messages.c.id == row.id).values(**values))
        return len(rows)


@lru_cache(maxsize=None)
def default_store() -> InboxStore:
    """The process's store, from the environment (see InboxStore.from_env)."""
    return InboxStore.from_env()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="The support inbox's database (SUPPORT_INBOX_URL).")
    parser.add_argument("--migrate", action="store_true", help="create or update the tables")
    parser.add_argument("--rotate-keys", action="store_true", help="re-encrypt with SUPPORT_INBOX_KEY's first key")
    args = parser.parse_args(argv)
    try:
        store = InboxStore.from_env(need_key=args.rotate_keys)
        if args.migrate:
            store.dispose()  # connects again below, migrating
            _ = store.engine
            print(f"inbox: {store.url.render_as_string(hide_password=True)} is up to date")
        if args.rotate_keys:
            print(f"inbox: re-encrypted {store.rotate_keys()} message(s)")
    except (InboxKeyError, ValueError, sa.exc.SQLAlchemyError) as error:
        print(f"inbox: error: {error}", file=sys.stderr)
        return 2
    finally:
        if "store" in locals():
            store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
