"""Calendar passwords at rest: Fernet (AES-CBC with HMAC-SHA256) under a key derived with HKDF from
MEETBOOK_SECRET_KEY, so the setting can be any long secret rather than a Fernet key of its own."""

from __future__ import annotations

import base64
import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from meetbook.core.config import Settings

log = logging.getLogger("meetbook.calendarsync")

# Published (it is in this file): only ever used in development, and said so in the log.
DEVELOPMENT_KEY = "meetbook-development-calendar-key-not-secret-0123456789"
# Another use of the same secret derives another key: this one encrypts calendar passwords only.
PURPOSE = b"meetbook calendar connection passwords v1"


class NoKey(Exception):
    """No usable key: the connection cannot be saved, or its password cannot be read back."""


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


_warned = False


def _key(settings: Settings) -> Fernet:
    global _warned
    if settings.secret_key is not None:
        return _fernet(settings.secret_key)
    if not settings.is_development:
        raise NoKey(
            "calendar passwords are stored encrypted and this server has no key: set MEETBOOK_SECRET_KEY "
            "(a secret of at least 32 characters, kept like the database password) and restart"
        )
    if not _warned:
        _warned = True
        log.warning("MEETBOOK_SECRET_KEY is not set: calendar passwords are encrypted with the published development key")
    return _fernet(DEVELOPMENT_KEY)


def encrypt(settings: Settings, password: str) -> str:
    return _key(settings).encrypt(password.encode()).decode("ascii")


def decrypt(settings: Settings, token: str) -> str:
    try:
        return _key(settings).decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise NoKey(
            "the stored calendar password cannot be decrypted: MEETBOOK_SECRET_KEY is not the key it was saved with; "
            "save the connection again (PUT) with the password"
        ) from None
