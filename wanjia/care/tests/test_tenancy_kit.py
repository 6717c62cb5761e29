"""The care app's URLs (console, phone pages, API) through the kernel's
tenancy kit. Compound A: 张伟 (visited by the staff member and the secretary,
with an open escalation) and 李娜 (the volunteer's); compound B: 王芳, with
an open escalation too. The volunteer does not see 张伟: 404, not 403."""

import pytest

from wanjia.care import services
from wanjia.care.models import Absence, CarePerson, CareSettings, Escalation, Visit
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
    return w


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


@pytest.mark.parametrize("case", cases("care", ENDPOINTS))
def test_tenancy(case, care_world, login, api):
    check(case, care_world, login, api)
