"""Every feedback URL through the kernel's tenancy kit. Per compound: a settled
dispute not yet rated, unhappy ratings at the call, fix and re-rate steps, one
with an appeal pending, and a running survey. Compound B has no resident
account: its ratings are made directly."""

from datetime import timedelta

import pytest
from django.utils import timezone

from wanjia.core.testkit import Endpoint, cases, check, is_missing, item_of, others
from wanjia.feedback import services
from wanjia.feedback.models import Loop, Rating, Stage, Survey, SurveyMarker

from .conftest import rating_in, settled_case

pytestmark = pytest.mark.django_db

VIEW = ("manager_a", "secretary_a", "staff_a", "company_admin_a", "regulator")
HANDLE = ("manager_a", "staff_a", "company_admin_a")
APPEAL = ("manager_a", "company_admin_a")
DECIDE = ("regulator",)
RATE = ("resident_a",)


@pytest.fixture(scope="module")
def fb_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        w.fb = {}
        for side, compound, home, manager in (
            ("a", w.a, w.home, w.manager_a),
            ("b", w.b, w.b_home, w.outsider_b),
        ):
            call = rating_in(compound, home)
            fix = rating_in(compound, home)
            Loop.objects.filter(rating=fix).update(stage=Stage.FIX)
            rerate = rating_in(compound, home)
            Loop.objects.filter(rating=rerate).update(stage=Stage.RERATE)
            appealed = rating_in(compound, home)
            services.loop_appeal(actor=manager, loop=appealed.loop, reason="不属实")
            today = timezone.localdate()
            survey = services.survey_create(
                actor=manager,
                compound=compound,
                title="满意度调查",
                starts_on=today - timedelta(days=1),
                ends_on=today + timedelta(days=5),
                target_rate=30,
                questions=["保洁", "安保"],
            )
            w.fb[side] = {
                "case": settled_case(compound, home),
                "call": call,
                "fix": fix,
                "rerate": rerate,
                "appealed": appealed,
                "survey": survey,
                "compound": compound,
            }
    return w


def _loop_state(world, obj):
    return tuple(Loop.objects.filter(rating_id=obj.pk).values_list("stage", "appeal"))


def _rated(world, obj):
    return Rating.objects.filter(kind="dispute", subject_id=obj.pk).count()


def _answers(world, obj):
    if is_missing(obj):
        return {}
    return {f"q{q.pk}": "4" for q in obj.questions.all()}


def _survey_state(world, obj):
    return (
        tuple(Survey.objects.filter(pk=obj.pk).values_list("responses", flat=True)),
        SurveyMarker.objects.filter(survey_id=obj.pk).count(),
    )


def _api_body(world, obj):
    return {"subject": f"dispute:{obj.pk}", "level": 4, "comment": "好"}


_SURVEY_BODY = {
    "title": "二季度调查",
    "starts_on": "2026-04-01",
    "ends_on": "2026-04-30",
    "target_rate": "30",
    "questions": "保洁\n绿化",
}

ENDPOINTS = [
    Endpoint("feedback_home", "/console/feedback/", allowed=VIEW, forbidden=others(*VIEW)),
    Endpoint(
        "feedback_appeals", "/console/feedback/appeals/", allowed=DECIDE, forbidden=others(*DECIDE)
    ),
    Endpoint("feedback_index", "/console/feedback/index/", allowed=VIEW, forbidden=others(*VIEW)),
    Endpoint(
        "feedback_index_export",
        "/console/feedback/index/export.xlsx",
        allowed=VIEW,
        forbidden=others(*VIEW),
    ),
    Endpoint(
        "feedback_ratings",
        "/console/feedback/c/{pk}/",
        allowed=VIEW,
        forbidden=others(*VIEW),
        obj=item_of("fb", "compound"),
    ),
    Endpoint(
        "feedback_surveys",
        "/console/feedback/c/{pk}/surveys/",
        allowed=VIEW,
        forbidden=others(*VIEW),
        obj=item_of("fb", "compound"),
    ),
    Endpoint(
        "feedback_surveys_post",
        "/console/feedback/c/{pk}/surveys/",
        method="post",
        body=_SURVEY_BODY,
        allowed=APPEAL,
        forbidden=others(*APPEAL),
        obj=item_of("fb", "compound"),
        state=lambda w, o: Survey.objects.filter(compound_id=o.pk).count(),
    ),
    Endpoint(
        "feedback_rating",
        "/console/feedback/ratings/{pk}/",
        allowed=VIEW,
        forbidden=others(*VIEW),
        obj=item_of("fb", "call"),
    ),
    Endpoint(
        "feedback_call",
        "/console/feedback/ratings/{pk}/call/",
        method="post",
        body={"note": "已回访"},
        allowed=HANDLE,
        forbidden=others(*HANDLE),
        obj=item_of("fb", "call"),
        state=_loop_state,
    ),
    Endpoint(
        "feedback_fix",
        "/console/feedback/ratings/{pk}/fix/",
        method="post",
        body={"note": "已整改"},
        allowed=HANDLE,
        forbidden=others(*HANDLE),
        obj=item_of("fb", "fix"),
        state=_loop_state,
    ),
    Endpoint(
        "feedback_appeal",
        "/console/feedback/ratings/{pk}/appeal/",
        method="post",
        body={"reason": "与事实不符"},
        allowed=APPEAL,
        forbidden=others(*APPEAL),
        obj=item_of("fb", "call"),
        state=_loop_state,
    ),
    Endpoint(
        "feedback_decide",
        "/console/feedback/ratings/{pk}/decide/",
        method="post",
        body={"decision": "rejected", "note": "评价属实"},
        allowed=DECIDE,
        forbidden=others(*DECIDE),
        obj=item_of("fb", "appealed"),
        state=_loop_state,
    ),
    Endpoint(
        "feedback_survey",
        "/console/feedback/surveys/{pk}/",
        allowed=VIEW,
        forbidden=others(*VIEW),
        obj=item_of("fb", "survey"),
    ),
    Endpoint(
        "feedback_survey_export",
        "/console/feedback/surveys/{pk}/export.xlsx",
        allowed=VIEW,
        forbidden=others(*VIEW),
        obj=item_of("fb", "survey"),
    ),
    Endpoint("feedback_h5", "/h5/feedback/", allowed=RATE, forbidden=others(*RATE)),
    Endpoint(
        "feedback_h5_rate",
        "/h5/feedback/rate/dispute/{pk}/",
        allowed=RATE,
        forbidden=others(*RATE),
        obj=item_of("fb", "case"),
        outsider=None,  # a manager rates nothing: 403 before any lookup
    ),
    Endpoint(
        "feedback_h5_rate_post",
        "/h5/feedback/rate/dispute/{pk}/",
        method="post",
        body={"level": "4", "comment": "好"},
        allowed=RATE,
        forbidden=others(*RATE),
        obj=item_of("fb", "case"),
        state=_rated,
        outsider=None,
    ),
    Endpoint(
        "feedback_h5_rerate",
        "/h5/feedback/ratings/{pk}/rerate/",
        method="post",
        body={"level": "4"},
        allowed=RATE,
        forbidden=others(*RATE),
        obj=item_of("fb", "rerate"),
        state=_loop_state,
        outsider=None,
    ),
    Endpoint(
        "feedback_h5_survey",
        "/h5/feedback/surveys/{pk}/",
        allowed=RATE,
        forbidden=others(*RATE),
        obj=item_of("fb", "survey"),
        outsider=None,
    ),
    Endpoint(
        "feedback_h5_survey_post",
        "/h5/feedback/surveys/{pk}/",
        method="post",
        body=_answers,
        allowed=RATE,
        forbidden=others(*RATE),
        obj=item_of("fb", "survey"),
        state=_survey_state,
        outsider=None,
    ),
    Endpoint(
        "api_ratings",
        "/api/v1/ratings",
        method="post",
        api=True,
        id_in_body=True,
        body=_api_body,
        allowed=RATE,
        forbidden=others(*RATE),
        obj=item_of("fb", "case"),
        state=_rated,
        outsider=None,
    ),
    Endpoint(
        "api_satisfaction",
        "/api/v1/satisfaction?compound={pk}",
        api=True,
        allowed=VIEW,
        forbidden=others(*VIEW),
        obj=item_of("fb", "compound"),
    ),
]


@pytest.mark.parametrize("case", cases("feedback", ENDPOINTS))
def test_tenancy(case, fb_world, login, api):
    check(case, fb_world, login, api)
