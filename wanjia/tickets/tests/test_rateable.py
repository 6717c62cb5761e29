"""A closed ticket as a 好差评 subject: rated once, whether through the
ticket's own stars (which reopen it when unhappy) or through 我的评价."""

from datetime import timedelta

import pytest
import time_machine

from wanjia.core import rateables
from wanjia.feedback.models import Loop, Rating
from wanjia.tickets import services
from wanjia.tickets.models import Status, Ticket

from .conftest import NOW

pytestmark = pytest.mark.django_db


def _done(world, **kw):
    t = services.ticket_open(
        actor=world.resident_a, category="plumbing", description="厨房水管滴水", **kw
    )
    t = services.ticket_assign(actor=world.manager_a, ticket=t, assignee=world.staff_a)
    return services.ticket_done(actor=world.staff_a, ticket=t)


def _closed_unrated(world):
    """Closed at the return visit, the resident never gave stars."""
    return services.ticket_visit(
        actor=world.manager_a, ticket=_done(world), note="电话回访，已修好"
    )


def _post(client, subject, level=5, **extra):
    return client.post(
        "/api/v1/ratings",
        {"subject": subject, "level": level, **extra},
        content_type="application/json",
    )


@time_machine.travel(NOW, tick=False)
def test_a_ticket_is_rateable_once_closed(world):
    done = _done(world)
    found = rateables.find(world.resident_a, f"ticket:{done.pk}")
    assert found is not None and not found.finished  # done, not closed yet
    t = services.ticket_visit(actor=world.manager_a, ticket=done, note="电话回访")
    found = rateables.find(world.resident_a, f"ticket:{t.pk}")
    assert found.finished_at == NOW and found.household_id == world.home.pk
    assert found.compound_id == world.a.pk and found.url.endswith(f"/h5/tickets/{t.pk}/")
    assert [s.key for s in rateables.recent([world.home.pk], NOW - timedelta(days=7))] == [
        f"ticket:{t.pk}"
    ]
    assert rateables.find(world.outsider_b, f"ticket:{t.pk}") is None
    assert rateables.find(world.staff_a, f"ticket:{t.pk}") is None


@time_machine.travel(NOW, tick=False)
def test_api_rates_a_closed_ticket_once_and_404s_another_household(world, api):
    t = _closed_unrated(world)
    client = api(world.resident_a)
    r = _post(client, f"ticket:{t.pk}", 2, comment="修得太慢")
    assert r.status_code == 201, r.content
    assert r.json()["loop"]["stage"] == "call"
    assert _post(client, f"ticket:{t.pk}", 5).status_code == 409
    # the satisfaction loop runs; the closed ticket is not reopened by it
    t.refresh_from_db()
    assert t.status == Status.CLOSED and t.reopen_count == 0
    theirs = _closed_unrated(world)
    Ticket.objects.filter(pk=theirs.pk).update(household=world.other_home)
    assert _post(client, f"ticket:{theirs.pk}").status_code == 404
    open_one = services.ticket_open(
        actor=world.resident_a, category="plumbing", description="卫生间地漏堵了"
    )
    r = _post(client, f"ticket:{open_one.pk}")
    assert r.status_code == 409 and r.json()["detail"]
    assert Rating.objects.count() == 1 and Loop.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_stars_on_the_ticket_are_its_one_rating_and_its_reopen_is_the_loop(world, api):
    t = services.ticket_rate(actor=world.resident_a, ticket=_done(world), score=2, comment="还在滴")
    assert t.status == Status.RETURN_VISIT
    rating = Rating.objects.get(kind="ticket", subject_id=t.pk)
    assert rating.level == rating.first_level == 2 and rating.household_id == world.home.pk
    assert not Loop.objects.exists()  # the ticket's return visit is the loop
    t = services.ticket_visit(
        actor=world.manager_a, ticket=t, note="上门看过", fix_by=NOW + timedelta(days=1)
    )
    t = services.ticket_done(actor=world.staff_a, ticket=t)
    t = services.ticket_rate(actor=world.resident_a, ticket=t, score=4)
    assert t.status == Status.CLOSED
    rating.refresh_from_db()
    assert (rating.first_level, rating.level) == (2, 4) and rating.rerated_at == NOW
    assert Rating.objects.count() == 1
    # rated already: not offered again, and the API refuses a second rating
    assert rateables.recent([world.home.pk], NOW - timedelta(days=7)) == []
    assert _post(api(world.resident_a), f"ticket:{t.pk}", 1).status_code == 409
    assert not Loop.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_resident_page_offers_the_closed_ticket_within_the_window(world, client):
    t = _closed_unrated(world)
    client.force_login(world.resident_a)
    page = client.get("/h5/feedback/")
    assert page.status_code == 200 and f"/h5/feedback/rate/ticket/{t.pk}/" in page.content.decode()
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        client.force_login(world.resident_a)
        page = client.get("/h5/feedback/")
        assert f"/rate/ticket/{t.pk}/" not in page.content.decode()
        assert _post_page(client, t.pk).status_code == 409
    client.force_login(world.resident_a)
    r = _post_page(client, t.pk)
    assert r.status_code == 302 and r["Location"] == "/h5/feedback/"
    assert Rating.objects.get().level == 4


def _post_page(client, pk):
    return client.post(f"/h5/feedback/rate/ticket/{pk}/", {"level": "4", "comment": "好"})
