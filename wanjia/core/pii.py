"""Personal information (PIPL): validation, masking and keyed lookup hashes."""

import hashlib
import hmac
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def id_number_error(value: str):
    """Why ``value`` is not a valid resident ID number (GB 11643-1999), or None."""
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        return _("身份证号应为18位，前17位为数字，最后一位为数字或X。")
    if id_check_digit(value[:17]) != value[17]:
        return _("身份证号校验位不正确，请核对。")
    return None


def phone_error(value: str):
    if not PHONE_RE.match((value or "").strip()):
        return _("手机号应为11位，以1开头。")
    return None


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def lookup_hash(value: str) -> str:
    """Keyed hash for exact-match search of an encrypted value."""
    if not value:
        return ""
    return hmac.new(
        settings.LOOKUP_HASH_KEY.encode(), normalize_id_number(value).encode(), hashlib.sha256
    ).hexdigest()
