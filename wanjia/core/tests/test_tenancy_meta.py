"""Every URL that takes an id is listed in some app's tenancy kit.

The kit checks what an app lists; this test makes sure nothing is left off the
lists: each page route with a parameter (Django's resolver) and each API
operation with a path parameter (the OpenAPI description ninja serves) must be
reached by some app's ``Endpoint``, or be in EXEMPT below with the reason. A new
app's URLs cannot slip through untested: its kit module is found by name
(``wanjia/<app>/tests/test_tenancy_kit.py``), not by import here."""

import importlib
import importlib.util
import re

from django.apps import apps
from django.urls import URLResolver, get_resolver, resolve

from wanjia.core.testkit import REGISTRY, Missing

KIT_MODULE = "tests.test_tenancy_kit"

# Routes with a parameter that no kit lists, each with the reason.
EXEMPT = {
    # the public price board: shown to anybody, signed in or not, by design
    # (what a market charges is posted at its gate too)
    "market/<int:market_id>/prices/",
    # published exemplary cases (先进典型) and their photos: a public page by
    # design; anything not published is a 404 for everyone (supervision's tests)
    "exemplary/<int:pk>/",
    "exemplary/photos/<int:pk>/",
    # the API's own catch-all: answers a JSON 404 for any unknown path
    "api/v1/^.*$",
}
# Prefixes outside tenancy: Django's admin is for superusers only.
EXEMPT_PREFIXES = ("admin/",)


def _kit_endpoints():
    """Import every app's kit module (which registers its endpoints)."""
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("wanjia."):
            continue
        name = f"{config.name}.{KIT_MODULE}"
        if importlib.util.find_spec(f"{config.name}.tests") and importlib.util.find_spec(name):
            importlib.import_module(name)
    for app, endpoints in REGISTRY.items():
        for ep in endpoints:
            found[f"{app}:{ep.name}"] = ep
    return found


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)


def _with_id(route: str) -> bool:
    return "<" in route or "(?P" in route


def _covered_routes(endpoints) -> set[str]:
    """The route every endpoint reaches (its URL built for a missing object)."""
    routes = set()
    for key, ep in endpoints.items():
        path = ep.path(Missing()).split("?")[0]
        match = resolve(path)  # a listed URL that no longer exists fails here
        assert match.url_name != "unknown", f"{key}: {path} is not an API operation"
        routes.add(match.route)
    return routes


def test_every_page_route_with_an_id_is_in_a_kit():
    endpoints = _kit_endpoints()
    assert {"core", "estates", "party", "disputes", "market", "delivery"} <= set(REGISTRY)
    covered = _covered_routes(endpoints)
    missing = sorted(
        route
        for route in _walk(get_resolver().url_patterns)
        if _with_id(route)
        and not route.startswith(EXEMPT_PREFIXES)
        and route not in EXEMPT
        and not route.startswith("api/")
        and route not in covered
    )
    assert not missing, f"page routes no tenancy kit lists: {missing}"


def test_every_api_operation_with_an_id_is_in_a_kit():
    from wanjia.api import api

    endpoints = _kit_endpoints()
    called = {
        (ep.method.lower(), ep.path(Missing()).split("?")[0]) for ep in endpoints.values() if ep.api
    }
    missing = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "{" not in path:
            continue
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        for method in operations:
            if not any(m == method and pattern.match(url) for m, url in called):
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"API operations no tenancy kit lists: {sorted(missing)}"


def test_every_exemption_still_exists():
    """An exemption for a route that is gone would hide its successor."""
    routes = set(_walk(get_resolver().url_patterns))
    assert EXEMPT <= routes, EXEMPT - routes
