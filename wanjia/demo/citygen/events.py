"""A year of events in every module for one compound: the core event table of
each (the one its figures and monthly rollups read), with the few parent rows
it needs. Rates per household a year are in ``plan.RATES``."""

from datetime import timedelta
from decimal import Decimal

from wanjia.care.models import CarePerson, Visit
from wanjia.conveniences.models import Booking, Service, Slot
from wanjia.core.models import AuditLog
from wanjia.delivery.models import Delivery, DeliveryPlan, Stop
from wanjia.disputes.models import Case, CaseEvent, CaseParty
from wanjia.emergency.models import DailyReport, EventCompound
from wanjia.feedback.models import Rating
from wanjia.market.models import Market, Order, OrderWindow
from wanjia.party.models import Activity, Attendance
from wanjia.patrol.models import CheckIn, Checkpoint, Run, RunStop
from wanjia.patrol.models import Route as PatrolRoute
from wanjia.patrol.models import RouteStop as PatrolRouteStop
from wanjia.tickets.models import Ticket
from wanjia.volunteers.models import HoursEntry, Volunteer

from . import plan as P
from .base import CATEGORY_DEFAULTS, CATEGORY_WEIGHTS

URGENT = {d[0] for d in CATEGORY_DEFAULTS if d[2]}


def _choices(model, name):
    return [c[0] for c in model._meta.get_field(name).choices if c[0]]


def _audit(batch, ids, place, at, action, obj_type, obj_id, actor_id=None, actor=""):
    batch.add(AuditLog, id=ids(AuditLog), at=at, actor_id=actor_id,
              actor_name=actor or "system", action=action, compound_id=place.id,
              company_id=place.company_id, object_type=obj_type, object_id=str(obj_id),
              detail={}, ip=None)  # fmt: skip


def generate(city, place, batch, ids):
    plan = city.plan
    rng = plan.rng("events", place.index)
    n = len(place.households)
    _tickets(city, plan, rng, batch, ids, place, n)
    _disputes(plan, rng, batch, ids, place, n)
    _market(plan, rng, batch, ids, place)
    _patrol(plan, rng, batch, ids, place)
    _care(plan, rng, batch, ids, place)
    _bookings(plan, rng, batch, ids, place, n)
    _volunteers(plan, rng, batch, ids, place)
    _party(plan, rng, batch, ids, place)
    _emergency(city, plan, rng, batch, ids, place)
    for _ in range(plan.count(rng, P.RATES["audit"] * n)):
        _audit(batch, ids, place, plan.when(rng), "estates.resident.revealed", "resident",
               rng.randrange(1, 10**6), place.manager_id, "manager")  # fmt: skip


def _tickets(city, plan, rng, batch, ids, place, n):
    """Repair requests, almost all closed, rated by ~60 % of households (the
    rating is in feedback too, as the rateables hook would have put it)."""
    cats = city.categories[place.company_id]
    weights = [CATEGORY_WEIGHTS.get(c[1], 5) for c in cats]
    recent = plan.end - timedelta(days=3)
    for _ in range(plan.count(rng, P.RATES["tickets"] * n)):
        hid, bid, uid, floor = rng.choice(place.households)
        cid, code, name, resp, fin = rng.choices(cats, weights=weights)[0]
        created = plan.when(rng)
        accepted = created + timedelta(minutes=rng.randint(2, int(resp * 1.3)))
        done = accepted + timedelta(minutes=rng.randint(30, int(fin * 60 * 1.2)))
        row = {
            "id": ids(Ticket),
            "compound_id": place.id,
            "building_id": bid,
            "household_id": hid,
            "category_id": cid,
            "place_kind": "unit",
            "place": f"{floor}楼",
            "title": name,
            "description": f"{name}：住户报修，请尽快处理。",
            "source": "staff",
            "urgent": code in URGENT,
            "reported_by_id": place.patrol_id,
            "assignee_id": place.patrol_id,
            "created_at": created,
            "day": created.astimezone(plan.end.tzinfo).date(),
            "respond_by": created + timedelta(minutes=resp),
            "finish_by": created + timedelta(hours=fin),
        }
        if done >= recent:
            row.update(status="assigned", accepted_at=accepted, assigned_at=accepted)
            batch.add(Ticket, **row)
            continue
        closed = done + timedelta(hours=rng.randint(2, 72))
        row.update(status="closed", accepted_at=accepted, assigned_at=accepted,
                   started_at=accepted + timedelta(minutes=10), done_at=done,
                   first_done_at=done, visited_at=closed, closed_at=closed)  # fmt: skip
        if rng.random() < 0.6:
            level = rng.choices((5, 4, 3, 2, 1), weights=(60, 25, 8, 4, 3))[0]
            rated = done + timedelta(hours=rng.randint(1, 48))
            row.update(rating=level, rated_at=rated)
            batch.add(Rating, id=ids(Rating), kind="ticket", subject_id=row["id"], label=name,
                      url="", compound_id=place.id, company_id=place.company_id,
                      household_id=hid, rated_by_id=None, finished_at=done, level=level,
                      comment="", rated_at=rated, first_level=level, excluded=False)  # fmt: skip
        batch.add(Ticket, **row)
        _audit(batch, ids, place, created, "tickets.ticket.opened", "ticket", row["id"])


def _disputes(plan, rng, batch, ids, place, n):
    categories = _choices(Case, "category")
    for _ in range(plan.count(rng, P.RATES["disputes"] * n)):
        opened = plan.when(rng)
        level = "building" if rng.random() < 0.6 else "compound"
        resolved = opened + timedelta(hours=rng.randint(4, 240))
        pk = ids(Case)
        done = resolved < plan.end - timedelta(days=2)
        batch.add(Case, id=pk, compound_id=place.id, building_id=rng.choice(place.buildings),
                  category=rng.choice(categories), summary="邻里纠纷，双方同意调解。",
                  risk="blue", level=level, status="closed" if done else "mediating",
                  source="leader", opened_at=opened, level_since=opened,
                  due_at=opened + timedelta(days=3), timeouts=0,
                  resolved_at=resolved if done else None,
                  resolved_level=level if done else "",
                  resolution="双方达成一致。" if done else "",
                  followup_due=(resolved + timedelta(days=7)).date() if done else None,
                  followed_up_at=resolved + timedelta(days=7) if done else None,
                  reopened=0)  # fmt: skip
        for hid, *_ in rng.sample(place.households, min(2, len(place.households))):
            batch.add(CaseParty, id=ids(CaseParty), case_id=pk, household_id=hid,
                      company_id=None, label="住户")  # fmt: skip
        batch.add(CaseEvent, id=ids(CaseEvent), case_id=pk, at=opened, kind="opened",
                  to_level=level)  # fmt: skip
        if done:
            batch.add(CaseEvent, id=ids(CaseEvent), case_id=pk, at=resolved, kind="resolved",
                      from_level=level)  # fmt: skip
        _audit(batch, ids, place, opened, "disputes.case.opened", "case", pk)


def _market(plan, rng, batch, ids, place):
    """A window a week; a share of households order; door orders are delivered
    by the plan of the window (one stop per unit), pickup orders handed over."""
    market_id = ids(Market)
    batch.add(Market, id=market_id, name=f"{place.name}便民集市", compound_id=place.id,
              created_at=plan.start)  # fmt: skip
    by_unit = {}
    for week in range(52):
        opens = plan.at(plan.clock - timedelta(days=364 - 7 * week), 8)
        closes = opens + timedelta(days=2, hours=12)
        delivery_day = (opens + timedelta(days=3)).date()
        if delivery_day >= plan.clock:
            break
        wid = ids(OrderWindow)
        batch.add(OrderWindow, id=wid, market_id=market_id, title=f"第{week + 1}周团购",
                  opens_at=opens, closes_at=closes, delivery_date=delivery_day,
                  status="packed", created_at=opens, closed_at=closes,
                  received_at=plan.at(delivery_day, 7), packed_at=plan.at(delivery_day, 9))  # fmt: skip
        start, deadline = plan.at(delivery_day, 9, 30), plan.at(delivery_day, 12)
        plan_id = None
        by_unit.clear()
        for hid, bid, uid, _floor in place.households:
            if rng.random() >= P.RATES["market"] * plan.events:
                continue
            oid = ids(Order)
            door = rng.random() < 0.5
            placed = opens + timedelta(minutes=rng.randrange(60 * 60))
            batch.add(Order, id=oid, window_id=wid, household_id=hid, compound_id=place.id,
                      building_id=bid, code=f"M{oid}", status="placed",
                      fulfilment="door" if door else "pickup", placed_by_id=None,
                      total=Decimal(rng.randint(1500, 16000)) / 100, placed_at=placed,
                      packed_at=plan.at(delivery_day, 9),
                      handed_at=None if door else plan.at(delivery_day, rng.randint(10, 19)),
                      handed_by_id=None if door else place.manager_id)  # fmt: skip
            if door:
                by_unit.setdefault((bid, uid), []).append(oid)
        if not by_unit:
            continue
        plan_id = ids(DeliveryPlan)
        batch.add(DeliveryPlan, id=plan_id, window_id=wid, compound_id=place.id, status="done",
                  current=True, start_at=start, deadline_at=deadline, created_by_id=None,
                  created_at=plan.at(delivery_day, 9), finished_at=plan.at(delivery_day, 9, 1),
                  solver="greedy", bags=sum(map(len, by_unit.values())),
                  served_bags=sum(map(len, by_unit.values())))  # fmt: skip
        for seq, ((bid, uid), orders) in enumerate(sorted(by_unit.items())):
            stop_id = ids(Stop)
            eta = start + timedelta(minutes=3 * seq)
            batch.add(Stop, id=stop_id, plan_id=plan_id, route_id=None, seq=seq, building_id=bid,
                      unit_id=uid, bags=len(orders), eta=eta)  # fmt: skip
            for oid in orders:
                ok = rng.random() < 0.96
                late = rng.random() < 0.05
                at = eta + timedelta(minutes=rng.randint(0, 20) + (180 if late else 0))
                batch.add(Delivery, id=ids(Delivery), plan_id=plan_id, stop_id=stop_id,
                          order_id=oid, compound_id=place.id,
                          status="delivered" if ok else "failed",
                          delivered_at=at if ok else None,
                          delivered_by_id=place.manager_id if ok else None,
                          method="code" if ok else "", failed_at=None if ok else at,
                          fail_reason="" if ok else "nobody")  # fmt: skip


def _patrol(plan, rng, batch, ids, place):
    """Four checkpoints on one route, a round every evening, ~95 % of the
    stops checked in on time (the completion figure reads run stops)."""
    route_id = ids(PatrolRoute)
    batch.add(PatrolRoute, id=route_id, compound_id=place.id, name="夜间巡逻路线",
              strict_order=False, active=True)  # fmt: skip
    points = []
    for order, (kind, name) in enumerate((("gate", "东大门"), ("perimeter", "北围墙"),
                                          ("garage", "地下车库"), ("outpost", "南门岗亭"))):  # fmt: skip
        cp = ids(Checkpoint)
        points.append(cp)
        batch.add(Checkpoint, id=cp, compound_id=place.id, name=name, kind=kind,
                  created_at=plan.start)  # fmt: skip
        batch.add(PatrolRouteStop, id=ids(PatrolRouteStop), route_id=route_id, checkpoint_id=cp,
                  order=order + 1, minutes=10)  # fmt: skip
    per_day = max(1, round(P.PATROL_RUNS_PER_DAY * plan.events))
    for day in plan.days():
        for r in range(per_day):
            starts = plan.at(day, 21 - 2 * r)
            run_id = ids(Run)
            hits = [rng.random() < 0.95 for _ in points]
            batch.add(Run, id=run_id, route_id=route_id, compound_id=place.id, starts_at=starts,
                      ends_at=starts + timedelta(minutes=40),
                      status="done" if all(hits) else "partial")  # fmt: skip
            for k, (cp, hit) in enumerate(zip(points, hits, strict=True)):
                due = starts + timedelta(minutes=10 * k)
                rs_id = ids(RunStop)
                ci_id = None
                if hit:
                    ci_id = ids(CheckIn)
                    scanned = due + timedelta(seconds=rng.randint(-120, 240))
                    batch.add(CheckIn, id=ci_id, checkpoint_id=cp, compound_id=place.id,
                              run_id=run_id, run_stop_id=rs_id, user_id=place.patrol_id,
                              scanned_at=scanned, received_at=scanned, key=f"cg-{rs_id}",
                              flags=[])  # fmt: skip
                batch.add(RunStop, id=rs_id, run_id=run_id, checkpoint_id=cp, order=k + 1,
                          due_at=due, checkin_id=ci_id, missed=not hit)  # fmt: skip


def _care(plan, rng, batch, ids, place):
    """Every elder living alone is a care person visited weekly; ~3 % missed."""
    every = max(1, round(7 / (P.CARE_VISITS_PER_WEEK * plan.events)))
    for resident_id, bid, _name in place.alone:
        pid = ids(CarePerson)
        batch.add(CarePerson, id=pid, compound_id=place.id, resident_id=resident_id,
                  reason="alone", level="weekly", started_on=plan.clock - timedelta(days=400),
                  primary_id=place.caretaker_id, active=True, created_at=plan.start)  # fmt: skip
        offset = rng.randrange(every)
        for day in plan.days()[offset::every]:
            done = rng.random() < 0.97
            at = plan.at(day, rng.randint(9, 16), rng.randrange(60))
            batch.add(Visit, id=ids(Visit), person_id=pid, compound_id=place.id,
                      building_id=bid, date=day, due_by=plan.at(day, 18),
                      caretaker_id=place.caretaker_id, mode="in_person",
                      status="done" if done else "missed", outcome="well" if done else "",
                      recorded_at=at if done else None,
                      recorded_by_id=place.caretaker_id if done else None)  # fmt: skip


def _bookings(plan, rng, batch, ids, place, n):
    """A haircut service with a slot every other day; bookings by households."""
    sid = ids(Service)
    batch.add(Service, id=sid, compound_id=place.id, name="便民理发", kind="slot",
              price=Decimal("10.00"), place="党群服务中心", slot_minutes=30,
              created_at=plan.start)  # fmt: skip
    slots = []
    for day in plan.days()[::2]:
        starts = plan.at(day, 9)
        slots.append([ids(Slot), starts, 0])
    wanted = plan.count(rng, P.RATES["bookings"] * n)
    bookings = []
    for _ in range(wanted):
        slot = rng.choice(slots)
        if slot[2] >= 8:
            continue
        hid = rng.choice(place.households)[0]
        status = rng.choices(("attended", "no_show", "cancelled"), weights=(85, 7, 8))[0]
        if status != "cancelled":
            slot[2] += 1
        bookings.append((slot, hid, status))
    for pk, starts, booked in slots:
        batch.add(Slot, id=pk, service_id=sid, compound_id=place.id, starts_at=starts,
                  ends_at=starts + timedelta(hours=3), closes_at=starts - timedelta(hours=2),
                  capacity=8, booked=booked)  # fmt: skip
    live = set()
    for slot, hid, status in bookings:
        if status != "cancelled":
            if (slot[0], hid) in live:
                status = "cancelled"  # one live booking per household and slot
            live.add((slot[0], hid))
        made = slot[1] - timedelta(days=rng.randint(1, 6))
        batch.add(Booking, id=ids(Booking), slot_id=slot[0], service_id=sid,
                  compound_id=place.id, household_id=hid, user_id=None, status=status,
                  created_at=made, cancelled_at=made + timedelta(hours=2) if status == "cancelled" else None,
                  marked_at=slot[1] + timedelta(hours=3) if status in ("attended", "no_show") else None,
                  marked_by_id=place.manager_id if status != "cancelled" else None)  # fmt: skip


def _volunteers(plan, rng, batch, ids, place):
    """~4 % of adults volunteer; each logs hours about monthly."""
    for resident_id, name, phone in place.adults:
        if rng.random() >= 0.04:
            continue
        vid = ids(Volunteer)
        applied = plan.start - timedelta(days=rng.randint(1, 300))
        batch.add(Volunteer, id=vid, compound_id=place.id, user_id=None, resident_id=resident_id,
                  name=name, phone=phone, status="approved", applied_at=applied,
                  decided_at=applied + timedelta(days=1), decided_by_id=place.manager_id)  # fmt: skip
        for _ in range(plan.count(rng, 12 * P.VOLUNTEER_ENTRIES_PER_MONTH)):
            at = plan.when(rng)
            batch.add(HoursEntry, id=ids(HoursEntry), volunteer_id=vid, compound_id=place.id,
                      signup_id=None, minutes=rng.choice((60, 90, 120, 180, 240)),
                      day=at.astimezone(plan.end.tzinfo).date(),
                      what=rng.choice(("分拣配送", "夜间巡逻", "关爱走访", "环境整治")),
                      confirmed_by_id=place.manager_id, created_at=at)  # fmt: skip


def _party(plan, rng, batch, ids, place):
    """A monthly activity of the branch, about half the members attending."""
    kinds = _choices(Activity, "kind")
    for month in range(12):
        for _ in range(plan.count(rng, P.PARTY_ACTIVITIES_PER_MONTH)):
            held = plan.at(plan.clock - timedelta(days=30 * month + rng.randint(1, 29)), 15)
            aid = ids(Activity)
            batch.add(Activity, id=aid, branch_id=place.branch_id, compound_id=place.id,
                      title="主题党日活动", kind=rng.choice(kinds), held_at=held,
                      place="党群服务中心", created_at=held)  # fmt: skip
            for member_id in place.members:
                if rng.random() < 0.5:
                    batch.add(Attendance, id=ids(Attendance), activity_id=aid,
                              member_id=member_id, hours=Decimal("2.0"))  # fmt: skip


def _emergency(city, plan, rng, batch, ids, place):
    """Every compound takes part in the city-wide emergencies and reports daily."""
    for event_id, first, length in city.emergencies:
        batch.add(EventCompound, id=ids(EventCompound), event_id=event_id, compound_id=place.id,
                  ready_at=plan.at(first, 10), chased_on=None)  # fmt: skip
        for d in range(length):
            day = first + timedelta(days=d)
            late = rng.random() < 0.08
            batch.add(DailyReport, id=ids(DailyReport), event_id=event_id, compound_id=place.id,
                      day=day, on_duty=rng.randint(4, 20), checklist_done=rng.randint(3, 8),
                      incidents=rng.choice((0, 0, 0, 1, 2)), people_moved=0,
                      note="值守正常，无重大险情。", submitted_by_id=place.manager_id,
                      submitted_at=plan.at(day, 19 if late else 17, rng.randrange(60)),
                      late=late)  # fmt: skip
