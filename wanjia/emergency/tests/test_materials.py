"""Material requests: need → available (the company) or allocated (the
authority) → delivered (the compound), each step once, shortages on the
board."""

import pytest

from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.emergency import selectors, services
from wanjia.emergency.models import MaterialRequest, Stage

pytestmark = pytest.mark.django_db


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
    services.material_move(actor=w.company_admin_a, row=bags, stage=Stage.AVAILABLE)
    with pytest.raises(Conflict):
        services.material_move(actor=w.company_admin_a, row=bags, stage=Stage.AVAILABLE)
    with pytest.raises(Forbidden):
        services.material_move(actor=w.staff_a, row=pumps, stage=Stage.ALLOCATED)
    services.material_move(actor=w.regulator, row=pumps, stage=Stage.ALLOCATED)
    services.material_move(actor=w.staff_a, row=bags, stage=Stage.DELIVERED)
    services.material_move(actor=w.staff_a, row=pumps, stage=Stage.DELIVERED)
    assert set(MaterialRequest.objects.values_list("stage", flat=True)) == {Stage.DELIVERED}
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
