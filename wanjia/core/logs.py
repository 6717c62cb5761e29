"""Personal numbers kept out of logs.

A search for a phone or an ID number by GET puts the number in the URL, and the
URL in the access log, the proxy's log and the browser's history. The pages send
such searches by POST where they can; whatever still reaches a log line goes
through ``mask_identifiers`` first: the Django log handlers use
``MaskIdentifiersFilter``, and gunicorn (started by ``manage.py serve``) uses
``wanjia.core.gunicorn_logging.MaskingLogger`` for its access log."""

import logging
import re

from .pii import mask_id_number, mask_phone

# A mainland mobile number (11 digits from 1[3-9]) or an ID number (18 with an
# X check digit, or the old 15), standing alone: not part of a longer digit run
# such as an order number or a timestamp.
_IDENTIFIER = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")


def _mask(match: re.Match) -> str:
    text = match.group(0)
    return mask_phone(text) if len(text) == 11 else mask_id_number(text)


def mask_identifiers(text: str) -> str:
    """``text`` with every phone- or ID-shaped run of digits masked."""
    if not isinstance(text, str) or not any(c.isdigit() for c in text):
        return text
    return _IDENTIFIER.sub(_mask, text)


class MaskIdentifiersFilter(logging.Filter):
    """Masks phone and ID numbers in a record's message (formatted once here,
    so the arguments cannot bring them back)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is logging's problem, not ours
            return True
        masked = mask_identifiers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
