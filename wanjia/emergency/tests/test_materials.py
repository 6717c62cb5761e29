"""Material requests: need → available (the company) or allocated (the
authority) → delivered (the compound), each step once, shortages on the
board."""

import pytest

from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.emergency import selectors, services
from wanjia.emergency.models import MaterialRequest, Stage, Stock

pytestmark = pytest.mark.django_db


def _kept(**owner) -> dict:
    return dict(Stock.objects.filter(**owner).values_list("supply", "quantity"))


def test_request_up_allocate_down_deliver(flood, login):
    w = flood
    with pytest.raises(Invalid) as exc:
        services.material_request(
            actor=w.staff_a, event=w.event, compound=w.a, supply="gold", quantity="0"
        )
    assert {"supply", "quantity"} <= set(exc.value.errors)
    with pytest.raises(Forbidden):
        services.material_request(
            actor=w.staff_a, event=w.event, compound=w.b, supply="sandbags", quantity=5
        )
    bags = services.material_request(
        actor=w.staff_a, event=w.event, compound=w.a, supply="sandbags", quantity=50
    )
    pumps = services.material_request(
        actor=w.manager_a, event=w.event, compound=w.a, supply="pumps", quantity=2
    )
    assert selectors.shortages(w.regulator, w.event)[0]["need"] == 2  # pumps first (sorted by code)
    with pytest.raises(Forbidden):
        services.material_move(actor=w.manager_a, row=bags, stage=Stage.AVAILABLE)
    with pytest.raises(Conflict, match="储备不足"):  # the company keeps no sandbags yet
        services.material_move(actor=w.company_admin_a, row=bags, stage=Stage.AVAILABLE)
    bags.refresh_from_db()
    assert bags.stage == Stage.NEED  # refused whole: the step rolled back
    services.stock_set(actor=w.company_admin_a, company=w.a.company, counts={"sandbags": "60"})
    services.material_move(actor=w.company_admin_a, row=bags, stage=Stage.AVAILABLE)
    assert _kept(company=w.a.company) == {"sandbags": 10}
    with pytest.raises(Conflict):
        services.material_move(actor=w.company_admin_a, row=bags, stage=Stage.AVAILABLE)
    with pytest.raises(Forbidden):
        services.material_move(actor=w.staff_a, row=pumps, stage=Stage.ALLOCATED)
    services.material_move(actor=w.regulator, row=pumps, stage=Stage.ALLOCATED)
    services.material_move(actor=w.staff_a, row=bags, stage=Stage.DELIVERED)
    services.material_move(actor=w.staff_a, row=pumps, stage=Stage.DELIVERED)
    assert set(MaterialRequest.objects.values_list("stage", flat=True)) == {Stage.DELIVERED}
    assert _kept(compound=w.a) == {"sandbags": 50, "pumps": 2}  # what arrived stays
    assert selectors.shortages(w.regulator, w.event) == []
    with pytest.raises(Invalid):
        services.material_move(actor=w.staff_a, row=pumps, stage="lost")


def test_material_pages(flood, login):
    w = flood
    from wanjia.emergency.models import EventCompound

    ec = EventCompound.objects.get(event=w.event, compound=w.a)
    c = login(w.staff_a)
    r = c.post(
        f"/console/emergency/affected/{ec.pk}/materials/", {"supply": "masks", "quantity": "x"}
    )
    assert r.status_code == 422 and "数量应为 1 到 100000" in r.content.decode()
    r = c.post(
        f"/console/emergency/affected/{ec.pk}/materials/", {"supply": "masks", "quantity": "500"}
    )
    assert r.status_code == 302
    row = MaterialRequest.objects.get()
    board = login(w.regulator).get(f"/console/emergency/events/{w.event.pk}/").content.decode()
    assert "em-allocate" in board
    r = login(w.regulator).post(
        f"/console/emergency/materials/{row.pk}/move/", {"stage": "allocated"}
    )
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.stage == Stage.ALLOCATED


def test_stock_page_sets_the_store_and_refuses_bad_numbers(flood, login):
    w = flood
    admin = login(w.company_admin_a)
    page = admin.get("/console/emergency/stock/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"company:{w.a.company.pk}" in text and f"compound:{w.a.pk}" in text
    assert f"company:{w.b.company.pk}" not in text
    bad = admin.post(
        "/console/emergency/stock/",
        {"owner": f"company:{w.a.company.pk}", "qty_masks": "-3", "qty_pumps": "4"},
    )
    assert bad.status_code == 422 and "数量应为 0 到 1000000" in bad.content.decode()
    assert not Stock.objects.exists()  # nothing half-saved
    ok = admin.post(
        "/console/emergency/stock/",
        {"owner": f"company:{w.a.company.pk}", "qty_masks": "3000", "qty_pumps": "4"},
    )
    assert ok.status_code == 302
    assert _kept(company=w.a.company) == {"masks": 3000, "pumps": 4}
    from wanjia.core.models import AuditLog

    audits = AuditLog.objects.filter(action="emergency.stock.set").count()
    again = admin.post(
        "/console/emergency/stock/",
        {"owner": f"company:{w.a.company.pk}", "qty_masks": "3000", "qty_pumps": "4"},
    )
    assert again.status_code == 302
    assert AuditLog.objects.filter(action="emergency.stock.set").count() == audits  # unchanged
    # another company's store and another compound's stock are not there to find
    for owner in (f"company:{w.b.company.pk}", f"compound:{w.b.pk}"):
        r = admin.post("/console/emergency/stock/", {"owner": owner, "qty_masks": "1"})
        assert r.status_code == 404, owner
    assert admin.post("/console/emergency/stock/", {"owner": "x"}).status_code == 422
    assert login(w.resident_a).get("/console/emergency/stock/").status_code == 403
    staff = login(w.staff_a)
    assert (
        staff.post(
            "/console/emergency/stock/", {"owner": f"compound:{w.a.pk}", "qty_torches": "12"}
        ).status_code
        == 302
    )
    assert _kept(compound=w.a) == {"torches": 12}
    assert (
        staff.post(
            "/console/emergency/stock/", {"owner": f"company:{w.a.company.pk}", "qty_masks": "1"}
        ).status_code
        == 404
    )  # staff keep the compound's, not the company's store


def test_the_board_shows_need_beside_stock(flood, login):
    w = flood
    services.stock_set(actor=w.company_admin_a, company=w.a.company, counts={"masks": "100"})
    services.material_request(
        actor=w.staff_a, event=w.event, compound=w.a, supply="masks", quantity=500
    )
    # B's company has plenty, but that does not cover A's company's gap
    services.stock_set(actor=_admin_of(w.b), company=w.b.company, counts={"masks": "5000"})
    row = selectors.shortages(w.regulator, w.event)[0]
    assert (row["need"], row["stores"], row["compounds"]) == (500, 5100, 0)
    assert (row["gap"], row["short"]) == (400, True)
    board = login(w.regulator).get(f"/console/emergency/events/{w.event.pk}/").content.decode()
    assert "缺 400" in board
    services.stock_set(actor=w.company_admin_a, company=w.a.company, counts={"masks": "600"})
    assert selectors.shortages(w.regulator, w.event)[0]["short"] is False


def _admin_of(compound):
    from wanjia.core.models import User
    from wanjia.core.roles import Role
    from wanjia.core.testing import grant

    return grant(
        User.objects.create_user(username=f"admin{compound.pk}"),
        Role.COMPANY_ADMIN,
        compound.company,
    )
