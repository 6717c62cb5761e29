"""The reasons a roster cannot exist (or breaks a rule), as JSON and as
sentences in the reader's language."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wanjia import rostering as engine

from .shifts import shift_label


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
