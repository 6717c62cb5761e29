"""Browser tests: Playwright (sync API) driving Debian's Chromium against
pytest-django's live server, with the same personas as the unit tests.

Skipped only when /usr/bin/chromium is absent (``make test`` installs it)."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# fixtures make from the same thread are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def people(transactional_db):
    """The make_world() personas, committed so the live server's thread sees them."""
    from wanjia.estates.testing import make_world

    return make_world()


def _page(browser, live_server, viewport):
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", base_url=live_server.url, device_scale_factor=1
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def page(browser, live_server):
    """A phone-sized page (390×844), where residents and staff on foot work."""
    context, page = _page(browser, live_server, PHONE)
    yield page
    context.close()


@pytest.fixture
def desk_page(browser, live_server):
    """A desk-sized page (1366×900), for managers and the regulator."""
    context, page = _page(browser, live_server, DESK)
    yield page
    context.close()


@pytest.fixture
def log_in():
    """log_in(page, username) fills the real login form."""
    from wanjia.estates.testing import PASSWORD

    def _log_in(page, username: str, password: str = PASSWORD):
        page.goto("/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("form.card button[type=submit]").click()
        page.wait_for_load_state()

    return _log_in
