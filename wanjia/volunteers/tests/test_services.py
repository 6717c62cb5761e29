"""Applications, tasks, sign-ups, check-in and out, hours, stars, the
certificate and the thanks wall, through the services."""

from datetime import timedelta

import pytest
import time_machine

from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Membership, Notification
from wanjia.core.roles import Role
from wanjia.volunteers import services
from wanjia.volunteers.models import (
    AppStatus,
    HoursEntry,
    Signup,
    SignupStatus,
    Task,
    Thanks,
    ThanksStatus,
    Volunteer,
)
from wanjia.volunteers.services.wall import (
    certificate_from_token,
    certificate_token,
    next_star,
    stars_for,
)

from .conftest import NOW, at

pytestmark = pytest.mark.django_db


def _apply(world, **more):
    fields = {"availability": "周末上午", "skills": "会修电器", "wants": ["sorting"], **more}
    return services.apply(actor=world.resident_a, compound=world.a, **fields)


def test_apply_approve_grants_the_role_and_teams(world):
    v = _apply(world, can_lift=True)
    assert v.status == AppStatus.PENDING and v.name == "张伟" and v.can_lift
    with pytest.raises(Conflict):
        _apply(world)
    with pytest.raises(Forbidden):
        services.application_decide(actor=world.staff_a, volunteer=v, approve=True)
    services.application_decide(
        actor=world.manager_a, volunteer=v, approve=True, teams=["sorting", "care"]
    )
    v.refresh_from_db()
    assert v.status == AppStatus.APPROVED
    assert Membership.objects.filter(
        user=world.resident_a, role=Role.VOLUNTEER, compound=world.a
    ).exists()
    assert sorted(v.teams.values_list("kind", flat=True)) == ["care", "sorting"]
    assert Notification.objects.filter(
        recipient=world.resident_a, kind="volunteers.decided"
    ).exists()
    with pytest.raises(Conflict):
        services.application_decide(actor=world.manager_a, volunteer=v, approve=False, reason="x")


def test_decline_needs_a_reason_and_may_apply_again(world):
    v = _apply(world)
    with pytest.raises(Invalid) as exc:
        services.application_decide(actor=world.manager_a, volunteer=v, approve=False)
    assert "reason" in exc.value.errors
    services.application_decide(
        actor=world.manager_a, volunteer=v, approve=False, reason="本月名额已满"
    )
    v.refresh_from_db()
    assert v.status == AppStatus.DECLINED and v.decline_reason == "本月名额已满"
    again = _apply(world)
    assert again.pk == v.pk and again.status == AppStatus.PENDING


def test_apply_field_errors(world):
    with pytest.raises(Invalid) as exc:
        services.apply(actor=world.resident_a, compound=world.a, availability="", wants=["bogus"])
    assert {"availability", "wants"} <= set(exc.value.errors)
    with pytest.raises(Forbidden):
        services.apply(actor=world.resident_a, compound=world.b, availability="x")


def test_team_leader(world):
    v = _apply(world)
    services.application_decide(actor=world.manager_a, volunteer=v, approve=True)
    team = services.ensure_teams(world.a)[0]
    services.team_set(actor=world.manager_a, team=team, leader=v, members=[])
    team.refresh_from_db()
    assert team.leader_id == v.pk and list(team.members.all()) == [v]


def test_task_field_errors(world):
    with time_machine.travel(NOW, tick=False), pytest.raises(Invalid) as exc:
        services.task_post(
            actor=world.manager_a,
            compound=world.a,
            title="",
            kind="x",
            place="",
            starts_at=at(9, 5),
            ends_at=at(9, 4),
            places=0,
        )
    assert {"title", "kind", "starts_at", "ends_at", "places"} <= set(exc.value.errors)
    with time_machine.travel(NOW, tick=False), pytest.raises(Forbidden):
        services.task_post(
            actor=world.volunteer_a,
            compound=world.a,
            title="x",
            kind="sorting",
            starts_at=at(11, 5),
            ends_at=at(11, 8),
            places=2,
        )


def test_signup_cap_and_withdraw(tasks):
    w = tasks
    task = Task.objects.get(pk=w.task_a.pk)
    assert task.taken == 1
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(Conflict):
            services.signup(actor=w.volunteer_a, task=task)  # twice
        others = []
        for n in range(3):
            from wanjia.core.testing import grant, make_user

            others.append(grant(make_user(f"v{n}"), Role.VOLUNTEER, w.a))
        services.signup(actor=others[0], task=task)
        services.signup(actor=others[1], task=task)
        with pytest.raises(Conflict, match="名额已满"):
            services.signup(actor=others[2], task=task)
        task.refresh_from_db()
        assert task.taken == 3
        services.withdraw(actor=w.volunteer_a, signup=w.signup_a)
        task.refresh_from_db()
        assert task.taken == 2
        services.signup(actor=others[2], task=task)
        with pytest.raises(Conflict):
            services.signup(actor=w.volunteer_a, task=task)  # full again
    with time_machine.travel(at(11, 5, 30), tick=False), pytest.raises(Conflict):
        services.withdraw(actor=others[0], signup=Signup.objects.get(volunteer__user=others[0]))


def test_a_resident_cannot_sign_up(tasks):
    with time_machine.travel(NOW, tick=False), pytest.raises(Forbidden):
        services.signup(actor=tasks.resident_a, task=tasks.task_a)


def test_check_in_out_confirm(tasks):
    w = tasks
    row = w.signup_a
    with time_machine.travel(at(11, 4), tick=False), pytest.raises(Conflict):
        services.check_in(actor=w.volunteer_a, signup=row)  # too early
    with time_machine.travel(at(11, 4, 45), tick=False):
        services.check_in(actor=w.volunteer_a, signup=row)
        with pytest.raises(Conflict):
            services.check_in(actor=w.volunteer_a, signup=row)
    with pytest.raises(Forbidden):
        services.check_out(actor=w.staff_a, signup=row)
    with time_machine.travel(at(11, 7, 45), tick=False):
        services.check_out(actor=w.volunteer_a, signup=row)
        assert row.worked_minutes == 180
        assert HoursEntry.objects.count() == 0  # only confirmed hours enter
        with pytest.raises(Forbidden):
            services.hours_confirm(actor=w.staff_a, signup=row, minutes=180)
        with pytest.raises(Invalid):
            services.hours_confirm(actor=w.manager_a, signup=row, minutes=9999)
        entry = services.hours_confirm(actor=w.manager_a, signup=row, minutes=180)
        assert entry.minutes == 180 and entry.volunteer == row.volunteer
        with pytest.raises(Conflict):
            services.hours_confirm(actor=w.manager_a, signup=row, minutes=180)
    assert HoursEntry.objects.count() == 1


def test_forgotten_check_out_closes_after_12_hours_flagged(tasks):
    w = tasks
    with time_machine.travel(at(11, 5), tick=False):
        services.check_in(actor=w.volunteer_a, signup=w.signup_a)
    assert services.sweep_open_checkins(now=at(11, 16, 59)) == 0
    assert services.sweep_open_checkins(now=at(11, 17, 1)) == 1
    assert services.sweep_open_checkins(now=at(11, 18)) == 0
    row = Signup.objects.get(pk=w.signup_a.pk)
    assert row.auto_closed and row.checked_out_at == at(11, 17)
    from wanjia.volunteers.services.tasks import default_minutes

    assert default_minutes(row) == 180  # the planned length, not 12 hours


def test_reminder_fires_once(tasks):
    w = tasks
    assert services.reminders_send(now=at(10, 16)) == 0  # 13 hours before
    assert services.reminders_send(now=at(10, 18)) == 1
    assert services.reminders_send(now=at(10, 19)) == 0
    note = Notification.objects.get(recipient=w.volunteer_a, kind="volunteers.reminder")
    assert "清晨分拣" in note.title


def test_cancel_tells_the_signed_up(tasks):
    with time_machine.travel(NOW, tick=False):
        services.task_cancel(actor=tasks.manager_a, task=tasks.task_a)
        with pytest.raises(Conflict):
            services.signup(actor=tasks.volunteer_a, task=Task.objects.get(pk=tasks.task_a.pk))
    assert Notification.objects.filter(
        recipient=tasks.volunteer_a, kind="volunteers.cancelled"
    ).exists()


def test_stars():
    assert [stars_for(h * 60) for h in (0, 99, 100, 299, 300, 600, 1000, 1499, 1500, 3000)] == [
        0,
        0,
        1,
        1,
        2,
        3,
        4,
        4,
        5,
        5,
    ]
    assert next_star(150 * 60) == (2, 300)
    assert next_star(1500 * 60) is None


def test_certificate_verifies_and_refuses_a_forgery(tasks):
    w = tasks
    v = w.signup_a.volunteer
    with pytest.raises(Conflict):
        services.certificate_issue(actor=w.volunteer_a, volunteer=v)  # no hours yet
    HoursEntry.objects.create(
        volunteer=v, compound=w.a, minutes=120 * 60, day=NOW.date(), what="x", created_at=NOW
    )
    cert = services.certificate_issue(actor=w.volunteer_a, volunteer=v)
    assert cert.stars == 1 and cert.number.startswith("ZYFW-")
    token = certificate_token(cert)
    assert certificate_from_token(token) == cert
    assert certificate_from_token(token[:-2] + "xx") is None
    assert certificate_from_token("") is None
    with pytest.raises(Forbidden):
        services.certificate_issue(actor=w.staff_a, volunteer=v)


def test_thanks_moderated(world):
    t = services.thanks_create(
        actor=world.resident_a,
        compound=world.a,
        target_kind="staff",
        target_id=1,
        target_name="赵保安",
        text="半夜帮我把老人送去医院",
    )
    assert t.status == ThanksStatus.PENDING and t.author_label == "张*"
    with pytest.raises(Invalid):
        services.thanks_create(
            actor=world.resident_a,
            compound=world.a,
            target_kind="staff",
            target_id=1,
            target_name="赵保安",
            text="谢",
        )
    with pytest.raises(Forbidden):
        services.thanks_moderate(actor=world.staff_a, thanks=t, show=True)
    services.thanks_moderate(actor=world.manager_a, thanks=t, show=True)
    assert Thanks.objects.get(pk=t.pk).status == ThanksStatus.SHOWN
    services.thanks_moderate(actor=world.manager_a, thanks=t, show=False)
    assert Thanks.objects.get(pk=t.pk).status == ThanksStatus.HIDDEN


def test_volunteer_role_without_application_gets_a_record(tasks):
    v = Volunteer.objects.get(user=tasks.volunteer_a)
    assert v.status == AppStatus.APPROVED and v.compound == tasks.a
    assert Signup.objects.get(pk=tasks.signup_a.pk).status == SignupStatus.SIGNED


def test_intent_posts_a_task(world):
    from wanjia.core import intents

    with time_machine.travel(NOW, tick=False):
        pk = intents.ask(
            "volunteers.post_task",
            actor=world.manager_a,
            compound=world.a,
            title="分拣",
            kind="sorting",
            starts_at=NOW + timedelta(hours=11),
            ends_at=NOW + timedelta(hours=14),
            places=4,
            source="market.window:9",
        )
    task = Task.objects.get(pk=pk)
    assert task.source == "market.window:9" and task.place
    summary = intents.ask("volunteers.source_summary", "market.window:9")
    assert summary["places"] == 4
