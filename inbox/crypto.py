"""Encryption at rest of the inbox's personal details (contact, best time,
message, staff note) with `cryptography`'s Fernet, and the keyed hash of a
contact address used for the per-address limit.

SUPPORT_INBOX_KEY holds one or more Fernet keys, comma-separated: the first
encrypts, all decrypt (rotation: put the new key first, run
`python -m inbox.store --rotate-keys`, then drop the old one). The embedded
default, without SUPPORT_INBOX_KEY, generates a key once into `.inbox/key`
(mode 600) and logs a warning.

    .venv/bin/python -m inbox.crypto --new-key    # print a new key
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

logger = logging.getLogger(__name__)

_HASH_CONTEXT = b"sepsis-inbox contact address v1"


class InboxKeyError(ValueError):
    """SUPPORT_INBOX_KEY is missing or malformed, or cannot decrypt a value."""


def new_key() -> str:
    """A new random Fernet key (URL-safe base64 text)."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(value: str) -> List[bytes]:
    """The keys of a comma-separated SUPPORT_INBOX_KEY, each checked."""
    keys = [part.strip() for part in value.split(",") if part.strip()]
    if not keys:
        raise InboxKeyError("SUPPORT_INBOX_KEY is empty: give one or more Fernet keys, comma-separated")
    checked = []
    for number, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            raise InboxKeyError(
                f"SUPPORT_INBOX_KEY: key {number} is not a Fernet key (44 characters of URL-safe base64 "
                "for 32 bytes); make one with: python -m inbox.crypto --new-key"
            )
        checked.append(key.encode("ascii"))
    return checked


def key_from_file(path: Path) -> str:
    """The key in `path`, generated there (mode 600) the first time; two
    processes starting together end up with the same key."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mode 600
        try:
            with os.fdopen(handle, "w") as out:
                out.write(new_key() + "\n")
            os.link(temporary, path)  # fails when another process was first
            logger.warning(
                "SUPPORT_INBOX_KEY is not set: generated a key for the support inbox in %s. "
                "Fine for the embedded demo; set SUPPORT_INBOX_KEY in production and keep it safe.",
                path,
            )
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    try:
        key = path.read_text(encoding="ascii").strip()
        parse_keys(key)
    except (InboxKeyError, UnicodeError) as error:
        raise InboxKeyError(
            f"{path} does not hold a Fernet key ({error}); delete it or set SUPPORT_INBOX_KEY"
        ) from None
    return key


class Cipher:
    """Encrypts with the first key, decrypts with any; hashes addresses."""

    def __init__(self, keys: str) -> None:
        self._keys = parse_keys(keys)
        self._fernet = MultiFernet([Fernet(key) for key in self._keys])

    def encrypt(self, value: Optional[str]) -> Optional[str]:
        if value is None:
            return None
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: Optional[str]) -> Optional[str]:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise InboxKeyError(
                "a stored message cannot be decrypted with SUPPORT_INBOX_KEY: the key it was written with "
                "is missing (after a rotation keep the old key, comma-separated, after the new one)"
            ) from None

    def rotate(self, token: str) -> str:
        """`token` re-encrypted with the first key."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise InboxKeyError("a stored message cannot be decrypted with SUPPORT_INBOX_KEY") from None

    def address_hashes(self, normalised: str) -> List[str]:
        """The keyed hash (HMAC-SHA256) of an address under every key, the
        first key's first: messages stored before a rotation still count."""
        return [self._hash(key, normalised) for key in self._keys]

    @staticmethod
    def _hash(key: bytes, normalised: str) -> str:
        secret = hmac.new(base64.urlsafe_b64decode(key), _HASH_CONTEXT, hashlib.sha256).digest()
        return hmac.new(secret, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Keys of the support inbox.")
    parser.add_argument("--new-key", action="store_true", help="print a new key for SUPPORT_INBOX_KEY")
    args = parser.parse_args(argv)
    if not args.new_key:
        parser.print_help()
        return 2
    print(new_key())
    return 0


if __name__ == "__main__":
    sys.exit(main())
