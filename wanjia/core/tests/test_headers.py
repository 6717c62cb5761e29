"""Security headers on pages and API answers, and templates that run under the
Content-Security-Policy (no inline script, no inline event handlers)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR, "wanjia", "templates")


def csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d for d in (p.strip() for p in header.split(";")) if d}


def assert_common(response):
    policy = csp(response)
    assert policy["script-src"] == "script-src 'self'"
    assert "'none'" in policy["object-src"] and "'none'" in policy["frame-ancestors"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_anonymous_page_has_the_headers_and_may_be_cached():
    r = Client().get("/login/")
    assert r.status_code == 200
    assert_common(r)
    assert "no-store" not in r.get("Cache-Control", "")


@pytest.mark.parametrize(
    "path", ["/console/", "/console/find/estates/?q=zw", "/h5/", "/console/market/"]
)
def test_signed_in_pages_are_never_stored(world, login, path):
    user = world.resident_a if path.startswith("/h5/") else world.manager_a
    r = login(user).get(path)
    assert r.status_code in (200, 302), (path, r.status_code)
    assert_common(r)
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_api_answers_with_a_token_are_never_stored(world, api):
    r = api(world.manager_a).get("/api/v1/residents", {"q": "zw"})
    assert r.status_code == 200
    assert_common(r)
    assert "no-store" in r["Cache-Control"]
    r = api(world.manager_a).get("/api/v1/residents/999999")
    assert r.status_code == 404 and "no-store" in r["Cache-Control"]


_INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.html")), ids=str)
def test_templates_have_no_inline_script_or_handlers(path):
    """The policy would silently switch these off: behaviour goes into
    ``static/wanjia/*.js`` (``data-print``, ``data-confirm``, ``data-step``...)."""
    text = path.read_text()
    assert not _INLINE_HANDLER.search(text), path
    assert not _INLINE_SCRIPT.search(text), path
    assert "javascript:" not in text and "hx-on" not in text, path
