"""The care app's URLs (console, phone pages, API) through the kernel's
tenancy kit. Compound A: 张伟 (visited by the staff member and the secretary,
with an open escalation) and 李娜 (the volunteer's); compound B: 王芳, with
an open escalation too. The volunteer does not see 张伟: 404, not 403."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wanjia.care import services
from wanjia.care.models import (
    Absence,
    CarePerson,
    CareSettings,
    DutyLeave,
    DutyShift,
    Escalation,
    FollowUp,
    Handover,
    Visit,
)
from wanjia.care.services import duty
from wanjia.core.jobs import job_create
from wanjia.core.models import Job
from wanjia.core.roles import Role
from wanjia.core.testing import grant, make_user
from wanjia.core.testkit import Endpoint, cases, check, compound_of, item_of, others
from wanjia.estates.testing import make_resident

from .conftest import DAY, at, build_care

pytestmark = pytest.mark.django_db

VIEW = ("manager_a", "secretary_a", "company_admin_a")
MANAGE = ("manager_a", "company_admin_a")
VISIT = ("staff_a", "volunteer_a", "secretary_a")
SEES = (*VIEW, "staff_a", "volunteer_a")
# who reaches 张伟's visit: the viewers and his caretakers; the volunteer does not
HANDLES = (*VIEW, "staff_a")
ON_DUTY = (*MANAGE, "staff_a")  # a manager, or who is on duty now


_not = others


@pytest.fixture(scope="module")
def care_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        p1, _p2, p3 = build_care(w)
        services.visits_generate(DAY)
        w.care = {}
        for side, person, compound, home in (("a", p1, w.a, w.home), ("b", p3, w.b, w.b_home)):
            visit = Visit.objects.get(person=person, date=DAY)
            esc = services.escalation_open(visit=visit, at=at(9))
            spare = make_resident(home, "赵大爷", lives_alone=True)
            w.care[side] = {"person": person, "visit": visit, "escalation": esc, "spare": spare}
            w.care[side].update(_duty_objects(w, side, compound, visit))
    return w


def _duty_objects(w, side, compound, visit) -> dict:
    """A running duty shift (staff_a's in A: they may write and acknowledge
    handovers), a handover by another staff member, a leave, a build job, an
    open follow-up owned by the compound's manager."""
    manager = w.manager_a if side == "a" else w.outsider_b
    on_duty = w.staff_a if side == "a" else manager
    mate = grant(
        make_user(display_name=f"值班员{side}", phone="1370000000" + ("1" if side == "a" else "2")),
        Role.STAFF,
        compound,
    )
    on_duty.phone = on_duty.phone or ("1380000999" + ("1" if side == "a" else "2"))
    on_duty.save()
    now = timezone.now()
    shift = DutyShift.objects.create(
        compound=compound,
        date=timezone.localdate(now),
        shift="day",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=11),
        user=on_duty,
    )
    handover = Handover.objects.create(
        compound=compound,
        date=timezone.localdate(now),
        shift="night",
        author=mate,
        text="夜里一切正常",
        created_at=now - timedelta(hours=1),
    )
    leave = DutyLeave.objects.create(compound=compound, user=mate, start=DAY, end=DAY)
    job = job_create(actor=manager, kind=duty.JOB_KIND, compound=compound)
    followup = FollowUp.objects.create(
        compound=compound,
        visit=visit,
        person=visit.person,
        kind="service",
        description="需要送餐",
        owner=manager,
        due_at=now + timedelta(hours=72),
        created_at=now,
    )
    return {
        "shift": shift,
        "handover": handover,
        "leave": leave,
        "job": job,
        "followup": followup,
        "mate": mate,
    }


compound = compound_of


def _of(name):
    return item_of("care", name)


def _people(world, obj):
    return CarePerson.objects.filter(compound_id=obj.pk).count()


def _add_body(world, obj):
    side = "a" if obj.pk == world.a.pk else "b"
    return {"resident": str(world.care[side]["spare"].pk), "reason": "alone", "level": "daily"}


def _visit_state(world, obj):
    return tuple(Visit.objects.filter(pk=obj.pk).values_list("status", "outcome"))


def _esc_state(world, obj):
    return tuple(
        Escalation.objects.filter(pk=obj.pk).values_list("status", "acknowledged_at", "step")
    )


ENDPOINTS = [
    Endpoint("care_home", "/console/care/", allowed=VIEW, forbidden=_not(*VIEW)),
    Endpoint(
        "care_people",
        "/console/care/c/{pk}/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "care_people_post",
        "/console/care/c/{pk}/",
        method="post",
        body=_add_body,
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
        state=_people,
    ),
    Endpoint(
        "care_day",
        "/console/care/c/{pk}/today/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "care_escalations",
        "/console/care/c/{pk}/escalations/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "care_settings",
        "/console/care/c/{pk}/settings/",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
    ),
    Endpoint(
        "care_settings_post",
        "/console/care/c/{pk}/settings/",
        method="post",
        body={
            "contacts_after": "30",
            "manager_after": "90",
            "community_after": "240",
            "police_after": "300",
            "cutoff": "19:00",
        },
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
        state=lambda w, o: tuple(
            CareSettings.objects.filter(compound_id=o.pk).values_list("manager_after", "cutoff")
        ),
    ),
    Endpoint(
        "care_person",
        "/console/care/people/{pk}/",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("person"),
    ),
    Endpoint(
        "care_absence",
        "/console/care/people/{pk}/absence/",
        method="post",
        body={"starts_on": "2026-03-11", "ends_on": "2026-03-12", "reason": "住院"},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("person"),
        state=lambda w, o: Absence.objects.filter(person_id=o.pk).count(),
    ),
    Endpoint(
        "care_escalation_ack",
        "/console/care/escalations/{pk}/ack/",
        method="post",
        allowed=HANDLES,
        hidden=("volunteer_a",),
        forbidden=_not(*HANDLES, hidden=("volunteer_a",)),
        obj=_of("escalation"),
        state=_esc_state,
    ),
    Endpoint(
        "care_escalation_resolve",
        "/console/care/escalations/{pk}/resolve/",
        method="post",
        body={"result": "safe", "note": "已见到本人"},
        allowed=HANDLES,
        hidden=("volunteer_a",),
        forbidden=_not(*HANDLES, hidden=("volunteer_a",)),
        obj=_of("escalation"),
        state=_esc_state,
    ),
    Endpoint("care_h5_today", "/h5/care/", allowed=VISIT, forbidden=_not(*VISIT)),
    Endpoint(
        "care_h5_visit",
        "/h5/care/visits/{pk}/",
        allowed=HANDLES,
        hidden=("volunteer_a",),
        forbidden=_not(*HANDLES, hidden=("volunteer_a",)),
        obj=_of("visit"),
    ),
    Endpoint(
        "care_h5_outcome",
        "/h5/care/visits/{pk}/outcome/",
        method="post",
        body={"outcome": "well", "note": ""},
        allowed=HANDLES,
        hidden=("volunteer_a",),
        forbidden=_not(*HANDLES, hidden=("volunteer_a",)),
        obj=_of("visit"),
        state=_visit_state,
    ),
    Endpoint(
        "care_h5_reveal",
        lambda o: f"/h5/care/visits/{o.pk}/reveal/0/",
        method="post",
        allowed=HANDLES,
        hidden=("volunteer_a",),
        forbidden=_not(*HANDLES, hidden=("volunteer_a",)),
        obj=_of("visit"),
    ),
    Endpoint(
        "api_visits",
        "/api/v1/care/visits?compound={pk}&date=2026-03-10",
        api=True,
        allowed=SEES,
        forbidden=_not(*SEES),
        obj=compound,
    ),
    Endpoint(
        "api_visit_outcome",
        "/api/v1/care/visits/{pk}/outcome",
        method="post",
        api=True,
        body={"outcome": "well"},
        allowed=HANDLES,
        hidden=("volunteer_a",),
        forbidden=_not(*HANDLES, hidden=("volunteer_a",)),
        obj=_of("visit"),
        state=_visit_state,
    ),
    Endpoint(
        "api_escalations",
        "/api/v1/care/escalations?compound={pk}&status=open",
        api=True,
        allowed=SEES,
        forbidden=_not(*SEES),
        obj=compound,
    ),
    Endpoint(
        "api_escalation_resolve",
        "/api/v1/care/escalations/{pk}/resolve",
        method="post",
        api=True,
        body={"result": "safe", "note": "已见到本人"},
        allowed=HANDLES,
        hidden=("volunteer_a",),
        forbidden=_not(*HANDLES, hidden=("volunteer_a",)),
        obj=_of("escalation"),
        state=_esc_state,
    ),
]

DUTY = "/console/care/c/{pk}/duty/"


def _count(model, **by):
    return lambda world, obj: model.objects.filter(**by).count()


ENDPOINTS += [
    Endpoint("care_duty", DUTY, allowed=VIEW, forbidden=_not(*VIEW), obj=compound),
    Endpoint("care_duty_print", DUTY + "print/", allowed=VIEW, forbidden=_not(*VIEW), obj=compound),
    Endpoint("care_duty_xlsx", DUTY + "xlsx/", allowed=VIEW, forbidden=_not(*VIEW), obj=compound),
    Endpoint(
        "care_duty_build",
        DUTY + "build/",
        method="post",
        body=lambda w, o: {"start": timezone.localdate().isoformat(), "days": "7"},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
        state=_count(Job, kind=duty.JOB_KIND),
    ),
    Endpoint(
        "care_duty_cell",
        DUTY + "cell/",
        method="post",
        body=lambda w, o: {
            "date": DAY.isoformat(),
            "shift": "night",
            "user": str(w.care["a" if o.pk == w.a.pk else "b"]["mate"].pk),
        },
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
        state=_count(DutyShift),
    ),
    Endpoint(
        "care_duty_leave",
        DUTY + "leave/",
        method="post",
        body=lambda w, o: {
            "start": DAY.isoformat(),
            "end": DAY.isoformat(),
            "user": str(w.care["a" if o.pk == w.a.pk else "b"]["mate"].pk),
        },
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
        state=_count(DutyLeave),
    ),
    Endpoint(
        "care_duty_team",
        DUTY + "team/",
        method="post",
        body=lambda w, o: {"team": [str(w.care["a" if o.pk == w.a.pk else "b"]["mate"].pk)]},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=compound,
        state=lambda w, o: tuple(
            CareSettings.objects.filter(compound_id=o.pk).values_list("duty_team", flat=True)
        ),
    ),
    Endpoint(
        "care_duty_board",
        "/console/care/c/{pk}/board/",
        allowed=SEES,
        forbidden=_not(*SEES),
        obj=compound,
    ),
    Endpoint(
        "care_handover_new",
        "/console/care/c/{pk}/handover/",
        method="post",
        body={"text": "交班：3栋张伟需要复查"},
        allowed=ON_DUTY,
        forbidden=_not(*ON_DUTY),
        obj=compound,
        state=_count(Handover),
    ),
    Endpoint(
        "care_duty_job",
        "/console/care/duty-jobs/{pk}/",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("job"),
    ),
    Endpoint(
        "care_duty_leave_remove",
        "/console/care/duty-leave/{pk}/remove/",
        method="post",
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("leave"),
        state=lambda w, o: DutyLeave.objects.filter(pk=o.pk).exists(),
    ),
    Endpoint(
        "care_duty_reveal",
        "/console/care/duty-shifts/{pk}/reveal/",
        method="post",
        allowed=SEES,
        forbidden=_not(*SEES),
        obj=_of("shift"),
    ),
    Endpoint(
        "care_handover_ack",
        "/console/care/handovers/{pk}/ack/",
        method="post",
        allowed=ON_DUTY,
        forbidden=_not(*ON_DUTY),
        obj=_of("handover"),
        state=lambda w, o: tuple(
            Handover.objects.filter(pk=o.pk).values_list("acknowledged_at", "acknowledged_by")
        ),
    ),
    Endpoint(
        "api_duty",
        "/api/v1/care/duty?compound={pk}",
        api=True,
        allowed=SEES,
        forbidden=_not(*SEES),
        obj=compound,
    ),
    Endpoint(
        "api_handover_new",
        "/api/v1/care/duty/handovers",
        method="post",
        api=True,
        body=lambda w, o: {"compound": o.pk, "text": "交班：3栋张伟需要复查"},
        id_in_body=True,
        allowed=ON_DUTY,
        forbidden=_not(*ON_DUTY),
        obj=compound,
        state=_count(Handover),
    ),
    Endpoint(
        "api_handover_ack",
        "/api/v1/care/duty/handovers/{pk}/acknowledge",
        method="post",
        api=True,
        allowed=ON_DUTY,
        forbidden=_not(*ON_DUTY),
        obj=_of("handover"),
        state=lambda w, o: tuple(
            Handover.objects.filter(pk=o.pk).values_list("acknowledged_at", "acknowledged_by")
        ),
    ),
    Endpoint(
        "care_followups",
        "/console/care/c/{pk}/followups/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "care_followup_close",
        "/console/care/followups/{pk}/close/",
        method="post",
        body={"note": "已送餐"},
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=_of("followup"),
        state=lambda w, o: tuple(FollowUp.objects.filter(pk=o.pk).values_list("status")),
    ),
    Endpoint(
        "care_followup_owner",
        "/console/care/followups/{pk}/owner/",
        method="post",
        body=lambda w, o: {"owner": str(w.staff_a.pk)},
        allowed=MANAGE,
        forbidden=_not(*MANAGE),
        obj=_of("followup"),
        state=lambda w, o: tuple(FollowUp.objects.filter(pk=o.pk).values_list("owner_id")),
    ),
    Endpoint(
        "care_caretakers",
        "/console/care/c/{pk}/caretakers/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint(
        "care_caretakers_xlsx",
        "/console/care/c/{pk}/caretakers/xlsx/",
        allowed=VIEW,
        forbidden=_not(*VIEW),
        obj=compound,
    ),
    Endpoint("care_h5_duty", "/h5/care/duty/", allowed=VISIT, forbidden=_not(*VISIT)),
]


@pytest.mark.parametrize("case", cases("care", ENDPOINTS))
def test_tenancy(case, care_world, login, api):
    check(case, care_world, login, api)
