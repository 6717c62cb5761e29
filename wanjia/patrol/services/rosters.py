"""Rosters: from a compound's team (guards and volunteers), their leave and the
rules to an engine problem; the background job that solves it and stores the
roster (the horizon replaced in one transaction); the reasons a roster cannot
exist, as sentences in the reader's language; and the supervisor's hand edit of
one cell, saved and re-checked.

Wanjia's shifts: 早班 06:00–14:00, 中班 14:00–22:00, 夜班 22:00–06:00 (the
night matches the rounds of the schedules, 22:00–06:00). Default cover: one on
the early and the late shift, two at night, and every shift has at least one
guard (a volunteer is never the only one on duty). Guards: 48 h in any 7 days,
at most 3 nights in a row; volunteers: 16 h in any 7 days, 2 nights in a row.

The engine is pure (``wanjia.rostering``); nothing here solves anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia import rostering as engine
from wanjia.core.audit import audit
from wanjia.core.errors import Forbidden, Invalid
from wanjia.core.roster_jobs import MAX_DAYS, check_horizon, roster_job_request, roster_job_run

from .. import access
from ..models import Leave, RosterShift, ShiftWish, TeamMember, TeamRole

JOB_KIND = "patrol.roster"
TASK = "wanjia.patrol.tasks.build_roster"
SOLVE_SECONDS = 10.0


@dataclass(frozen=True)
class ShiftDef:
    key: str
    label: object  # a lazy translation
    short: object
    start: time
    hours: int
    is_night: bool = False

    @property
    def engine(self) -> engine.Shift:
        minute = self.start.hour * 60 + self.start.minute
        return engine.Shift(self.key, minute, self.hours * 60, self.is_night)

    def times(self, day: date) -> tuple[datetime, datetime]:
        start = timezone.make_aware(datetime.combine(day, self.start))
        return start, start + timedelta(hours=self.hours)


SHIFTS = (
    ShiftDef("day", gettext_lazy("早班"), gettext_lazy("早"), time(6), 8),
    ShiftDef("evening", gettext_lazy("中班"), gettext_lazy("中"), time(14), 8),
    ShiftDef("night", gettext_lazy("夜班"), gettext_lazy("夜"), time(22), 8, is_night=True),
)
SHIFT_BY_KEY = {s.key: s for s in SHIFTS}
COVER = {"day": 1, "evening": 1, "night": 2}
ROLE_COVER = {("day", "guard"): 1, ("evening", "guard"): 1, ("night", "guard"): 1}
LIMITS = {  # role -> (weekly hours cap, max consecutive nights)
    TeamRole.GUARD: (48, 3),
    TeamRole.VOLUNTEER: (16, 2),
}


def ready() -> None:
    """Called once from the app's ``ready``: the job kind and the audit words."""
    from django.urls import reverse

    from wanjia.core.audit import describe_actions
    from wanjia.core.jobs import register_kind

    def back(job) -> str:
        if job.compound_id:
            return reverse("patrol_roster", args=[job.compound_id])
        return reverse("patrol_home")

    register_kind(
        JOB_KIND,
        title=gettext_lazy("巡逻排班"),
        capability="patrol.manage",
        result_template="patrol/roster_job_result.html",
        back=back,
        rerun=True,  # the roster is stored in one transaction: a killed run left nothing
    )
    describe_actions(
        {
            "patrol.roster.requested": gettext_lazy("请求生成巡逻排班"),
            "patrol.roster.built": gettext_lazy("生成巡逻排班"),
            "patrol.roster.edited": gettext_lazy("手工调整排班"),
            "patrol.leave.added": gettext_lazy("登记巡逻队员请假"),
            "patrol.leave.removed": gettext_lazy("撤销巡逻队员请假"),
            "patrol.wish.added": gettext_lazy("登记排班意愿"),
            "patrol.wish.removed": gettext_lazy("撤销排班意愿"),
        }
    )


# ---- the problem ----------------------------------------------------------------------


def members_of(compound) -> list[TeamMember]:
    """The compound's team members, one row per person (a guard before a
    volunteer when someone is both), ordered guards first, then by name."""
    rows = (
        TeamMember.objects.filter(team__compound=compound, user__is_active=True)
        .select_related("user", "team")
        .order_by("user_id", "role", "id")  # "guard" < "volunteer"
    )
    seen: dict[int, TeamMember] = {}
    for m in rows:
        seen.setdefault(m.user_id, m)
    return sorted(seen.values(), key=lambda m: (m.role != TeamRole.GUARD, m.user.name, m.user_id))


def leave_days(compound, start: date, days: int) -> dict[int, set[date]]:
    end = start + timedelta(days=days - 1)
    out: dict[int, set[date]] = {}
    for row in Leave.objects.filter(compound=compound, start__lte=end, end__gte=start):
        d = max(row.start, start)
        while d <= min(row.end, end):
            out.setdefault(row.user_id, set()).add(d)
            d += timedelta(days=1)
    return out


def wish_days(compound, start: date, days: int) -> dict[int, tuple[set, set]]:
    """Each member's weekly wishes over the horizon: ``user_id -> (prefers_on,
    prefers_off)``, sets of ``(date, shift key or "*")``."""
    out: dict[int, tuple[set, set]] = {}
    wishes = list(ShiftWish.objects.filter(compound=compound))
    for n in range(days):
        day = start + timedelta(days=n)
        for w in wishes:
            if w.weekday == day.isoweekday():
                on, off = out.setdefault(w.user_id, (set(), set()))
                (on if w.wants else off).add((day, w.shift))
    return out


def build_problem(
    compound, start: date, days: int, *, members: list[TeamMember] | None = None, cover=None
) -> engine.RosterProblem:
    members = members_of(compound) if members is None else members
    leave = leave_days(compound, start, days)
    wishes = wish_days(compound, start, days)
    guards = []
    for m in members:
        cap, nights = LIMITS.get(m.role, LIMITS[TeamRole.GUARD])
        guards.append(
            engine.Guard(
                key=str(m.user_id),
                name=m.user.name,
                weekly_hours_cap=cap,
                max_consecutive_nights=nights,
                leave=frozenset(leave.get(m.user_id, ())),
                prefers_on=frozenset(wishes.get(m.user_id, ((), ()))[0]),
                prefers_off=frozenset(wishes.get(m.user_id, ((), ()))[1]),
                roles=frozenset({m.role}),
            )
        )
    return engine.RosterProblem(
        start=start,
        days=days,
        shifts=tuple(s.engine for s in SHIFTS),
        guards=tuple(guards),
        cover=dict(cover or COVER),
        role_cover=dict(ROLE_COVER),
    )


# ---- asking for a roster (the request) and building it (the job) ---------------------


def roster_request(*, actor, compound, start: date, days: int):
    """Queue the job that builds ``days`` days of roster from ``start``."""
    if not access.can_manage(actor, compound):
        raise Forbidden
    check_horizon(start, days)
    if not members_of(compound):
        raise Invalid({"compound": [_("本小区还没有巡逻队员，请先组建巡逻队。")]})
    return roster_job_request(
        actor=actor,
        compound=compound,
        start=start,
        days=days,
        kind=JOB_KIND,
        task=TASK,
        action="patrol.roster.requested",
    )


def roster_run(job_id: int, compound_id: int, start: str, days: int) -> dict | None:
    """The background job (see ``core.roster_jobs``): solve, store when a
    roster exists, end the job with the result."""
    return roster_job_run(job_id, compound_id, start, days, roster_build)


def roster_build(*, compound, start: date, days: int, seconds: float = SOLVE_SECONDS) -> dict:
    """Solve and, when a roster keeping every rule exists, replace the horizon's
    shifts with it in one transaction. The result is JSON: status, the
    assignments, the reasons (codes and facts, rendered by ``describe``), the
    people's names and the fairness figures."""
    members = members_of(compound)
    problem = build_problem(compound, start, days, members=members)
    result = engine.solve(problem, time_limit_s=seconds)
    ok = result.status in ("optimal", "feasible")
    saved = 0
    if ok:
        saved = _store(compound, problem, members, result.assignments)
        audit(
            actor=None,
            action="patrol.roster.built",
            compound=compound,
            detail={"start": start.isoformat(), "days": days, "shifts": saved},
        )
    return {
        "status": result.status,
        "compound": compound.pk,
        "start": start.isoformat(),
        "days": days,
        "saved": saved,
        "assignments": [
            {"date": a.day.isoformat(), "shift": a.shift, "user": int(a.guard)}
            for a in engine.model.sort_assignments(result.assignments)
        ]
        if ok
        else [],
        "reasons": [reason_json(r) for r in result.reasons],
        "people": {str(m.user_id): m.user.name for m in members},
        "stats": {
            "nights_min": result.stats.nights_min,
            "nights_max": result.stats.nights_max,
            "shifts_min": result.stats.shifts_min,
            "shifts_max": result.stats.shifts_max,
            "seconds": result.stats.solve_seconds,
        },
    }


def _store(compound, problem, members, assignments) -> int:
    teams = {m.user_id: m.team_id for m in members}
    end = problem.start + timedelta(days=problem.days)
    rows = []
    for a in assignments:
        starts, ends = SHIFT_BY_KEY[a.shift].times(a.day)
        user_id = int(a.guard)
        rows.append(
            RosterShift(
                compound=compound,
                date=a.day,
                shift=a.shift,
                starts_at=starts,
                ends_at=ends,
                user_id=user_id,
                team_id=teams.get(user_id),
            )
        )
    with transaction.atomic():
        _lock(compound)
        RosterShift.objects.filter(
            compound=compound, date__gte=problem.start, date__lt=end
        ).delete()
        RosterShift.objects.bulk_create(rows, batch_size=500)
    return len(rows)


# ---- hand edit --------------------------------------------------------------------------


def roster_edit(*, actor, compound, day, shift: str, user_id, assign: bool) -> list[dict]:
    """Put a team member on (or take them off) one shift of one day.

    The edit is saved even when it breaks a rule, and the rules it newly breaks
    are returned (as reasons) for the page to show. A supervisor edits a roster
    because reality changed — a guard called in sick at 19:00, a swap agreed at
    the gate — and the roster must say who is actually on duty tonight; refusing
    would leave it wrong. The flags tell them what to put right later (extra
    rest, hours next week). Refused (field errors, nothing changed): a person
    not in the compound's team, an unknown shift or a bad date."""
    if not access.can_manage(actor, compound):
        raise Forbidden
    errors = {}
    if not isinstance(day, date):
        errors["date"] = [_("请填写日期。")]
    if shift not in SHIFT_BY_KEY:
        errors["shift"] = [_("请选择班次。")]
    members = {m.user_id: m for m in members_of(compound)}
    try:
        member = members.get(int(user_id))
    except (TypeError, ValueError):
        member = None
    if member is None:
        errors["user"] = [_("请选择本小区巡逻队的队员。")]
    if errors:
        raise Invalid(errors)
    first, last = block_around(compound, day)
    first, last = min(first, day), max(last, day)
    days = (last - first).days + 1
    before = _reasons_in(compound, first, days)
    with transaction.atomic():
        _lock(compound)
        rows = RosterShift.objects.filter(
            compound=compound, date=day, shift=shift, user_id=member.user_id
        )
        if assign and not rows.exists():
            starts, ends = SHIFT_BY_KEY[shift].times(day)
            RosterShift.objects.create(
                compound=compound,
                date=day,
                shift=shift,
                starts_at=starts,
                ends_at=ends,
                user_id=member.user_id,
                team_id=member.team_id,
            )
        elif not assign:
            rows.delete()
        after = _reasons_in(compound, first, days)
        seen = {_key(r) for r in before}
        new = [reason_json(r) for r in after if _key(r) not in seen]
        audit(
            actor=actor,
            action="patrol.roster.edited",
            compound=compound,
            detail={
                "date": day.isoformat(),
                "shift": shift,
                "user": member.user_id,
                "assign": bool(assign),
                "broken": [r["code"] for r in new],
            },
        )
    return new


def _lock(compound) -> None:
    """One roster write at a time per compound (a build replacing a horizon, a
    hand edit): two builds at once would both delete, then collide inserting."""
    from wanjia.core.models import Compound

    list(Compound.objects.select_for_update().filter(pk=compound.pk).values_list("pk", flat=True))


def _key(r: engine.Reason) -> tuple:
    return (r.code, r.day, r.shift, r.guard, r.facts.get("after"), r.facts.get("rule"))


def block_around(compound, day: date, reach: int = MAX_DAYS) -> tuple[date, date]:
    """The run of consecutive dates with shifts around ``day`` (a built
    roster's horizon), at most ``reach`` days either side."""
    dates = set(
        RosterShift.objects.filter(
            compound=compound,
            date__gte=day - timedelta(days=reach),
            date__lte=day + timedelta(days=reach),
        )
        .values_list("date", flat=True)
        .distinct()
    )
    first = last = day
    while first - timedelta(days=1) in dates:
        first -= timedelta(days=1)
    while last + timedelta(days=1) in dates:
        last += timedelta(days=1)
    return first, last


def _reasons_in(compound, start: date, days: int) -> list[engine.Reason]:
    problem = build_problem(compound, start, days)
    return engine.check(problem, assignments_in(compound, start, days))


def assignments_in(compound, start: date, days: int) -> list[engine.Assignment]:
    end = start + timedelta(days=days)
    rows = RosterShift.objects.filter(compound=compound, date__gte=start, date__lt=end)
    return [
        engine.Assignment(d, s, str(u)) for d, s, u in rows.values_list("date", "shift", "user_id")
    ]


def problems_in(compound, start: date, days: int) -> list[dict]:
    """The broken rules of the stored roster over ``start`` + ``days`` (days
    without any shift left out: nobody asked for them), for the grid. The night
    fairness is left to the build and the edits: over a window other than the
    built horizon it says nothing useful."""
    dates = set(
        RosterShift.objects.filter(
            compound=compound, date__gte=start, date__lt=start + timedelta(days=days)
        ).values_list("date", flat=True)
    )
    if not dates:
        return []
    first, last = min(dates), max(dates)
    reasons = _reasons_in(compound, first, (last - first).days + 1)
    return [
        reason_json(r)
        for r in reasons
        if r.code != "fairness" and (r.day is None or r.day in dates)
    ]


# ---- leave ------------------------------------------------------------------------------

MAX_LEAVE_DAYS = 92


def _team_member(actor, compound, user_id) -> tuple[TeamMember | None, dict]:
    """The compound's team member ``user_id`` for a manager's form, and the
    form's errors so far (a field error when there is no such member)."""
    if not access.can_manage(actor, compound):
        raise Forbidden
    try:
        member = {m.user_id: m for m in members_of(compound)}.get(int(user_id))
    except (TypeError, ValueError):
        member = None
    return member, {} if member is not None else {"user": [_("请选择本小区巡逻队的队员。")]}


def leave_add(*, actor, compound, user_id, start, end, note: str = "") -> Leave:
    """A team member's leave (dates included); the next roster built keeps them
    off those days, and a shift already on them is flagged on the grid."""
    member, errors = _team_member(actor, compound, user_id)
    if not isinstance(start, date):
        errors["start"] = [_("请填写日期。")]
    if not isinstance(end, date):
        errors["end"] = [_("请填写日期。")]
    elif isinstance(start, date) and end < start:
        errors["end"] = [_("结束日期不能早于开始日期。")]
    elif isinstance(start, date) and (end - start).days >= MAX_LEAVE_DAYS:
        errors["end"] = [_("一次请假最多 %(n)s 天。") % {"n": MAX_LEAVE_DAYS}]
    note = (note or "").strip()
    if len(note) > 100:
        errors["note"] = [_("备注最多 100 字。")]
    if errors:
        raise Invalid(errors)
    leave = Leave.objects.create(
        compound=compound, user_id=member.user_id, start=start, end=end, note=note
    )
    audit(
        actor=actor,
        action="patrol.leave.added",
        obj=leave,
        compound=compound,
        detail={"user": member.user_id, "start": start.isoformat(), "end": end.isoformat()},
    )
    return leave


def leave_remove(*, actor, leave: Leave) -> None:
    if not access.can_manage(actor, leave.compound):
        raise Forbidden
    audit(
        actor=actor,
        action="patrol.leave.removed",
        obj=leave,
        compound=leave.compound,
        detail={"user": leave.user_id, "start": leave.start.isoformat()},
    )
    leave.delete()


WEEKDAYS = (
    (1, gettext_lazy("星期一")),
    (2, gettext_lazy("星期二")),
    (3, gettext_lazy("星期三")),
    (4, gettext_lazy("星期四")),
    (5, gettext_lazy("星期五")),
    (6, gettext_lazy("星期六")),
    (7, gettext_lazy("星期日")),
)
WHOLE_DAY = engine.WHOLE_DAY


def wishes_of(compound) -> list[ShiftWish]:
    return list(
        ShiftWish.objects.filter(compound=compound)
        .select_related("user")
        .order_by("user__display_name", "user__username", "weekday", "shift", "id")
    )


def wish_add(*, actor, compound, user_id, weekday, shift: str, wants, note: str = "") -> ShiftWish:
    """A member's weekly wish ("no nights on Fridays", "early shift on Mondays");
    the next roster built honours as many as the rules allow. The same member,
    day and shift again replaces the earlier wish."""
    member, errors = _team_member(actor, compound, user_id)
    try:
        weekday = int(weekday)
    except (TypeError, ValueError):
        weekday = 0
    if not 1 <= weekday <= 7:
        errors["weekday"] = [_("请选择星期几。")]
    if shift != WHOLE_DAY and shift not in SHIFT_BY_KEY:
        errors["shift"] = [_("请选择班次。")]
    if wants not in ("1", "0", True, False):
        errors["wants"] = [_("请选择愿意上还是不愿意上。")]
    elif wants in ("1", True) and shift == WHOLE_DAY:
        errors["shift"] = [_("“愿意上”请选择具体班次。")]
    note = (note or "").strip()
    if len(note) > 100:
        errors["note"] = [_("备注最多 100 字。")]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        wish, _created = ShiftWish.objects.update_or_create(
            compound=compound,
            user_id=member.user_id,
            weekday=weekday,
            shift=shift,
            defaults={"wants": wants in ("1", True), "note": note},
        )
        audit(
            actor=actor,
            action="patrol.wish.added",
            obj=wish,
            compound=compound,
            detail={"user": member.user_id, "weekday": weekday, "shift": shift},
        )
    return wish


def wish_remove(*, actor, wish: ShiftWish) -> None:
    if not access.can_manage(actor, wish.compound):
        raise Forbidden
    audit(
        actor=actor,
        action="patrol.wish.removed",
        obj=wish,
        compound=wish.compound,
        detail={"user": wish.user_id, "weekday": wish.weekday, "shift": wish.shift},
    )
    wish.delete()


def wish_label(wish: ShiftWish) -> str:
    day = dict(WEEKDAYS)[wish.weekday]
    shift = _("全天") if wish.shift == WHOLE_DAY else shift_label(wish.shift)
    if wish.wants:
        return _("%(day)s愿意上%(shift)s") % {"day": day, "shift": shift}
    return _("%(day)s不上%(shift)s") % {"day": day, "shift": shift}


# ---- reasons as sentences ----------------------------------------------------------------


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


RULES = {
    "rest": gettext_lazy("两班之间至少休息 8 小时"),
    "nights": gettext_lazy("连续夜班上限"),
    "hours": gettext_lazy("每周工时上限"),
    "roles": gettext_lazy("每班至少一名保安"),
}
ROLES = {"guard": gettext_lazy("保安"), "volunteer": gettext_lazy("志愿者")}
WHY = (
    ("on_leave", gettext_lazy("%(n)s 人请假")),
    ("on_other_shift", gettext_lazy("%(n)s 人当天已排其他班")),
    ("resting", gettext_lazy("%(n)s 人需要班后休息")),
    ("at_hours_cap", gettext_lazy("%(n)s 人已到每周工时上限")),
    ("at_night_limit", gettext_lazy("%(n)s 人已到连续夜班上限")),
)


def _day(value) -> str:
    if not value:
        return ""
    d = date.fromisoformat(value) if isinstance(value, str) else value
    weekday = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]
    return f"{d.month}/{d.day} {weekday[d.weekday()]}"


def shift_label(key) -> str:
    s = SHIFT_BY_KEY.get(key)
    return str(s.label) if s else str(key or "")


def describe(reason: dict, names: dict | None = None) -> str:
    """One reason (``reason_json``) as a sentence in the active language,
    naming the day, the shift, the person and why."""
    names = names or {}
    f = reason.get("facts") or {}
    code = reason["code"]
    who = names.get(str(reason.get("guard")), str(reason.get("guard") or ""))
    ctx = {
        "day": _day(reason.get("day")),
        "shift": shift_label(reason.get("shift")),
        "who": who,
        **{k: v for k, v in f.items() if not isinstance(v, list)},
    }
    if code == "understaffed" and reason.get("shift") is None:
        return _(
            "%(day)s：全天各班共需 %(needed)s 人次，只有 %(available)s 人不在休假"
            "（%(on_leave)s 人请假）。"
        ) % {**ctx, "on_leave": f.get("on_leave", 0)}
    if code == "understaffed" and "available" in f:
        why = [str(label) % {"n": f[k]} for k, label in WHY if f.get(k)]
        if not why:
            return (
                _("%(day)s %(shift)s排不满：需要 %(needed)s 人，只能排出 %(available)s 人。") % ctx
            )
        return _(
            "%(day)s %(shift)s排不满：需要 %(needed)s 人，只能排出 %(available)s 人（%(why)s）。"
        ) % {**ctx, "why": _("，").join(why)}
    if code == "understaffed":
        return _("%(day)s %(shift)s缺人：需要 %(needed)s 人，现排 %(assigned)s 人。") % ctx
    if code == "overstaffed":
        return _("%(day)s %(shift)s多排了人：需要 %(needed)s 人，现排 %(assigned)s 人。") % ctx
    if code == "role_missing":
        role = str(ROLES.get(f.get("role"), f.get("role", "")))
        have = f.get("assigned", f.get("available"))
        if have is None:
            return _("%(day)s %(shift)s至少需要 %(needed)s 名%(role)s，排不出来。") % {
                **ctx,
                "role": role,
            }
        return _("%(day)s %(shift)s至少需要 %(needed)s 名%(role)s，只有 %(have)s 名。") % {
            **ctx,
            "role": role,
            "have": have,
        }
    if code == "blocked_by":
        rule = str(RULES.get(f.get("rule"), f.get("rule", "")))
        return _(
            "卡在“%(rule)s”这条规则：不受它限制时，排不满的班次可由 %(uncovered)s 个"
            "减少到 %(left)s 个。"
        ) % {**ctx, "rule": rule, "left": f.get("uncovered_without_rule")}
    if code in ("fairness", "fairness_relaxed"):
        text = _("夜班分配不均：最少的 %(min)s 个，最多的 %(max)s 个（应相差不超过 1 个）。") % ctx
        if code == "fairness_relaxed":
            text += " " + (
                _("已证明本期无法做到更平均。")
                if f.get("proven")
                else _("限时内没有找到更平均的排法。")
            )
        return text
    if code == "double_shift":
        return _("%(who)s %(day)s 排了不止一个班。") % ctx
    if code == "on_leave":
        return _("%(who)s %(day)s 请假，却排了%(shift)s。") % ctx
    if code == "rest":
        return _(
            "%(who)s %(after_day)s 上完%(after)s后休息不足 %(h)s 小时，%(day)s 又排了%(shift)s。"
        ) % {
            **ctx,
            "after_day": _day(f.get("after_day")),
            "after": shift_label(f.get("after")),
            "h": f.get("min_rest_hours", 8),
        }
    if code == "consecutive_nights":
        return _("%(who)s 到 %(day)s 已连续 %(nights)s 个夜班，超过 %(limit)s 个的上限。") % ctx
    if code == "weekly_hours":
        return _("%(who)s %(day)s 起七天内工作 %(hours)s 小时，超过 %(cap)s 小时的上限。") % ctx
    if code == "no_solution":
        return _("在限定时间内没有算出排班，请减少天数或增加队员后重试。")
    return _("%(who)s %(day)s %(shift)s：不在本期排班范围内。") % ctx


def describe_all(reasons: list[dict], names: dict | None = None) -> list[str]:
    return [describe(r, names) for r in reasons]


# ---- reads used by the pages and the API --------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def tonight(now: datetime | None = None) -> date:
    """The date of the night shift not yet over: before 06:00 it is the one
    that started last evening."""
    local = timezone.localtime(now or timezone.now())
    night_end = SHIFT_BY_KEY["night"].start.hour + SHIFT_BY_KEY["night"].hours - 24
    return local.date() - timedelta(days=1) if local.hour < night_end else local.date()
