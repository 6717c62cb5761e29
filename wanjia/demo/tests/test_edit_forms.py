"""Saving any edit form unchanged changes nothing.

A manager once opened a resident, saved without touching anything, and the birth
date was gone (the page rendered 1950/03/02, which a date input drops). This test
holds every edit form of every app to the same rule, without naming them: it
loads the demo city, walks the console and H5 pages as the demo accounts
(following links, one or two pages per URL pattern), takes every POST form that
starts with values from a record, submits it exactly as a browser would send it
unchanged (see ``formkit``), and compares every row that existed before, field by
field (auto timestamps aside). A new app's pages are reached the same way; a new
URL pattern the walk cannot reach must be listed in ``NOT_WALKED`` with a reason,
so nothing drops out of the check unseen."""

import re
from collections import deque
from datetime import datetime
from io import StringIO
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from wanjia.core.models import User

from .formkit import forms_of

LOCAL = ZoneInfo("Asia/Shanghai")
ACCOUNTS = ["manager", "party_secretary", "company_admin", "courier", "regulator", "resident"]
PER_PATTERN = 2  # concrete pages visited per URL pattern

# URL patterns the walk does not open as pages, each with the reason.
NOT_WALKED = {
    "sup_inspection_start": "on a planned inspection (the demo's inspections are finished)",
    "sup_inspection_result": "on an inspection under way (the demo's are finished)",
    "sup_finding_add": "on an inspection under way (the demo's are finished)",
    "sup_inspection_finish": "on an inspection under way (the demo's are finished)",
    "sup_rect_issue": "on a finding without a notice (every demo finding has one)",
    "sup_rect_decide": "accepting or rejecting evidence is a decision, not an edit form",
    # not HTML: images and downloads
    "delivery_map": "SVG map of a plan",
    "delivery_photo": "JPEG proof of delivery",
    "emergency_photo": "JPEG evidence of a checklist item",
    "estates_import_template": "xlsx download",
    "market_bags_xlsx": "xlsx download",
    "market_prices_template": "xlsx download",
    "market_purchase_xlsx": "xlsx download",
    "patrol_roster_xlsx": "xlsx download",
    "patrol_evidence_xlsx": "xlsx download",
    "tickets_export": "xlsx download",
    "disputes_mine": "linked from the board only past 20 open cases; a list with no forms",
    "care_duty_xlsx": "xlsx download",
    "care_caretakers_xlsx": "xlsx download",
    "conv_day_xlsx": "xlsx download",
    "conv_file": "a print job's uploaded file (download, audited)",
    "feedback_index_export": "xlsx download",
    "feedback_survey_export": "xlsx download",
    "exemplary_export": "xlsx download",
    "emergency_after_xlsx": "xlsx download",
    "exemplary_photo": "JPEG photo of an exemplary case",
    # htmx partials and buttons (hx-get / hx-post, not links or <form method=post>)
    "disputes_households": "htmx option list for the new-case form",
    "market_price_hint": "htmx price hint beside an offer",
    "market_bag_pack": "htmx button on the sorting page",
    "market_bag_unpack": "htmx button on the sorting page",
    "market_bag_hand_over": "htmx button on the sorting page",
    "market_h5_cart": "htmx cart of the order form",
    "patrol_roster_job": "htmx part of the roster page, only after a build was asked for",
    "care_duty_job": "htmx part of the duty roster page, only after a build was asked for",
    "resident_reveal": "htmx button that shows one masked field (audited)",
    "market_bag": "opened by scanning a bag's QR code, not by a link",
    "patrol_scan": "opened by scanning a checkpoint's QR code, not by a link",
    # old addresses kept for bookmarks, linked from nowhere
    "resident_search": "the resident finder's old address: redirects to /console/find/estates/",
    # actions whose forms show only in a state the demo's first pages are not in
    "disputes_followup": "on a resolved case",
    "emergency_after_review": "on a submitted after-action report: the small demo's flood "
    "covers the demo compound only, whose report is accepted",
    "exemplary_publish": "publish / take-down button of a selected case (a button with no "
    "value from a record)",
    "feedback_h5_rerate": "on a rating whose fix awaits the resident (not the demo resident's)",
    "disputes_rate": "on a resolved case",
    "disputes_reopen": "on a resolved case",
    "disputes_sweep_done": "on a planned sweep",
    "disputes_sweeps_plan": "sweep planning button",
    "market_h5_cancel": "on a resident's open order",
    "tickets_h5_cancel": "on a resident's ticket nobody has accepted yet",
    "tickets_h5_follow": "offered only when a report duplicates an open common-area ticket",
    "tickets_h5_rate": "on a resident's done ticket",
    "tickets_visit": "on a done ticket or one awaiting its return visit",
    "market_h5_change": "on a resident's open order",
    "market_offer_add": "on a draft window",
    "market_offer_remove": "on a draft window",
    "market_offer_restock": "on a draft window",
    "market_slot_add": "on a draft window",
    "market_window_open": "on a draft window",
    "market_order_for_place": "second step of ordering for a resident",
    "market_order_pay": "on an unpaid order",
    "market_purchase_sent": "on an unsent purchase order",
    "market_receiving_finish": "on a window being received",
    "market_receiving_line": "on a window being received",
    "party_branch_new": "only where a compound has no branch yet",
    "conv_h5_book": "on a service's day page, two links deep from the resident's 服务 tab",
    # the volunteer's phone pages: no account of the walk is a volunteer (their
    # forms are buttons with no value from a record: sign up, check in and out)
    "volunteers_h5_tasks": "the volunteer's task list",
    "volunteers_h5_mine": "the volunteer's own shifts",
    "volunteers_h5_hours": "the volunteer's hours",
    "volunteers_h5_signup": "sign-up button on the volunteer's task list",
    "volunteers_h5_withdraw": "withdraw button on the volunteer's shifts",
    "volunteers_h5_checkin": "check-in button on the volunteer's shifts",
    "volunteers_h5_checkout": "check-out button on the volunteer's shifts",
    "volunteers_h5_certificate_new": "certificate button on the volunteer's hours",
}

# Forms whose submission legitimately changes a record even unchanged: they are
# actions, not edits (a button with a prefilled choice).
ACTIONS = {
    # URL name of the form's action: why submitting it is meant to change things
    "delivery_window": "plans routes: the form's fields are the planning parameters, "
    "prefilled from the last plan, and each submission makes a new current plan",
    "patrol_roster_build": "builds a roster: start and days are prefilled with the shown "
    "range, and each submission replaces that range with a new roster",
    "patrol_roster_cell": "puts a guard on (or takes them off) the shift of the cell "
    "clicked: a command prefilled from the cell, not an edit of a record",
    "care_duty_build": "builds the duty roster: start and days are prefilled with the shown "
    "range, and each submission replaces that range with a new roster",
    "care_duty_cell": "puts a person on (or takes them off) the duty shift of the cell "
    "clicked: a command prefilled from the cell, not an edit of a record",
    "set_language": "switches the language of the session and the user",
    "volunteers_decide": "approves an application: the teams the applicant asked for "
    "are ticked beforehand, and the first button approves",
    "volunteers_confirm": "confirms a volunteer's hours: the minutes are prefilled with the "
    "time checked in, and each submission enters them in the ledger (once)",
    "logout": "logs out",
    "exemplary_mine_case": "sends a nomination the authority returned for more back for "
    "review: the publishing form is prefilled from the nomination, and each submission "
    "returns it to the review queue",
}

# Rows that change as a side effect of any request, not of the form.
VOLATILE = {"core.user": {"last_login"}}


def _patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _patterns(p, route)
        elif isinstance(p, URLPattern) and p.name:
            yield p.name, route


def _route_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def _models() -> dict:
    """The product's models by table, and the fields compared (auto timestamps
    and VOLATILE fields aside)."""
    out = {}
    for model in apps.get_models():
        if not model.__module__.startswith("wanjia."):
            continue
        label = model._meta.label_lower
        skip = {
            f.attname
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        } | VOLATILE.get(label, set())
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        out.setdefault(model._meta.db_table, []).append((model, label, names))
    return out


def _snapshot(tables=None) -> dict:
    """Every row of the product's tables (or of ``tables`` only): table ->
    (model, pk) -> fields."""
    rows = {}
    for table, models in _models().items():
        if tables is not None and table not in tables:
            continue
        rows[table] = {}
        for model, label, names in models:
            for values in model._default_manager.values_list(*names):
                rows[table][(label, values[names.index(model._meta.pk.attname)])] = dict(
                    zip(names, values, strict=True)
                )
    return rows


def _rows(snapshot: dict) -> dict:
    return {k: v for table in snapshot.values() for k, v in table.items()}


# A statement that writes, and the table it writes (Django quotes the name).
_WRITE = re.compile(
    r'^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)"?',
    re.IGNORECASE,
)
_READ = re.compile(
    r"^\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|PRAGMA)\b", re.IGNORECASE
)
EVERY_TABLE = "*"


class Writes:
    """The tables written through Django's connection since the last ``take()``
    (any statement neither a plain read nor a write to one named table counts as
    a write to every table). The rows of a table nobody wrote cannot have
    changed: the snapshot before and after a form is taken of the written
    tables only, which proves the same as a snapshot of the whole database
    (that took most of this test's six minutes)."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        m = _WRITE.match(sql)
        if m:
            self.tables.add(m.group(1))
        elif not _READ.match(sql):
            self.tables.add(EVERY_TABLE)
        return execute(sql, params, many, context)

    def take(self):
        """The tables written since the last call (None: every table)."""
        tables, self.tables = self.tables, set()
        return None if EVERY_TABLE in tables else tables


def _changed(before: dict, after: dict) -> list[str]:
    out = []
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            out.append(f"{key} deleted")
        elif new != old:
            diff = {k: (old[k], new[k]) for k in old if old[k] != new[k]}
            out.append(f"{key}: {diff}")
    return out


def _walk(client, start: list[str]):
    """Yield (url, html) for pages reachable from ``start``, PER_PATTERN per pattern."""
    seen, per_name, queue = set(), {}, deque(start)
    while queue:
        url = queue.popleft()
        name = _route_name(urlsplit(url).path)
        if url in seen or name is None or per_name.get(name, 0) >= PER_PATTERN:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        per_name[name] = per_name.get(name, 0) + 1
        html = response.content.decode()
        yield url, name, html
        for href in _links(html):
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith(("/console/", "/h5/", "/gov/")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"#]+)"', html)


@pytest.mark.slow
@pytest.mark.walk
@pytest.mark.django_db(transaction=True)
def test_saving_any_edit_form_unchanged_changes_nothing(client):
    writes = Writes()
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=LOCAL), tick=True):
        call_command("load_demo", "--scale", "small", stdout=StringIO(), stderr=StringIO())
        checked, walked, failures = [], set(), []
        rows = _snapshot()
        with connection.execute_wrapper(writes):
            for username in ACCOUNTS:
                client.force_login(User.objects.get(username=username))
                for url, name, html in list(_walk(client, ["/console/", "/h5/", "/gov/"])):
                    walked.add(name)
                    for form in forms_of(html):
                        action = urlsplit(urljoin(url, form.action or url)).path
                        walked.add(_route_name(action))
                        if (
                            form.method != "post"
                            or not form.shows_values
                            or _route_name(action) in ACTIONS
                        ):
                            continue
                        # bring the rows up to date with what the walk wrote
                        rows.update(_snapshot(writes.take()))
                        response = client.post(action, form.data())
                        after = _snapshot(writes.take())
                        before = {table: rows[table] for table in after}
                        changes = _changed(_rows(before), _rows(after))
                        rows.update(after)
                        checked.append(_route_name(action))
                        if changes:
                            failures.append(f"{username} {url} -> {action}: {changes[:5]}")
                        assert response.status_code < 500, (url, action)
                client.logout()
            rows.update(_snapshot(writes.take()))
    # nothing was written that the tracking did not see (another connection, a
    # statement it did not parse): the rows it kept are the database's
    assert _rows(rows) == _rows(_snapshot()), "a write escaped the tracking of Writes"
    assert not failures, "\n".join(failures)
    # the forms that once lost data or rows are among those checked
    assert set(checked) >= {
        "resident_edit",
        "party_member_edit",
        "delivery_courier_edit",
        "market_settings",
        "market_catalog",
        "disputes_policy",
    }
    unwalked = {
        name
        for name, route in _patterns()
        if route.startswith(("console/", "h5/", "gov/")) and name not in walked
    }
    # the resident's basket: an open order offers "change", none offers "place" —
    # which one the demo holds at the walk's frozen hour is not this test's business
    either = {"market_h5_change", "market_h5_place"}
    assert unwalked - either == set(NOT_WALKED) - either, (
        f"reach these pages or list them in NOT_WALKED: {sorted(unwalked ^ set(NOT_WALKED))}"
    )
    assert len(either & unwalked) <= 1, "the basket page offered neither placing nor changing"
