"""Phone and ID numbers never reach a log line in clear: the access log of
gunicorn (``manage.py serve``) and Django's own log handlers mask them."""

import logging
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings

from wanjia.core.logs import MaskIdentifiersFilter, mask_identifiers

PHONE, ID = "13812345678", "11010519491231002X"


def test_phone_and_id_shaped_runs_are_masked_and_nothing_else():
    line = f"GET /console/residents/?q={PHONE}&id={ID}&order=20261204071530123 HTTP/1.1"
    masked = mask_identifiers(line)
    assert PHONE not in masked and ID not in masked
    assert "138****5678" in masked and "1101**********002X" in masked
    assert "order=20261204071530123" in masked  # a longer run is not an identifier
    assert mask_identifiers("page=2&q=5678") == "page=2&q=5678"


def test_gunicorn_access_log_masks_the_request_line_query_and_referer():
    from gunicorn.config import Config

    from wanjia.core.gunicorn_logging import MaskingLogger

    logger = MaskingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/console/residents/?q={PHONE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/console/residents/",
        "QUERY_STRING": f"q={PHONE}",
        "HTTP_REFERER": f"https://x.example/search?q={ID}",
        "REMOTE_ADDR": "10.0.0.1",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    req = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(resp, req, environ, timedelta(milliseconds=5))
    text = " ".join(str(v) for v in atoms.values())
    assert PHONE not in text and ID not in text
    assert atoms["r"] == "GET /console/residents/?q=138****5678 HTTP/1.1"


def test_serve_uses_the_masking_logger():
    from pathlib import Path

    source = Path(settings.BASE_DIR, "wanjia/core/management/commands/serve.py").read_text()
    assert "wanjia.core.gunicorn_logging.MaskingLogger" in source


def test_django_log_handlers_mask_identifiers():
    handler = settings.LOGGING["handlers"]["console"]
    assert "mask_identifiers" in handler["filters"]
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Bad: %s", (PHONE,), None)
    assert MaskIdentifiersFilter().filter(record)
    assert record.getMessage() == "Bad: 138****5678"
