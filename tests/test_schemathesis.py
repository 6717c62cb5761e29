"""Schemathesis over /api/v1/openapi.json, through the WSGI app, as a logged-in
compound manager (the persona that may call every registry endpoint).

For every operation: no 5xx for any generated input, and every response matches
the schema (status code documented, content type, headers, body). Operations
on the shared input types (auth, me, registry, audit, party, disputes, market)
must also refuse schema-violating input with a 4xx.

Bounded and deterministic: derandomized generation, ``MAX_EXAMPLES`` per
operation in the examples and fuzzing phases, one world for the whole run.
``WANJIA_FUZZ_DEEP=1`` adds schemathesis' coverage phase (boundary values and
type mutations for every parameter: several times slower, for a nightly run)."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from wanjia.core.services import token_issue
from wanjia.wsgi import application

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 15
DEEP = os.environ.get("WANJIA_FUZZ_DEEP", "") == "1"

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,  # an operation that declares security really refuses a missing token
]
# Operations whose inputs are all the shared bounded types (``wanjia.core.schemas``),
# held to the stricter rule as well.
STRICT_TAGS = {"auth", "me", "estates", "audit", "party", "disputes", "market", "delivery"}


@pytest.fixture(autouse=True)
def _fast_hashing(settings):  # noqa: F811 (pytest-django's settings fixture)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def _one_connection():
    """Schemathesis calls the WSGI app directly, whose request signals would close
    the test's database connection (and its open test transaction) after every
    request; Django's own test client disconnects them the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, _one_connection):
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    loaded.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    loaded.config.phases.update(
        phases=["examples", "coverage", "fuzzing"] if DEEP else ["examples", "fuzzing"]
    )
    return loaded


def _revokes_its_token(case) -> bool:
    return case.operation.method.upper() == "DELETE" and case.operation.path.endswith("/auth/token")


@pytest.fixture
def bearer(world):
    """The headers for one case. ``DELETE /auth/token`` revokes the token it is
    called with, so it gets a token of its own each time: with the shared one,
    every later case would be a 401 that checks nothing."""
    shared = token_issue(actor=world.manager_a)

    def headers(case) -> dict:
        token = token_issue(actor=world.manager_a) if _revokes_its_token(case) else shared
        return {"Authorization": f"Bearer {token}"}

    return headers


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
# One world serves every generated case: requests that write add to it, which is
# what a real client does too.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_conforms(case, bearer):
    checks = list(CONFORMANCE)
    if STRICT_TAGS & set(case.operation.tags or ()):
        checks.append(negative_data_rejection)
    response = case.call_and_validate(headers=bearer(case), checks=checks)
    # A 401 to a valid token means the run has stopped testing the operations
    # (only the token endpoint answers 401 to bad input: wrong password).
    if not case.operation.path.endswith("/auth/token"):
        assert response.status_code != 401, f"{case.operation.label}: the token was refused"
