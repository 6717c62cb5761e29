"""The monthly evidence report for the 平安小区 rating: rounds, cover, incidents and each
guard's record, with the definitions it prints."""

import statistics
from collections import Counter, defaultdict

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from wanjia.core.models import User

from ..models import (
    CheckIn,
    Flag,
    Incident,
    IncidentCategory,
    Run,
    RunStop,
    Severity,
)
from .intervals import month_nights, nights_window
from .outposts import cover


def _stops(compound_ids, lo, hi, now):
    return RunStop.objects.filter(
        run__compound_id__in=compound_ids,
        run__starts_at__gte=lo,
        run__starts_at__lt=hi,
        due_at__lt=now,
    )


def _response_minutes(incidents) -> list[float]:
    return [
        (i["handed_at"] - i["created_at"]).total_seconds() / 60
        for i in incidents
        if i["handed_at"] is not None
    ]


def evidence(compound, year: int, month: int, now=None) -> dict:
    """Every figure of the month's evidence report for one compound."""
    now = now or timezone.now()
    ids = [compound.pk]
    first, last = month_nights(year, month)
    lo, hi = nights_window(first, last)

    runs = list(
        Run.objects.filter(compound=compound, starts_at__gte=lo, starts_at__lt=min(hi, now))
        .annotate(
            n_done=Count("stops", filter=Q(stops__checkin__isnull=False)),
            n_stops=Count("stops"),
        )
        .values("pk", "n_done", "n_stops")
    )
    rounds_planned = len(runs)
    rounds_done = sum(1 for r in runs if r["n_stops"] and r["n_done"] == r["n_stops"])

    stops = _stops(ids, lo, hi, now)
    due = stops.count()
    checked = stops.filter(checkin__isnull=False).count()
    missed = due - checked
    missed_rows = list(
        stops.filter(checkin__isnull=True)
        .select_related("checkpoint", "run__route")
        .order_by("due_at", "order")
    )
    by_checkpoint = Counter(s.checkpoint.name for s in missed_rows)

    checkins = list(
        CheckIn.objects.filter(compound=compound, scanned_at__gte=lo, scanned_at__lt=hi).values(
            "pk", "user_id", "run_id", "flags"
        )
    )
    flag_counts = Counter(f for c in checkins for f in set(c["flags"] or []))
    flags = [
        {"code": f.value, "label": f.label, "count": flag_counts.get(f.value, 0)} for f in Flag
    ]
    flagged = sum(1 for c in checkins if c["flags"])

    incidents = list(
        Incident.objects.filter(compound=compound, created_at__gte=lo, created_at__lt=hi).values(
            "category", "severity", "created_at", "handed_at"
        )
    )
    grid = Counter((i["category"], i["severity"]) for i in incidents)
    severities = list(Severity.choices)
    incident_rows = [
        {
            "label": label,
            "counts": [grid.get((cat, sev), 0) for sev, _l in severities],
            "total": sum(grid.get((cat, sev), 0) for sev, _l in severities),
        }
        for cat, label in IncidentCategory.choices
    ]
    responses = _response_minutes(incidents)

    guards = _per_guard(checkins, now)
    outposts = cover(ids, first, last, now)
    return {
        "compound": compound,
        "year": year,
        "month": month,
        "first": first,
        "last": last,
        "window": (lo, hi),
        "now": now,
        "rounds_planned": rounds_planned,
        "rounds_done": rounds_done,
        "due": due,
        "checked": checked,
        "completion": checked / due if due else None,
        "missed": missed,
        "missed_per_100": missed * 100 / due if due else None,
        "missed_by_checkpoint": by_checkpoint.most_common(),
        "missed_rows": missed_rows,
        "checkins": len(checkins),
        "flagged": flagged,
        "flags": flags,
        "incidents": len(incidents),
        "incident_rows": incident_rows,
        "severities": [label for _v, label in severities],
        "severity_totals": [
            sum(grid.get((cat, sev), 0) for cat, _l in IncidentCategory.choices)
            for sev, _l in severities
        ],
        "handed": len(responses),
        "response_median": statistics.median(responses) if responses else None,
        "outposts": outposts,
        "guards": guards,
    }


def _per_guard(checkins, now) -> list[dict]:
    """Per person who checked in: check-ins, flagged ones, the rounds they walked
    (at least one check-in of theirs) and the completion of those rounds."""
    by_user = defaultdict(list)
    for c in checkins:
        by_user[c["user_id"]].append(c)
    users = {u.pk: u for u in User.objects.filter(pk__in=by_user)}
    rows = []
    for uid, mine in by_user.items():
        run_ids = {c["run_id"] for c in mine if c["run_id"]}
        stops = RunStop.objects.filter(run_id__in=run_ids, due_at__lt=now)
        due = stops.count()
        done = stops.filter(checkin__isnull=False).count()
        user = users[uid]
        rows.append(
            {
                "user": user,
                "name": user.display_name or user.username,
                "checkins": len(mine),
                "flagged": sum(1 for c in mine if c["flags"]),
                "rounds": len(run_ids),
                "due": due,
                "done": done,
                "completion": done / due if due else None,
            }
        )
    return sorted(rows, key=lambda r: (-r["checkins"], r["name"]))


#: What each figure of the report means, shown beside it (口径).
DEFINITIONS = {
    "window": gettext_lazy(
        "统计期为本月各夜：从每月 1 日 12:00 到次月 1 日 12:00；凌晨的巡逻算作前一夜。尚未到时的不计。"
    ),
    "rounds_planned": gettext_lazy("本月各夜已到开始时间的巡逻轮次数。"),
    "rounds_done": gettext_lazy("全部巡更点都已签到的轮次数。"),
    "completion": gettext_lazy(
        "已到应到时间的巡更点中，有签到的比例（与监管看板的巡更完成率一致）。"
    ),
    "missed": gettext_lazy("已到应到时间仍无签到的巡更点次数。"),
    "missed_per_100": gettext_lazy("每 100 个应到巡更点中的漏点数。"),
    "flags": gettext_lazy(
        "带有各类提示的签到次数；一次签到可有多种提示，提示只作参考，不影响签到有效。"
    ),
    "incidents": gettext_lazy("本月各夜巡逻中上报的发现，按类别和严重程度计数。"),
    "response": gettext_lazy(
        "响应时间：从发现上报到转交纠纷调解或报修的分钟数，取已转交的发现的中位数。"
    ),
    "cover": gettext_lazy("岗哨值守率：在用岗哨的要求值守时长中，有人排班在岗的时长所占比例。"),
    "gaps": gettext_lazy("缺岗次数：要求值守的时段中无人在岗的连续时段个数。"),
    "guards": gettext_lazy(
        "每名巡逻人员：本月签到次数、带提示的次数，及其参与过（至少签到一次）的轮次的完成率。"
    ),
}
