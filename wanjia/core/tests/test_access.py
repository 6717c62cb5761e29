"""The permission registry: every action a check names is declared by its app,
the kernel holds the table, and the roles x actions page shows that table."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from wanjia.core.access import CAPABILITIES, declare, permission, permissions
from wanjia.core.roles import Role

ROOT = Path(__file__).resolve().parents[2]
NAMED = re.compile(
    r"""CAPABILITIES\[["']([a-z_]+\.[a-z_]+)["']\]"""
    r"""|\bcan(?:_anywhere)?\([^()]*?["']([a-z_]+\.[a-z_]+)["']"""
    r"""|capability\s*=\s*["']([a-z_]+\.[a-z_]+)["']"""
)


def _named_in_code() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for m in NAMED.finditer(path.read_text(encoding="utf-8")):
            found.add(next(g for g in m.groups() if g))
    return found


def test_every_action_the_code_checks_is_declared():
    named = _named_in_code()
    assert len(named) >= 15  # the scan finds the checks (it is not vacuous)
    assert named - set(CAPABILITIES) == set()


def test_every_permission_belongs_to_an_installed_app_and_says_what_it_allows():
    labels = {cfg.label for cfg in apps.get_app_configs()}
    for perm in permissions():
        assert perm.app in labels, perm
        assert str(perm.label).strip(), perm
        assert perm.roles <= set(Role.values), perm


def test_apps_declare_their_own_actions():
    assert permission("market.manage").app == "market"
    assert permission("delivery.deliver").app == "delivery"
    assert permission("audit.view").app == "core"
    assert CAPABILITIES["delivery.deliver"] == {Role.STAFF, Role.VOLUNTEER}


def test_a_permission_cannot_be_declared_twice_with_other_roles():
    declare("core", "audit.view", "x", permission("audit.view").roles)  # same: no-op
    with pytest.raises(ImproperlyConfigured):
        declare("core", "audit.view", "x", {Role.RESIDENT})
    with pytest.raises(ImproperlyConfigured, match="access.py"):
        permission("nowhere.nothing")


@pytest.mark.django_db
def test_the_roles_by_actions_page_is_the_registry(world, login):
    page = login(world.company_admin_a).get(reverse("access_table"))
    assert page.status_code == 200
    html = page.content.decode()
    for perm in permissions():
        assert perm.name in html
    # one row per permission, one tick per role that holds it
    rows = re.findall(r"<tr>\s*<td.*?</tr>", html, re.S)
    assert len(rows) == len(permissions())
    market_row = next(r for r in rows if "market.manage" in r)
    assert market_row.count("✓") == len(permission("market.manage").roles)


@pytest.mark.django_db
def test_the_page_is_for_admins_and_the_regulator_only(world, login):
    assert login(world.regulator).get(reverse("access_table")).status_code == 200
    for user in (world.manager_a, world.resident_a, world.leader_a, world.volunteer_a):
        client = login(user)
        assert client.get(reverse("access_table")).status_code == 403
        home = client.get(reverse("console_home"), follow=True).content.decode()
        assert reverse("access_table") not in home


@pytest.mark.django_db
def test_the_gate_hides_other_tenants_and_refuses_roles_that_cannot_act(world):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from wanjia.core.models import Compound
    from wanjia.core.scoping import gate

    qs = Compound.objects.all()
    assert gate(world.manager_a, qs, world.a.pk, compound="id") == world.a
    with pytest.raises(Http404) as other:
        gate(world.manager_a, qs, world.b.pk, compound="id")
    with pytest.raises(Http404) as missing:
        gate(world.manager_a, qs, 10**9, compound="id")
    assert str(other.value) == str(missing.value)
    with pytest.raises(PermissionDenied):
        gate(world.resident_a, qs, world.a.pk, compound="id", allowed=lambda c: False)
