"""The household's pickup code (取货码): six digits the resident sees on their
order page and tells the courier through the door, so the courier can confirm
the hand-off without touching anything.

Derived from the order number with a keyed hash instead of stored: it exists
from the moment the order does, cannot be guessed from the order number, and
costs no column on the market's table."""

import hashlib
import hmac
import unicodedata

from django.conf import settings

DIGITS = 6


def pickup_code(order_code: str) -> str:
    digest = hmac.new(
        settings.LOOKUP_HASH_KEY.encode(), f"pickup:{order_code}".encode(), hashlib.sha256
    ).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**DIGITS:0{DIGITS}d}"


def normalise(entered) -> str:
    """The ASCII digits of what was typed: a phone keyboard may give full-width
    (１２３) or Arabic-Indic digits, which mean the same numbers; anything that
    is not a decimal digit (spaces, dashes, superscripts) is dropped."""
    return "".join(
        str(unicodedata.decimal(ch)) for ch in str(entered or "")[:100] if ch.isdecimal()
    )


def matches(order_code: str, entered: str) -> bool:
    # compare_digest refuses non-ASCII str (TypeError): normalise first
    return hmac.compare_digest(pickup_code(order_code), normalise(entered))
