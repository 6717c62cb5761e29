"""The phone report in three taps with photos, the duplicate answer, the
staff queue with its filters, Excel export, the work order, the category
settings, and the figures the regulator reads agree with the clock."""

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from wanjia.core import figures
from wanjia.tickets import services
from wanjia.tickets.models import Category, Ticket

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _png():
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (30, 30), "green").save(out, "PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


def test_resident_reports_in_three_taps_with_a_photo(world, login, tmp_path):
    client = login(world.resident_a)
    page = client.get("/h5/tickets/new/").content.decode()
    assert "什么坏了" in page and 'name="photos"' in page
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        r = client.post(
            "/h5/tickets/new/",
            {
                "category": "leak",
                "description": "卫生间漏水",
                "place_kind": "unit",
                "photos": [_png()],
            },
        )
        assert r.status_code == 302, r.content.decode()[:500]
        t = Ticket.objects.get()
        assert t.photos.count() == 1
        assert client.get(f"/tickets/photos/{t.photos.get().pk}/").status_code == 200
    detail = client.get(r["Location"]).content.decode()
    assert "处理时钟" in detail and 'data-testid="target-respond"' in detail
    bad = client.post(
        "/h5/tickets/new/",
        {"category": "leak", "description": "x", "photos": [SimpleUploadedFile("a.jpg", b"nope")]},
    )
    assert bad.status_code == 422 and "照片无法识别" in bad.content.decode()


def test_duplicate_offers_to_follow(world, login):
    services.ticket_open(
        actor=world.staff_a,
        compound=world.a,
        category="lighting",
        description="灯坏",
        place_kind="common",
        place="北门路灯",
    )
    client = login(world.resident_a)
    r = client.post(
        "/h5/tickets/new/",
        {
            "category": "lighting",
            "description": "北门灯不亮",
            "place_kind": "common",
            "place": "北门 路灯",
        },
    )
    assert r.status_code == 409 and 'data-testid="duplicate"' in r.content.decode()
    first = Ticket.objects.get()
    assert client.post(f"/h5/tickets/{first.pk}/follow/").status_code == 302
    assert client.get("/h5/tickets/").content.decode().count('data-testid="my-ticket"') == 1


@time_machine.travel(NOW, tick=False)
def test_queue_filters_export_and_print(world, login):
    late = services.ticket_open(actor=world.resident_a, category="leak", description="漏水")
    services.ticket_open(actor=world.resident_a, category="doors", description="门")
    client = login(world.manager_a)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        page = client.get(f"/console/tickets/c/{world.a.pk}/?overdue=1").content.decode()
    assert page.count('data-testid="ticket-row"') == 1 and f"#{late.pk}" in page
    page = client.get(
        f"/console/tickets/c/{world.a.pk}/?category=doors&status=bogus"
    ).content.decode()
    assert page.count('data-testid="ticket-row"') == 1
    xlsx = client.get(f"/console/tickets/c/{world.a.pk}/export/")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(xlsx.content)).active.values)
    assert len(rows) == 3
    assert "派工单" in client.get(f"/console/tickets/t/{late.pk}/print/").content.decode()


def test_company_admin_edits_targets_for_new_tickets_only(world, login):
    services.categories_ensure(world.a.company)
    old = services.ticket_open(actor=world.resident_a, category="doors", description="门")
    cat = Category.objects.get(company=world.a.company, code="doors")
    client = login(world.company_admin_a)
    r = client.post(
        f"/console/tickets/categories/{cat.pk}/",
        {
            "name": "门窗",
            "respond_minutes": "45",
            "finish_hours": "24",
            "duty": "repair",
            "active": "1",
        },
    )
    assert r.status_code == 302
    cat.refresh_from_db()
    assert (cat.name, cat.respond_minutes) == ("门窗", 45)
    bad = client.post(
        f"/console/tickets/categories/{cat.pk}/",
        {"name": "", "respond_minutes": "abc", "finish_hours": "0"},
    )
    assert bad.status_code == 422
    old.refresh_from_db()
    assert old.respond_by - old.created_at == timedelta(minutes=120)


def test_figures_agree_with_the_clock(world):
    with time_machine.travel(NOW, tick=False):
        on_time = services.ticket_open(actor=world.resident_a, category="plumbing", description="a")
        late = services.ticket_open(actor=world.resident_a, category="plumbing", description="b")
        services.ticket_accept(actor=world.staff_a, ticket=on_time)
        services.ticket_done(actor=world.staff_a, ticket=on_time)
        services.ticket_rate(actor=world.resident_a, ticket=on_time, score=2)
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        services.ticket_accept(actor=world.staff_a, ticket=late)
        day = NOW.date()
        ids = [world.a.pk]
        assert figures.figure("tickets.opened").compute(ids, day, day) == 2
        assert figures.figure("tickets.respond_met").compute(ids, day, day) == 0.5
        assert figures.figure("tickets.finish_met").compute(ids, day, day) == 1.0
        assert figures.figure("tickets.reopen_rate").compute(ids, day, day) == 1.0
        assert figures.figure("tickets.avg_rating").compute(ids, day, day) == 2
        assert figures.figure("tickets.category.plumbing").compute(ids, day, day) == 2
        many = figures.figure("tickets.respond_met").compute_many([ids, [world.b.pk], []], day, day)
        assert many == [0.5, None, None]
