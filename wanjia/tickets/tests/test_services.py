"""The ticket's life through the services: open, limits, duplicates,
automatic assignment, the flow to closed, unhappy ratings, the sweep's
warnings and escalations (each once, frozen time), and the intent."""

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from wanjia.core import intents
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Notification
from wanjia.tickets import services
from wanjia.tickets.models import Event, Status, Ticket

from .conftest import NOW, at, give_repair_duty

pytestmark = pytest.mark.django_db


def _open(world, **kw):
    fields = {"actor": world.resident_a, "category": "plumbing", "description": "厨房水管滴水"}
    fields.update(kw)
    return services.ticket_open(**fields)


def _png(size=(20, 20)):
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return SimpleUploadedFile("a.png", out.getvalue(), content_type="image/png")


@time_machine.travel(NOW, tick=False)
def test_resident_reports_for_own_unit_with_targets_from_the_category(world):
    t = _open(world, photos=[_png()])
    assert (t.household_id, t.compound_id, t.status, t.source) == (
        world.home.pk,
        world.a.pk,
        Status.SUBMITTED,
        "resident",
    )
    assert t.respond_by == NOW + timedelta(minutes=120)
    assert t.finish_by == NOW + timedelta(hours=48)
    assert t.photos.count() == 1
    urgent = _open(world, category="leak", description="天花板漏水")
    assert urgent.urgent and urgent.respond_by == NOW + timedelta(minutes=30)
    # no duty holder: every staff member of the compound is told
    assert Notification.objects.filter(recipient=world.staff_a, kind="tickets.work").count() == 2


def test_bad_input_is_refused_by_field(world):
    with pytest.raises(Invalid) as exc:
        _open(world, category="nope", description="")
    assert set(exc.value.errors) == {"category", "description"}
    with pytest.raises(Invalid) as exc:
        _open(world, photos=[SimpleUploadedFile("x.jpg", b"not an image")])
    assert "photos" in exc.value.errors
    with pytest.raises(Invalid):
        _open(world, photos=[_png(), _png(), _png(), _png()])
    with pytest.raises(Invalid) as exc:
        _open(world, place_kind="common", place="")
    assert "place" in exc.value.errors
    assert not Ticket.objects.exists()


def test_a_resident_cannot_report_for_another_household(world):
    with pytest.raises(Forbidden):
        _open(world, household=world.other_home)


def test_staff_report_for_a_resident(world):
    t = services.ticket_open(
        actor=world.staff_a,
        compound=world.a,
        household=world.other_home,
        category="doors",
        description="单元门禁刷不开",
    )
    assert t.source == "staff" and t.household_id == world.other_home.pk
    with pytest.raises(Forbidden):
        services.ticket_open(
            actor=world.outsider_b, household=world.other_home, category="doors", description="x"
        )


@time_machine.travel(NOW, tick=False)
def test_ten_a_household_a_day_then_409(world):
    for n in range(services.DAILY_LIMIT):
        _open(world, description=f"问题 {n}")
    with pytest.raises(Conflict):
        _open(world, description="第十一个")
    assert Ticket.objects.filter(household=world.home).count() == 10
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        _open(world, description="第二天")


def test_same_common_area_fault_is_a_duplicate_to_follow(world):
    first = _open(world, category="elevator", place_kind="common", place="1栋 电梯")
    second_resident = world.other_home
    from wanjia.core.roles import Role
    from wanjia.estates.testing import grant, make_user

    neighbour = grant(make_user("res_other"), Role.RESIDENT, second_resident)
    with pytest.raises(services.Duplicate) as exc:
        services.ticket_open(
            actor=neighbour,
            category="elevator",
            description="电梯不动了",
            place_kind="common",
            place="1栋电梯！",
        )
    assert exc.value.ticket == first
    services.ticket_follow(actor=neighbour, ticket=first)
    assert first.followers.filter(pk=neighbour.pk).exists()
    other = services.ticket_open(
        actor=neighbour,
        category="elevator",
        description="另一部",
        place_kind="common",
        place="1栋电梯",
        allow_duplicate=True,
    )
    assert other.pk != first.pk


@time_machine.travel(NOW, tick=False)
def test_automatic_assignment_by_duty_then_the_whole_flow(world):
    give_repair_duty(world)
    t = _open(world)
    assert t.assignee == world.staff_a and t.status == Status.SUBMITTED
    t = services.ticket_accept(actor=world.staff_a, ticket=t)
    assert t.status == Status.ASSIGNED and t.accepted_at == NOW
    with pytest.raises(Conflict):
        services.ticket_accept(actor=world.staff_a, ticket=t)
    t = services.ticket_start(actor=world.staff_a, ticket=t)
    t = services.ticket_done(actor=world.staff_a, ticket=t, note="换了接头")
    assert t.status == Status.DONE and t.first_done_at == NOW
    with pytest.raises(Forbidden):
        services.ticket_rate(actor=world.outsider_b, ticket=t, score=5)
    t = services.ticket_rate(actor=world.resident_a, ticket=t, score=5, comment="很快")
    assert t.status == Status.CLOSED and t.rating == 5
    kinds = list(t.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "assigned", "accepted", "started", "done", "rated", "closed"]


@time_machine.travel(NOW, tick=False)
def test_unhappy_rating_needs_a_return_visit_with_a_fix_deadline(world):
    t = _open(world)
    t = services.ticket_assign(actor=world.manager_a, ticket=t, assignee=world.staff_a)
    assert t.status == Status.ASSIGNED and t.accepted_at == NOW
    t = services.ticket_done(actor=world.staff_a, ticket=t)
    t = services.ticket_rate(actor=world.resident_a, ticket=t, score=2, comment="还在滴")
    assert t.status == Status.RETURN_VISIT and t.reopen_count == 1
    assert Notification.objects.filter(recipient=world.manager_a, kind="tickets.work").exists()
    with pytest.raises(Invalid) as exc:
        services.ticket_visit(actor=world.manager_a, ticket=t, note="电话回访")
    assert "fix_by" in exc.value.errors
    with pytest.raises(Forbidden):
        services.ticket_visit(
            actor=world.staff_a, ticket=t, note="x", fix_by=NOW + timedelta(days=1)
        )
    t = services.ticket_visit(
        actor=world.manager_a, ticket=t, note="上门看过，明天换管", fix_by=NOW + timedelta(days=1)
    )
    assert t.status == Status.ASSIGNED and t.fix_by == NOW + timedelta(days=1)
    t = services.ticket_done(actor=world.staff_a, ticket=t)
    assert t.first_done_at == NOW and t.status == Status.DONE
    t = services.ticket_rate(actor=world.resident_a, ticket=t, score=4)
    assert t.status == Status.CLOSED


def test_sweep_warns_once_escalates_once_and_closes_after_seven_days(world):
    with time_machine.travel(at(9), tick=False):
        t = _open(world, category="leak", description="漏水")  # respond in 30 min
        done = _open(world, description="已修好的")
        done = services.ticket_assign(actor=world.manager_a, ticket=done, assignee=world.staff_a)
        services.ticket_done(actor=world.staff_a, ticket=done)
    with time_machine.travel(at(9, 10), tick=False):
        assert services.tickets_sweep()["respond_warned"] == 0
    with time_machine.travel(at(9, 23), tick=False):
        first = services.tickets_sweep()
        again = services.tickets_sweep()
    assert first["respond_warned"] == 1 and again["respond_warned"] == 0
    warned = Notification.objects.filter(recipient=world.staff_a, title__contains="即将超时")
    assert warned.count() == 1
    with time_machine.travel(at(9, 31), tick=False):
        assert services.tickets_sweep()["respond_escalated"] == 1
        assert services.tickets_sweep()["respond_escalated"] == 0
    assert (
        Notification.objects.filter(recipient=world.manager_a, title__contains="超时未受理").count()
        == 1
    )
    t.refresh_from_db()
    assert t.events.filter(kind=Event.ESCALATED).count() == 1
    with time_machine.travel(at(9, 1, day=17), tick=False):
        out = services.tickets_sweep()
    assert out["closed"] == 1
    done.refresh_from_db()
    assert done.status == Status.CLOSED
    assert out["finish_escalated"] >= 1  # the leak was never finished


def test_intent_opens_a_ticket_for_another_app(world):
    assert intents.offered("tickets.open")
    ref = intents.ask(
        "tickets.open",
        actor=world.volunteer_a,
        compound=world.a,
        title="张伟家需要帮助",
        description="灯泡坏了，老人够不着",
        category="lighting",
        unit=world.home.pk,
        source="care",
    )
    t = Ticket.objects.get(pk=ref)
    assert (t.source, t.household_id, t.category.code) == ("care", world.home.pk, "lighting")
    ref2 = intents.ask(
        "tickets.open",
        actor=world.manager_a,
        compound=world.a,
        title="北门",
        description="x",
        category="nonsense",
    )
    assert Ticket.objects.get(pk=ref2).category.code == "other"
    with pytest.raises(Forbidden):
        intents.ask(
            "tickets.open", actor=world.outsider_b, compound=world.a, title="t", description="d"
        )
