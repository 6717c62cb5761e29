"""The tenancy test kit: an app lists its URLs once, the kit checks every persona.

An app's tests declare a list of :class:`Endpoint` and hand it to :func:`cases`;
one parametrized test then calls :func:`check` for each generated case:

- an allowed persona gets a success code (200/201/204/302);
- a persona of the wrong role gets 403;
- the outsider (compound B's manager) on A's object, and every allowed persona of
  A on B's object, get 404 with exactly the body a missing id gets;
- an anonymous caller is sent to the login page (pages) or gets 401 (API);
- a refused write changes nothing: the endpoint's ``state`` and the audit log are
  the same before and after.

The kit imports no domain app and does not know where the world is built: the
caller passes the world (any object with the persona users as attributes and the
objects the factories need) and its ``login``/``api`` client builders. A test id
reads ``<app>:<endpoint>:<persona>`` (``market:h5_order:outsider_b``), so a failure
names the URL and the person at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

#: An id no table will reach: the "missing record" every 404 is compared with.
MISSING = 2**62
SUCCESS = (200, 201, 202, 204, 302)  # 202: a job queued (a delivery plan)
#: The persona who manages compound B: the outsider of every app.
OUTSIDER = "outsider_b"


class Missing:
    """Stands for an object that does not exist: its pk is :data:`MISSING`.

    A body builder of an ``id_in_body`` endpoint receives one for the "missing"
    request; ``is_missing(obj)`` tells it so."""

    pk = id = MISSING

    def __getattr__(self, name):
        # url builders such as ``lambda o: f"/x/{o.window_id}/"`` or
        # ``o.purchase_order.window_id`` get the missing id too
        if name.startswith("_"):
            raise AttributeError(name)
        return MISSING if name.endswith("_id") else self


def is_missing(obj) -> bool:
    return isinstance(obj, Missing)


@dataclass(frozen=True)
class Endpoint:
    """One URL of an app and who may call it.

    ``url`` is a pattern with ``{pk}`` or a callable building the URL from the
    object; ``obj(world, side)`` returns the object in compound ``"a"`` or ``"b"``
    (``None`` for a URL that takes no object: a list page is checked for roles and
    anonymous callers only). ``state(world, obj)`` returns a comparable value that
    a refused write must leave unchanged. ``body`` is a dict (or a callable of
    ``(world, obj)``) sent as form data to a page or as JSON to the API.
    """

    name: str
    url: str | Callable[[Any], str]
    allowed: Sequence[str]
    forbidden: Sequence[str] = ()
    method: str = "get"
    api: bool = False
    obj: Callable[[Any, str], Any] | None = None
    body: dict | Callable[[Any, Any], dict] | None = None
    state: Callable[[Any, Any], Any] | None = None
    headers: dict = field(default_factory=dict)
    # The object's id travels in the body (or query), not the path: the "missing"
    # request is then built from a Missing() object too; otherwise it repeats
    # the real request's body with only the path's id changed.
    id_in_body: bool = False
    # A persona of B for whom the object of A is out of scope; None skips the case.
    outsider: str | None = OUTSIDER
    # Personas of A who cannot see this object at all (another household's
    # order, someone else's job): 404 like a missing id, not 403.
    hidden: Sequence[str] = ()

    @property
    def is_write(self) -> bool:
        return self.method.lower() not in ("get", "head", "options")

    def path(self, obj) -> str:
        if callable(self.url):
            return self.url(obj)
        return self.url.format(pk=obj.pk if obj is not None else MISSING)


REGISTRY: dict[str, list[Endpoint]] = {}

#: Every persona of compound A the test world builds (``estates.testing``), and
#: the city's regulator: the "everyone else" of an endpoint's ``forbidden``.
PERSONAS_A = (
    "resident_a",
    "manager_a",
    "leader_a",
    "secretary_a",
    "staff_a",
    "volunteer_a",
    "company_admin_a",
    "regulator",
)


def others(*allowed, hidden=()) -> tuple:
    """The personas of A neither ``allowed`` nor ``hidden``: the 403 cases."""
    return tuple(p for p in PERSONAS_A if p not in allowed and p not in hidden)


def compound_of(world, side):
    """The ``obj`` of a compound URL: compound A or B of the world."""
    return world.a if side == "a" else world.b


def item_of(attr: str, name: str):
    """The ``obj`` of a record URL, from ``world.<attr>[side][name]`` (the
    app's module fixture puts one record of each kind per compound there)."""
    return lambda world, side: getattr(world, attr)[side][name]


@dataclass(frozen=True)
class Case:
    endpoint: Endpoint
    persona: str | None  # None: anonymous
    expect: str  # "allowed" | "forbidden" | "outsider" | "other_tenant" | "anonymous"


#: Personas whose scope covers compound B too (the city's regulator): no
#: "other tenant" case for them.
CITY_WIDE = ("regulator",)


def cases(app: str, endpoints: Sequence[Endpoint], *, city_wide: Sequence[str] = CITY_WIDE) -> list:
    """Every (endpoint, persona, expectation) as a ``pytest.param`` with a readable id.

    The endpoints are also kept in :data:`REGISTRY` under ``app``, for the test
    that every URL taking an id is listed somewhere."""
    REGISTRY[app] = list(endpoints)
    params = []
    names = set()
    for ep in endpoints:
        assert ep.name not in names, f"{app}: endpoint {ep.name} listed twice"
        names.add(ep.name)
        groups = (set(ep.allowed), set(ep.forbidden), set(ep.hidden))
        overlap = (groups[0] & groups[1]) | (groups[0] & groups[2]) | (groups[1] & groups[2])
        assert not overlap, f"{app}:{ep.name}: {overlap} listed in two groups"
        assert ep.obj is not None or not ep.hidden, f"{app}:{ep.name}: hidden needs an object"

        def add(persona, expect, tag=None, ep=ep):
            tag = tag or persona or "anonymous"
            params.append(pytest.param(Case(ep, persona, expect), id=f"{app}:{ep.name}:{tag}"))

        for persona in ep.allowed:
            add(persona, "allowed")
        for persona in ep.forbidden:
            add(persona, "forbidden")
        if ep.obj is not None:
            if ep.outsider:
                add(ep.outsider, "outsider")
            for persona in ep.hidden:
                add(persona, "outsider", f"{persona}:hidden")
            for persona in ep.allowed:
                if persona not in city_wide:
                    add(persona, "other_tenant", f"{persona}@b")
        add(None, "anonymous")
    return params


def _send(client, ep: Endpoint, url: str, body):
    method = ep.method.lower()
    headers = dict(ep.headers)
    if body is None and ep.api and ep.is_write:
        body = {}  # a JSON API write always carries a JSON body, even an empty one
    if body is None:
        return getattr(client, method)(url, headers=headers)
    if ep.api:
        return getattr(client, method)(
            url, data=json.dumps(body), content_type="application/json", headers=headers
        )
    return getattr(client, method)(url, data=body, headers=headers)


def _body(ep: Endpoint, world, obj):
    return ep.body(world, obj) if callable(ep.body) else ep.body


_handler = None


def _shared(client):
    """One request handler for every client of the kit: a fresh test client
    loads the middleware again, and WhiteNoise's scan of the static files at
    that moment cost more than the request itself (some 50 ms a case)."""
    global _handler
    if _handler is None:
        _handler = client.handler
    else:
        client.handler = _handler
    return client


def _client(ep: Endpoint, persona, world, login, api):
    from django.test import Client

    if persona is None:
        return _shared(Client())
    user = getattr(world, persona)
    return _shared(api(user) if ep.api else login(user))


def _audit_count() -> int:
    from wanjia.core.models import AuditLog

    return AuditLog.objects.count()


def _snapshot(ep: Endpoint, world, obj):
    return (ep.state(world, obj) if ep.state else None, _audit_count())


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _excerpt(response) -> str:
    """What a failed case prints: the start of the body, readable (Chinese and all);
    a page's <head> tells nothing, so an HTML body starts at its <main>."""
    text = _content(response).decode(errors="replace")
    main = text.find("<main")
    return text[main if main >= 0 else 0 :][:600]


# Django masks the CSRF token afresh in every response: not a difference that tells.
_CSRF = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+')


def _comparable(response) -> bytes:
    return _CSRF.sub(rb"\1-", _content(response))


def check(case: Case, world, login, api) -> None:
    """Run one generated case and assert what the tenancy rules promise."""
    ep = case.endpoint
    side = "b" if case.expect == "other_tenant" else "a"
    obj = ep.obj(world, side) if ep.obj is not None else None
    client = _client(ep, case.persona, world, login, api)
    url = ep.path(obj)
    body = _body(ep, world, obj)
    denied = case.expect != "allowed"
    before = _snapshot(ep, world, obj) if denied and (ep.is_write or ep.state) else None
    response = _send(client, ep, url, body)
    where = f"{ep.method.upper()} {url} as {case.persona or 'anonymous'}"
    status = response.status_code

    if case.expect == "allowed":
        assert status in SUCCESS, (where, status, _excerpt(response))
    elif case.expect == "forbidden":
        assert status == 403, (where, status, _excerpt(response))
    elif case.expect == "anonymous":
        if ep.api:
            assert status == 401, (where, status, _excerpt(response))
        else:
            assert status == 302, (where, status)
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL)), where
    else:  # out of scope: the same answer as a record that does not exist
        assert status == 404, (where, status, _excerpt(response))
        missing_url = ep.path(Missing())
        missing_body = _body(ep, world, Missing()) if ep.id_in_body else body
        missing = _send(client, ep, missing_url, missing_body)
        assert missing.status_code == 404, (f"{missing_url} (missing id)", missing.status_code)
        # the id itself may be echoed (a path in a message): MISSING is unique enough
        # to put the real id in its place
        expected = _comparable(missing).replace(str(MISSING).encode(), str(obj.pk).encode())
        assert _comparable(response) == expected, (
            where,
            "404 differs from a missing id",
        )

    if before is not None:
        assert _snapshot(ep, world, obj) == before, (where, "a refused write changed state")


@contextmanager
def module_transaction(django_db_blocker):
    """Open the database for a module-scoped fixture, inside one transaction that
    is rolled back when the block ends.

    Building personas and compounds costs a few tenths of a second; a kit module
    runs hundreds of cases. Each test's own ``db`` transaction nests in this one as
    a savepoint, so what one case writes is gone before the next, and what the
    fixture built is gone after the module. (The root conftest's ``world_once``
    uses it; an app adds its objects in a module fixture of its own that takes
    ``world_once`` and unblocks the database with ``django_db_blocker``.)"""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
