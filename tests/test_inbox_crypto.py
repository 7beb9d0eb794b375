"""Contact details, best time, message and note are encrypted at rest: the
database (its file and its rows) never holds them in clear; keys rotate;
a missing, malformed or wrong key gives a clear error; the embedded
default makes its own key once, private."""

from __future__ import annotations

import logging
import stat

import pytest
import sqlalchemy as sa

from inbox.crypto import Cipher, InboxKeyError, new_key, parse_keys
from inbox.store import InboxStore, TooManyMessages
from tests.inbox_contract import message

PHONE, EMAIL = "+31 6 55512345", "geheim.adres@example.org"
SECRETS = ("55512345", "geheim.adres", "vermoeidheid sinds de IC", "dinsdagmiddag", "belde terug")


def leave_secrets(store: InboxStore) -> None:
    text = "Mijn vermoeidheid sinds de IC is erg"
    store.leave(message(conversation_id="a", contact=PHONE, best_time="dinsdagmiddag", text=text))
    store.leave(message(conversation_id="b", contact_method="email", contact=EMAIL, text=text))
    store.mark(store.list()[0].id, "contacted", "belde terug", user="anna", role="staff")


def test_the_database_file_holds_no_personal_detail_in_clear(tmp_path):
    store = InboxStore(f"sqlite:///{tmp_path / 'inbox.db'}", new_key())
    leave_secrets(store)
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.name.startswith("inbox.db"))
    assert b"SB-" in raw  # the data is there (the reference is not secret)
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM support_messages")).all()
    assert len(rows) == 2
    for secret in SECRETS + ("31655512345",):
        assert secret not in repr(rows), secret
    assert all(row.contact_enc.startswith("gAAAAA") for row in rows)  # Fernet tokens
    assert all(len(row.contact_hash) == 64 for row in rows)
    store.dispose()


def test_keys_rotate_old_messages_stay_readable_and_are_re_encrypted(tmp_path):
    url, old, new = f"sqlite:///{tmp_path / 'inbox.db'}", new_key(), new_key()
    leave_secrets(InboxStore(url, old))
    rotated = InboxStore(url, f"{new},{old}")  # the new key first
    assert rotated.open(rotated.list()[-1].id, "anna", "staff").contact == "+31655512345"
    assert rotated.rotate_keys() == 2
    only_new = InboxStore(url, new)
    details = [only_new.open(s.id, "anna", "staff") for s in only_new.list()]
    assert {d.contact for d in details} == {"+31655512345", EMAIL} and details[0].status_note == "belde terug"
    with pytest.raises(InboxKeyError, match="cannot be decrypted"):
        InboxStore(url, old).list()


def test_the_address_limit_still_counts_across_a_rotation(tmp_path):
    url, old, new = f"sqlite:///{tmp_path / 'inbox.db'}", new_key(), new_key()
    before = InboxStore(url, old)
    for number in range(20):
        before.leave(message(conversation_id=f"c{number}", contact=PHONE))
    after = InboxStore(url, f"{new},{old}")
    with pytest.raises(TooManyMessages):
        after.leave(message(conversation_id="c-new", contact="06 55512345"))


def test_a_wrong_key_gives_a_clear_error_not_garbage(tmp_path):
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    leave_secrets(InboxStore(url, new_key()))
    with pytest.raises(InboxKeyError, match="SUPPORT_INBOX_KEY"):
        InboxStore(url, new_key()).open(1, "anna", "staff")


@pytest.mark.parametrize("bad", ["", " , ", "not-a-key", "a" * 44, new_key()[:-2], new_key() + ",short", "ключ"])
def test_a_malformed_key_is_refused_clearly(bad):
    with pytest.raises(InboxKeyError, match="SUPPORT_INBOX_KEY"):
        parse_keys(bad)
    with pytest.raises(InboxKeyError):
        Cipher(bad)


def test_from_env_generates_a_private_key_once_for_a_sqlite_inbox(tmp_path, caplog):
    env = {"SUPPORT_INBOX_URL": f"sqlite:///{tmp_path / 'data' / 'inbox.db'}"}
    with caplog.at_level(logging.WARNING, logger="inbox.crypto"):
        first = InboxStore.from_env(env)
    key_file = tmp_path / "data" / "key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "SUPPORT_INBOX_KEY is not set" in caplog.text
    first.leave(message())
    caplog.clear()
    second = InboxStore.from_env(env)  # the same key, no new warning
    assert second.list()[0].preview == first.list()[0].preview and caplog.text == ""
    assert [p.name for p in (tmp_path / "data").iterdir() if p.name.startswith(".key")] == []
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    key_file.write_text("garbage\n")
    with pytest.raises(InboxKeyError, match="does not hold a Fernet key"):
        InboxStore.from_env(env)


def test_a_server_database_needs_the_key_from_the_environment():
    env = {"SUPPORT_INBOX_URL": "postgresql://rasa:secret@127.0.0.1:1/inbox"}
    with pytest.raises(InboxKeyError, match="SUPPORT_INBOX_KEY must be set"):
        InboxStore.from_env(env)
    assert InboxStore.from_env(env, need_key=False).url.database == "inbox"  # retention needs no key
    with pytest.raises(InboxKeyError, match="not a Fernet key"):
        InboxStore.from_env({**env, "SUPPORT_INBOX_KEY": "letmein"})


def test_the_key_command_prints_a_usable_key(capsys):
    from inbox.crypto import main

    assert main(["--new-key"]) == 0
    assert len(parse_keys(capsys.readouterr().out.strip())) == 1
