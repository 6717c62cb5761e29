"""A kept booking as a 好差评 subject: rateable once it was marked attended,
once, within the window; another household's is 404."""

from datetime import timedelta

import pytest
import time_machine

from wanjia.conveniences import services
from wanjia.core import rateables
from wanjia.feedback.models import Rating

from .conftest import MORNING, at

pytestmark = pytest.mark.django_db


def _post(client, subject, level=5):
    return client.post(
        "/api/v1/ratings", {"subject": subject, "level": level}, content_type="application/json"
    )


def test_a_kept_booking_is_rated_once(conv, api, client):
    slot = conv.s["hair_9"]
    with time_machine.travel(MORNING, tick=False):
        mine = services.booking_create(actor=conv.resident_a, slot=slot, household=conv.home)
        theirs = services.booking_create(
            actor=conv.staff_a, slot=conv.s["bus_slot"], household=conv.other_home
        )
        missed = services.booking_create(
            actor=conv.resident_a, slot=conv.s["bus_slot"], household=conv.home
        )
        found = rateables.find(conv.resident_a, f"booking:{mine.pk}")
        assert found is not None and not found.finished
        r = _post(api(conv.resident_a), f"booking:{mine.pk}")
        assert r.status_code == 409  # booked, not kept yet
    kept_at = at(9, 20)
    with time_machine.travel(kept_at, tick=False):
        services.booking_mark(actor=conv.staff_a, booking=mine, outcome="attended")
    with time_machine.travel(at(15), tick=False):
        services.booking_mark(actor=conv.staff_a, booking=theirs, outcome="attended")
        services.booking_mark(actor=conv.staff_a, booking=missed, outcome="no_show")
    with time_machine.travel(at(16), tick=False):
        keys = [s.key for s in rateables.recent([conv.home.pk], at(16) - timedelta(days=7))]
        assert keys == [f"booking:{mine.pk}"]
        found = rateables.find(conv.resident_a, f"booking:{mine.pk}")
        assert found.finished_at == kept_at and found.compound_id == conv.a.pk
        client.force_login(conv.resident_a)
        page = client.get("/h5/feedback/").content.decode()
        assert f"/h5/feedback/rate/booking/{mine.pk}/" in page
        assert f"/rate/booking/{missed.pk}/" not in page
        resident = api(conv.resident_a)
        assert _post(resident, f"booking:{theirs.pk}").status_code == 404
        assert _post(resident, f"booking:{missed.pk}").status_code == 409
        r = _post(resident, f"booking:{mine.pk}", 4)
        assert r.status_code == 201, r.content
        assert r.json()["loop"] is None
        assert _post(resident, f"booking:{mine.pk}", 5).status_code == 409
        assert f"/rate/booking/{mine.pk}/" not in client.get("/h5/feedback/").content.decode()
    with time_machine.travel(kept_at + timedelta(days=8), tick=False):
        Rating.objects.all().delete()
        assert _post(api(conv.resident_a), f"booking:{mine.pk}").status_code == 409  # too late
    assert rateables.find(conv.outsider_b, f"booking:{mine.pk}") is None
