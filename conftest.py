import sqlite3

import pytest
from django.test import Client

from wanjia.estates.testing import PASSWORD, make_world


def pytest_configure(config):
    """A fast password hasher for tests: PBKDF2's deliberate cost (about a second
    per user on a busy 2-core machine) would dominate every persona set-up."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    # PostgreSQL: a commit need not wait for the disk in a test database (it
    # cost some 12 ms each here, against 1.5 ms; a transactional test, a
    # demo load or a flush commits thousands of times). Nothing is less
    # consistent: only the last commits would be lost if the server crashed.
    # The fault tests' subprocesses do not read this: they keep the defaults.
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        options = db.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


# Longest first. pytest-xdist hands the tests out in collection order, and
# pytest-django had put the long page walks and browser tests at the very end,
# in two big halves: for minutes one worker was idle. Within each of Django's
# two groups, tests that use the database in a rolled-back transaction (and
# those with no database) first, then transactional tests, the long ones now
# start first and the short ones fill in around them. The groups stay in that
# order: a transactional test flushes the tables but leaves SQLite's id
# counters high, and tests that expect ids from 1 (test_hostile_input's
# fresh_ids) run before any of them. Mark a test ``slow`` past ten seconds.
LONGEST_FIRST = ("walk", "slow", "e2e")


def _transactional(item) -> bool:
    """pytest-django's own rule for a test that commits (and flushes after)."""
    from django.test import TestCase, TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return not issubclass(cls, TestCase)
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        flags = dict(zip(("transaction", "reset_sequences"), marker.args, strict=False))
        flags.update(marker.kwargs)
        if flags.get("transaction") or flags.get("reset_sequences"):
            return True
    names = getattr(item, "fixturenames", ())
    return any(n in names for n in ("transactional_db", "live_server", "django_db_reset_sequences"))


def pytest_collection_modifyitems(config, items):
    def rank(item):
        for position, name in enumerate(LONGEST_FIRST):
            if item.get_closest_marker(name):
                return position
        return len(LONGEST_FIRST)

    items.sort(key=lambda item: (_transactional(item), rank(item)))  # stable


@pytest.fixture(autouse=True)
def _huey_immediate(settings):
    """Tasks run inline in tests, against the test database."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test starts with an empty cache of its own: counters kept there
    (rate limits, wrong codes) must not carry over from another test, nor
    touch the file cache of a server running from the same checkout."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request made in English
    leaves English active in the thread (LocaleMiddleware does not reset it),
    and a later test's service messages would come out in English."""
    from django.utils import translation

    yield
    translation.activate("zh-hans")


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker):
    """The same world built once for a whole module (the tenancy kit's cases only
    read it; what a case writes is rolled back after it)."""
    from wanjia.core.testkit import module_transaction

    with module_transaction(django_db_blocker):
        yield make_world()


@pytest.fixture
def login():
    """login(user) -> a Django test client with that user's session."""

    def _login(user):
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api():
    """api(user) -> a client whose calls carry a fresh bearer token for ``user``."""
    from wanjia.core.services import token_issue

    def _api(user):
        token = token_issue(actor=user)
        return Client(headers={"Authorization": f"Bearer {token}"})

    return _api


@pytest.fixture
def password():
    return PASSWORD


_demo_snapshot: sqlite3.Connection | None = None


@pytest.fixture
def demo_city(transactional_db):
    """The small demo city, committed (a live server's thread sees it too).

    ``load_demo --scale small`` takes some ten seconds; the page walks need the
    same city for each account. On SQLite the first load in a worker is copied
    into a second in-memory database (sqlite3's backup API) and copied back for
    each later test, in milliseconds: the same rows, ids and all, as a fresh
    load. Elsewhere (PostgreSQL) it is loaded each time."""
    from io import StringIO

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection

    global _demo_snapshot
    connection.ensure_connection()
    if connection.vendor != "sqlite":
        call_command("load_demo", "--scale", "small", stdout=StringIO(), stderr=StringIO())
        return
    if _demo_snapshot is None:
        call_command("load_demo", "--scale", "small", stdout=StringIO(), stderr=StringIO())
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _demo_snapshot = snapshot
    else:
        _demo_snapshot.backup(connection.connection)
        # the flush after the last test made the content types afresh (new ids):
        # the copied tables hold the snapshot's
        ContentType.objects.clear_cache()
