"""A menu never offers what its role cannot open: every console menu link, H5
tab, service tile and today's-work card link of every demo account answers 200."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from wanjia.core.models import User
from wanjia.demo.constants import ACCOUNTS

# Where a role's offered links live on its home and services pages.
CONTAINERS = ("topnav", "tabbar", "service-grid", "cards")
SKIP = re.compile(r"/logout|/lang|/i18n|/elder|/admin/|/api/|^#|^mailto:|^tel:")


class _Links(HTMLParser):
    """Collects hrefs inside elements whose class names one of CONTAINERS."""

    def __init__(self):
        super().__init__()
        self.depth = []  # one flag per open element: inside a container?
        self.links = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        inside = (self.depth and self.depth[-1]) or any(
            c in (attrs.get("class") or "").split() or c == attrs.get("id") for c in CONTAINERS
        )
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "path"):
            self.depth.append(inside)
        if tag == "a" and inside and attrs.get("href"):
            self.links.add(attrs["href"])

    def handle_endtag(self, tag):
        if self.depth and tag not in ("br", "img", "input", "meta", "link", "hr", "path"):
            self.depth.pop()


def _offered(client, path: str) -> set[str]:
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    parser = _Links()
    parser.feed(response.content.decode())
    return {href for href in parser.links if href.startswith("/") and not SKIP.search(href)}


@pytest.mark.walk
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_every_offered_link_opens_for_every_demo_account(demo_city, username):
    failures = []
    client = Client()
    client.force_login(User.objects.get(username=username))
    home = client.get("/", follow=True).request["PATH_INFO"]
    pages = {home} | ({"/h5/services/"} if home.startswith("/h5/") else set())
    links = set().union(*(_offered(client, p) for p in pages))
    assert links, f"{username} is offered no links at all"
    for href in sorted(links):
        status = client.get(href).status_code
        if status != 200:
            failures.append(f"{username}: {href} answers {status}")
    assert not failures, "\n".join(failures)
