"""An encrypted text field: Fernet ciphertext in the database, clear text in Python.

A database dump therefore holds no ID numbers or health notes in clear; exact
lookups use a separate keyed hash column (see ``pii.lookup_hash``).

Key rotation: ``FIELD_ENCRYPTION_KEY`` may list several keys, comma-separated,
newest first. New values are encrypted with the first; any of them decrypts.
``manage.py rotate_field_key`` re-encrypts every stored value with the first
key, after which the old ones can be dropped (see SECURITY.md)."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    """Encrypts with the first key of the comma-separated list, decrypts with any."""
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def encrypt(value: str) -> str:
    if not value:
        return ""
    return PREFIX + _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value or not value.startswith(PREFIX):
        return value or ""
    try:
        return (
            _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(value[len(PREFIX) :].encode()).decode()
        )
    except InvalidToken as exc:  # wrong key: fail loudly rather than show ciphertext
        raise ValueError(
            "cannot decrypt a field: FIELD_ENCRYPTION_KEY does not match the data"
        ) from exc


class EncryptedTextField(models.TextField):
    """Clear text in Python, Fernet ciphertext in the database and in
    ``dumpdata`` output (``loaddata`` decrypts it again before saving).

    Fernet is randomised, so ``filter(field=value)`` never matches: search
    through a keyed-hash column instead (``pii.lookup_hash``)."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else (value or "")

    def value_to_string(self, obj):
        return encrypt(self.value_from_object(obj) or "")

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str) and value.startswith(PREFIX):
            try:
                return decrypt(value)
            except ValueError:
                return value  # text that merely looks like ciphertext
        return value
