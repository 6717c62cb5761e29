"""Request and response shapes of the delivery API.

Every string and id in a request is bounded (``Text``, ``Id``), times are ISO
8601 text (``DateTime``), so bad input is a 422 naming the field before it can
reach the database. The household's pickup code never leaves in a response:
it is the proof the courier asks for at the door."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from wanjia.core.pii import mask_phone
from wanjia.core.schemas import DateTime, Id, InputSchema, Text

from ..models import FailReason, Method, Mode
from ..services.planning import MAX_SECONDS
from .common import local

ModeIn = Literal[tuple(Mode.values)]
MethodIn = Literal[tuple(Method.values)]
ReasonIn = Literal[tuple(FailReason.values)]
# "06:00"; the service reads it and names the field when the hour or minute is wrong.
Clock = Text(5, pattern=r"^[0-9]{1,2}:[0-9]{2}$", description="时:分，如 06:00")


# --- couriers ----------------------------------------------------------------------


class CourierOut(Schema):
    id: int
    market: int = Field(..., alias="market_id")
    name: str
    phone: str = Field(..., description="手机号（打码）")
    is_volunteer: bool
    staff: int | None = Field(None, alias="staff_id")
    user: int | None = Field(None, alias="user_id")
    mode: str
    speed_kmh: Decimal
    capacity: int
    shift_start: str = Field(..., description="时:分")
    shift_end: str = Field(..., description="时:分")
    active: bool

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_shift_start(obj):
        return f"{obj.shift_start:%H:%M}"

    @staticmethod
    def resolve_shift_end(obj):
        return f"{obj.shift_end:%H:%M}"


class CourierFilter(Schema):
    market: Id | None = Field(None, description="菜篮子市场 id")


class CourierIn(InputSchema):
    market: Id
    staff: Id | None = Field(None, description="有配送职责的员工 id（与 volunteer 二选一）")
    volunteer: Id | None = Field(None, description="志愿者的用户 id")
    name: Text(50, description="志愿者的称呼（默认用账号姓名）") = ""
    mode: ModeIn = "tricycle"
    speed_kmh: float | None = Field(None, ge=1, le=40, description="默认按方式")
    capacity: int | None = Field(None, ge=1, le=200, description="每趟袋数，默认按方式")
    shift_start: Clock = "06:00"
    shift_end: Clock = "09:00"
    phone: Text(20) = ""


class CourierPatch(InputSchema):
    mode: ModeIn | None = None
    speed_kmh: float | None = Field(None, ge=1, le=40)
    capacity: int | None = Field(None, ge=1, le=200)
    shift_start: Clock | None = None
    shift_end: Clock | None = None
    phone: Text(20) | None = None
    active: bool | None = None


# --- plans -------------------------------------------------------------------------


class PlanIn(InputSchema):
    couriers: list[Id] = Field(..., max_length=200, description="配送员 id")
    start_at: DateTime | None = Field(None, description="出发时间；默认分拣完成时")
    deadline_at: DateTime | None = Field(None, description="送达截止；默认市场备齐时间")
    seconds: int = Field(10, ge=1, le=MAX_SECONDS, description="计算时长（秒）")


class PlanQueued(Schema):
    id: int
    job: int
    status: str
    status_url: str


class Progress(Schema):
    status: str = Field(..., description="queued / running / done / failed")
    percent: int
    message: str


class Summary(Schema):
    bags: int
    served_bags: int
    unserved_bags: int
    routes: int
    distance_m: float
    finish_at: datetime | None
    solver: str
    runtime_s: float


class Suggestion(Schema):
    mode: str | None = None
    couriers_needed: int | None = Field(None, description="按期送完所需人数（按当日主要方式）")
    couriers_today: int | None = None
    impossible: int | None = Field(None, description="任何人都送不到的站点数")
    earliest_deadline: datetime | None = Field(None, description="当日人手最早能送完的时间")


class BagOut(Schema):
    delivery: int
    order: str = Field(..., description="订单号（袋上标签）")
    household: str = Field(..., description="住户编码")
    room: str
    floor: int
    status: str
    delivered_at: datetime | None
    fail_reason: str


class UnservedOut(Schema):
    stop: int
    compound: str
    building: str
    unit: str
    bags: list[BagOut]
    reason_code: str
    reason: str


class PlanOut(Schema):
    id: int
    window: int
    market: int
    status: str
    current: bool
    start_at: datetime
    deadline_at: datetime
    seconds: int
    created_at: datetime
    finished_at: datetime | None
    error: str
    progress: Progress
    summary: Summary
    suggestion: Suggestion
    unserved: list[UnservedOut]


class StopOut(Schema):
    id: int
    seq: int
    trip: int
    eta: datetime | None
    compound: str
    building: str
    building_id: int
    unit: str
    floors: int = Field(..., description="楼栋层数")
    top_floor: int = Field(..., description="本站最高送到的楼层")
    elevator: bool
    service_s: int
    bags: list[BagOut]


class RouteOut(Schema):
    id: int
    plan: int
    courier: int
    courier_name: str
    mode: str
    seq: int
    start_at: datetime
    end_at: datetime
    distance_m: float
    trips: int
    loads: list[int]
    total: int
    delivered: int
    stops: list[StopOut]


class BoardRow(Schema):
    route: int
    courier: int
    courier_name: str
    total: int
    delivered: int
    failed: int
    percent: int
    predicted: datetime | None
    late: bool
    done: bool


class BoardTotals(Schema):
    total: int
    delivered: int
    failed: int
    unserved: int


class BoardOut(Schema):
    plan: int
    current: bool
    deadline_at: datetime
    rows: list[BoardRow]
    totals: BoardTotals
    finish: datetime | None
    late: bool
    now: datetime


# --- hand-off ----------------------------------------------------------------------


class ConfirmIn(InputSchema):
    method: MethodIn = Field(..., description="qr：扫袋上二维码；code：住户取货码")
    code: Text(300, description="扫到的内容（标签网址或订单号），或 6 位取货码")


class FailIn(InputSchema):
    reason: ReasonIn
    note: Text(200) = ""


class ScanIn(InputSchema):
    code: Text(300, description="扫到的内容：标签网址 …/bag/<订单号>/ 或订单号")


class DeliveryOut(Schema):
    id: int
    plan: int
    order: str
    household: str
    status: str
    delivered_at: datetime | None
    method: str
    photo: bool
    failed_at: datetime | None
    fail_reason: str
    fail_note: str

    @staticmethod
    def of(delivery) -> dict:
        return {
            "id": delivery.pk,
            "plan": delivery.plan_id,
            "order": delivery.order.code,
            "household": delivery.order.household.code,
            "status": delivery.status,
            "delivered_at": local(delivery.delivered_at),
            "method": delivery.method,
            "photo": bool(delivery.photo),
            "failed_at": local(delivery.failed_at),
            "fail_reason": delivery.fail_reason,
            "fail_note": delivery.fail_note,
        }
