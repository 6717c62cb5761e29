"""Registry endpoints. Handlers parse, call one selector or service, and render.

Order of refusals, the same on every endpoint: a role that may never do the
thing is a 403; a record outside the caller's scope is a 404 (the same body as
a missing one); a record in scope where the caller's role there is not enough is
a 403 again (from the service)."""

from datetime import date
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from wanjia.core.auth import client_ip
from wanjia.core.models import CompoundKind
from wanjia.core.pii import mask_id_number, mask_phone
from wanjia.core.schemas import COMMON_ERRORS, Date, ErrorOut, Id, InputSchema, Paging, Text
from wanjia.core.scoping import can, can_anywhere

from . import selectors, services
from .models import Gender, Relation

router = Router(tags=["estates"])

# The same 口径 as the pages (wanjia.estates.figures.elderly_alone_q).
ALONE_COUNT = "独居老人数：标记为独居、且年满60周岁的居民；未填出生日期的独居居民也计入。"


class CompoundOut(Schema):
    id: int
    name: str
    code: str
    kind: CompoundKind
    company: int | None = Field(None, alias="company_id")
    company_name: str = ""
    community: int = Field(..., alias="community_id")
    address: str
    lat: float | None
    lng: float | None
    building_count: int = 0
    household_count: int = 0
    resident_count: int = 0
    alone_count: int = Field(0, description=ALONE_COUNT)

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
    alone_count: int = Field(0, description=ALONE_COUNT)


class ResidentOut(Schema):
    """A resident as the registry shows it: phone and ID number always masked
    (``POST /residents/{id}/reveal`` shows one in clear, audited)."""

    id: int
    name: str
    phone: str
    id_number: str
    household: int = Field(..., alias="household_id")
    compound: int = Field(..., alias="compound_id")
    building: int = Field(..., alias="building_id")
    room: str
    relation: Relation
    gender: Gender
    birth_date: date | None = Field(
        None,
        description="出生日期：只给登记管理者（及本户居民）；其他角色为 null，见 birth_year",
    )
    birth_year: int | None = None
    lives_alone: bool
    disability: bool
    chronic_illness: bool
    is_party_member: bool

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_room(obj):
        return obj.household.room

    @staticmethod
    def resolve_birth_date(obj, context):
        """A full birth date, with the masked ID number's region and last four,
        pins the ID down: only roles that manage the registry (or the household
        itself) see it; everyone else gets the year, enough for an age."""
        request = (context or {}).get("request")
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        if obj.birth_date is None or user is None:
            return None
        where = {"building_id": obj.building_id, "household_id": obj.household_id}
        return (
            obj.birth_date if can(user, "pii.birth_date", compound=obj.compound, **where) else None
        )

    @staticmethod
    def resolve_birth_year(obj):
        return obj.birth_date.year if obj.birth_date else None


class HouseholdOut(Schema):
    id: int
    code: str
    room: str
    floor: int
    unit: str
    building: int = Field(..., alias="building_id")
    building_name: str
    compound: int = Field(..., alias="compound_id")
    quarantine: bool
    residents: list[ResidentOut]

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.name

    @staticmethod
    def resolve_building_name(obj):
        return obj.building.name

    @staticmethod
    def resolve_residents(obj):
        return selectors.residents_of_household(obj)


class EmergencyContact(InputSchema):
    name: Text(50)
    phone: Text(20) = ""
    relation: Text(20) = ""


class ResidentIn(InputSchema):
    household: Id
    name: Text(50)
    relation: Relation = Relation.OWNER
    gender: Gender = Gender.UNKNOWN
    phone: Text(20, description="11位手机号") = ""
    id_number: Text(18, description="18位身份证号（GB 11643 校验）") = ""
    birth_date: Date | None = None
    lives_alone: bool = False
    disability: bool = False
    chronic_illness: bool = False
    health_notes: Text(2000) = ""
    is_party_member: bool = False
    emergency_contacts: list[EmergencyContact] = Field([], max_length=10)


class ResidentPatch(InputSchema):
    """Only the fields sent change. ``null`` clears the birth date; for any other
    field it means "leave as is"."""

    name: Text(50) | None = None
    relation: Relation | None = None
    gender: Gender | None = None
    phone: Text(20) | None = None
    id_number: Text(18) | None = None
    birth_date: Date | None = None
    lives_alone: bool | None = None
    disability: bool | None = None
    chronic_illness: bool | None = None
    health_notes: Text(2000) | None = None
    is_party_member: bool | None = None
    emergency_contacts: list[EmergencyContact] | None = Field(None, max_length=10)


class RevealIn(InputSchema):
    field: Literal["phone", "id_number"] = Field(..., description="phone 或 id_number")


class RevealOut(Schema):
    field: str
    value: str


class ResidentFilter(Schema):
    compound: Id | None = Field(None, description="小区 id")
    building: Id | None = Field(None, description="楼栋 id")
    q: Text(
        50,
        description="姓名、拼音或首字母、房号；“姓名 手机尾号4位”；可查看完整手机号的角色可按"
        "手机尾号查找，可查看身份证号的角色可按完整身份证号查找。每人每分钟限次（429）。",
    ) = ""
    lives_alone: bool | None = None


def _require_anywhere(user, capability: str) -> None:
    """403 for a role that may never do this, before any lookup can answer 404."""
    if not can_anywhere(user, capability):
        raise PermissionDenied


@router.get("/compounds", response={200: list[CompoundOut], **COMMON_ERRORS}, summary="小区列表")
@paginate(Paging)
def compound_list(request):
    return selectors.compounds_listed(request.auth)


@router.get(
    "/compounds/{compound_id}", response={200: CompoundOut, **COMMON_ERRORS}, summary="小区详情"
)
def compound_detail(request, compound_id: Id):
    return selectors.get_or_404(
        selectors.compounds_visible_to(request.auth, with_counts=True), pk=compound_id
    )


@router.get(
    "/compounds/{compound_id}/buildings",
    response={200: list[BuildingOut], **COMMON_ERRORS},
    summary="小区的楼栋",
)
@paginate(Paging)
def compound_buildings(request, compound_id: Id):
    compound = selectors.get_or_404(selectors.compounds_visible_to(request.auth), pk=compound_id)
    return selectors.compound_buildings_counted(request.auth, compound)


@router.get(
    "/households/{household_id}",
    response={200: HouseholdOut, **COMMON_ERRORS},
    summary="住户及其居民",
)
def household_detail(request, household_id: Id):
    _require_anywhere(request.auth, "estates.view_residents")
    return selectors.get_or_404(selectors.households_visible_to(request.auth), pk=household_id)


@router.get(
    "/residents",
    response={200: list[ResidentOut], 429: ErrorOut, **COMMON_ERRORS},
    summary="查找居民",
)
@paginate(Paging)
def resident_list(request, filters: Query[ResidentFilter]):
    user = request.auth
    _require_anywhere(user, "estates.view_residents")
    qs = selectors.residents_for_api(
        user, compound=filters.compound, building=filters.building, lives_alone=filters.lives_alone
    )
    try:
        return services.resident_search_run(
            actor=user, queryset=qs, q=filters.q, ip=client_ip(request)
        )
    except services.SearchRateLimited as exc:
        raise HttpError(429, exc.message) from None


@router.get(
    "/residents/{resident_id}", response={200: ResidentOut, **COMMON_ERRORS}, summary="居民详情"
)
def resident_detail(request, resident_id: Id):
    _require_anywhere(request.auth, "estates.view_residents")
    return selectors.get_or_404(selectors.residents_visible_to(request.auth), pk=resident_id)


@router.post("/residents", response={201: ResidentOut, **COMMON_ERRORS}, summary="登记居民")
def resident_create(request, payload: ResidentIn):
    _require_anywhere(request.auth, "estates.edit")
    household = selectors.get_or_404(
        selectors.households_visible_to(request.auth), pk=payload.household
    )
    resident = services.resident_create(
        actor=request.auth,
        household=household,
        data=payload.dict(exclude={"household"}),
        ip=client_ip(request),
    )
    return 201, resident


@router.patch(
    "/residents/{resident_id}", response={200: ResidentOut, **COMMON_ERRORS}, summary="修改居民"
)
def resident_update(request, resident_id: Id, payload: ResidentPatch):
    _require_anywhere(request.auth, "estates.edit")
    resident = selectors.get_or_404(selectors.residents_visible_to(request.auth), pk=resident_id)
    data = {
        k: v
        for k, v in payload.dict(exclude_unset=True).items()
        if v is not None or k == "birth_date"
    }
    return services.resident_update(
        actor=request.auth, resident=resident, data=data, ip=client_ip(request)
    )


_REVEAL_CAPABILITY = {"phone": "pii.reveal_phone", "id_number": "pii.reveal_id"}


@router.post(
    "/residents/{resident_id}/reveal",
    response={200: RevealOut, **COMMON_ERRORS},
    summary="查看完整手机号或身份证号（记入审计日志）",
)
def resident_reveal(request, resident_id: Id, payload: RevealIn):
    """Show a phone or ID number in clear. Audited; only roles that need it may."""
    _require_anywhere(request.auth, _REVEAL_CAPABILITY[payload.field])
    resident = selectors.get_or_404(selectors.residents_visible_to(request.auth), pk=resident_id)
    value = services.resident_reveal(
        actor=request.auth, resident=resident, field=payload.field, ip=client_ip(request)
    )
    return {"field": payload.field, "value": value}
