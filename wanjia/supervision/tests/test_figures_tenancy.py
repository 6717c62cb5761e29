"""Rollups and the wall through the kernel's tenancy kit: the authority
reads every company and compound of its region, a company admin its own
company's, a compound manager its own compound's; another's is a 404 like a
missing id, a role without the reading is a 403, a refused write changes
nothing."""

import pytest

from wanjia.core.testkit import Endpoint, cases, check, compound_of, others
from wanjia.supervision.rollups.services import current_period, rollup_month

pytestmark = pytest.mark.django_db

READERS = ("manager_a", "secretary_a", "company_admin_a", "regulator")
GOV = ("regulator",)


@pytest.fixture(scope="module")
def sup_world(world_once, django_db_blocker):
    w = world_once
    with django_db_blocker.unblock():
        rollup_month(current_period())
    return w


ENDPOINTS = [
    Endpoint("kpis", "/gov/supervision/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("ranking", "/gov/supervision/ranking/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint("wall", "/gov/wall/", allowed=GOV, forbidden=others(*GOV)),
    Endpoint(
        "api_kpis",
        "/api/v1/supervision/compounds/{pk}/kpis",
        api=True,
        allowed=READERS,
        forbidden=others(*READERS),
        obj=compound_of,
    ),
]


@pytest.mark.parametrize("case", cases("supervision_figures", ENDPOINTS))
def test_tenancy(case, sup_world, login, api):
    check(case, sup_world, login, api)
