"""Every demo account walks its own pages on a phone: each link it is offered
opens (200), no page scrolls sideways at 390 px, every page has an h1 (print-outs have one per sheet), and
axe-core (shipped inside the axe-playwright-python package, injected from the
test, nothing fetched) finds no serious or critical violation.

The walk follows same-origin links breadth-first from the account's home, GET
only, one page per URL shape (ids folded), skipping downloads, print-outs and
actions that change state. Set WANJIA_SCREENSHOTS=/some/dir to keep a
screenshot of each page."""

import os
import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from wanjia.demo.constants import ACCOUNTS, DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.walk]

PAGES_PER_ACCOUNT = 30
# Not pages to audit: downloads, print-outs (A4, tested on their own), the
# language and elder switches, logout, the admin and the API, SVG images.
SKIP = re.compile(
    r"/logout|/export|\.xlsx|\.svg|/admin/|/api/|/print|/labels|/sheets|/agreement"
    r"|/lang|/i18n|/elder|reveal|download|/static/|/media/"
)


def _shape(url: str) -> str:
    parsed = urlparse(url)
    return re.sub(r"\d+", "N", parsed.path)


def _walk(page, base: str, axe, folder: str | None):
    """Visit up to PAGES_PER_ACCOUNT page shapes; return one problem line each."""
    problems = []
    seen: set[str] = set()
    queue = deque([page.url])
    while queue and len(seen) < PAGES_PER_ACCOUNT:
        url = queue.popleft()
        if _shape(url) in seen:
            continue
        seen.add(_shape(url))
        response = page.goto(url)
        page.wait_for_load_state()
        where = urlparse(url).path
        if response is None or response.status != 200:
            problems.append(f"{where}: status {response.status if response else None}")
            continue
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            problems.append(f"{where}: scrolls sideways at 390 px")
        if page.locator("h1").count() == 0:
            problems.append(f"{where}: no h1")
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in v["nodes"][:3]]
                problems.append(f"{where}: axe {v['id']} ({v['impact']}) at {targets}")
        if folder:
            page.screenshot(path=f"{folder}/{where.strip('/').replace('/', '_') or 'home'}.png")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            full = urljoin(url, href).split("#")[0]
            if urlparse(full).netloc == urlparse(base).netloc and not SKIP.search(full):
                queue.append(full)
    return problems


# One case per account: pytest-xdist spreads them over both workers (and
# among the other tests); the demo city is loaded once per worker (demo_city).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_every_demo_account_walks_its_pages(browser, live_server, log_in, demo_city, username):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    shots = os.environ.get("WANJIA_SCREENSHOTS")
    # bypass_csp only lets the test inject axe; the pages' own policy is
    # tested in the security tests.
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        base_url=live_server.url,
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, username, DEMO_PASSWORD)
    folder = None
    if shots:
        folder = f"{shots}/{username}"
        Path(folder).mkdir(parents=True, exist_ok=True)
    problems = [f"{username} {p}" for p in _walk(page, live_server.url, axe, folder)]
    context.close()
    assert not problems, "\n".join(problems)
