"""CappedPaginator: a list counted only up to its cap, and the pages that say so."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wanjia.core.models import AuditLog
from wanjia.core.paging import CappedPaginator

pytestmark = pytest.mark.django_db


def _entries(n):
    AuditLog.objects.bulk_create(
        AuditLog(action="test.thing", actor_name="x", detail={"n": i}) for i in range(n)
    )
    return AuditLog.objects.filter(action="test.thing").order_by("-id")


def test_under_the_cap_it_counts_exactly():
    pages = CappedPaginator(_entries(7), 3, cap=10)
    assert (pages.count, pages.capped, pages.num_pages) == (7, False, 3)
    assert len(pages.page(3).object_list) == 1


def test_past_the_cap_it_stops_counting_and_says_so():
    rows = _entries(12)
    pages = CappedPaginator(rows, 3, cap=10)
    with CaptureQueriesContext(connection) as counted:
        assert (pages.count, pages.capped, pages.num_pages) == (10, True, 4)
    assert len(counted) == 1 and "LIMIT 11" in counted[0]["sql"]
    # the pages reach the first ``cap`` rows, the newest first
    assert list(pages.page(1).object_list) == list(rows[:3])
    assert len(pages.page(4).object_list) == 1
    assert pages.get_page(99).number == 4


def test_the_audit_page_says_more_than_n(world, login, monkeypatch):
    from wanjia.core import paging

    monkeypatch.setattr(paging.CappedPaginator.__init__, "__kwdefaults__", {"cap": 3})
    _entries(5)
    page = login(world.regulator).get("/console/audit/").content.decode()
    assert "超过 3 条记录" in page and "超过 3 条，请缩小范围" in page


def test_the_resident_finder_says_more_than_n(world, login, monkeypatch):
    from wanjia.core import paging

    monkeypatch.setattr(paging.CappedPaginator.__init__, "__kwdefaults__", {"cap": 1})
    client = login(world.manager_a)
    found = client.get(f"/console/find/estates/?region={world.a.community_id}").content.decode()
    assert "找到超过 1 人" in found


def test_with_many_compounds_the_audit_filter_takes_a_code(world, login, monkeypatch):
    from wanjia.core import pages

    monkeypatch.setattr(pages, "COMPOUND_CHOICES", 1)
    AuditLog.objects.create(action="test.in_a", actor_name="x", compound=world.a)
    AuditLog.objects.create(action="test.in_b", actor_name="x", compound=world.b)
    client = login(world.regulator)
    form = client.get("/console/audit/").content.decode()
    assert 'name="compound"' in form and "<option" not in form.split('name="compound"')[1][:200]
    by_code = client.get(f"/console/audit/?compound={world.a.code}").content.decode()
    assert "test.in_a" in by_code and "test.in_b" not in by_code
    by_name = client.get("/console/audit/", {"compound": world.b.name}).content.decode()
    assert "test.in_b" in by_name and "test.in_a" not in by_name
    unknown = client.get("/console/audit/?compound=NO-SUCH")
    assert unknown.status_code == 400 and "没有这个小区" in unknown.content.decode()
