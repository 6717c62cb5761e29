"""The registry's URLs (console pages, resident H5 pages, import/export, API)
through the kernel's tenancy kit."""

import pytest

from wanjia.core.testkit import Endpoint, cases, check
from wanjia.estates.models import Resident

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
CONSOLE = ("manager_a", "leader_a", "secretary_a", "staff_a", "company_admin_a", "regulator")
H5_ONLY = ("resident_a", "volunteer_a")
EDITORS = ("manager_a", "company_admin_a")
# who sees a household and its residents in the console (the leader: their building)
VIEWERS = ("manager_a", "leader_a", "secretary_a", "staff_a", "company_admin_a", "regulator")


def compound(world, side):
    return world.a if side == "a" else world.b


def building(world, side):
    return (world.home if side == "a" else world.b_home).building


def household(world, side):
    return world.home if side == "a" else world.b_home


def resident(world, side):
    return Resident.objects.filter(household=household(world, side)).order_by("id").first()


def residents_of(world, obj):
    return sorted(Resident.objects.filter(household_id=obj.pk).values_list("id", flat=True))


def resident_row(world, obj):
    return tuple(Resident.objects.filter(pk=obj.pk).values_list("name", "phone", "relation"))


NEW_RESIDENT = {"name": "新住户", "relation": "tenant", "gender": ""}


ENDPOINTS = [
    # ---- console pages
    Endpoint(
        "compound_list", "/console/compounds/", allowed=(*CONSOLE, "outsider_b"), forbidden=H5_ONLY
    ),
    Endpoint(
        "compound_detail",
        "/console/compounds/{pk}/",
        allowed=VIEWERS,
        forbidden=H5_ONLY,
        obj=compound,
    ),
    Endpoint(
        "compound_staff",
        "/console/compounds/{pk}/staff/",
        allowed=VIEWERS,
        forbidden=H5_ONLY,
        obj=compound,
    ),
    Endpoint(
        "building_detail",
        "/console/buildings/{pk}/",
        allowed=VIEWERS,
        forbidden=H5_ONLY,
        obj=building,
    ),
    Endpoint(
        "household_detail",
        "/console/households/{pk}/",
        allowed=VIEWERS,
        forbidden=H5_ONLY,
        obj=household,
    ),
    Endpoint(
        "resident_new",
        "/console/households/{pk}/residents/new/",
        allowed=EDITORS,
        forbidden=(*H5_ONLY, "leader_a", "secretary_a", "staff_a", "regulator"),
        obj=household,
    ),
    Endpoint(
        "resident_new_post",
        "/console/households/{pk}/residents/new/",
        method="post",
        body=NEW_RESIDENT,
        allowed=EDITORS,
        forbidden=(*H5_ONLY, "leader_a", "secretary_a", "staff_a", "regulator"),
        obj=household,
        state=residents_of,
    ),
    Endpoint(
        "resident_edit",
        "/console/residents/{pk}/edit/",
        allowed=EDITORS,
        forbidden=(*H5_ONLY, "leader_a", "secretary_a", "staff_a", "regulator"),
        obj=resident,
    ),
    Endpoint(
        "resident_edit_post",
        "/console/residents/{pk}/edit/",
        method="post",
        body={"name": "改了名", "relation": "owner"},
        allowed=EDITORS,
        forbidden=(*H5_ONLY, "leader_a", "secretary_a", "staff_a", "regulator"),
        obj=resident,
        state=resident_row,
    ),
    Endpoint(
        "resident_reveal",
        "/console/residents/{pk}/reveal/phone/",
        method="post",
        allowed=("manager_a", "leader_a", "secretary_a", "company_admin_a"),
        forbidden=(*H5_ONLY, "staff_a", "regulator"),
        obj=resident,
    ),
    Endpoint(
        "resident_search",
        "/console/find/estates/?q=zw",
        allowed=(*CONSOLE, "outsider_b"),
        forbidden=H5_ONLY,
    ),
    Endpoint(
        "estates_import",
        "/console/compounds/{pk}/import/",
        allowed=EDITORS,
        forbidden=("resident_a", "leader_a", "secretary_a", "staff_a", "regulator"),
        obj=compound,
    ),
    Endpoint(
        "estates_import_template",
        "/console/compounds/{pk}/import/template.xlsx",
        allowed=EDITORS,
        forbidden=("resident_a", "leader_a", "secretary_a", "staff_a", "regulator"),
        obj=compound,
    ),
    Endpoint(
        "estates_export",
        "/console/compounds/{pk}/export/",
        allowed=(*EDITORS, "regulator"),
        forbidden=("resident_a", "leader_a", "secretary_a", "staff_a"),
        obj=compound,
    ),
    # ---- resident H5 and the regulator's overview
    Endpoint("h5_home", "/h5/", allowed=EVERYONE),
    Endpoint("h5_me", "/h5/me/", allowed=EVERYONE),
    Endpoint(
        "h5_household",
        "/h5/households/{pk}/",
        allowed=("resident_a",),
        hidden=("manager_a", "volunteer_a", "leader_a"),
        obj=household,
    ),
    Endpoint(
        "gov_home",
        "/gov/",
        allowed=("regulator",),
        forbidden=("resident_a", "manager_a", "company_admin_a", "outsider_b"),
    ),
    # ---- API
    Endpoint("api_compound_list", "/api/v1/compounds", api=True, allowed=EVERYONE),
    Endpoint(
        "api_compound_detail",
        "/api/v1/compounds/{pk}",
        api=True,
        allowed=(*A_PEOPLE, "regulator"),
        obj=compound,
    ),
    Endpoint(
        "api_compound_buildings",
        "/api/v1/compounds/{pk}/buildings",
        api=True,
        allowed=(*A_PEOPLE, "regulator"),
        obj=compound,
    ),
    Endpoint(
        "api_household_detail",
        "/api/v1/households/{pk}",
        api=True,
        allowed=(*VIEWERS, "resident_a"),
        forbidden=("volunteer_a",),
        obj=household,
    ),
    Endpoint(
        "api_resident_list",
        "/api/v1/residents",
        api=True,
        allowed=(*VIEWERS, "resident_a", "outsider_b"),
        forbidden=("volunteer_a",),
    ),
    Endpoint(
        "api_resident_detail",
        "/api/v1/residents/{pk}",
        api=True,
        allowed=(*VIEWERS, "resident_a"),
        forbidden=("volunteer_a",),
        obj=resident,
    ),
    Endpoint(
        "api_resident_create",
        "/api/v1/residents",
        method="post",
        api=True,
        body=lambda world, obj: {**NEW_RESIDENT, "household": obj.pk},
        id_in_body=True,
        allowed=EDITORS,
        forbidden=("resident_a", "leader_a", "secretary_a", "staff_a", "volunteer_a", "regulator"),
        obj=household,
        state=residents_of,
    ),
    Endpoint(
        "api_resident_update",
        "/api/v1/residents/{pk}",
        method="patch",
        api=True,
        body={"name": "改了名"},
        allowed=EDITORS,
        forbidden=("resident_a", "leader_a", "secretary_a", "staff_a", "volunteer_a", "regulator"),
        obj=resident,
        state=resident_row,
    ),
    Endpoint(
        "api_resident_reveal",
        "/api/v1/residents/{pk}/reveal",
        method="post",
        api=True,
        body={"field": "phone"},
        allowed=("manager_a", "leader_a", "secretary_a", "company_admin_a"),
        forbidden=("resident_a", "staff_a", "volunteer_a", "regulator"),
        obj=resident,
    ),
]


@pytest.mark.parametrize("case", cases("estates", ENDPOINTS))
def test_tenancy(case, world_once, login, api):
    check(case, world_once, login, api)
