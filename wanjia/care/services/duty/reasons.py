"""Reasons a duty roster breaks a rule, as JSON and as sentences in the
reader's language."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from wanjia import rostering as engine

from .shifts import MAX_NIGHTS, WEEKLY_HOURS, shift_label


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
