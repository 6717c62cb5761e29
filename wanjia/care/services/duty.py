"""24-hour duty (值班): the compound's duty roster built by the shared pure
engine (``wanjia.rostering``, the one patrol's rosters use) as a kernel job,
hand edits re-checked, leave, the handover notes between shifts and the
audited reveal of an on-duty phone.

Two 12-hour shifts: 白班 08:00–20:00, 夜班 20:00–08:00. Why two and not
three: the day shift takes over at 08:00 the visits made at 06:00 and holds
them to the default cut-off (20:00), which is exactly the handover — so the
day's visits have one owner on duty, and the chains a missed cut-off opens at
20:00 land with the night person from their first minute. One person per shift
(a public-rental compound's duty desk); 48 h in any 7 days (four 12-hour
shifts), at most 3 nights in a row, never a day shift after a night (8 h rest).
So a duty team needs four people at least.

Who is on the team: the compound's duty team (``CareSettings.duty_team``)
when the manager has chosen one, else every staff member of the compound."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia import rostering as engine
from wanjia.core import pii
from wanjia.core.audit import audit
from wanjia.core.errors import Conflict, Forbidden, Invalid
from wanjia.core.models import Membership, ScopeType, User
from wanjia.core.roles import Role
from wanjia.core.roster_jobs import check_horizon, roster_job_request, roster_job_run

from ..access import can_manage, can_view, can_visit
from ..models import CareSettings, DutyLeave, DutyShift, Handover

JOB_KIND = "care.duty"
TASK = "wanjia.care.tasks.build_duty"
SOLVE_SECONDS = 10.0
WEEKLY_HOURS = 48
MAX_NIGHTS = 3


@dataclass(frozen=True)
class ShiftDef:
    key: str
    label: object
    short: object
    start: time
    hours: int
    is_night: bool = False

    @property
    def engine(self) -> engine.Shift:
        return engine.Shift(
            self.key, self.start.hour * 60 + self.start.minute, self.hours * 60, self.is_night
        )

    def times(self, day: date) -> tuple[datetime, datetime]:
        start = timezone.make_aware(datetime.combine(day, self.start))
        return start, start + timedelta(hours=self.hours)

    @property
    def span(self) -> str:
        end = (self.start.hour + self.hours) % 24
        return f"{self.start:%H:%M}–{end:02d}:00"


SHIFTS = (
    ShiftDef("day", gettext_lazy("白班"), gettext_lazy("白"), time(8), 12),
    ShiftDef("night", gettext_lazy("夜班"), gettext_lazy("夜"), time(20), 12, is_night=True),
)
SHIFT_BY_KEY = {s.key: s for s in SHIFTS}
COVER = {"day": 1, "night": 1}


def shift_label(key) -> str:
    s = SHIFT_BY_KEY.get(key)
    return str(s.label) if s else str(key or "")


# ---- the team and the problem ----------------------------------------------------------


def team_of(compound) -> list[User]:
    """The compound's duty team: the chosen members, else its staff."""
    conf = CareSettings.objects.filter(compound=compound).first()
    chosen = list(conf.duty_team.filter(is_active=True)) if conf and conf.pk else []
    if chosen:
        return sorted(chosen, key=lambda u: (u.name, u.pk))
    return staff_of(compound)


def staff_of(compound) -> list[User]:
    ids = Membership.objects.filter(
        role=Role.STAFF, scope_type=ScopeType.COMPOUND, compound=compound
    ).values("user_id")
    return sorted(User.objects.filter(pk__in=ids, is_active=True), key=lambda u: (u.name, u.pk))


def team_set(*, actor, compound, user_ids) -> list[User]:
    """Choose the duty team among the compound's staff (none, or all of them:
    every staff member, newcomers included)."""
    if not can_manage(actor, compound):
        raise Forbidden
    staff = {u.pk: u for u in staff_of(compound)}
    try:
        ids = {int(x) for x in user_ids}
    except (TypeError, ValueError):
        ids = {-1}
    if not ids <= set(staff):
        raise Invalid({"team": [_("值班人员须是本小区的工作人员。")]})
    if ids == set(staff):
        ids = set()  # every staff member ticked: "all staff", as when none is chosen
    with transaction.atomic():
        conf = CareSettings.objects.filter(compound=compound).first()
        if conf is None and not ids:
            return team_of(compound)  # nothing chosen and nothing stored: nothing to change
        if conf is None:
            conf = CareSettings.objects.create(compound=compound)
        conf.duty_team.set([staff[i] for i in ids])
        audit(
            actor=actor,
            action="care.duty.team_set",
            obj=compound,
            compound=compound,
            detail={"users": sorted(ids)},
        )
    return team_of(compound)


def leave_days(compound, start: date, days: int) -> dict[int, set[date]]:
    end = start + timedelta(days=days - 1)
    out: dict[int, set[date]] = {}
    for row in DutyLeave.objects.filter(compound=compound, start__lte=end, end__gte=start):
        d = max(row.start, start)
        while d <= min(row.end, end):
            out.setdefault(row.user_id, set()).add(d)
            d += timedelta(days=1)
    return out


def build_problem(compound, start: date, days: int, *, team=None) -> engine.RosterProblem:
    team = team_of(compound) if team is None else team
    leave = leave_days(compound, start, days)
    return engine.RosterProblem(
        start=start,
        days=days,
        shifts=tuple(s.engine for s in SHIFTS),
        guards=tuple(
            engine.Guard(
                key=str(u.pk),
                name=u.name,
                weekly_hours_cap=WEEKLY_HOURS,
                max_consecutive_nights=MAX_NIGHTS,
                leave=frozenset(leave.get(u.pk, ())),
            )
            for u in team
        ),
        cover=dict(COVER),
    )


# ---- the build job ------------------------------------------------------------------------


def duty_request(*, actor, compound, start: date, days: int):
    """Queue the job that builds ``days`` days of duty roster from ``start``."""
    if not can_manage(actor, compound):
        raise Forbidden
    check_horizon(start, days)
    if not team_of(compound):
        raise Invalid({"compound": [_("本小区还没有可以值班的工作人员。")]})
    return roster_job_request(
        actor=actor,
        compound=compound,
        start=start,
        days=days,
        kind=JOB_KIND,
        task=TASK,
        action="care.duty.requested",
    )


def duty_run(job_id: int, compound_id: int, start: str, days: int) -> dict | None:
    """The background job (see ``core.roster_jobs``): builds, ends the job
    with the result."""
    return roster_job_run(job_id, compound_id, start, days, duty_build)


def duty_build(*, compound, start: date, days: int, seconds: float = SOLVE_SECONDS) -> dict:
    """Solve; when a roster keeping every rule exists, replace the horizon's
    shifts with it in one transaction. JSON result (reasons as codes)."""
    team = team_of(compound)
    problem = build_problem(compound, start, days, team=team)
    result = engine.solve(problem, time_limit_s=seconds)
    ok = result.status in ("optimal", "feasible")
    saved = _store(compound, problem, result.assignments) if ok else 0
    if ok:
        audit(
            actor=None,
            action="care.duty.built",
            compound=compound,
            detail={"start": start.isoformat(), "days": days, "shifts": saved},
        )
    return {
        "status": result.status,
        "compound": compound.pk,
        "start": start.isoformat(),
        "days": days,
        "saved": saved,
        "reasons": [reason_json(r) for r in result.reasons],
        "people": {str(u.pk): u.name for u in team},
        "stats": {"nights_min": result.stats.nights_min, "nights_max": result.stats.nights_max},
    }


def _lock(compound) -> None:
    """One duty-roster write at a time per compound."""
    from wanjia.core.models import Compound

    list(Compound.objects.select_for_update().filter(pk=compound.pk).values_list("pk", flat=True))


def _store(compound, problem, assignments) -> int:
    end = problem.start + timedelta(days=problem.days)
    rows = []
    for a in assignments:
        starts, ends = SHIFT_BY_KEY[a.shift].times(a.day)
        rows.append(
            DutyShift(
                compound=compound,
                date=a.day,
                shift=a.shift,
                starts_at=starts,
                ends_at=ends,
                user_id=int(a.guard),
            )
        )
    with transaction.atomic():
        _lock(compound)
        DutyShift.objects.filter(compound=compound, date__gte=problem.start, date__lt=end).delete()
        DutyShift.objects.bulk_create(rows, batch_size=500)
    return len(rows)


# ---- hand edit ------------------------------------------------------------------------------


def assignments_in(compound, start: date, days: int) -> list[engine.Assignment]:
    end = start + timedelta(days=days)
    rows = DutyShift.objects.filter(compound=compound, date__gte=start, date__lt=end)
    return [
        engine.Assignment(d, s, str(u)) for d, s, u in rows.values_list("date", "shift", "user_id")
    ]


def _reasons_in(compound, start: date, days: int) -> list[engine.Reason]:
    return engine.check(build_problem(compound, start, days), assignments_in(compound, start, days))


def _key(r) -> tuple:
    return (r.code, r.day, r.shift, r.guard, r.facts.get("after"))


def duty_edit(*, actor, compound, day, shift: str, user_id, assign: bool) -> list[dict]:
    """Put a team member on (or off) one shift of one day. Saved even when it
    breaks a rule (someone called in sick: the board must say who is really on
    duty); the rules it newly breaks come back as reasons."""
    if not can_manage(actor, compound):
        raise Forbidden
    errors = {}
    if not isinstance(day, date):
        errors["date"] = [_("请填写日期。")]
    if shift not in SHIFT_BY_KEY:
        errors["shift"] = [_("请选择班次。")]
    team = {u.pk: u for u in team_of(compound)}
    try:
        member = team.get(int(user_id))
    except (TypeError, ValueError):
        member = None
    if member is None:
        errors["user"] = [_("请选择本小区的值班人员。")]
    if errors:
        raise Invalid(errors)
    first, days = day - timedelta(days=6), 13
    before = {_key(r) for r in _reasons_in(compound, first, days)}
    with transaction.atomic():
        _lock(compound)
        rows = DutyShift.objects.filter(compound=compound, date=day, shift=shift, user=member)
        if assign and not rows.exists():
            starts, ends = SHIFT_BY_KEY[shift].times(day)
            DutyShift.objects.create(
                compound=compound,
                date=day,
                shift=shift,
                starts_at=starts,
                ends_at=ends,
                user=member,
            )
        elif not assign:
            rows.delete()
        new = [
            reason_json(r)
            for r in _reasons_in(compound, first, days)
            if _key(r) not in before and r.code != "fairness"
        ]
        audit(
            actor=actor,
            action="care.duty.edited",
            compound=compound,
            detail={
                "date": day.isoformat(),
                "shift": shift,
                "user": member.pk,
                "assign": bool(assign),
                "broken": [r["code"] for r in new],
            },
        )
    return new


def problems_in(compound, start: date, days: int) -> list[dict]:
    """Broken rules of the stored roster in the range (days without shifts
    left out; fairness is the build's business)."""
    dates = set(
        DutyShift.objects.filter(
            compound=compound, date__gte=start, date__lt=start + timedelta(days=days)
        ).values_list("date", flat=True)
    )
    if not dates:
        return []
    first, last = min(dates), max(dates)
    return [
        reason_json(r)
        for r in _reasons_in(compound, first, (last - first).days + 1)
        if r.code != "fairness" and (r.day is None or r.day in dates)
    ]


# ---- leave --------------------------------------------------------------------------------


def leave_add(*, actor, compound, user_id, start, end, note: str = "") -> DutyLeave:
    if not can_manage(actor, compound):
        raise Forbidden
    team = {u.pk: u for u in team_of(compound)}
    errors = {}
    try:
        member = team.get(int(user_id))
    except (TypeError, ValueError):
        member = None
    if member is None:
        errors["user"] = [_("请选择本小区的值班人员。")]
    if not isinstance(start, date):
        errors["start"] = [_("请填写日期。")]
    if not isinstance(end, date):
        errors["end"] = [_("请填写日期。")]
    elif isinstance(start, date) and end < start:
        errors["end"] = [_("结束日期不能早于开始日期。")]
    elif isinstance(start, date) and (end - start).days >= 92:
        errors["end"] = [_("一次请假最多 %(n)s 天。") % {"n": 92}]
    note = (note or "").strip()
    if len(note) > 100:
        errors["note"] = [_("备注最多 100 字。")]
    if errors:
        raise Invalid(errors)
    leave = DutyLeave.objects.create(
        compound=compound, user=member, start=start, end=end, note=note
    )
    audit(
        actor=actor,
        action="care.duty.leave_added",
        obj=leave,
        compound=compound,
        detail={"user": member.pk, "start": start.isoformat(), "end": end.isoformat()},
    )
    return leave


def leave_remove(*, actor, leave: DutyLeave) -> None:
    if not can_manage(actor, leave.compound):
        raise Forbidden
    audit(
        actor=actor,
        action="care.duty.leave_removed",
        obj=leave,
        compound=leave.compound,
        detail={"user": leave.user_id, "start": leave.start.isoformat()},
    )
    leave.delete()


# ---- who is on duty, handovers, the phone reveal -----------------------------------------------


def may_see_duty(user, compound) -> bool:
    """The duty board: the compound's managers and viewers, and its caretakers."""
    return can_view(user, compound) or can_visit(user, compound)


def _on_shift(compound, user, now: datetime, grace: timedelta) -> DutyShift | None:
    """The user's shift running at ``now`` (or ended less than ``grace`` ago)."""
    return (
        DutyShift.objects.filter(
            compound=compound, user=user, starts_at__lte=now, ends_at__gt=now - grace
        )
        .order_by("-starts_at")
        .first()
    )


HANDOVER_GRACE = timedelta(hours=2)


def handover_write(*, actor, compound, text: str, now: datetime | None = None) -> Handover:
    """The outgoing person's note for the next shift: written by whoever is on
    duty (or came off duty within two hours), or a manager."""
    now = now or timezone.now()
    shift = _on_shift(compound, actor, now, HANDOVER_GRACE)
    if shift is None and not can_manage(actor, compound):
        raise Forbidden(_("只有当班人员或项目经理可以写交班记录。"))
    text = (text or "").strip()
    if not text:
        raise Invalid({"text": [_("请写交班内容。")]})
    if len(text) > 1000:
        raise Invalid({"text": [_("交班内容最多 1000 字。")]})
    if shift is None:
        local = timezone.localtime(now)
        key = "day" if time(8) <= local.time() < time(20) else "night"
        day = local.date() - timedelta(days=1) if local.time() < time(8) else local.date()
    else:
        key, day = shift.shift, shift.date
    with transaction.atomic():
        note = Handover.objects.create(
            compound=compound, date=day, shift=key, author=actor, text=text, created_at=now
        )
        audit(
            actor=actor,
            action="care.handover.written",
            obj=note,
            compound=compound,
            detail={"date": day.isoformat(), "shift": key},
        )
    return note


def handover_acknowledge(*, actor, handover: Handover, now: datetime | None = None) -> Handover:
    """The incoming person (on duty now, or starting within two hours) or a
    manager takes the note over; once (409 the second time)."""
    now = now or timezone.now()
    compound = handover.compound
    incoming = DutyShift.objects.filter(
        compound=compound,
        user=actor,
        starts_at__lte=now + HANDOVER_GRACE,
        ends_at__gt=now,
    ).exists()
    if not (incoming or can_manage(actor, compound)):
        raise Forbidden(_("只有接班人员或项目经理可以确认接班。"))
    if handover.author_id == actor.pk and not can_manage(actor, compound):
        raise Conflict(_("不能确认自己写的交班记录。"))
    with transaction.atomic():
        done = Handover.objects.filter(pk=handover.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=actor
        )
        if not done:
            raise Conflict(_("这条交班记录已经有人确认接班了。"))
        audit(
            actor=actor,
            action="care.handover.acknowledged",
            obj=handover,
            compound=compound,
        )
    handover.refresh_from_db()
    return handover


def phone_reveal(*, actor, shift: DutyShift) -> str:
    """The full phone of someone on the duty board, for who may see the board;
    every reveal audited."""
    if not may_see_duty(actor, shift.compound):
        raise Forbidden
    phone = shift.user.phone or ""
    if not phone:
        raise Invalid({"phone": [_("此人没有登记手机号。")]})
    audit(
        actor=actor,
        action="care.duty.phone_revealed",
        obj=shift,
        compound=shift.compound,
        detail={"user": shift.user_id},
    )
    return phone


def masked(user) -> str:
    return pii.mask_phone(user.phone or "") if user and user.phone else ""


# ---- reasons as sentences ---------------------------------------------------------------------


def reason_json(r: engine.Reason) -> dict:
    def plain(v):
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, list | tuple | set | frozenset):
            return [plain(x) for x in v]
        return v

    return {
        "code": r.code,
        "day": r.day.isoformat() if r.day else None,
        "shift": r.shift,
        "guard": r.guard,
        "facts": {k: plain(v) for k, v in r.facts.items()},
    }


def _day(value) -> str:
    if not value:
        return ""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    weekday = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]
    return f"{d.month}/{d.day} {weekday[d.weekday()]}"


def describe(reason: dict, names: dict | None = None) -> str:
    """One reason as a sentence in the active language."""
    names = names or {}
    f = reason.get("facts") or {}
    code = reason["code"]
    ctx = {
        "day": _day(reason.get("day")),
        "shift": shift_label(reason.get("shift")),
        "who": names.get(str(reason.get("guard")), str(reason.get("guard") or "")),
        "needed": f.get("needed", ""),
        "have": f.get("available", f.get("assigned", "")),
    }
    if code == "understaffed" and reason.get("shift") is None:
        return _("%(day)s：全天各班共需 %(needed)s 人次，可值班的人不够。") % ctx
    if code == "understaffed":
        return _("%(day)s %(shift)s缺人：需要 %(needed)s 人，只能排出 %(have)s 人。") % ctx
    if code == "overstaffed":
        return _("%(day)s %(shift)s多排了人：需要 %(needed)s 人，现排 %(have)s 人。") % ctx
    if code == "double_shift":
        return _("%(who)s %(day)s 排了不止一个班。") % ctx
    if code == "on_leave":
        return _("%(who)s %(day)s 请假，却排了%(shift)s。") % ctx
    if code == "rest":
        return _("%(who)s 夜班后休息不足 8 小时，%(day)s 又排了%(shift)s。") % ctx
    if code == "consecutive_nights":
        return _("%(who)s 到 %(day)s 连续夜班超过 %(n)s 个。") % {**ctx, "n": MAX_NIGHTS}
    if code == "weekly_hours":
        return _("%(who)s %(day)s 起七天内工作超过 %(cap)s 小时。") % {**ctx, "cap": WEEKLY_HOURS}
    if code in ("fairness", "fairness_relaxed"):
        return _("夜班分配不均：最少的 %(min)s 个，最多的 %(max)s 个。") % {
            "min": f.get("min", ""),
            "max": f.get("max", ""),
        }
    if code == "blocked_by":
        return _("受排班规则限制，部分班次排不满。")
    if code == "no_solution":
        return _("在限定时间内没有算出排班，请减少天数或增加值班人员后重试。")
    return _("%(who)s %(day)s %(shift)s：不在本期排班范围内。") % ctx


def describe_all(reasons: list[dict], names: dict | None = None) -> list[str]:
    return [describe(r, names) for r in reasons]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def ready() -> None:
    """From the app's ``ready``: the job kind."""
    from django.urls import reverse

    from wanjia.core.jobs import register_kind

    def back(job) -> str:
        if job.compound_id:
            return reverse("care_duty", args=[job.compound_id])
        return reverse("care_home")

    register_kind(
        JOB_KIND,
        title=gettext_lazy("关爱值班排班"),
        capability="care.manage",
        result_template="care/duty_job_result.html",
        back=back,
        rerun=True,
    )
