"""Rollups, credit and the wall through the kernel's tenancy kit: the authority
reads every company and compound of its region, a company admin its own
company's, a compound manager its own compound's; another's is a 404 like a
missing id, a role without the reading is a 403, a refused write changes
nothing."""

from datetime import date
from decimal import Decimal

import pytest

from wanjia.core.testkit import Endpoint, cases, check, compound_of, others
from wanjia.supervision.credit.models import ConductRecord, CreditScore, RecordKind
from wanjia.supervision.credit.services import score_month
from wanjia.supervision.rollups.services import current_period, rollup_month

pytestmark = pytest.mark.django_db

READERS = ("manager_a", "secretary_a", "company_admin_a", "regulator")
CREDIT = ("company_admin_a", "regulator")
GOV = ("regulator",)


@pytest.fixture(scope="module")
def sup_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        w.records = {
            side: ConductRecord.objects.create(
                company=compound.company,
                kind=RecordKind.COMMENDATION,
                title="通报表扬",
                points=Decimal("3"),
                happened_on=date(2026, 1, 5),
            )
            for side, compound in (("a", w.a), ("b", w.b))
        }
        rollup_month(current_period())
        score_month(current_period())
    return w


def company_of(world, side):
    return compound_of(world, side).company


def record_of(world, side):
    return world.records[side]


def _scores(world, obj):
    return list(CreditScore.objects.order_by("pk").values_list("pk", "score"))


def _records(world, obj):
    return ConductRecord.objects.count()


ENDPOINTS = [
    Endpoint("kpis", "/gov/supervision/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("ranking", "/gov/supervision/ranking/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("wall", "/gov/wall/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("credit", "/gov/credit/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("mine", "/console/supervision/", allowed=READERS, forbidden=others(*READERS)),
    Endpoint("credit_mine", "/console/credit/", allowed=CREDIT, forbidden=others(*CREDIT)),
    Endpoint(
        "record_new",
        "/gov/credit/records/new/",
        method="post",
        body=lambda w, o: {
            "company": w.a.company_id,
            "kind": "commendation",
            "title": "表扬",
            "points": "2",
            "happened_on": "2026-01-06",
        },
        allowed=GOV,
        forbidden=others(*GOV),
        state=_records,
    ),
    Endpoint(
        "rescore",
        "/gov/credit/rescore/",
        method="post",
        allowed=GOV,
        forbidden=others(*GOV),
        state=_scores,
    ),
    Endpoint(
        "company",
        "/credit/companies/{pk}/",
        allowed=CREDIT,
        forbidden=others(*CREDIT),
        obj=company_of,
        outsider=None,  # B's manager reads no credit at all: a 403, tested above
    ),
    Endpoint(
        "record",
        "/credit/records/{pk}/",
        allowed=CREDIT,
        forbidden=others(*CREDIT),
        obj=record_of,
        outsider=None,
    ),
    Endpoint(
        "api_kpis",
        "/api/v1/supervision/compounds/{pk}/kpis",
        api=True,
        allowed=READERS,
        forbidden=others(*READERS),
        obj=compound_of,
    ),
    Endpoint(
        "api_companies",
        "/api/v1/supervision/companies",
        api=True,
        allowed=CREDIT,
        forbidden=others(*CREDIT),
    ),
    Endpoint(
        "api_score",
        "/api/v1/supervision/companies/{pk}/score",
        api=True,
        allowed=CREDIT,
        forbidden=others(*CREDIT),
        obj=company_of,
        outsider=None,
    ),
]


@pytest.mark.parametrize("case", cases("supervision_figures", ENDPOINTS))
def test_tenancy(case, sup_world, login, api):
    check(case, sup_world, login, api)
