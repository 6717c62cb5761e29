"""The disputes app's URLs (console, resident H5, API) through the kernel's
tenancy kit. Each compound has an open case, a settled case and a sweep; in A
the resident reported both cases against a neighbour in A's first building
(where ``leader_a`` leads), in B its manager opened them."""

from types import SimpleNamespace

import pytest

from wanjia.core.testkit import Endpoint, cases, check, is_missing
from wanjia.disputes import services
from wanjia.disputes.models import Case, CaseParty, Policy, Sweep

pytestmark = pytest.mark.django_db

A_PEOPLE = (
    "resident_a",
    "manager_a",
    "leader_a",
    "secretary_a",
    "staff_a",
    "volunteer_a",
    "company_admin_a",
)
EVERYONE = (*A_PEOPLE, "outsider_b", "regulator")
# who mediates a building-level case of A's first building
MEDIATORS = ("leader_a", "secretary_a", "manager_a", "company_admin_a")
# who sees that case: its mediators and the resident who is a party
VIEWERS = ("resident_a", *MEDIATORS)
# the staff, the volunteer and the regulator (a blue building-level case is not
# theirs) cannot see the case at all
BLIND = ("staff_a", "volunteer_a", "regulator")
COMPOUND_MEDIATORS = ("secretary_a", "manager_a", "company_admin_a")
FIGURES = (*MEDIATORS, "regulator")
CONFIGURE = ("manager_a", "company_admin_a")


def _side(reporter, resolver, compound, home, others):
    def open_case(summary):
        return services.case_open(
            actor=reporter,
            compound=compound,
            category="leak",
            summary=summary,
            households=others,
        )

    settled = open_case("楼上漏水，已经谈妥")
    services.case_resolve(actor=resolver, case=settled, resolution="楼上修好防水，赔偿两百元")
    services.sweeps_plan(compound=compound)
    return SimpleNamespace(
        open=open_case("楼上卫生间漏水，渗到我家厨房"),
        settled=Case.objects.get(pk=settled.pk),
        sweep=Sweep.objects.filter(building=home.building).order_by("id").first(),
        party=CaseParty.objects.filter(case=settled, household=home).first(),
    )


@pytest.fixture(scope="module")
def disputes_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        w.disputes = {
            "a": _side(w.resident_a, w.leader_a, w.a, w.home, [w.other_home]),
            "b": _side(w.outsider_b, w.outsider_b, w.b, w.b_home, [w.b_home]),
        }
    return w


def _of(name):
    return lambda world, side: getattr(world.disputes[side], name)


def compound(world, side):
    return world.a if side == "a" else world.b


def building(world, side):
    return (world.home if side == "a" else world.b_home).building


def case_row(world, obj):
    return tuple(
        Case.objects.filter(pk=obj.pk).values_list("status", "level", "mediator_id", "resolved_at")
    ) + (obj.sessions.count(), tuple(obj.parties.values_list("satisfaction", flat=True)))


def cases_in(world, obj):
    compound_id = obj.pk if hasattr(obj, "community_id") else obj.compound_id
    return Case.objects.filter(compound_id=compound_id).count()


def sweep_row(world, obj):
    return tuple(Sweep.objects.filter(pk=obj.pk).values_list("done_at", "note"))


def policy_row(world, obj):
    return tuple(
        Policy.objects.filter(compound_id=obj.pk).values_list("building_days", "reopen_days")
    )


def sweeps_of(world, obj):
    return Sweep.objects.filter(compound_id=obj.pk).count()


def rated_party(world, obj):
    """The resident's party of the settled case (the body a mediator sends)."""
    party = CaseParty.objects.filter(case_id=obj.pk, household=world.home).first()
    return {"party": party.pk} if party else {}


NEW_CASE = {"category": "noise", "summary": "夜里装修噪音"}


def new_case(world, obj):
    """A case in building ``obj`` between two of its households."""
    parties = [] if is_missing(obj) else [obj.households.order_by("id").first().pk]
    return {**NEW_CASE, "building": obj.pk, "parties": parties}


POLICY = {
    "building_days": "5",
    "compound_days": "9",
    "community_days": "15",
    "street_days": "30",
    "followup_days": "7",
    "reopen_days": "20",
    "sweep_period": "week",
}


def on_case(name, url, *, case="open", allowed=MEDIATORS, forbidden=("resident_a",), **kw):
    """An action on one of the cases: the staff, volunteer and regulator do not
    see it (404); the resident sees it but may not mediate (403)."""
    return Endpoint(
        name,
        url,
        allowed=allowed,
        forbidden=forbidden,
        hidden=BLIND,
        obj=_of(case),
        state=case_row if kw.get("method", "get") != "get" else None,
        **kw,
    )


ENDPOINTS = [
    # ---- console
    Endpoint("disputes_home", "/console/disputes/", allowed=EVERYONE),
    Endpoint("disputes_new", "/console/disputes/new/", allowed=EVERYONE),
    Endpoint(
        "disputes_new_post",
        "/console/disputes/new/",
        method="post",
        body=new_case,
        id_in_body=True,
        allowed=(*MEDIATORS, "staff_a"),
        forbidden=("volunteer_a", "regulator"),
        hidden=(),
        obj=building,
        state=cases_in,
    ),
    Endpoint("disputes_households", "/console/disputes/households/", allowed=EVERYONE),
    Endpoint("disputes_sweeps", "/console/disputes/sweeps/", allowed=EVERYONE),
    Endpoint(
        "disputes_sweeps_plan",
        "/console/disputes/sweeps/plan/",
        method="post",
        body=lambda world, obj: {"compound": obj.pk},
        id_in_body=True,
        allowed=COMPOUND_MEDIATORS,
        forbidden=("resident_a", "leader_a", "staff_a", "volunteer_a", "regulator"),
        obj=compound,
        state=sweeps_of,
    ),
    Endpoint(
        "disputes_sweep_done",
        "/console/disputes/sweeps/{pk}/done/",
        method="post",
        allowed=MEDIATORS,
        hidden=("resident_a", *BLIND),
        obj=_of("sweep"),
        state=sweep_row,
    ),
    Endpoint(
        "disputes_figures",
        "/console/disputes/figures/?compound={pk}",
        allowed=FIGURES,
        forbidden=("resident_a", "staff_a", "volunteer_a"),
        obj=compound,
    ),
    Endpoint(
        "disputes_policy",
        "/console/disputes/settings/?compound={pk}",
        allowed=CONFIGURE,
        forbidden=("resident_a", "leader_a", "secretary_a", "staff_a", "regulator"),
        obj=compound,
    ),
    Endpoint(
        "disputes_policy_post",
        "/console/disputes/settings/",
        method="post",
        body=lambda world, obj: {**POLICY, "compound": obj.pk},
        id_in_body=True,
        allowed=CONFIGURE,
        forbidden=("resident_a", "leader_a", "secretary_a", "staff_a", "regulator"),
        obj=compound,
        state=policy_row,
    ),
    on_case("disputes_case", "/console/disputes/{pk}/", allowed=VIEWERS, forbidden=()),
    on_case("disputes_escalate", "/console/disputes/{pk}/escalate/", method="post"),
    on_case(
        "disputes_session",
        "/console/disputes/{pk}/session/",
        method="post",
        body={"notes": "双方到场，约定周末修理"},
    ),
    on_case(
        "disputes_resolve",
        "/console/disputes/{pk}/resolve/",
        method="post",
        body={"resolution": "修好了"},
    ),
    on_case(
        "disputes_followup",
        "/console/disputes/{pk}/followup/",
        case="settled",
        method="post",
        body={"note": "回访满意"},
    ),
    on_case(
        "disputes_rate",
        "/console/disputes/{pk}/rate/",
        case="settled",
        method="post",
        body=lambda world, obj: {"score": "5", **rated_party(world, obj)},
        allowed=VIEWERS,
        forbidden=(),
    ),
    on_case(
        "disputes_reopen",
        "/console/disputes/{pk}/reopen/",
        case="settled",
        method="post",
        body={"reason": "又漏了"},
        allowed=VIEWERS,
        forbidden=(),
    ),
    on_case(
        "disputes_agreement",
        "/console/disputes/{pk}/agreement/",
        case="settled",
        allowed=VIEWERS,
        forbidden=(),
    ),
    # ---- resident H5
    Endpoint("disputes_h5_list", "/h5/disputes/", allowed=EVERYONE),
    Endpoint(
        "disputes_h5_report",
        "/h5/disputes/report/",
        allowed=("resident_a",),
        forbidden=(*MEDIATORS, "staff_a", "volunteer_a", "regulator", "outsider_b"),
    ),
    Endpoint(
        "disputes_h5_report_post",
        "/h5/disputes/report/",
        method="post",
        body=NEW_CASE,
        allowed=("resident_a",),
        forbidden=(*MEDIATORS, "staff_a", "volunteer_a", "regulator", "outsider_b"),
        state=lambda world, obj: Case.objects.count(),
    ),
    on_case("disputes_h5_case", "/h5/disputes/{pk}/", allowed=VIEWERS, forbidden=()),
    on_case(
        "disputes_h5_rate",
        "/h5/disputes/{pk}/rate/",
        case="settled",
        method="post",
        body={"score": "4"},
        allowed=("resident_a",),
        forbidden=(),
    ),
    on_case(
        "disputes_h5_reopen",
        "/h5/disputes/{pk}/reopen/",
        case="settled",
        method="post",
        body={"reason": "又漏了"},
        allowed=VIEWERS,
        forbidden=(),
    ),
    # ---- API
    Endpoint(
        "api_case_create",
        "/api/v1/disputes/cases",
        method="post",
        api=True,
        body=new_case,
        id_in_body=True,
        allowed=(*MEDIATORS, "staff_a"),
        forbidden=("volunteer_a", "regulator"),
        obj=building,
        state=cases_in,
    ),
    Endpoint("api_case_list", "/api/v1/disputes/cases", api=True, allowed=EVERYONE),
    on_case(
        "api_case_detail", "/api/v1/disputes/cases/{pk}", api=True, allowed=VIEWERS, forbidden=()
    ),
    on_case("api_case_escalate", "/api/v1/disputes/cases/{pk}/escalate", api=True, method="post"),
    on_case(
        "api_session_create",
        "/api/v1/disputes/cases/{pk}/sessions",
        api=True,
        method="post",
        body={"notes": "双方到场"},
    ),
    on_case(
        "api_case_resolve",
        "/api/v1/disputes/cases/{pk}/resolve",
        api=True,
        method="post",
        body={"resolution": "修好了"},
    ),
    on_case(
        "api_case_rating",
        "/api/v1/disputes/cases/{pk}/rating",
        case="settled",
        api=True,
        method="post",
        body=lambda world, obj: {"score": 5, **rated_party(world, obj)},
        allowed=VIEWERS,
        forbidden=(),
    ),
    on_case(
        "api_case_followup",
        "/api/v1/disputes/cases/{pk}/followup",
        case="settled",
        api=True,
        method="post",
        body={"note": "回访满意"},
    ),
    on_case(
        "api_case_reopen",
        "/api/v1/disputes/cases/{pk}/reopen",
        case="settled",
        api=True,
        method="post",
        body={"reason": "又漏了"},
        allowed=VIEWERS,
        forbidden=(),
    ),
    Endpoint(
        "api_stats",
        "/api/v1/disputes/stats?compound={pk}",
        api=True,
        allowed=FIGURES,
        forbidden=("resident_a", "staff_a", "volunteer_a"),
        obj=compound,
    ),
    Endpoint("api_sweep_list", "/api/v1/disputes/sweeps", api=True, allowed=EVERYONE),
    Endpoint(
        "api_sweep_complete",
        "/api/v1/disputes/sweeps/{pk}/complete",
        api=True,
        method="post",
        allowed=MEDIATORS,
        hidden=("resident_a", *BLIND),
        obj=_of("sweep"),
        state=sweep_row,
    ),
    Endpoint(
        "api_policy_detail",
        "/api/v1/disputes/policy?compound={pk}",
        api=True,
        allowed=FIGURES,
        forbidden=("resident_a", "staff_a", "volunteer_a"),
        obj=compound,
    ),
    Endpoint(
        "api_policy_update",
        "/api/v1/disputes/policy?compound={pk}",
        api=True,
        method="patch",
        body={"building_days": 5},
        allowed=CONFIGURE,
        forbidden=("resident_a", "leader_a", "secretary_a", "staff_a", "volunteer_a", "regulator"),
        obj=compound,
        state=policy_row,
    ),
]


@pytest.mark.parametrize("case", cases("disputes", ENDPOINTS))
def test_tenancy(case, disputes_world, login, api):
    check(case, disputes_world, login, api)
