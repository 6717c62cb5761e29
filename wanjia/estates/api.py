"""Registry endpoints. Handlers parse, call one selector or service, and render."""

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from wanjia.core.auth import client_ip
from wanjia.core.pii import mask_id_number, mask_phone
from wanjia.core.schemas import COMMON_ERRORS
from wanjia.core.scoping import can_anywhere

from . import selectors, services
from .models import Gender, Relation

router = Router(tags=["estates"])


class CompoundOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    company: int | None = Field(None, alias="company_id")
    company_name: str = ""
    community: int = Field(..., alias="community_id")
    address: str
    lat: float | None
    lng: float | None
    building_count: int = 0
    household_count: int = 0
    resident_count: int = 0
    alone_count: int = 0

    @staticmethod
    def resolve_company_name(obj):
        return obj.company.name if obj.company_id else ""


class BuildingOut(Schema):
    id: int
    name: str
    compound: int = Field(..., alias="compound_id")
    floors: int
    has_elevator: bool
    lat: float | None
    lng: float | None
    household_count: int = 0
    resident_count: int = 0
    alone_count: int = 0


class ResidentOut(Schema):
    id: int
    name: str
    phone: str
    id_number: str
    household: int
    compound: int
    building: int
    room: str
    relation: str
    gender: str
    birth_date: date | None
    lives_alone: bool
    disability: bool
    chronic_illness: bool
    is_party_member: bool

    @staticmethod
    def from_resident(r) -> dict:
        return {
            "id": r.pk,
            "name": r.name,
            "phone": mask_phone(r.phone),
            "id_number": mask_id_number(r.id_number),
            "household": r.household_id,
            "compound": r.compound_id,
            "building": r.building_id,
            "room": r.household.room,
            "relation": r.relation,
            "gender": r.gender,
            "birth_date": r.birth_date,
            "lives_alone": r.lives_alone,
            "disability": r.disability,
            "chronic_illness": r.chronic_illness,
            "is_party_member": r.is_party_member,
        }


class HouseholdOut(Schema):
    id: int
    code: str
    room: str
    floor: int
    unit: str
    building: int
    building_name: str
    compound: int
    quarantine: bool
    residents: list[ResidentOut]


class EmergencyContact(Schema):
    name: str = Field(..., max_length=50)
    phone: str = Field("", max_length=20)
    relation: str = Field("", max_length=20)


class ResidentIn(Schema):
    household: int
    name: str = Field(..., max_length=50)
    relation: Relation = Relation.OWNER
    gender: Gender = Gender.UNKNOWN
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    birth_date: date | None = None
    lives_alone: bool = False
    disability: bool = False
    chronic_illness: bool = False
    health_notes: str = Field("", max_length=2000)
    is_party_member: bool = False
    emergency_contacts: list[EmergencyContact] = []


class ResidentPatch(Schema):
    name: str | None = Field(None, max_length=50)
    relation: Relation | None = None
    gender: Gender | None = None
    phone: str | None = Field(None, max_length=20)
    id_number: str | None = Field(None, max_length=18)
    birth_date: date | None = None
    lives_alone: bool | None = None
    disability: bool | None = None
    chronic_illness: bool | None = None
    health_notes: str | None = Field(None, max_length=2000)
    is_party_member: bool | None = None
    emergency_contacts: list[EmergencyContact] | None = None


class RevealIn(Schema):
    field: str = Field(..., description="phone or id_number")


class RevealOut(Schema):
    field: str
    value: str


class ResidentFilter(Schema):
    compound: int | None = None
    building: int | None = None
    q: str = Field("", max_length=50)
    lives_alone: bool | None = None


@router.get("/compounds", response={200: list[CompoundOut], **COMMON_ERRORS})
@paginate(LimitOffsetPagination)
def compound_list(request):
    return selectors.compounds_visible_to(request.auth, with_counts=True)


@router.get("/compounds/{compound_id}", response={200: CompoundOut, **COMMON_ERRORS})
def compound_detail(request, compound_id: int):
    return selectors.get_or_404(
        selectors.compounds_visible_to(request.auth, with_counts=True), pk=compound_id
    )


@router.get(
    "/compounds/{compound_id}/buildings", response={200: list[BuildingOut], **COMMON_ERRORS}
)
@paginate(LimitOffsetPagination)
def compound_buildings(request, compound_id: int):
    compound = selectors.get_or_404(selectors.compounds_visible_to(request.auth), pk=compound_id)
    return selectors.buildings_visible_to(request.auth, with_counts=True).filter(compound=compound)


def _household_out(h):
    return {
        "id": h.pk,
        "code": h.code,
        "room": h.room,
        "floor": h.floor,
        "unit": h.unit.name,
        "building": h.building_id,
        "building_name": h.building.name,
        "compound": h.compound_id,
        "quarantine": h.quarantine,
        "residents": [
            ResidentOut.from_resident(r) for r in h.residents.select_related("household")
        ],
    }


def _require_resident_view(user):
    if not can_anywhere(user, "estates.view_residents"):
        raise PermissionDenied


@router.get("/households/{household_id}", response={200: HouseholdOut, **COMMON_ERRORS})
def household_detail(request, household_id: int):
    _require_resident_view(request.auth)
    return _household_out(
        selectors.get_or_404(selectors.households_visible_to(request.auth), pk=household_id)
    )


@router.get("/residents", response={200: list[ResidentOut], **COMMON_ERRORS})
@paginate(LimitOffsetPagination)
def resident_list(request, filters: Query[ResidentFilter]):
    _require_resident_view(request.auth)
    qs = selectors.residents_visible_to(request.auth)
    if filters.compound is not None:
        qs = qs.filter(compound_id=filters.compound)
    if filters.building is not None:
        qs = qs.filter(building_id=filters.building)
    if filters.lives_alone is not None:
        qs = qs.filter(lives_alone=filters.lives_alone)
    return [
        ResidentOut.from_resident(r)
        for r in selectors.resident_search(qs, filters.q).order_by("id")
    ]


@router.get("/residents/{resident_id}", response={200: ResidentOut, **COMMON_ERRORS})
def resident_detail(request, resident_id: int):
    _require_resident_view(request.auth)
    return ResidentOut.from_resident(
        selectors.get_or_404(selectors.residents_visible_to(request.auth), pk=resident_id)
    )


@router.post("/residents", response={201: ResidentOut, **COMMON_ERRORS})
def resident_create(request, payload: ResidentIn):
    household = selectors.get_or_404(
        selectors.households_visible_to(request.auth), pk=payload.household
    )
    data = payload.dict(exclude={"household"})
    resident = services.resident_create(
        actor=request.auth, household=household, data=data, ip=client_ip(request)
    )
    return 201, ResidentOut.from_resident(resident)


@router.patch("/residents/{resident_id}", response={200: ResidentOut, **COMMON_ERRORS})
def resident_update(request, resident_id: int, payload: ResidentPatch):
    resident = selectors.get_or_404(selectors.residents_visible_to(request.auth), pk=resident_id)
    # null clears only the birth date; for other fields it means "leave as is"
    data = {
        k: v
        for k, v in payload.dict(exclude_unset=True).items()
        if v is not None or k == "birth_date"
    }
    resident = services.resident_update(
        actor=request.auth, resident=resident, data=data, ip=client_ip(request)
    )
    return ResidentOut.from_resident(resident)


@router.post("/residents/{resident_id}/reveal", response={200: RevealOut, **COMMON_ERRORS})
def resident_reveal(request, resident_id: int, payload: RevealIn):
    """Show a phone or ID number in clear. Audited; only roles that need it may."""
    resident = selectors.get_or_404(selectors.residents_visible_to(request.auth), pk=resident_id)
    value = services.resident_reveal(
        actor=request.auth, resident=resident, field=payload.field, ip=client_ip(request)
    )
    return {"field": payload.field, "value": value}
