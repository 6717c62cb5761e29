"""The exemplary area's URLs (console, gov shell, API) through the kernel's
tenancy kit. Each compound has a nomination waiting, one returned, one
selected, each with a photo; another compound's is a 404 like a missing id,
a role that may not nominate or review is a 403. (The public pages answer
anyone: tested in test_exemplary_pages.)"""

import pytest

from wanjia.core.testkit import Endpoint, cases, check, item_of, others
from wanjia.supervision.exemplary import services
from wanjia.supervision.exemplary.models import ExemplaryCase

from .exemplary_support import FORM, deed, jpeg, register, unregister

pytestmark = pytest.mark.django_db

NOM = ("manager_a", "secretary_a", "company_admin_a", "regulator")
GOV = ("regulator",)
# a compound's manager is no reviewer anywhere: 403 before any lookup
NO_OUTSIDER = None


def _side(w, compound, manager):
    def make(**more):
        return services.nominate(actor=manager, key=deed(compound), **FORM, **more)

    waiting = make(photos=[jpeg()])
    returned = make()
    services.review(actor=w.regulator, case=returned, decision="return", note="请补充")
    selected = make()
    services.review(actor=w.regulator, case=selected, decision="select")
    return {
        "waiting": waiting,
        "returned": returned,
        "selected": selected,
        "photo": waiting.photos.get(),
    }


@pytest.fixture(scope="module")
def ex_world(world_once, django_db_blocker):
    w = world_once
    register()
    with django_db_blocker.unblock():
        w.ex = {"a": _side(w, w.a, w.manager_a), "b": _side(w, w.b, w.outsider_b)}
    yield w
    unregister()


def _status(world, obj):
    return tuple(ExemplaryCase.objects.filter(pk=obj.pk).values_list("status", "citation"))


def _count(world, obj):
    return ExemplaryCase.objects.count()


waiting = item_of("ex", "waiting")

ENDPOINTS = [
    Endpoint("mine", "/console/exemplary/", allowed=NOM, forbidden=others(*NOM)),
    Endpoint("new_form", "/console/exemplary/new/", allowed=NOM, forbidden=others(*NOM)),
    Endpoint(
        "new",
        "/console/exemplary/new/",
        method="post",
        body=lambda w, o: {"source": deed(w.a), **FORM},
        allowed=NOM,
        forbidden=others(*NOM),
        state=_count,
    ),
    Endpoint(
        "mine_case",
        "/console/exemplary/{pk}/",
        allowed=NOM,
        forbidden=others(*NOM),
        obj=waiting,
    ),
    Endpoint(
        "resubmit",
        "/console/exemplary/{pk}/",
        method="post",
        body={**FORM, "citation": "补充后的事迹"},
        allowed=NOM,
        forbidden=others(*NOM),
        obj=item_of("ex", "returned"),
        state=_status,
    ),
    Endpoint(
        "print", "/console/exemplary/{pk}/print/", allowed=NOM, forbidden=others(*NOM), obj=waiting
    ),
    Endpoint(
        "photo",
        "/console/exemplary/photos/{pk}/",
        allowed=NOM,
        forbidden=others(*NOM),
        obj=item_of("ex", "photo"),
    ),
    Endpoint("review_list", "/gov/exemplary/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("export", "/gov/exemplary/export/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint(
        "case",
        "/gov/exemplary/{pk}/",
        allowed=GOV,
        forbidden=others(*GOV),
        obj=waiting,
        outsider=NO_OUTSIDER,
    ),
    Endpoint(
        "decide",
        "/gov/exemplary/{pk}/review/",
        method="post",
        body={"decision": "select"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=waiting,
        state=_status,
        outsider=NO_OUTSIDER,
    ),
    Endpoint(
        "publish",
        "/gov/exemplary/{pk}/publish/",
        method="post",
        body={"action": "publish"},
        allowed=GOV,
        forbidden=others(*GOV),
        obj=item_of("ex", "selected"),
        state=_status,
        outsider=NO_OUTSIDER,
    ),
    Endpoint(
        "api_mine",
        "/api/v1/supervision/nominations",
        api=True,
        allowed=NOM,
        forbidden=others(*NOM),
    ),
    Endpoint(
        "api_case",
        "/api/v1/supervision/nominations/{pk}",
        api=True,
        allowed=NOM,
        forbidden=others(*NOM),
        obj=waiting,
    ),
    Endpoint(
        "api_nominate",
        "/api/v1/supervision/nominations",
        method="post",
        api=True,
        body=lambda w, o: {"source": deed(w.a), **FORM},
        allowed=NOM,
        forbidden=others(*NOM),
        state=_count,
    ),
]


@pytest.mark.parametrize("case", cases("supervision_exemplary", ENDPOINTS))
def test_tenancy(case, ex_world, login, api):
    check(case, ex_world, login, api)
