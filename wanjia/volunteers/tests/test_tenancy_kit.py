"""The volunteers app's URLs (console, phone pages, print, API) through the
kernel's tenancy kit. Each compound has a task tomorrow (open), a task
tomorrow with a sign-up, a task under way with a checked-in sign-up, a
pending application, a certificate and a thanks waiting for moderation; in
A the sign-ups and certificate are the volunteer's, in B a volunteer's
without a login. Endpoints only volunteers may call have no outsider case
(compound B's manager is refused by role first, 403); the other-tenant cases
(A's volunteer on B's rows) still prove 404."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wanjia.core.testkit import PERSONAS_A, Endpoint, cases, check, item_of, others
from wanjia.volunteers import services
from wanjia.volunteers.models import (
    AppStatus,
    Certificate,
    HoursEntry,
    Signup,
    Task,
    Team,
    Thanks,
    Volunteer,
)

pytestmark = pytest.mark.django_db

MANAGE = ("manager_a", "secretary_a", "company_admin_a")
POST = (*MANAGE, "staff_a")
SERVE = ("volunteer_a",)
H5 = ("resident_a", "volunteer_a")
WALL = (*POST, "leader_a", "regulator")


def _side(w, side, compound, owner, user):
    now = timezone.now()
    start = now + timedelta(days=1)
    open_task = services.task_post(
        actor=owner,
        compound=compound,
        title="分拣",
        kind="sorting",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        places=5,
    )
    signed_task = services.task_post(
        actor=owner,
        compound=compound,
        title="配送",
        kind="delivery",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        places=5,
    )
    running = Task.objects.create(
        compound=compound,
        kind="patrol",
        title="夜巡",
        place="大门",
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=1),
        places=5,
        taken=2,
        owner=owner,
    )
    if user is not None:
        vol = services.volunteer_for(user, compound)
    else:
        vol = Volunteer.objects.create(
            compound=compound, name="钱志愿", status=AppStatus.APPROVED, applied_at=now
        )
    signed = Signup.objects.create(
        task=signed_task, volunteer=vol, compound=compound, signed_at=now
    )
    Task.objects.filter(pk=signed_task.pk).update(taken=1)
    working = Signup.objects.create(
        task=running,
        volunteer=vol,
        compound=compound,
        signed_at=now - timedelta(days=1),
        checked_in_at=now - timedelta(hours=2),
    )
    pending = Volunteer.objects.create(
        compound=compound, name="孙申请", availability="周末", applied_at=now
    )
    HoursEntry.objects.create(
        volunteer=vol, compound=compound, minutes=600, day=now.date(), what="x", created_at=now
    )
    cert = Certificate.objects.create(
        volunteer=vol,
        compound=compound,
        number=f"ZYFW-T-{side}",
        minutes=600,
        stars=0,
        issued_at=now,
    )
    thanks = Thanks.objects.create(
        compound=compound,
        author_label="张*",
        target_kind="volunteer",
        target_id=vol.pk,
        target_name=vol.name,
        text="谢谢帮忙搬菜",
        created_at=now,
    )
    team = services.ensure_teams(compound)[0]
    return {
        "compound": compound,
        "open": open_task,
        "signed": signed,
        "working": working,
        "pending": pending,
        "volunteer": vol,
        "cert": cert,
        "thanks": thanks,
        "team": team,
    }


@pytest.fixture(scope="module")
def vol_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        w.vol = {
            "a": _side(w, "a", w.a, w.manager_a, w.volunteer_a),
            "b": _side(w, "b", w.b, w.outsider_b, None),
        }
    return w


compound = item_of("vol", "compound")


def _signup_state(world, obj):
    return tuple(
        Signup.objects.filter(pk=obj.pk).values_list(
            "status", "checked_in_at", "checked_out_at", "confirmed_at"
        )
    )


def _task_state(world, obj):
    return tuple(Task.objects.filter(pk=obj.pk).values_list("taken", "cancelled_at"))


ENDPOINTS = [
    Endpoint("home", "/console/volunteers/", allowed=POST, forbidden=others(*POST)),
    Endpoint(
        "people",
        "/console/volunteers/c/{pk}/",
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=compound,
    ),
    Endpoint(
        "teams",
        "/console/volunteers/c/{pk}/teams/",
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=compound,
    ),
    Endpoint(
        "tasks",
        "/console/volunteers/c/{pk}/tasks/",
        allowed=POST,
        forbidden=others(*POST),
        obj=compound,
    ),
    Endpoint(
        "tasks_post",
        "/console/volunteers/c/{pk}/tasks/",
        method="post",
        body=lambda w, o: {
            "title": "应急值守",
            "kind": "emergency",
            "place": "仓库",
            "day": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "start": "20:00",
            "end": "23:00",
            "places": "4",
        },
        allowed=POST,
        forbidden=others(*POST),
        obj=compound,
        state=lambda w, o: Task.objects.filter(compound_id=o.pk).count(),
    ),
    Endpoint(
        "ledger",
        "/console/volunteers/c/{pk}/hours/",
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=compound,
    ),
    Endpoint(
        "ledger_xlsx",
        "/console/volunteers/c/{pk}/hours/?format=xlsx",
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=compound,
    ),
    Endpoint(
        "thanks",
        "/console/volunteers/c/{pk}/thanks/",
        allowed=WALL,
        forbidden=others(*WALL),
        obj=compound,
    ),
    Endpoint(
        "volunteer",
        "/console/volunteers/v/{pk}/",
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("vol", "volunteer"),
    ),
    Endpoint(
        "decide",
        "/console/volunteers/v/{pk}/decide/",
        method="post",
        body={"decision": "approve", "teams": "sorting"},
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("vol", "pending"),
        state=lambda w, o: tuple(Volunteer.objects.filter(pk=o.pk).values_list("status")),
    ),
    Endpoint(
        "volunteer_certificate",
        "/console/volunteers/v/{pk}/certificate/",
        method="post",
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("vol", "volunteer"),
        state=lambda w, o: Certificate.objects.filter(volunteer_id=o.pk).count(),
    ),
    Endpoint(
        "team_edit",
        "/console/volunteers/teams/{pk}/",
        method="post",
        body=lambda w, o: {"leader": "", "members": []},
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("vol", "team"),
        state=lambda w, o: tuple(Team.objects.filter(pk=o.pk).values_list("leader_id")),
    ),
    Endpoint(
        "task",
        "/console/volunteers/tasks/{pk}/",
        allowed=POST,
        forbidden=others(*POST),
        obj=item_of("vol", "open"),
    ),
    Endpoint(
        "task_cancel",
        "/console/volunteers/tasks/{pk}/cancel/",
        method="post",
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("vol", "open"),
        state=_task_state,
    ),
    Endpoint(
        "confirm",
        "/console/volunteers/signups/{pk}/confirm/",
        method="post",
        body={"minutes": "120"},
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("vol", "working"),
        state=_signup_state,
    ),
    Endpoint(
        "thanks_moderate",
        "/console/volunteers/thanks/{pk}/",
        method="post",
        body={"show": "1"},
        allowed=MANAGE,
        forbidden=others(*MANAGE),
        obj=item_of("vol", "thanks"),
        state=lambda w, o: tuple(Thanks.objects.filter(pk=o.pk).values_list("status")),
    ),
    Endpoint("h5", "/h5/volunteers/", allowed=H5, forbidden=others(*H5)),
    Endpoint("h5_apply", "/h5/volunteers/apply/", allowed=H5, forbidden=others(*H5)),
    Endpoint("h5_tasks", "/h5/volunteers/tasks/", allowed=SERVE, forbidden=others(*SERVE)),
    Endpoint("h5_mine", "/h5/volunteers/mine/", allowed=SERVE, forbidden=others(*SERVE)),
    Endpoint("h5_hours", "/h5/volunteers/hours/", allowed=SERVE, forbidden=others(*SERVE)),
    Endpoint("h5_wall", "/h5/thanks/", allowed=PERSONAS_A),
    Endpoint(
        "h5_signup",
        "/h5/volunteers/tasks/{pk}/signup/",
        method="post",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("vol", "open"),
        outsider=None,
        state=_task_state,
    ),
    Endpoint(
        "h5_withdraw",
        "/h5/volunteers/signups/{pk}/withdraw/",
        method="post",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("vol", "signed"),
        outsider=None,
        state=_signup_state,
    ),
    Endpoint(
        "h5_checkin",
        "/h5/volunteers/signups/{pk}/check-in/",
        method="post",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("vol", "signed"),
        outsider=None,
        state=_signup_state,
    ),
    Endpoint(
        "h5_checkout",
        "/h5/volunteers/signups/{pk}/check-out/",
        method="post",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("vol", "working"),
        outsider=None,
        state=_signup_state,
    ),
    Endpoint(
        "h5_certificate_new",
        "/h5/volunteers/v/{pk}/certificate/",
        method="post",
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("vol", "volunteer"),
        outsider=None,
        state=lambda w, o: Certificate.objects.filter(volunteer_id=o.pk).count(),
    ),
    Endpoint(
        "certificate",
        "/volunteers/certificates/{pk}/",
        allowed=(*MANAGE, "volunteer_a"),
        forbidden=others(*MANAGE, "volunteer_a"),
        obj=item_of("vol", "cert"),
    ),
    Endpoint(
        "api_tasks",
        "/api/v1/volunteers/tasks?compound={pk}",
        api=True,
        allowed=(*POST, "volunteer_a"),
        forbidden=others(*POST, "volunteer_a"),
        obj=compound,
    ),
    Endpoint(
        "api_signup",
        "/api/v1/volunteers/tasks/{pk}/signup",
        method="post",
        api=True,
        allowed=SERVE,
        forbidden=others(*SERVE),
        obj=item_of("vol", "open"),
        outsider=None,
        state=_task_state,
    ),
]


@pytest.mark.parametrize("case", cases("volunteers", ENDPOINTS))
def test_tenancy(case, vol_world, login, api):
    check(case, vol_world, login, api)
