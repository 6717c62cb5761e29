"""Hostile input on every form and every API field: NUL, over-long, right-to-left,
full-width digits, emoji. The answer is never a 500; a refusal is a 4xx that says
what is wrong; and a refused request changes nothing.

The targets are generated, so a new app is covered without editing this file:
- the API: every operation of the OpenAPI schema with a JSON body or query
  parameters, each string field (and each query parameter) in turn;
- the pages: every console/h5 URL whose GET renders a POST <form>, each field in
  turn, the other fields keeping the values the page filled in.

Deterministic: the same values in the same order; the over-long value only on one
field in three so that the run stays well under two minutes on SQLite."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from wanjia.api import api as ninja_api

HOSTILE = {
    "nul": "ab\x00cd",
    "rtl": "\u202e٣٢١ 测试\u202c",
    "fullwidth": "１２３４５６",
    "emoji": "😀👨‍👩‍👧 测试",
    "long": "长" * 5000,
}
# Tables that a refused request may touch by design: the session, a failed login.
MAY_CHANGE = {"django_session", "core_loginfailure"}


def _counts() -> dict[str, int]:
    tables = sorted(
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and m._meta.db_table not in MAY_CHANGE
    )
    sql = " UNION ALL ".join(
        f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables
    )
    with connection.cursor() as cur:
        cur.execute(sql)
        return dict(cur.fetchall())


def _says_why(response) -> bool:
    body = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(body)
        return bool(data.get("detail")) or bool(data.get("errors"))
    return len(re.sub(r"<[^>]+>|\s", "", body)) > 0


def _check(response, before: dict, what: str, problems: list) -> None:
    if response.status_code >= 500:
        problems.append(f"{what}: {response.status_code}")
    elif what.endswith("=nul") and response.status_code < 400:
        # SQLite would store it, PostgreSQL answers 500: refused everywhere, alike
        problems.append(f"{what}: a NUL byte was accepted ({response.status_code})")
    elif response.status_code >= 400:
        if not _says_why(response):
            problems.append(f"{what}: {response.status_code} without a message")
        after = _counts()
        changed = {t: (before[t], after[t]) for t in before if before[t] != after.get(t)}
        if changed:
            problems.append(f"{what}: refused ({response.status_code}) but changed {changed}")


@pytest.fixture
def fresh_ids(db):
    """Ids from 1 in every table, so that ``<int:pk>`` = 1 finds a record. SQLite
    rolls its counters back with the test; PostgreSQL's sequences are not."""
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        sql = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
        with connection.cursor() as cur:
            for statement in sql:
                cur.execute(statement)


@pytest.fixture
def busy_world(fresh_ids, monkeypatch):
    """The world with a market, a sorted delivery window planned for one courier
    (staff_a), so that detail pages (pk 1 of most tables) and the courier's
    hand-off forms exist."""
    from wanjia.delivery import services
    from wanjia.delivery.services import planning
    from wanjia.delivery.testing import post_courier, sorted_window
    from wanjia.estates.testing import make_world

    world = make_world()
    monkeypatch.setattr(planning, "_sizing", lambda *args, **kwargs: {})
    kit = sorted_window(world)
    courier = post_courier(world, kit, user=world.staff_a)
    plan = services.plan_request(
        actor=world.manager_a, window=kit.window, couriers=[courier], seconds=1
    )
    services.plan_run(plan.pk)
    return world


# --- the API -----------------------------------------------------------------------


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:  # Optional[X]: the non-null branch
        schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), schema)
        return _resolve(schema, spec)
    return schema


def _sample(schema: dict, spec: dict):
    """A plausible value for a schema, so that only the field under test is hostile."""
    schema = _resolve(schema, spec)
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _sample(v, spec) for k, v in props.items()}
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2025-03-20"
    if schema.get("format") == "date-time":
        return "2025-03-20T09:00:00+08:00"
    return "x"


def _string_fields(schema: dict, spec: dict) -> list[str]:
    schema = _resolve(schema, spec)
    return [
        name
        for name, prop in schema.get("properties", {}).items()
        if _resolve(prop, spec).get("type") in ("string", None)
    ]


def _api_cases():
    """(method, path, query, body) tuples: each hostile value in each field."""
    spec = ninja_api.get_openapi_schema()
    for path, ops in sorted(spec["paths"].items()):
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method, op in sorted(ops.items()):
            params = [p for p in op.get("parameters", []) if p["in"] == "query"]
            base_query = {p["name"]: _sample(p.get("schema", {}), spec) for p in params}
            body_schema = (
                op.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema")
            )
            base_body = _sample(body_schema, spec) if body_schema else None
            targets = [("query", p["name"]) for p in params]
            if body_schema:
                targets += [("body", f) for f in _string_fields(body_schema, spec)]
            for i, (where, name) in enumerate(targets):
                for label, value in HOSTILE.items():
                    if label == "long" and i % 3:
                        continue
                    query, body = (
                        dict(base_query),
                        (dict(base_body) if isinstance(base_body, dict) else base_body),
                    )
                    (query if where == "query" else body)[name] = value
                    yield method.upper(), url, query, body, f"{where}.{name}={label}"


def test_no_api_field_answers_500_to_hostile_input(busy_world, api):
    client = api(busy_world.manager_a)
    problems, tried = [], 0
    before = _counts()
    for method, url, query, body, what in _api_cases():
        kwargs = {"QUERY_STRING": "&".join(f"{k}={_q(v)}" for k, v in query.items())}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        response = client.generic(method, f"/api/v1{url}", **kwargs)
        tried += 1
        _check(response, before, f"{method} {url} {what}", problems)
        if response.status_code < 400:
            before = _counts()  # an accepted write moves the baseline
    print(f"API: {tried} hostile requests")
    assert tried > 200, tried  # the walk really covered the API
    assert not problems, "\n".join(problems)


def _q(value) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


# --- the pages ---------------------------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: action and fields with their filled-in values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self.forms.append({"action": a.get("action") or "", "fields": {}, "names": []})
            else:
                self.forms.append(None)
            return
        form = self.forms[-1] if self.forms else None
        if form is None or not a.get("name") or a.get("name") == "csrfmiddlewaretoken":
            if tag == "option" and form and self._select and "selected" in a:
                form["fields"][self._select] = a.get("value", "")
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                form["names"].append(name)
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            form["fields"][name] = a.get("value", "")
        elif tag == "textarea":
            form["fields"][name] = ""
        elif tag == "select":
            self._select = name
            form["fields"][name] = ""
        if name not in form["names"]:
            form["names"].append(name)

    def handle_starttag_option(self, a):
        pass

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _page_urls():
    """Every console/h5 URL of the project, int arguments filled with 1."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                found.append(route)

    walk(get_resolver().url_patterns)
    urls = []
    for route in found:
        if not route.startswith(("console/", "h5/")) or "(?P" in route or "^" in route:
            continue
        url = "/" + re.sub(r"<int:[^>]+>", "1", route)
        if "<" not in url:
            urls.append(url)
    return sorted(set(urls))


@pytest.mark.slow
def test_no_page_form_answers_500_to_hostile_input(busy_world, login):
    console = [login(busy_world.manager_a), login(busy_world.staff_a)]  # staff_a: courier
    h5 = [login(busy_world.resident_a)]
    problems, forms_seen, tried, shapes = [], 0, 0, set()
    for url in _page_urls():
        for client in h5 if url.startswith("/h5/") else console:
            page = client.get(url)
            if page.status_code == 200:
                break
        if page.status_code != 200 or b"<form" not in page.content:
            continue
        parser = _Forms()
        parser.feed(page.content.decode())
        for form in filter(None, parser.forms):
            action = form["action"] or url
            if not action.startswith("/") or action.startswith(("/logout", "/i18n", "/elder")):
                continue
            shape = (re.sub(r"\d+", "N", action), tuple(sorted(form["names"])))
            if shape in shapes:  # a list of rows with one form each: the first stands for all
                continue
            shapes.add(shape)
            forms_seen += 1
            for i, name in enumerate(form["names"]):
                for label, value in HOSTILE.items():
                    if label == "long" and i % 3:
                        continue
                    data = dict(form["fields"], **{name: value})
                    before = _counts()
                    response = client.post(action, data)
                    tried += 1
                    _check(response, before, f"POST {action} ({url}) {name}={label}", problems)
    print(f"pages: {forms_seen} forms, {tried} hostile posts")
    assert forms_seen >= 15 and tried > 200, (forms_seen, tried)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("value", ["foo", "javascript:alert(1)", "//evil.example/x", "/h5/\x00"])
def test_a_bad_next_after_login_goes_home(db, value, password):
    from django.test import Client

    from wanjia.core.testing import make_user

    make_user("nexter")
    r = Client().post(
        "/login/?" + "next=" + _q(value), {"username": "nexter", "password": password}
    )
    assert r.status_code in (302, 400), r.status_code
    if r.status_code == 302:
        assert r["Location"] in ("/",), r["Location"]
