import pytest
from django.test import Client

from wanjia.estates.testing import PASSWORD, make_world


def pytest_configure(config):
    """A fast password hasher for tests: PBKDF2's deliberate cost (about a second
    per user on a busy 2-core machine) would dominate every persona set-up."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
